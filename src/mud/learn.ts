/**
 * Learning a MUD profile per device from what the network carried (`bulwark mud learn`, and `serve` on
 * every ingest): each IP flow of a device becomes an allow rule — cloud peers by the DNS name whose answer
 * gave their address, local peers by MUD class, protocol, the server port, and who initiated — and every
 * generalisation made on the way is written down (sidecar `learned.generalisations`).
 * @module
 */
import type { EventRecord } from '../pipeline/analyze.ts';
import type { RecordSource } from '../pipeline/record-source.ts';
import type { FlowRecord } from '../flow/types.ts';
import type { DeviceLookup, DeviceRecord } from '../inventory/types.ts';
import { NetSet } from '../inventory/addresses.ts';
import { NameBook } from './names.ts';
import { defaultLocalNetworks } from './match.ts';
import type { Ace, AceMatches, Acl, Generalisation, MudFile, ProfileSidecar } from './types.ts';

export interface LearnOptions {
  /** Learn only these MACs (empty: every local device with a MAC that took part in an IP flow). */
  devices: string[];
  /** Distinct (peer, protocol, port, direction) rules kept per device; beyond it traffic is counted as skipped. */
  maxRulesPerDevice: number;
  /** Devices learned at most (the rest are counted). */
  maxDevices: number;
  /** Distinct server ports (all ≥ 1024) to one peer above which they become one port range. */
  portRangeAbove: number;
  localNetworks: readonly string[];
}

export const defaultLearnOptions: LearnOptions = {
  devices: [], maxRulesPerDevice: 500, maxDevices: 10_000, portRangeAbove: 4, localNetworks: defaultLocalNetworks,
};

/** How a peer is named in a rule. */
type PeerRef = { kind: 'dns'; name: string } | { kind: 'class'; cls: 'local-networks' | 'same-manufacturer' | 'my-controller' } | { kind: 'address'; ip: string };

interface Observed {
  family: 4 | 6;
  protocol: number;
  byDevice: boolean;
  peer: PeerRef;
  serverPort: number;
  /** The client's port when it is a fixed well-known one (DHCP 68, NTP 123), else -1. */
  clientPort: number;
  flows: number;
  /** Flows the other side answered (their replies used the opposite direction's ACE). */
  answered: number;
  peerAddresses: Set<string>;
  first_ts: number;
  last_ts: number;
  /** Server ports generalised to a range (then serverPort is -2). */
  range?: [number, number];
}

interface DeviceTraffic {
  mac: string;
  addresses: Set<string>;
  rules: Map<string, Observed>;
  flows: number;
  skipped: number;
  first_ts: number;
  last_ts: number;
  mudUrls: string[];
}

/** A learned profile: the MUD file and its sidecar. */
export interface LearnedProfile {
  mud: MudFile;
  sidecar: ProfileSidecar;
}

const protoNo: Record<string, number> = { tcp: 6, udp: 17, icmp: 1, icmp6: 58 };

export const mac12 = (mac: string): string => mac.toLowerCase().replace(/[^0-9a-f]/g, '');

export class MudLearner {
  readonly names = new NameBook();
  private readonly opts: LearnOptions;
  private readonly local: NetSet;
  private readonly devices = new Map<string, DeviceTraffic>();
  private readonly wanted: Set<string> | undefined;
  private readonly captures: string[] = [];
  droppedDevices = 0;

  constructor(options: Partial<LearnOptions> = {}) {
    this.opts = { ...defaultLearnOptions, ...options };
    this.local = new NetSet(this.opts.localNetworks);
    this.wanted = this.opts.devices.length > 0 ? new Set(this.opts.devices.map((m) => m.toLowerCase())) : undefined;
  }

  attach(pipeline: RecordSource): this {
    pipeline.on('dns.response', (ev) => this.names.onDnsResponse(ev));
    for (const type of ['dhcp.discover', 'dhcp.request', 'dhcp.inform']) pipeline.on(type, (ev) => this.onDhcp(ev));
    pipeline.on('dhcp6.message', (ev) => this.onDhcp6(ev));
    pipeline.onFlow((f) => this.onFlow(f));
    return this;
  }

  /** Remember a capture path for the sidecar's provenance. */
  noteCapture(path: string): void {
    if (!this.captures.includes(path) && this.captures.length < 1000) this.captures.push(path);
  }

  onDhcp(ev: EventRecord): void {
    if (typeof ev.mud_url !== 'string' || typeof ev.client_mac !== 'string') return;
    const d = this.device(ev.client_mac.toLowerCase());
    if (d && !d.mudUrls.includes(ev.mud_url) && d.mudUrls.length < 8) d.mudUrls.push(ev.mud_url);
  }

  /** DHCPv6 carries no MAC: the URL is kept by sender address and given to its device when profiles are built. */
  private readonly v6Urls = new Map<string, string>();
  onDhcp6(ev: EventRecord): void {
    if (typeof ev.mud_url === 'string' && typeof ev.src_ip === 'string' && this.v6Urls.size < 1000) this.v6Urls.set(ev.src_ip, ev.mud_url);
  }

  onFlow(f: FlowRecord): void {
    if (!this.isIpFlow(f)) return;
    this.noteCapture(f.file);
    if (f.orig_mac && this.local.has(f.orig_ip)) this.record(f, f.orig_mac, true);
    if (f.resp_mac && this.local.has(f.resp_ip) && f.resp_mac !== f.orig_mac) this.record(f, f.resp_mac, false);
  }

  private isIpFlow(f: FlowRecord): boolean {
    return (f.ip_version === 4 || f.ip_version === 6) && f.transport !== 'arp';
  }

  private device(mac: string): DeviceTraffic | undefined {
    if (this.wanted && !this.wanted.has(mac)) return undefined;
    if (mac === 'ff:ff:ff:ff:ff:ff' || (parseInt(mac.slice(0, 2), 16) & 1) === 1) return undefined; // group address
    let d = this.devices.get(mac);
    if (d === undefined) {
      if (this.devices.size >= this.opts.maxDevices) {
        this.droppedDevices++;
        return undefined;
      }
      d = { mac, addresses: new Set(), rules: new Map(), flows: 0, skipped: 0, first_ts: Infinity, last_ts: 0, mudUrls: [] };
      this.devices.set(mac, d);
    }
    return d;
  }

  private record(f: FlowRecord, mac: string, byDevice: boolean): void {
    const d = this.device(mac.toLowerCase());
    if (d === undefined) return;
    const deviceIp = byDevice ? f.orig_ip : f.resp_ip;
    const peerIp = byDevice ? f.resp_ip : f.orig_ip;
    const peerMac = byDevice ? f.resp_mac : f.orig_mac;
    if (deviceIp !== '0.0.0.0' && d.addresses.size < 16) d.addresses.add(deviceIp);
    const protocol = protoNo[f.transport] ?? (f.transport.startsWith('ip-') ? Number(f.transport.slice(3)) : -1);
    if (protocol < 0) return;
    const ported = protocol === 6 || protocol === 17;
    const serverPort = ported ? f.resp_port : -1;
    // The originator is the client: its port is kept only when fixed and well known (DHCP 68, NTP 123).
    const clientPort = ported && f.orig_port < 1024 ? f.orig_port : -1;
    const peer = this.peerRef(peerIp, deviceIp);
    const peerKey = peer.kind === 'dns' ? `dns:${peer.name}` : peer.kind === 'class' ? `class:${peer.cls}:${peerMac ?? ''}` : `ip:${peer.ip}`;
    const key = `${f.ip_version}|${protocol}|${byDevice ? 'd' : 'p'}|${peerKey}|${serverPort}|${clientPort}`;
    let r = d.rules.get(key);
    if (r === undefined) {
      if (d.rules.size >= this.opts.maxRulesPerDevice) {
        d.skipped++;
        return;
      }
      r = { family: f.ip_version as 4 | 6, protocol, byDevice, peer, serverPort, clientPort, flows: 0, answered: 0, peerAddresses: new Set(), first_ts: f.first_ts, last_ts: f.last_ts };
      d.rules.set(key, r);
    }
    r.flows++;
    if (f.resp_pkts > 0) r.answered++;
    if (r.peerAddresses.size < 64) r.peerAddresses.add(peerIp);
    r.last_ts = Math.max(r.last_ts, f.last_ts);
    d.flows++;
    d.first_ts = Math.min(d.first_ts, f.first_ts);
    d.last_ts = Math.max(d.last_ts, f.last_ts);
  }

  private lookup: DeviceLookup | undefined;

  /** Inventory used to tell same-manufacturer and controller peers (optional: without it local peers are local-networks). */
  useInventory(lookup: DeviceLookup): this {
    this.lookup = lookup;
    return this;
  }

  private peerRef(peerIp: string, deviceIp: string): PeerRef {
    // Local peers are refined to same-manufacturer / my-controller at build time, when the inventory is complete.
    if (this.local.has(peerIp)) return { kind: 'class', cls: 'local-networks' };
    const name = this.names.bestName(peerIp, deviceIp);
    if (name !== undefined) return { kind: 'dns', name };
    return { kind: 'address', ip: peerIp };
  }

  /** Devices with learned traffic (MACs). */
  macs(): string[] {
    return [...this.devices.keys()];
  }

  /** Build the profiles; `now` is the ISO time written as last-update (packet time by default). */
  profiles(inventory?: DeviceLookup): LearnedProfile[] {
    const out: LearnedProfile[] = [];
    for (const [ip, url] of this.v6Urls) {
      const mac = (inventory ?? this.lookup)?.byIp(ip)?.mac;
      const d = mac ? this.devices.get(mac) : undefined;
      if (d && !d.mudUrls.includes(url) && d.mudUrls.length < 8) d.mudUrls.push(url);
    }
    for (const d of this.devices.values()) if (d.flows > 0) out.push(this.build(d, inventory ?? this.lookup));
    return out;
  }

  private build(d: DeviceTraffic, inventory: DeviceLookup | undefined): LearnedProfile {
    const record = inventory?.byMac(d.mac);
    const vendor = record?.oui_vendor;
    const notes: Generalisation[] = [];
    const controllers: ProfileSidecar['controllers'] = { 'my-controller': [], controller: {} };
    // Refine local peers: same manufacturer (OUI vendor equal) or a hub acting as the device's controller.
    const merged = new Map<string, Observed>();
    for (const r of d.rules.values()) {
      let peer = r.peer;
      if (peer.kind === 'class') {
        const peerRecord = firstPeerRecord(r.peerAddresses, inventory);
        if (peerRecord && isController(peerRecord) && peerRecord.mac !== d.mac) {
          peer = { kind: 'class', cls: 'my-controller' };
          for (const ip of r.peerAddresses) if (!controllers['my-controller'].includes(ip)) controllers['my-controller'].push(ip);
        } else if (peerRecord && vendor && peerRecord.oui_vendor === vendor && peerRecord.mac !== d.mac) {
          peer = { kind: 'class', cls: 'same-manufacturer' };
        }
      }
      const key = `${r.family}|${r.protocol}|${r.byDevice}|${peerKeyOf(peer)}|${r.serverPort}|${r.clientPort}`;
      const have = merged.get(key);
      if (have) {
        have.flows += r.flows;
        have.answered += r.answered;
        for (const a of r.peerAddresses) have.peerAddresses.add(a);
        have.first_ts = Math.min(have.first_ts, r.first_ts);
        have.last_ts = Math.max(have.last_ts, r.last_ts);
      } else merged.set(key, { ...r, peer, peerAddresses: new Set(r.peerAddresses) });
    }
    const rules = this.generaliseServerPorts([...merged.values()], notes);
    const aclBase = `mud-${mac12(d.mac)}`;
    const acls = new Map<string, Acl>();
    const aclFor = (family: 4 | 6, dir: 'fr' | 'to'): Ace[] => {
      const name = `${aclBase}-v${family}${dir}`;
      let acl = acls.get(name);
      if (acl === undefined) {
        acl = { name, type: family === 4 ? 'ipv4-acl-type' : 'ipv6-acl-type', aces: { ace: [] } };
        acls.set(name, acl);
      }
      return acl.aces!.ace!;
    };
    const counters: Record<string, number> = {};
    // The flows a rule was learned from used it: the initiator's direction for every flow, the other for answers.
    const usage: ProfileSidecar['usage'] = {};
    rules.sort((a, b) => b.flows - a.flows || (a.family - b.family));
    for (const r of rules) {
      const tag = r.peer.kind === 'dns' ? 'cl' : r.peer.kind === 'address' ? 'ip' : r.peer.cls === 'local-networks' ? 'loc' : r.peer.cls === 'my-controller' ? 'myctl' : 'myman';
      const n = counters[tag] ?? 0;
      counters[tag] = n + 1;
      const base = `${tag}${n}`;
      const [fr, to] = aceMatches(r);
      aclFor(r.family, 'fr').push({ name: `${base}-frdev`, matches: fr, actions: { forwarding: 'accept' } });
      aclFor(r.family, 'to').push({ name: `${base}-todev`, matches: to, actions: { forwarding: 'accept' } });
      const span = { first_ts: r.first_ts, last_ts: r.last_ts };
      usage[`${base}-${r.byDevice ? 'frdev' : 'todev'}`] = { flows: r.flows, ...span };
      usage[`${base}-${r.byDevice ? 'todev' : 'frdev'}`] = r.answered > 0 ? { flows: r.answered, ...span } : { flows: 0 };
      describe(r, base, notes);
    }
    const ephemeral = rules.filter((r) => (r.protocol === 6 || r.protocol === 17) && r.clientPort < 0);
    if (ephemeral.length > 0) notes.push({ kind: 'ephemeral-source-port', detail: `${ephemeral.length} rules allow any client port: the client ports seen were ephemeral (≥ 1024), only the server port is kept` });
    if (d.skipped > 0) notes.push({ kind: 'skipped', detail: `${d.skipped} flows beyond the ${this.opts.maxRulesPerDevice}-rule limit were left out` });
    const last = new Date(Math.round(d.last_ts) * 1000).toISOString().replace(/\.\d{3}Z$/, '+00:00');
    const describeDevice = [record?.user?.name, record?.identification?.vendor ?? vendor, record?.identification?.model, record?.identification?.type !== 'unknown' ? record?.identification?.type : undefined].filter(Boolean).join(' ');
    const aclList = [...acls.values()];
    const policy = (dir: 'fr' | 'to'): { 'access-lists': { 'access-list': { name: string }[] } } => ({
      'access-lists': { 'access-list': aclList.filter((a) => a.name.endsWith(dir)).map((a) => ({ name: a.name })) },
    });
    const mud: MudFile = {
      'ietf-mud:mud': {
        'mud-version': 1,
        'mud-url': `https://bulwark.invalid/mud/learned/${mac12(d.mac)}.json`,
        'last-update': last,
        'cache-validity': 48,
        'is-supported': true,
        systeminfo: `Learned by Bulwark from ${d.flows} flows${describeDevice ? ` of ${describeDevice}` : ''}`.slice(0, 200),
        ...(vendor ? { 'mfg-name': vendor } : {}),
        ...(record?.identification?.model ? { 'model-name': record.identification.model } : {}),
        'from-device-policy': policy('fr'),
        'to-device-policy': policy('to'),
      },
      'ietf-access-control-list:acls': { acl: aclList },
    };
    const sidecar: ProfileSidecar = {
      mac: d.mac,
      state: 'learned',
      source: 'learned',
      addresses: [...d.addresses].filter((a) => this.local.has(a)),
      controllers,
      ...(vendor ? { manufacturer: vendor } : {}),
      learned: { captures: [...this.captures], flows: d.flows, first_ts: d.first_ts, last_ts: d.last_ts, generalisations: notes },
      announced_mud_urls: [...d.mudUrls],
      usage,
      unmatched_flows: 0,
      history: [{ ts: last, action: 'learned', detail: `${d.flows} flows, ${rules.length} rules` }],
    };
    return { mud, sidecar };
  }

  /** Many high server ports to one peer (RTP, P2P relays): one range instead of a rule per port. */
  private generaliseServerPorts(rules: Observed[], notes: Generalisation[]): Observed[] {
    const groups = new Map<string, Observed[]>();
    for (const r of rules) {
      if (r.serverPort < 1024) continue;
      const k = `${r.family}|${r.protocol}|${r.byDevice}|${peerKeyOf(r.peer)}|${r.clientPort}`;
      const g = groups.get(k);
      if (g) g.push(r);
      else groups.set(k, [r]);
    }
    const out = rules.filter((r) => r.serverPort < 1024);
    for (const all of groups.values()) {
      // Ports in the ephemeral ranges (Linux 32768–60999, IANA 49152–65535) are a reply or callback port the
      // other side picked: they differ every time, so they always become the range.
      const ephemeral = all.filter((r) => r.serverPort >= 32768);
      const fixed = all.filter((r) => r.serverPort < 32768);
      const manyFixed = fixed.length > this.opts.portRangeAbove;
      if (!manyFixed) out.push(...fixed);
      const g = manyFixed ? all : ephemeral;
      if (g.length === 0) continue;
      const ports = g.map((r) => r.serverPort);
      const lower = ports.every((p) => p >= 32768) ? 32768 : 1024;
      const merged: Observed = { ...g[0], serverPort: -2, range: [lower, 65535], flows: 0, answered: 0, peerAddresses: new Set(), first_ts: Infinity, last_ts: 0 };
      for (const r of g) {
        merged.flows += r.flows;
        merged.answered += r.answered;
        for (const a of r.peerAddresses) merged.peerAddresses.add(a);
        merged.first_ts = Math.min(merged.first_ts, r.first_ts);
        merged.last_ts = Math.max(merged.last_ts, r.last_ts);
      }
      notes.push({ kind: 'server-port-range', detail: `${g.length} distinct ${lower === 32768 ? 'ephemeral ' : ''}server ports (${Math.min(...ports)}–${Math.max(...ports)}) to ${peerLabel(g[0].peer)} became the range ${lower}–65535` });
      out.push(merged);
    }
    return out;
  }
}

function peerKeyOf(p: PeerRef): string {
  return p.kind === 'dns' ? `dns:${p.name}` : p.kind === 'class' ? `class:${p.cls}` : `ip:${p.ip}`;
}

function peerLabel(p: PeerRef): string {
  return p.kind === 'dns' ? p.name : p.kind === 'class' ? p.cls : p.ip;
}

function firstPeerRecord(addresses: Set<string>, inventory: DeviceLookup | undefined): DeviceRecord | undefined {
  if (!inventory) return undefined;
  for (const a of addresses) {
    const r = inventory.byIp(a);
    if (r?.mac) return r;
  }
  return undefined;
}

/** A hub or bridge the device talks to locally is the controller RFC 8520's my-controller class means. */
function isController(r: DeviceRecord): boolean {
  return r.identification.type === 'hub';
}

/** The two ACEs of a rule: device → peer (from-device policy) and peer → device (to-device policy). */
function aceMatches(r: Observed): [AceMatches, AceMatches] {
  const fam = r.family === 4 ? 'ipv4' : 'ipv6';
  const range = r.range;
  const serverMatch = range ? { 'lower-port': range[0], 'upper-port': range[1] } : r.serverPort >= 0 ? { operator: 'eq' as const, port: r.serverPort } : undefined;
  const clientMatch = r.clientPort >= 0 ? { operator: 'eq' as const, port: r.clientPort } : undefined;
  const build = (fromDevice: boolean): AceMatches => {
    const m: AceMatches = {};
    const ip: Record<string, unknown> = {};
    if (r.peer.kind === 'dns') ip[fromDevice ? 'ietf-acldns:dst-dnsname' : 'ietf-acldns:src-dnsname'] = r.peer.name;
    if (r.peer.kind === 'address') ip[fromDevice ? `destination-${fam}-network` : `source-${fam}-network`] = `${r.peer.ip}/${r.family === 4 ? 32 : 128}`;
    if (r.peer.kind === 'class') m['ietf-mud:mud'] = { [r.peer.cls]: [null] };
    ip.protocol = r.protocol;
    m[fam] = ip;
    if (r.protocol === 6 || r.protocol === 17) {
      // The device's end: server port when the peer initiated, client port otherwise (and vice versa for the peer).
      const devicePort = r.byDevice ? clientMatch : serverMatch;
      const peerPort = r.byDevice ? serverMatch : clientMatch;
      const l4: Record<string, unknown> = {};
      if (r.protocol === 6) l4['ietf-mud:direction-initiated'] = r.byDevice ? 'from-device' : 'to-device';
      const src = fromDevice ? devicePort : peerPort;
      const dst = fromDevice ? peerPort : devicePort;
      if (src) l4['source-port'] = src;
      if (dst) l4['destination-port'] = dst;
      m[r.protocol === 6 ? 'tcp' : 'udp'] = l4;
    }
    return m;
  };
  return [build(true), build(false)];
}

function describe(r: Observed, base: string, notes: Generalisation[]): void {
  if (r.peer.kind === 'dns' && r.peerAddresses.size > 1) {
    notes.push({ kind: 'cdn-addresses', rule: base, detail: `${r.peerAddresses.size} addresses (${[...r.peerAddresses].slice(0, 4).join(', ')}${r.peerAddresses.size > 4 ? ', …' : ''}) answered for ${r.peer.name}: one rule by name` });
  } else if (r.peer.kind === 'dns') {
    notes.push({ kind: 'dns-name', rule: base, detail: `${[...r.peerAddresses][0]} named ${r.peer.name} from the DNS answer that resolved it` });
  }
  if (r.peer.kind === 'address') notes.push({ kind: 'unresolved-address', rule: base, detail: `${r.peer.ip}: no DNS answer seen for it, kept as an address` });
  if (r.peer.kind === 'class' && r.peer.cls !== 'local-networks') notes.push({ kind: 'local-class', rule: base, detail: `${[...r.peerAddresses].join(', ')} generalised to the class ${r.peer.cls}` });
  if (r.peer.kind === 'class' && r.peer.cls === 'local-networks' && [...r.peerAddresses].some((a) => /^(22[4-9]|23\d|255)\.|^ff/i.test(a))) {
    notes.push({ kind: 'multicast-local', rule: base, detail: `multicast/broadcast destinations (${[...r.peerAddresses].filter((a) => /^(22[4-9]|23\d|255)\.|^ff/i.test(a)).slice(0, 4).join(', ')}) counted as local-networks` });
  }
}
