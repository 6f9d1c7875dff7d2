/**
 * A profile for people: each rule in one line ("device → ntp1.dlink.com UDP 123, device initiates"), with how
 * often traffic used it, and the difference between two profiles (learned vs vendor) by what the rules allow
 * rather than by ACE names.
 * @module
 */
import { identity, policyAcls } from './document.ts';
import type { Ace, MudFile, PortMatch, RuleUsage } from './types.ts';

export interface ReadableRule {
  ace: string;
  acl: string;
  direction: 'from-device' | 'to-device';
  action: string;
  /** The peer: a DNS name, a network, a MUD class, or 'any'. */
  peer: string;
  protocol: string;
  /** Port condition on the peer's side and on the device's side ('' when any). */
  peerPort: string;
  devicePort: string;
  initiated?: 'from-device' | 'to-device';
  text: string;
  /** Same-meaning key used by the difference (direction, peer, protocol, ports, initiation, action). */
  key: string;
  usage?: RuleUsage;
}

const protoNames: Record<number, string> = { 1: 'ICMP', 2: 'IGMP', 6: 'TCP', 17: 'UDP', 58: 'ICMPv6' };

export function portText(p: PortMatch | undefined): string {
  if (p === undefined) return '';
  if (p['lower-port'] !== undefined) return `${p['lower-port']}-${p['upper-port'] ?? p['lower-port']}`;
  const op = { eq: '', neq: '≠', lte: '≤', gte: '≥' }[p.operator ?? 'eq'];
  return `${op}${p.port}`;
}

function peerOf(ace: Ace, fromDevice: boolean): string {
  const m = ace.matches ?? {};
  const ip = m.ipv4 ?? m.ipv6;
  const cls = m['ietf-mud:mud'];
  const parts: string[] = [];
  const name = fromDevice ? ip?.['ietf-acldns:dst-dnsname'] : ip?.['ietf-acldns:src-dnsname'];
  if (name) parts.push(name);
  const net = fromDevice ? (ip?.['destination-ipv4-network'] ?? ip?.['destination-ipv6-network']) : (ip?.['source-ipv4-network'] ?? ip?.['source-ipv6-network']);
  if (net) parts.push(net);
  if (cls) {
    for (const [k, v] of Object.entries(cls)) parts.push(Array.isArray(v) ? k : `${k} ${String(v)}`);
  }
  return parts.length ? parts.join(' + ') : 'any';
}

function ruleOf(ace: Ace, acl: string, fromDevice: boolean): ReadableRule {
  const m = ace.matches ?? {};
  const ip = m.ipv4 ?? m.ipv6;
  const l4 = m.tcp ?? m.udp;
  const protocol = m.tcp ? 'TCP' : m.udp ? 'UDP' : m.icmp ? 'ICMP' : ip?.protocol !== undefined ? (protoNames[ip.protocol] ?? `IP protocol ${ip.protocol}`) : 'any';
  const src = portText(l4?.['source-port']);
  const dst = portText(l4?.['destination-port']);
  const peerPort = fromDevice ? dst : src;
  const devicePort = fromDevice ? src : dst;
  const initiated = l4?.['ietf-mud:direction-initiated'];
  const peer = peerOf(ace, fromDevice);
  const action = identity(ace.actions.forwarding);
  const arrow = fromDevice ? `device → ${peer}` : `${peer} → device`;
  const ports = [peerPort && `${fromDevice ? 'to' : 'from'} port ${peerPort}`, devicePort && `device port ${devicePort}`].filter(Boolean).join(', ');
  const who = initiated === 'from-device' ? ', device initiates' : initiated === 'to-device' ? ', peer initiates' : '';
  const family = m.ipv6 ? ' (IPv6)' : '';
  const text = `${action === 'accept' ? 'allow' : action} ${arrow} ${protocol}${ports ? ` ${ports}` : ''}${who}${family}`;
  const key = [fromDevice ? 'fr' : 'to', peer, protocol, peerPort, devicePort, initiated ?? '', action, m.ipv6 ? 6 : 4].join('|');
  return { ace: ace.name, acl, direction: fromDevice ? 'from-device' : 'to-device', action, peer, protocol, peerPort, devicePort, initiated, text, key };
}

/** Every rule of a profile in policy order, with usage counts when given. */
export function readableRules(mud: MudFile, usage: Record<string, RuleUsage> = {}): ReadableRule[] {
  const out: ReadableRule[] = [];
  for (const side of ['from-device-policy', 'to-device-policy'] as const) {
    for (const acl of policyAcls(mud, side)) {
      for (const ace of acl.aces?.ace ?? []) {
        const r = ruleOf(ace, acl.name, side === 'from-device-policy');
        r.usage = usage[ace.name] ?? { flows: 0 };
        out.push(r);
      }
    }
  }
  return out;
}

export interface ProfileDiff {
  onlyLeft: ReadableRule[];
  onlyRight: ReadableRule[];
  both: { left: ReadableRule; right: ReadableRule }[];
}

/** What one profile allows that the other does not (e.g. learned vs vendor), compared by meaning. */
export function diffProfiles(left: MudFile, right: MudFile): ProfileDiff {
  const l = readableRules(left);
  const r = readableRules(right);
  const rKeys = new Map(r.map((x) => [x.key, x]));
  const lKeys = new Set(l.map((x) => x.key));
  return {
    onlyLeft: l.filter((x) => !rKeys.has(x.key)),
    onlyRight: r.filter((x) => !lKeys.has(x.key)),
    both: l.filter((x) => rKeys.has(x.key)).map((x) => ({ left: x, right: rKeys.get(x.key)! })),
  };
}
