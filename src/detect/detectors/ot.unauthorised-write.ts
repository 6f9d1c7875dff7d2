/**
 * ot.unauthorised-write: a host writes to an industrial device (Modbus writes, DNP3 write/select/operate/
 * direct operate, S7 write var, ...) without having been seen as that device's master before: it had not
 * polled the device (session setup and identification requests do not count, every tool sends those).
 * Hosts on the allowlist (alone, or as client>server pairs) may write.
 * Protocol-neutral: every event type in lib/ot-commands.ts counts.
 * @module
 */
import type { Detector } from '../types.ts';
import { BoundedMap } from '../lib/bounded-map.ts';
import { otCommand, otCommandClassifiers } from '../lib/ot-commands.ts';

interface Options extends Record<string, unknown> {
  allowlist: string[];
  learnSeconds: number;
  maxPairs: number;
}

export const detector: Detector<Options> = {
  id: 'ot.unauthorised-write',
  description: 'Writes and operate commands to an industrial device (Modbus, DNP3, S7comm) from a host not seen before as that device\'s master; allowlisted masters are exempt.',
  category: 'policy',
  severity: 'high',
  confidence: 0.7,
  references: {
    attack: ['T0855', 'T0836', 'T0831'],
    other: ['IEC 62443-3-3 SR 1.1', 'IEC 62443-3-3 SR 2.1', 'IEC 62443-3-3 SR 3.1', 'IEC 62443-3-3 SR 5.1', 'MITRE ATT&CK for ICS T0855 Unauthorized Command Message, T0836 Modify Parameter, T0831 Manipulation of Control'],
  },
  options: {
    allowlist: { default: [], description: "Hosts allowed to write: an address ('10.0.0.9', any device) or a pair ('10.0.0.9>10.0.0.3')." },
    learnSeconds: { default: 0, description: 'Seconds from the first OT request seen during which every writer is learned as a master instead of reported (for monitoring that starts on a running plant).' },
    maxPairs: { default: 10000, description: 'Client/server pairs remembered as masters (the least recently active are forgotten beyond it).' },
  },
  messages: {
    write: {
      title: '{client} sends {command} to {server} ({protocol}) without being its master',
      explanation: '{client} sent {protocol} {command} to {server} {unit_text}({detail}) without having polled that device before (session setup and identification requests do not count). Industrial protocols do not authenticate commands, so any host that reaches the device can change the process. {count} such writes from {first_seen} to {last_seen}. If {client} is a legitimate master (a new HMI, an engineering station), add it to the allowlist; otherwise block it and check the values written.',
    },
  },
  subscribes: Object.keys(otCommandClassifiers),
  needs: 'packets',
  create(ctx, options) {
    const allowed = new Set(options.allowlist);
    /** client>server pairs seen issuing requests: the device's masters. */
    const masters = new BoundedMap<string, true>(options.maxPairs);
    let firstTs = Infinity;
    return {
      onEvent(ev) {
        const c = otCommand(ev);
        if (!c) return;
        if (c.ts < firstTs) firstTs = c.ts;
        const pair = `${c.client}>${c.server}`;
        const known = masters.get(pair) !== undefined || c.ts - firstTs < options.learnSeconds;
        // A writer is remembered too, so its further writes aggregate instead of repeating.
        if (c.masterBehaviour || c.kind === 'write') masters.getOrCreate(pair, () => true);
        if (c.kind !== 'write' || known || allowed.has(c.client) || allowed.has(pair)) return;
        ctx.report({
          messageId: 'write',
          key: `${pair}|${c.protocol}|${c.unit}`,
          data: { client: c.client, server: c.server, protocol: c.protocol, command: c.command, unit_text: c.unit ? `${c.unit} ` : '', detail: c.detail },
          devices: [{ role: 'attacker', ip: c.client }, { role: 'victim', ip: c.server }],
          ts: c.ts,
          evidence: c.evidence,
          facts: { protocol: c.protocol, command: c.command, client: c.client, server: c.server, unit: c.unit, detail: c.detail },
        });
      },
    };
  },
};

export default detector;
