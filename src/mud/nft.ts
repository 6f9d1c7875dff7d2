/**
 * Enforcement: an nftables ruleset from MUD profiles (`bulwark mud nft`). One table `inet bulwark_mud`
 * (or, `fw4` format, a snippet for OpenWrt's /etc/nftables.d/ included inside `table inet fw4`), per device a
 * chain for what it may open (from-device ACEs) and one for what may open connections to it (to-device ACEs),
 * per DNS name a set of the addresses it resolved to, and at the end of a locked device's chains `drop`.
 * Replies of allowed connections pass by connection tracking, which is what the MUD ACL pairs describe.
 * DNS names are resolved when the ruleset is generated (hosts file first, then the system resolver); re-run
 * it on a timer (each run replaces the table atomically) — see docs/mud.md.
 * @module
 */
import { createHash } from 'node:crypto';
import { isIPv4, isIPv6 } from 'node:net';
import { identity, policyAcls } from './document.ts';
import { defaultLocalNetworks } from './match.ts';
import { mac12 } from './learn.ts';
import type { Ace, PortMatch } from './types.ts';
import type { StoredProfile } from './store.ts';

export interface NftOptions {
  format: 'nft' | 'fw4';
  localNetworks: readonly string[];
  /** Addresses per DNS name (v4 and v6), e.g. from resolveNames(). Missing names give empty sets. */
  addresses: Map<string, string[]>;
  /** Written in the header comment. */
  generated: string;
}

/** Every DNS name the profiles name (to resolve before generating). */
export function profileNames(profiles: readonly StoredProfile[]): string[] {
  const out = new Set<string>();
  for (const p of profiles) {
    for (const side of ['from-device-policy', 'to-device-policy'] as const) {
      for (const acl of policyAcls(p.mud, side)) {
        for (const ace of acl.aces?.ace ?? []) {
          const ip = ace.matches?.ipv4 ?? ace.matches?.ipv6;
          for (const n of [ip?.['ietf-acldns:dst-dnsname'], ip?.['ietf-acldns:src-dnsname']]) if (n) out.add(n.toLowerCase().replace(/\.$/, ''));
        }
      }
    }
  }
  return [...out].sort();
}

/** hosts(5) text ("address name..." lines) to name → addresses. */
export function parseHosts(text: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const raw of text.split('\n')) {
    const line = raw.replace(/#.*/, '').trim();
    if (!line) continue;
    const [addr, ...names] = line.split(/\s+/);
    if (!isIPv4(addr) && !isIPv6(addr)) continue;
    for (const n of names) {
      const key = n.toLowerCase().replace(/\.$/, '');
      const list = out.get(key) ?? [];
      if (!list.includes(addr)) list.push(addr);
      out.set(key, list);
    }
  }
  return out;
}

const q = (s: string): string => `"${s.replace(/["\\]/g, '')}"`;
const hash = (s: string): string => createHash('sha1').update(s).digest('hex').slice(0, 8);

function portExpr(proto: 'tcp' | 'udp', field: 'sport' | 'dport', p: PortMatch | undefined): string {
  if (p === undefined) return '';
  if (p['lower-port'] !== undefined) return `${proto} ${field} ${p['lower-port']}-${p['upper-port'] ?? p['lower-port']}`;
  const op = { eq: '', neq: '!= ', lte: '<= ', gte: '>= ' }[p.operator ?? 'eq'];
  return `${proto} ${field} ${op}${p.port}`;
}

interface Ctx {
  sets: string[];
  setNames: Map<string, string>;
  opts: NftOptions;
  prefix: string;
  all: readonly StoredProfile[];
}

/** A named set of addresses (deduplicated by content key); returns its name. */
function addressSet(ctx: Ctx, key: string, family: 4 | 6, elements: string[], comment: string): string {
  const id = `${key}|${family}`;
  const have = ctx.setNames.get(id);
  if (have) return have;
  const name = `${ctx.prefix}s_${hash(id)}_v${family}`;
  ctx.setNames.set(id, name);
  const els = elements.filter((e) => (family === 4 ? isIPv4(e.split('/')[0]) : isIPv6(e.split('/')[0])));
  const body = [`type ${family === 4 ? 'ipv4_addr' : 'ipv6_addr'}`, 'flags interval', `comment ${q(comment.slice(0, 120))}`];
  if (els.length > 0) body.push(`elements = { ${els.join(', ')} }`);
  ctx.sets.push(`\tset ${name} {\n${body.map((b) => `\t\t${b}`).join('\n')}\n\t}`);
  return name;
}

/** nft statements for one ACE in one direction and family; undefined when the ACE cannot apply to that family. */
function aceRule(ctx: Ctx, p: StoredProfile, ace: Ace, fromDevice: boolean, family: 4 | 6): string | undefined {
  const m = ace.matches ?? {};
  if ((m.ipv4 && family !== 4) || (m.ipv6 && family !== 6)) return undefined;
  const ipKw = family === 4 ? 'ip' : 'ip6';
  const peerField = fromDevice ? 'daddr' : 'saddr';
  const devField = fromDevice ? 'saddr' : 'daddr';
  const parts: string[] = [];
  const ip = m.ipv4 ?? m.ipv6;
  const name = fromDevice ? ip?.['ietf-acldns:dst-dnsname'] : ip?.['ietf-acldns:src-dnsname'];
  const otherName = fromDevice ? ip?.['ietf-acldns:src-dnsname'] : ip?.['ietf-acldns:dst-dnsname'];
  if (otherName) return undefined; // a name for the device's own address: not something a router can know
  if (name) {
    const n = name.toLowerCase().replace(/\.$/, '');
    parts.push(`${ipKw} ${peerField} @${addressSet(ctx, `dns:${n}`, family, ctx.opts.addresses.get(n) ?? [], `addresses of ${n}`)}`);
  }
  const peerNet = fromDevice ? (ip?.['destination-ipv4-network'] ?? ip?.['destination-ipv6-network']) : (ip?.['source-ipv4-network'] ?? ip?.['source-ipv6-network']);
  const devNet = fromDevice ? (ip?.['source-ipv4-network'] ?? ip?.['source-ipv6-network']) : (ip?.['destination-ipv4-network'] ?? ip?.['destination-ipv6-network']);
  if (peerNet) parts.push(`${ipKw} ${peerField} ${peerNet}`);
  if (devNet) parts.push(`${ipKw} ${devField} ${devNet}`);
  const cls = m['ietf-mud:mud'];
  if (cls?.['local-networks']) parts.push(`${ipKw} ${peerField} @${addressSet(ctx, 'local', family, [...ctx.opts.localNetworks], 'local-networks')}`);
  const addrsOf = (pred: (o: StoredProfile) => boolean): string[] => ctx.all.filter((o) => o !== p && pred(o)).flatMap((o) => o.sidecar.addresses);
  if (cls?.['same-manufacturer']) {
    const mine = p.sidecar.manufacturer;
    parts.push(`${ipKw} ${peerField} @${addressSet(ctx, `mfg:${mine ?? ''}:${p.sidecar.mac}`, family, mine ? addrsOf((o) => o.sidecar.manufacturer === mine) : [], `same-manufacturer as ${p.sidecar.mac}`)}`);
  }
  if (cls?.manufacturer) {
    const host = cls.manufacturer.toLowerCase();
    parts.push(`${ipKw} ${peerField} @${addressSet(ctx, `mfgname:${host}`, family, addrsOf((o) => o.sidecar.manufacturer?.toLowerCase() === host || o.sidecar.announced_mud_urls.some((u) => hostOf(u) === host)), `manufacturer ${host}`)}`);
  }
  if (cls?.model) parts.push(`${ipKw} ${peerField} @${addressSet(ctx, `model:${cls.model}`, family, addrsOf((o) => o.sidecar.announced_mud_urls.includes(cls.model!)), `model ${cls.model}`)}`);
  if (cls?.['my-controller']) parts.push(`${ipKw} ${peerField} @${addressSet(ctx, `myctl:${p.sidecar.mac}`, family, p.sidecar.controllers['my-controller'], `my-controller of ${p.sidecar.mac}`)}`);
  if (cls?.controller) parts.push(`${ipKw} ${peerField} @${addressSet(ctx, `ctl:${p.sidecar.mac}:${cls.controller}`, family, p.sidecar.controllers.controller[cls.controller] ?? [], `controller ${cls.controller}`)}`);
  const l4name = m.tcp ? 'tcp' : m.udp ? 'udp' : undefined;
  if (l4name) {
    const l4 = (m.tcp ?? m.udp)!;
    parts.push(`meta l4proto ${l4name}`);
    const s = portExpr(l4name, 'sport', l4['source-port']);
    const d = portExpr(l4name, 'dport', l4['destination-port']);
    if (s) parts.push(s);
    if (d) parts.push(d);
  } else if (m.icmp) {
    parts.push(family === 4 ? 'meta l4proto icmp' : 'meta l4proto ipv6-icmp');
    if (m.icmp.type !== undefined) parts.push(`${family === 4 ? 'icmp' : 'icmpv6'} type ${m.icmp.type}`);
    if (m.icmp.code !== undefined) parts.push(`${family === 4 ? 'icmp' : 'icmpv6'} code ${m.icmp.code}`);
  } else if (ip?.protocol !== undefined) parts.push(`meta l4proto ${ip.protocol}`);
  if (!name && !peerNet && !devNet && !cls && parts.length === 0) parts.push(`meta nfproto ${family === 4 ? 'ipv4' : 'ipv6'}`);
  else if (!parts.some((x) => x.startsWith(`${ipKw} `))) parts.unshift(`meta nfproto ${family === 4 ? 'ipv4' : 'ipv6'}`);
  const action = identity(ace.actions.forwarding);
  const verdict = action === 'accept' ? 'accept' : action === 'reject' ? 'reject' : 'drop';
  return `${parts.join(' ')} counter ${verdict} comment ${q(ace.name)}`;
}

function hostOf(url: string): string {
  try {
    return new URL(url).hostname.toLowerCase();
  } catch {
    return '';
  }
}

/** The ruleset text for the given profiles. */
export function nftRuleset(profiles: readonly StoredProfile[], options: Partial<NftOptions> = {}): string {
  const opts: NftOptions = { format: 'nft', localNetworks: defaultLocalNetworks, addresses: new Map(), generated: new Date().toISOString(), ...options };
  const prefix = opts.format === 'fw4' ? 'mud_' : '';
  const ctx: Ctx = { sets: [], setNames: new Map(), opts, prefix, all: profiles };
  const chains: string[] = [];
  const jumpsIn: string[] = [];
  const jumpsFwd: string[] = [];
  const jumpsOut: string[] = [];
  for (const p of profiles) {
    const id = mac12(p.sidecar.mac);
    const locked = p.sidecar.state === 'locked';
    const v4 = p.sidecar.addresses.filter((a) => isIPv4(a));
    const v6 = p.sidecar.addresses.filter((a) => isIPv6(a));
    const from: string[] = [];
    const to: string[] = [];
    for (const [side, out, fromDevice] of [['from-device-policy', from, true], ['to-device-policy', to, false]] as const) {
      for (const acl of policyAcls(p.mud, side)) {
        for (const ace of acl.aces?.ace ?? []) {
          // Connection tracking passes replies: a chain sees only the first packet of a connection, so an ACE
          // that only describes replies (initiated by the other side) has nothing to do here.
          const initiated = (ace.matches?.tcp ?? {})['ietf-mud:direction-initiated'];
          if (initiated === (fromDevice ? 'to-device' : 'from-device')) continue;
          for (const family of [4, 6] as const) {
            const rule = aceRule(ctx, p, ace, fromDevice, family);
            if (rule) out.push(rule);
          }
        }
      }
    }
    const tail = locked ? `counter drop comment ${q('locked profile: default drop')}` : `counter accept comment ${q(`profile ${p.sidecar.state}, not locked: monitor only`)}`;
    chains.push(`\tchain ${prefix}dev_${id}_from {\n\t\tcomment ${q(`${p.sidecar.mac} (${p.sidecar.state}): what it may open`)}\n${from.map((r) => `\t\t${r}`).join('\n')}${from.length ? '\n' : ''}\t\t${tail}\n\t}`);
    chains.push(`\tchain ${prefix}dev_${id}_to {\n\t\tcomment ${q(`${p.sidecar.mac} (${p.sidecar.state}): who may open connections to it`)}\n${to.map((r) => `\t\t${r}`).join('\n')}${to.length ? '\n' : ''}\t\t${tail}\n\t}`);
    const fromJump = `ether saddr ${p.sidecar.mac} jump ${prefix}dev_${id}_from`;
    jumpsIn.push(fromJump);
    jumpsFwd.push(fromJump);
    for (const [fam, addrs] of [[4, v4], [6, v6]] as const) {
      if (addrs.length === 0) continue;
      const set = addressSet(ctx, `dev:${id}`, fam, addrs, `addresses of ${p.sidecar.mac}`);
      const kw = fam === 4 ? 'ip' : 'ip6';
      jumpsFwd.push(`${kw} daddr @${set} jump ${prefix}dev_${id}_to`);
      jumpsOut.push(`${kw} daddr @${set} jump ${prefix}dev_${id}_to`);
    }
  }
  const base = (name: string, hook: string, jumps: string[]): string =>
    `\tchain ${prefix}${name} {\n\t\ttype filter hook ${hook} priority filter - 1; policy accept;\n\t\tct state established,related accept\n\t\tct state invalid drop\n${jumps.map((j) => `\t\t${j}`).join('\n')}${jumps.length ? '\n' : ''}\t}`;
  const body = [...ctx.sets, base('forward', 'forward', jumpsFwd), base('input', 'input', jumpsIn), base('output', 'output', jumpsOut), ...chains].join('\n\n');
  const header = `# Bulwark MUD enforcement (RFC 8520), generated ${opts.generated} from ${profiles.length} profiles.\n` +
    `# Locked devices: ${profiles.filter((p) => p.sidecar.state === 'locked').map((p) => p.sidecar.mac).join(', ') || 'none'} (default drop); others are counted only.\n` +
    '# DNS-name sets hold the addresses the names resolved to when this file was generated: re-generate and\n' +
    '# re-load it periodically (docs/mud.md); loading replaces the whole table atomically.\n';
  if (opts.format === 'fw4') return `${header}# OpenWrt fw4: save as /etc/nftables.d/50-bulwark-mud.nft (included inside table inet fw4), then fw4 reload.\n\n${body}\n`;
  return `${header}\ntable inet bulwark_mud\ndelete table inet bulwark_mud\n\ntable inet bulwark_mud {\n${body}\n}\n`;
}

/**
 * Addresses of the profiles' DNS names: a hosts file's entries first (fixed addresses, tests), then — unless
 * `resolver` is false — the system resolver (A and AAAA), each lookup bounded by `timeoutMs`.
 */
export async function resolveNames(names: readonly string[], hosts: Map<string, string[]>, resolver: boolean, timeoutMs = 3000): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  const { Resolver } = await import('node:dns/promises');
  const r = new Resolver({ timeout: timeoutMs, tries: 1 });
  for (const name of names) {
    const list = [...(hosts.get(name) ?? [])];
    if (resolver && list.length === 0) {
      for (const lookup of [r.resolve4(name), r.resolve6(name)]) {
        try {
          for (const a of await lookup) if (!list.includes(a)) list.push(a);
        } catch {
          // NXDOMAIN, no answer or timeout: the set stays empty until the next run.
        }
      }
    }
    out.set(name, list);
  }
  return out;
}
