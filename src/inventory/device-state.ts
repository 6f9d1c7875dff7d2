/**
 * Mutable, bounded state of one device while events arrive; turned into a DeviceRecord at the end.
 * Every collection has a cap; what does not fit is counted, never stored.
 * @module
 */
import type { DeviceRecord, Evidence, IpBinding, ServiceRecord } from './types.ts';

export interface DeviceCaps {
  maxEvidencePerDevice: number;
  /** Distinct values kept per high-cardinality evidence signal (DNS names, SNI, ...). */
  maxEvidencePerSignal: number;
  /** Entries kept in each per-device set (IPs, host names, services, ports, domains, peers). */
  maxSetSize: number;
}

/** Signals whose values are many per device: capped on their own so they cannot crowd out the rest. */
// ot.address: a Modbus/DNP3 gateway answers for up to 247 units or 65,520 outstations.
const manyValued = new Set(['dns.query', 'mdns.query', 'tls.sni', 'http.host', 'tls.ja3', 'tls.ja4', 'tcp.syn_signature', 'mdns.txt', 'ssdp.usn', 'ot.address']);

/**
 * 'tcp/80'-style keys of ports, made once per (transport, port) and reused: a flow's port is then a string
 * whose hash is known, not a new string per flow. Bounded: per transport, 256 pages of 256 ports, each page made
 * when one of its ports is first seen. Not one array of 65,536: that was 512 KiB written as every run started.
 */
const tcpPortKeys: ((string | undefined)[] | undefined)[] = [];
const udpPortKeys: ((string | undefined)[] | undefined)[] = [];

/** `${transport}/${port}`, from the tables above for TCP and UDP ports. */
export function portKey(transport: string, port: number): string {
  if (!Number.isInteger(port) || port < 0 || port > 65535) return `${transport}/${port}`;
  let table: ((string | undefined)[] | undefined)[];
  if (transport === 'tcp') table = tcpPortKeys;
  else if (transport === 'udp') table = udpPortKeys;
  else return `${transport}/${port}`;
  const page = (table[port >>> 8] ??= new Array<string | undefined>(256));
  return (page[port & 0xff] ??= `${transport}/${port}`);
}

/**
 * How a per-device set keys an address it only counts (peers, forwarded addresses): an IPv4 address written as
 * the flow table writes it by its number as an int32 (a small integer: hashed without reading text), any other
 * text as itself. canonicalV4 makes the two one-to-one, so the sets count exactly what sets of text counted.
 */
export type AddressKey = string | number;

/** The AddressKey of `ip`, given `v4 = canonicalV4(ip)` (or the flow tuple's number, the same for a flow's text). */
export function addressKey(ip: string, v4: number): AddressKey {
  return v4 >= 0 ? v4 | 0 : ip;
}

/** bindIp of an address the device holds already: `ts` widens the binding's span, a stronger source replaces 'traffic'. */
export function refreshBinding(b: IpBinding, ts: number, source: string): void {
  if (ts < b.first_ts) b.first_ts = ts;
  if (ts > b.last_ts) b.last_ts = ts;
  if (b.source === 'traffic' && source !== 'traffic') b.source = source;
}

/** The first 64 numbers of a list, joined by ',' (a fingerprint's text); undefined when there are none. */
export function numList(v: unknown): string | undefined {
  if (!Array.isArray(v)) return undefined;
  let out = '';
  let n = 0;
  for (let i = 0; i < v.length && n < 64; i++) {
    const x: unknown = v[i];
    if (typeof x !== 'number') continue;
    out += n === 0 ? String(x) : `,${x}`;
    n++;
  }
  return n > 0 ? out : undefined;
}

/**
 * Whether `v` holds `numbers` as numList reads it (its first 64 numbers, other entries skipped). Equal numbers
 * have equal text, so numList(v) is then the text `numbers` was made into.
 */
function sameNumbers(numbers: readonly number[], v: unknown[]): boolean {
  let n = 0;
  for (let i = 0; i < v.length && n < 64; i++) {
    const x: unknown = v[i];
    if (typeof x !== 'number') continue;
    if (n >= numbers.length || x !== numbers[n]) return false;
    n++;
  }
  return n === numbers.length;
}

/** Where an evidence item came from (the event envelope). */
export interface Source {
  ts: number;
  file: string;
  packet: number;
}

export class DeviceState {
  readonly id: string;
  mac: string | undefined;
  readonly ips = new Map<string, IpBinding>();
  readonly hostnames = new Set<string>();
  first_ts = Infinity;
  last_ts = -Infinity;
  local = false;
  readonly services = new Map<string, ServiceRecord>();
  readonly talksPorts = new Set<string>();
  readonly domains = new Set<string>();
  flows_out = 0;
  flows_in = 0;
  bytes_out = 0;
  bytes_in = 0;
  /**
   * Peers and forwarded addresses, only ever counted: keyed by `addressKey` (an IPv4 address's number, so a
   * flow's address needs no string hashed; text otherwise).
   */
  readonly peersLocal = new Set<AddressKey>();
  readonly peersRemote = new Set<AddressKey>();
  /** Distinct remote addresses this MAC carried traffic for (a gateway's sign). */
  readonly forwarded = new Set<AddressKey>();
  readonly evidence: Evidence[] = [];
  /** Evidence by signal, then value: found without building a key string (a map's size is its signal's count). */
  private readonly evidenceBySignal = new Map<string, Map<string, Evidence>>();
  evidence_dropped = 0;
  /** Entries not stored because a set was full. */
  overflow = 0;
  /** The inventory's `touched` period this device was last put in its `touched` set (see Inventory.markTouched). */
  touchEpoch = -1;
  /** The item the last addEvidence call found or stored: a repeated (signal, value) needs no map lookup. */
  private lastEvidence: Evidence | undefined;
  /**
   * Per signal, the numbers of the last list addListEvidence kept and its evidence item: a client repeats its
   * DHCP fingerprint in every message, found again by comparing numbers, without making its text.
   */
  private lastLists: Map<string, { numbers: number[]; item: Evidence }> | undefined;

  private readonly caps: DeviceCaps;

  constructor(id: string, caps: DeviceCaps) {
    this.id = id;
    this.caps = caps;
  }

  seen(ts: number): void {
    if (!Number.isFinite(ts)) return;
    if (ts < this.first_ts) this.first_ts = ts;
    if (ts > this.last_ts) this.last_ts = ts;
  }

  /** Add to a capped set; false (and counted) when full. */
  add<T>(set: Set<T>, value: T): boolean {
    if (set.has(value)) return true;
    if (set.size >= this.caps.maxSetSize) {
      this.overflow++;
      return false;
    }
    set.add(value);
    return true;
  }

  /** Record that the device used `ip` at `ts`; its binding record, or undefined (counted) when the table is full. */
  bindIp(ip: string, ts: number, source: string): IpBinding | undefined {
    const b = this.ips.get(ip);
    if (b) {
      refreshBinding(b, ts, source);
      return b;
    }
    if (this.ips.size >= this.caps.maxSetSize) {
      this.overflow++;
      return undefined;
    }
    const created = { ip, first_ts: ts, last_ts: ts, source };
    this.ips.set(ip, created);
    return created;
  }

  service(transport: string, port: number, app: string | undefined): void {
    const key = portKey(transport, port);
    const s = this.services.get(key);
    if (s) {
      s.flows++;
      if (app && !s.app) s.app = app;
      return;
    }
    if (this.services.size >= this.caps.maxSetSize) {
      this.overflow++;
      return;
    }
    this.services.set(key, app ? { transport, port, app, flows: 1 } : { transport, port, flows: 1 });
  }

  /** Keep one evidence item per distinct (signal, value), the first time it was seen. */
  addEvidence(signal: string, value: string, src: Source): void {
    const v = value.length > 256 ? value.slice(0, 256) : value;
    const last = this.lastEvidence;
    let values: Map<string, Evidence> | undefined;
    let have: Evidence | undefined;
    if (last !== undefined && last.signal === signal && last.value === v) have = last;
    else {
      values = this.evidenceBySignal.get(signal);
      have = values?.get(v);
    }
    if (have) {
      this.lastEvidence = have;
      // Keep the earliest sighting (merged devices may bring an earlier one).
      if (src.ts < have.ts) Object.assign(have, { ts: src.ts, file: src.file, packet: src.packet });
      return;
    }
    const n = values?.size ?? 0;
    if (this.evidence.length >= this.caps.maxEvidencePerDevice || (manyValued.has(signal) && n >= this.caps.maxEvidencePerSignal)) {
      this.evidence_dropped++;
      return;
    }
    const item = { signal, value: v, ts: src.ts, file: src.file, packet: src.packet };
    if (values === undefined) this.evidenceBySignal.set(signal, values = new Map());
    values.set(v, item);
    this.lastEvidence = item;
    this.evidence.push(item);
  }

  /** addEvidence(signal, numList(list)) when the list has numbers. */
  addListEvidence(signal: string, list: unknown, src: Source): void {
    if (!Array.isArray(list)) return;
    const last = this.lastLists?.get(signal);
    if (last !== undefined && sameNumbers(last.numbers, list)) {
      // addEvidence of a value it holds (the item is never removed): keep the earliest sighting.
      const have = last.item;
      this.lastEvidence = have;
      if (src.ts < have.ts) Object.assign(have, { ts: src.ts, file: src.file, packet: src.packet });
      return;
    }
    const text = numList(list);
    if (text === undefined) return;
    this.addEvidence(signal, text, src);
    const item = this.lastEvidence;
    // Remembered only when kept (an item dropped at a cap is counted again at every sighting, by addEvidence).
    if (item === undefined || item.signal !== signal || item.value !== text) return;
    const numbers: number[] = [];
    for (let i = 0; i < list.length && numbers.length < 64; i++) {
      const x: unknown = list[i];
      if (typeof x === 'number') numbers.push(x);
    }
    (this.lastLists ??= new Map()).set(signal, { numbers, item });
  }

  /** Fold another device's state into this one (an 'ip:' device later found to belong to a MAC). */
  absorb(o: DeviceState): void {
    for (const b of o.ips.values()) {
      this.bindIp(b.ip, b.first_ts, b.source);
      this.bindIp(b.ip, b.last_ts, b.source);
    }
    for (const h of o.hostnames) this.add(this.hostnames, h);
    this.seen(o.first_ts);
    this.seen(o.last_ts);
    this.local ||= o.local;
    for (const s of o.services.values()) {
      const mine = this.services.get(`${s.transport}/${s.port}`);
      if (mine) mine.flows += s.flows;
      else if (this.services.size < this.caps.maxSetSize) this.services.set(`${s.transport}/${s.port}`, { ...s });
      else this.overflow++;
    }
    for (const p of o.talksPorts) this.add(this.talksPorts, p);
    for (const d of o.domains) this.add(this.domains, d);
    for (const p of o.peersLocal) this.add(this.peersLocal, p);
    for (const p of o.peersRemote) this.add(this.peersRemote, p);
    for (const p of o.forwarded) this.add(this.forwarded, p);
    this.flows_out += o.flows_out;
    this.flows_in += o.flows_in;
    this.bytes_out += o.bytes_out;
    this.bytes_in += o.bytes_in;
    for (const e of o.evidence) this.addEvidence(e.signal, e.value, e);
    this.evidence_dropped += o.evidence_dropped;
    this.overflow += o.overflow;
    this.evidence.sort((a, b) => a.ts - b.ts);
  }

  /** The JSON record, without identification (filled by the caller). */
  toRecord(ouiVendor: string | undefined, macLocal: boolean): Omit<DeviceRecord, 'identification'> {
    const rec: Omit<DeviceRecord, 'identification'> = {
      id: this.id,
      mac_local: macLocal,
      ips: [...this.ips.values()].map((b) => ({ ...b })),
      hostnames: [...this.hostnames],
      first_ts: this.first_ts,
      last_ts: this.last_ts,
      local: this.local,
      services: [...this.services.values()].map((s) => ({ ...s })).sort((a, b) => a.port - b.port || a.transport.localeCompare(b.transport)),
      talks_to: { ports: [...this.talksPorts], domains: [...this.domains] },
      flows_out: this.flows_out,
      flows_in: this.flows_in,
      bytes_out: this.bytes_out,
      bytes_in: this.bytes_in,
      peers_local: this.peersLocal.size,
      peers_remote: this.peersRemote.size,
      evidence: this.evidence.map((e) => ({ ...e })),
      evidence_dropped: this.evidence_dropped,
    };
    if (this.mac) rec.mac = this.mac;
    if (ouiVendor) rec.oui_vendor = ouiVendor;
    return rec;
  }
}
