/**
 * Plain-language headline and advice per cause of a failed check (a detector id or a fact id), as data. The
 * label shows the headline of the worst cause and the advice of the three worst causes; generic advice fills
 * the rest. `{noun}` is "camera", "plug", ... or "device".
 * @module
 */
import { detectorMatches } from './baseline.ts';

export interface AdviceEntry {
  /** Detector id or pattern ('c2.*'), or a fact id. */
  cause: string;
  /** Device roles this entry is for (findings only); absent: any. */
  roles?: string[];
  headline: string;
  advice: string;
}

export const adviceTable: readonly AdviceEntry[] = [
  { cause: 'botnet.*', headline: 'Infected: it is spreading to other devices',
    advice: 'This {noun} is infected and attacking other devices: unplug it, reset it to factory settings and set a new password before using it again.' },
  { cause: 'c2.*', headline: 'Infected: it talks to a botnet controller',
    advice: 'This {noun} is taking orders from attackers: unplug it, reset it to factory settings and update its firmware before reconnecting it.' },
  { cause: 'p2p.botnet', headline: 'Infected: it is part of a peer-to-peer botnet',
    advice: 'This {noun} is part of a botnet: unplug it, reset it to factory settings and update its firmware before reconnecting it.' },
  { cause: 'ddos.flood-source', headline: 'Infected: it is flooding others with traffic',
    advice: 'This {noun} is being used to attack others: unplug it now, reset it and update its firmware.' },
  { cause: 'scan.*', headline: 'It is scanning the network like malware does',
    advice: 'This {noun} is probing other devices, as infected devices do: unplug it and reset it to factory settings.' },
  { cause: 'bruteforce.login', roles: ['attacker', 'infected'], headline: 'It is trying to guess other devices\' passwords',
    advice: 'This {noun} is guessing passwords of other devices, as infected devices do: unplug it and reset it to factory settings.' },
  { cause: 'credentials.default', headline: 'It accepts a factory default password',
    advice: 'Change this {noun}\'s password now: it still accepts a well-known factory password that attackers try first.' },
  { cause: 'credentials.cleartext', headline: 'It sends passwords in clear text',
    advice: 'Change this {noun}\'s password: it is sent in clear text every time someone logs in, and anyone on the network can read it.' },
  { cause: 'http.firmware', headline: 'It downloads updates without encryption',
    advice: 'This {noun} downloads its updates without encryption, so they could be tampered with: ask the maker for a fixed firmware, or replace it.' },
  { cause: 'bruteforce.login', roles: ['victim'], headline: 'Someone is guessing its password',
    advice: 'Someone is trying to guess this {noun}\'s password: make sure it uses a long, unique password and is not reachable from the Internet.' },
  { cause: 'service.telnet', headline: 'It has an old, unencrypted remote login (telnet) open',
    advice: 'Turn off telnet on this {noun} (or ask the maker how): it is the door most IoT malware walks in through.' },
  { cause: 'exposure.service', headline: 'It exposes a risky network service',
    advice: 'Turn off network services this {noun} does not need, and do not forward its ports on your router.' },
  { cause: 'ddos.reflection', headline: 'It can be abused to attack others',
    advice: 'This {noun} answers requests that attackers abuse to flood others: turn the service off or block it at the router.' },
  { cause: 'crypto.weak-tls', headline: 'It uses outdated encryption',
    advice: 'This {noun} uses outdated encryption: install the latest firmware, and replace it if no update fixes this.' },
  { cause: 'tls.weak_negotiated', headline: 'It uses outdated encryption (old TLS)',
    // Same advice as crypto.weak-tls: one line on the label when both fire.
    advice: 'This {noun} uses outdated encryption: install the latest firmware, and replace it if no update fixes this.' },
  { cause: 'upnp.answering', headline: 'It answers UPnP requests from the network',
    advice: 'Turn off UPnP on this {noun} and on your router unless you need it: it lets programs open ports without asking you.' },
  { cause: 'ot.exposed-service', headline: 'Its industrial control service is reachable from outside',
    advice: 'Put this {noun} behind a firewall or VPN: its control protocol has no password, and it answers addresses outside your network.' },
  { cause: 'ot.device-control', roles: ['victim'], headline: 'It obeys stop, restart or reprogramming commands from the network',
    advice: 'Let only engineering stations reach this {noun}\'s control port, and check that the stop, restart or program changes seen were planned.' },
  { cause: 'ot.device-control', roles: ['attacker'], headline: 'It stops, restarts or reprograms controllers',
    advice: 'Check that this {noun} is an engineering station allowed to reprogram controllers; if not, isolate it now.' },
  { cause: 'ot.unauthorised-write', roles: ['victim'], headline: 'It accepts writes from hosts that are not its masters',
    advice: 'Restrict this {noun}\'s control port to its masters (firewall or allowlist): anyone who reaches it can change the process.' },
  { cause: 'ot.unauthorised-write', roles: ['attacker'], headline: 'It writes to controllers it does not normally control',
    advice: 'Find out why this {noun} writes to controllers it had not talked to before; if it is not a new HMI or engineering station, isolate it.' },
  { cause: 'ot.scan', headline: 'It is searching the network for industrial controllers',
    advice: 'Find out what runs on this {noun}: unless it is an asset-inventory tool run on purpose, it is looking for controllers to attack.' },
  { cause: 'policy.*', headline: 'It talks to places it should not',
    advice: 'This {noun} talks to more places than it needs to: check its settings, or restrict it on your router.' },
  { cause: 'http.cleartext_remote', headline: 'It sends data over the Internet without encryption',
    advice: 'This {noun} sends some data over the Internet without encryption: check for a firmware update, and avoid sharing sensitive data through it.' },
  { cause: 'web.plain_only', headline: 'Its web interface is not encrypted',
    advice: 'Only use this {noun}\'s web interface or app on your home network: its connection is not encrypted.' },
  { cause: 'upnp.announcing', headline: 'It announces itself to the whole network',
    advice: 'This {noun} announces its model to every device on the network (UPnP): turn that off if you do not use it.' },
];

/** Generic advice used to fill the label's three lines, in order. */
export const genericAdvice: readonly string[] = [
  'Keep this {noun}\'s firmware up to date: turn on automatic updates in its app if it has them.',
  'Give this {noun} its own long, unique password, not one you use elsewhere.',
  'Put smart devices on a separate guest network so a problem with one cannot reach your computers.',
  'Watch it for longer: Bulwark could only judge what it saw, and saw little of this {noun}.',
];

/** The advice entry for a cause (first match wins; roles filter finding causes). */
export function adviceFor(cause: string, role?: string): AdviceEntry | undefined {
  return adviceTable.find((a) => detectorMatches(a.cause, cause) && (a.roles === undefined || role === undefined || a.roles.includes(role)));
}

export function fillNoun(text: string, noun: string): string {
  return text.replaceAll('{noun}', noun);
}
