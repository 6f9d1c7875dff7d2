/**
 * The device inventory: "what is on my network?". Fed by pipeline events, it keeps one bounded record per
 * device — keyed by MAC on the local segment, by IP where only layer 3 is seen — with IP bindings over time,
 * host names, services, peers, traffic counts and identification evidence; devices() identifies them.
 *
 * Address policy (see docs/devices.md): an IP is bound to a MAC by ARP, DHCP and NDP, or by traffic only for
 * local addresses with no such binding. Remote (Internet) addresses never become devices: they are peers, and
 * a MAC that carries traffic for them is recorded as forwarding it (a gateway's sign), without owning them.
 * @module
 */
import type { EventRecord } from '../pipeline/analyze.ts';
import { onFirstPackets, type RecordSource } from '../pipeline/record-source.ts';
import type { FirstPacket } from '../pipeline/first-packet.ts';
import type { FlowRecord } from '../flow/types.ts';
import { FlowBound } from '../flow/lazy-record.ts';
import { ipv4Text } from '../flow/table.ts';
import type { DeviceLookup, DeviceRecord, Identification, IpBinding } from './types.ts';
import { addressKey, DeviceState, portKey, refreshBinding, type DeviceCaps, type Source } from './device-state.ts';
import { canonicalV4, defaultLocalNets, ipv4Number, isHostIp, isHostIpV4 } from './addresses.ts';
import { Site } from '../pipeline/site.ts';
import { isDeviceMac, isLocallyAdministered, normaliseMac, ouiVendor } from './oui.ts';
import { handlers, synSignature } from './event-handlers.ts';
import { copyIdentification, identificationInputs, identify } from './identify.ts';
import { applyOverrides, type Overrides } from './overrides.ts';

export interface InventoryOptions extends DeviceCaps {
  maxDevices: number;
  /** IP → MAC bindings remembered (one MAC can claim any number of addresses by ARP). */
  maxIpBindings: number;
  /** CIDR prefixes of this network (default: the site model's); ignored when `site` is given. */
  localNets: readonly string[];
  /** The site (sensor, local networks) shared with the detectors and the store. */
  site?: Site;
  /** User overrides applied in devices() (see overrides.ts). */
  overrides: Overrides;
  /** Replaces the identification step (tests, training: records without identification cost). */
  identify: (d: Omit<DeviceRecord, 'identification'>) => Identification;
}

export interface InventoryStats {
  devices: number;
  /** Devices not created because maxDevices was reached (counted per attempt). */
  dropped_devices: number;
  /** Evidence items not kept at the per-device caps, all devices. */
  evidence_dropped: number;
  /** Set entries (IPs, peers, ports, ...) not kept at maxSetSize, all devices. */
  set_overflow: number;
  /** Events whose fields had a shape a handler could not use (contained; should stay 0). */
  event_errors: number;
  /** IP → MAC bindings forgotten at maxIpBindings (the oldest goes first). */
  ip_bindings_dropped?: number;
}

/** What identification and the identity depend on, short of traffic counters: evidence, names, services, peers. */
function inputSignature(d: Omit<DeviceRecord, 'identification'>): string {
  return `${d.mac}|${d.ips.length}|${d.hostnames.length}|${d.services.length}|${d.evidence.length}|${d.evidence_dropped}|` +
    `${d.talks_to.ports.length}|${d.talks_to.domains.length}|${d.peers_local}|${d.peers_remote}`;
}

/** What makes a device "changed" for live outputs: identity, not traffic counters. */
function identitySignature(d: DeviceRecord): string {
  const id = d.identification;
  return JSON.stringify([
    d.ips.map((b) => b.ip), d.hostnames, d.services.map((s) => `${s.transport}/${s.port}/${s.app ?? ''}`),
    id.type, id.vendor, id.model, d.user, d.mac,
  ]);
}

const bindingRank: Record<string, number> = { traffic: 0, ndp: 1, arp: 2, dhcp: 3 };

/** Address class bits (see Inventory.classify): an address that can name one host; one of this network's. */
const HOST = 1;
const LOCAL = 2;

/** The current binding of an address: the MAC, how strongly it was learned, and that MAC's device. */
interface IpBindingState {
  /** The address (its key in ipMac). */
  ip: string;
  /** canonicalV4(ip): its key in ipMacV4, or -1 (not indexed by number). */
  v4: number;
  /** The address is outside the local networks (counted in Inventory.remoteBindings while bound). */
  remote: boolean;
  mac: string;
  rank: number;
  /** The 'mac:' device of `mac` (bind() creates it before binding; 'mac:' devices are never removed). */
  device: DeviceState;
  /**
   * `device`'s binding record of the address (its `ips` entry; undefined when that table was full): a flow of a
   * bound address widens its span without a lookup. Entries of a 'mac:' device's `ips` are never replaced.
   */
  record: IpBinding | undefined;
}

/** The last IPv4 address (as a number; -1: none) classified for one side of a flow, and its class. */
class ClassMemo {
  v4 = -1;
  cls = 0;
}

/** Event types the inventory subscribes to (nothing else is built for it). */
export const inventoryEventTypes: readonly string[] = Object.keys(handlers);

export class Inventory implements DeviceLookup {
  readonly options: InventoryOptions;
  private readonly site: Site;
  private readonly byId = new Map<string, DeviceState>();
  /**
   * The 'mac:' devices of byId by their MAC (canonical form), so that a flow or event finds its device without
   * building the id string. Same entries as byId's 'mac:' ones (bounded by maxDevices); never invalidated,
   * since a 'mac:' device is never removed.
   */
  private readonly macDevices = new Map<string, DeviceState>();
  /** The 'ip:' devices of byId by their address; an entry leaves with its device (settle). */
  private readonly ipDevices = new Map<string, DeviceState>();
  /**
   * The entries of ipDevices whose address is canonical IPv4 text, by its number as an int32 (see canonicalV4):
   * a flow's device found from its tuple's numbers, no text parsed or hashed. Same entries, added and removed together.
   */
  private readonly ipDevicesV4 = new Map<number, DeviceState>();
  /** Current IP → MAC binding and how it was learned (updated in place: the map's order is the bindings' age). */
  private readonly ipMac = new Map<string, IpBindingState>();
  /** The entries of ipMac whose address is canonical IPv4 text, by its number as an int32 (as ipDevicesV4). */
  private readonly ipMacV4 = new Map<number, IpBindingState>();
  /**
   * The entries of ipMac whose address is not local (bound by ARP, DHCP or NDP: traffic binds local addresses
   * only). While there are none, a flow's remote side has no binding to look up: on flow-heavy that lookup, a miss
   * for every flow, was 4.7 % of the run's CPU.
   */
  private remoteBindings = 0;
  /** Devices touched since the last `takeChanged()` (bounded by maxDevices). */
  private readonly touched = new Set<string>();
  /** Bumped when `touched` is emptied: a device whose touchEpoch equals it is in `touched` already. */
  private touchEpoch = 0;
  /** One-entry memo of classify(): an event's address is often asked about twice in a row. */
  private lastClassified: unknown = undefined;
  private lastClass = 0;
  /** One-entry memos of classify for a flow's originator and responder (a flood repeats one side). */
  private readonly origMemo = new ClassMemo();
  private readonly respMemo = new ClassMemo();
  /** What each device's published identity was (addresses, names, services, identification). */
  private readonly published = new Map<string, string>();
  /** What each device's identification was last computed from (see inputSignature). */
  private readonly identityInputs = new Map<string, string>();
  /**
   * Each device's identification and what it was computed from (identificationInputs): the default identify()
   * runs again only when those inputs change, not at every devices(), takeChanged() or lookup. Bounded by the
   * devices (an entry leaves with its device at settle).
   */
  private readonly identifications = new Map<string, { inputs: string; identification: Identification }>();
  /** Published devices merged away since the last `takeRemoved()` (their id is gone; see takeChanged). */
  private removed: string[] = [];
  private droppedDevices = 0;
  private droppedBindings = 0;
  private eventErrors = 0;
  private cache: DeviceRecord[] | undefined;
  /** Bumped by every change: the address index and the identified records below are valid for one version. */
  private version = 0;
  private index: { version: number; ip: Map<string, DeviceState>; mac: Map<string, DeviceState>; groups: Map<DeviceState, DeviceState[]> } | undefined;
  /** Identified records handed out by byIp/byMac at `memoVersion` (a lookup identifies one device, not all). */
  private readonly memo = new Map<DeviceState, DeviceRecord>();
  private memoVersion = -1;

  constructor(options: Partial<InventoryOptions> = {}) {
    this.options = {
      maxDevices: 10000,
      maxIpBindings: 65536,
      maxEvidencePerDevice: 64,
      maxEvidencePerSignal: 16,
      maxSetSize: 256,
      localNets: defaultLocalNets,
      overrides: {},
      identify,
      ...options,
    };
    this.site = this.options.site ?? new Site({ localNetworks: this.options.localNets, sensor: '' });
  }

  /** Subscribe to the events and finished flows the inventory needs. */
  attach(pipeline: RecordSource): this {
    // New flows' first packets as numbers (SYN signatures), not `flow.start` events: one is built per flow otherwise.
    for (const type of inventoryEventTypes) if (type !== 'flow.start') pipeline.on(type, (ev) => this.onEvent(ev));
    onFirstPackets(pipeline, (p) => this.onFirstPacket(p));
    pipeline.onFlow((f) => this.onFlow(f));
    pipeline.onFlush(() => this.flush());
    return this;
  }

  /**
   * Lifecycle: the clock advanced. The inventory's state is bounded by counts (devices, bindings, evidence
   * per device), not by age: a device stays known however long it is quiet, as an operator expects.
   */
  tick(_now: number): void {
    // Nothing ages by time; kept so every stateful stage has the same lifecycle.
  }

  /** Lifecycle: end of input. Merges 'ip:' devices into the MAC devices their address was bound to later. */
  flush(): void {
    this.changed();
    this.settle();
  }

  /**
   * Devices that are new or whose identity changed (addresses, host names, services, identification, user
   * settings) since the last call — not mere traffic counters. Costs one identification pass when something
   * was touched: call it about once a second, not per packet.
   */
  takeChanged(): { device: DeviceRecord; change: 'new' | 'changed' }[] {
    if (this.touched.size === 0) return [];
    // Nothing is merged here (see settled()): a merge at a wall-clock moment would make the result depend on it.
    const groups = this.lookup().groups;
    const owners = new Set<DeviceState>();
    for (const id of this.touched) {
      const state = this.byId.get(id);
      if (state === undefined) continue;
      const owner = this.ownerOf(state);
      if (owner !== state && this.published.delete(id)) {
        // A published 'ip:' device now belongs to a MAC's device: its id is gone from the list.
        this.identityInputs.delete(id);
        if (this.removed.length < this.options.maxDevices) this.removed.push(id);
      }
      owners.add(owner);
    }
    this.touched.clear();
    this.touchEpoch++;
    const out: { device: DeviceRecord; change: 'new' | 'changed' }[] = [];
    for (const owner of owners) {
      // Identification is the costly step: only for a device whose inputs to it changed.
      const base = this.baseRecord(this.settled(owner, groups));
      if (!base) continue;
      const raw = inputSignature(base);
      if (this.identityInputs.get(owner.id) === raw) continue;
      this.identityInputs.set(owner.id, raw);
      const d = this.identified(base);
      const sig = identitySignature(d);
      const prev = this.published.get(owner.id);
      if (prev === sig) continue;
      this.published.set(owner.id, sig);
      out.push({ device: d, change: prev === undefined ? 'new' : 'changed' });
    }
    return out;
  }

  /** The 'ip:' devices that belong to each MAC's device (see ownerOf), in the order a merge would absorb them. */
  private groups(): Map<DeviceState, DeviceState[]> {
    const out = new Map<DeviceState, DeviceState[]>();
    for (const [id, d] of this.byId) {
      if (!id.startsWith('ip:')) continue;
      const owner = this.ownerOf(d);
      if (owner === d) continue;
      const list = out.get(owner);
      if (list) list.push(d);
      else out.set(owner, [d]);
    }
    return out;
  }

  /**
   * A device as it will be once its 'ip:' devices are merged into it, without merging: a copy when it has any.
   * Only flush() merges for real, so when the live sensor publishes (wall clock) cannot change what is merged
   * into what, nor which evidence a full device keeps.
   */
  private settled(owner: DeviceState, groups: Map<DeviceState, DeviceState[]>): DeviceState {
    const members = groups.get(owner);
    if (members === undefined) return owner;
    const copy = new DeviceState(owner.id, this.options);
    copy.mac = owner.mac;
    copy.absorb(owner);
    for (const m of members) copy.absorb(m);
    return copy;
  }

  /** Ids of published devices merged away (ip: → mac:) since the last call; call after takeChanged(). */
  takeRemoved(): string[] {
    const out = this.removed;
    this.removed = [];
    return out;
  }

  /** Feed one event (attach() does this; exposed for tests and replays). */
  onEvent(ev: EventRecord): void {
    const h = handlers[ev.type];
    if (h === undefined) return;
    this.changed();
    try {
      h(this, ev);
    } catch {
      this.eventErrors++;
      // Events are built from attacker-controlled bytes; a field of an unexpected shape must not stop the run.
    }
  }

  /** A new flow's first packet (attach() does this): a local host's SYN signature. Valid during the call only. */
  onFirstPacket(p: FirstPacket): void {
    this.changed();
    try {
      synSignature(this, p);
    } catch {
      this.eventErrors++;
    }
  }

  /** Something may have changed: the device list, the address index and the looked-up records are stale. */
  private changed(): void {
    this.cache = undefined;
    this.version++;
  }

  /** `isLocal` of an IPv4 address as its unsigned 32-bit value. */
  isLocalV4(n: number): boolean {
    return this.site.isLocalV4(n);
  }

  isLocal(ip: string): boolean {
    return (this.classify(ip) & LOCAL) !== 0;
  }

  /**
   * HOST | LOCAL bits of an address: isHostIp(ip) and site.isLocal(ip), from one parse of an IPv4 address (the
   * hot case: both sides of every flow, the sender of every event) instead of one per question.
   */
  private classify(ip: unknown): number {
    if (ip === this.lastClassified) return this.lastClass;
    let cls = 0;
    if (typeof ip === 'string') {
      const n = ipv4Number(ip);
      if (n >= 0) cls = (isHostIpV4(n) ? HOST : 0) | (this.site.isLocalV4(n) ? LOCAL : 0);
      else cls = (isHostIp(ip) ? HOST : 0) | (this.site.isLocal(ip) ? LOCAL : 0);
    }
    this.lastClassified = ip;
    this.lastClass = cls;
    return cls;
  }

  /** classify() of an IPv4 address given as its number (at least 0). */
  private classifyV4(n: number): number {
    return (isHostIpV4(n) ? HOST : 0) | (this.site.isLocalV4(n) ? LOCAL : 0);
  }

  /** classify() of one side of a flow: by its IPv4 number through that side's memo, else (v4 < 0) by its text. */
  private classifySide(memo: ClassMemo, v4: number, ip: unknown): number {
    if (v4 < 0) return this.classify(ip);
    if (v4 !== memo.v4) {
      memo.cls = this.classifyV4(v4);
      memo.v4 = v4;
    }
    return memo.cls;
  }

  /** The canonical form of a MAC that can name a device, or undefined: a known device's MAC costs one map lookup. */
  private deviceMac(mac: unknown): string | undefined {
    if (typeof mac === 'string' && this.macDevices.has(mac)) return mac;
    const m = normaliseMac(mac);
    return m !== undefined && isDeviceMac(m) ? m : undefined;
  }

  /** The device of a MAC (created on first sight), or undefined for group/zero MACs or at the device cap. */
  deviceForMac(mac: unknown, ts: number): DeviceState | undefined {
    // A known device's MAC (the usual case): one lookup, not deviceMac's and then macDevice's.
    const known = typeof mac === 'string' ? this.macDevices.get(mac) : undefined;
    if (known !== undefined) {
      this.touch(known, ts);
      return known;
    }
    const m = this.deviceMac(mac);
    return m === undefined ? undefined : this.macDevice(m, ts);
  }

  /** The device of a canonical device MAC (created on first sight), or undefined at the device cap. */
  private macDevice(m: string, ts: number): DeviceState | undefined {
    const known = this.macDevices.get(m);
    if (known !== undefined) {
      this.touch(known, ts);
      return known;
    }
    const d = this.create(`mac:${m}`, ts);
    if (d) {
      d.mac = m;
      this.macDevices.set(m, d);
    }
    return d;
  }

  /**
   * The device that sends or receives as `ip`: its bound MAC's device, else an 'ip:' device when the address
   * is local; undefined for remote, broadcast or multicast addresses.
   */
  deviceForIp(ip: unknown, ts: number): DeviceState | undefined {
    const cls = this.classify(ip);
    if ((cls & HOST) === 0) return undefined;
    const addr = ip as string; // a host address is a string
    return this.ipDevice(addr, -1, cls, this.ipMac.get(addr), ts);
  }

  /**
   * deviceForIp of an IPv4 address given as its number (unsigned; its text is canonical): the same device, found
   * by number (a new flow's SYN: no address text parsed or hashed; an 'ip:' device's binding takes the text from
   * the flow table's cache).
   */
  deviceForIpV4(n: number, ts: number): DeviceState | undefined {
    const cls = this.classifyV4(n);
    if ((cls & HOST) === 0) return undefined;
    const b = this.ipMacV4.get(n | 0);
    if (b !== undefined) {
      this.touch(b.device, ts);
      return b.device;
    }
    return (cls & LOCAL) === 0 ? undefined : this.ipDevice(ipv4Text(n), n, cls, undefined, ts);
  }

  /**
   * The binding of a host address: by its number when `v4` gives it (canonicalV4(ip) or a flow tuple's), else by
   * its text. Either table gives the same answer (ipMacV4 holds ipMac's canonical IPv4 entries).
   */
  private bindingOf(ip: string, v4: number): IpBindingState | undefined {
    return v4 >= 0 ? this.ipMacV4.get(v4 | 0) : this.ipMac.get(ip);
  }

  /**
   * deviceForIp of a host address classified already (cls = classify(ip)), `v4` as for bindingOf, `b` its
   * binding (bindingOf(ip, v4)).
   */
  private ipDevice(ip: string, v4: number, cls: number, b: IpBindingState | undefined, ts: number): DeviceState | undefined {
    if (b) {
      this.touch(b.device, ts);
      return b.device;
    }
    if ((cls & LOCAL) === 0) return undefined;
    let d = v4 >= 0 ? this.ipDevicesV4.get(v4 | 0) : this.ipDevices.get(ip);
    if (d !== undefined) this.touch(d, ts);
    else {
      d = this.create(`ip:${ip}`, ts);
      if (d) {
        this.ipDevices.set(ip, d);
        const n = v4 >= 0 ? v4 : canonicalV4(ip);
        if (n >= 0) this.ipDevicesV4.set(n | 0, d);
      }
    }
    d?.bindIp(ip, ts, 'traffic');
    return d;
  }

  /** Record that `ip` is at `mac` (source 'arp' | 'dhcp' | 'ndp' | 'traffic'); weaker sources never replace stronger. */
  bind(ip: unknown, mac: unknown, ts: number, source: string): DeviceState | undefined {
    const m = this.deviceMac(mac);
    const cls = this.classify(ip);
    if ((cls & HOST) === 0 || m === undefined) return undefined;
    const addr = ip as string; // a host address is a string
    return this.bindClassified(addr, cls, m, ts, source, this.ipMac.get(addr));
  }

  /**
   * bind() of a host address classified already (cls = classify(ip)) to a canonical device MAC; `cur` is its
   * binding now (bindingOf).
   */
  private bindClassified(ip: string, cls: number, m: string, ts: number, source: string, cur: IpBindingState | undefined): DeviceState | undefined {
    if (source === 'traffic' && (cls & LOCAL) === 0) return undefined;
    if (cur !== undefined && cur.mac === m) return this.rebindSame(cur, ip, cls, ts, source);
    const rank = bindingRank[source] ?? 0;
    if (cur && cur.rank > rank) return undefined;
    const d = this.macDevice(m, ts);
    if (!d) return undefined;
    let state = cur;
    if (state === undefined) {
      if (this.ipMac.size >= this.options.maxIpBindings) {
        // Spoofed ARP/DHCP can name any number of addresses: forget the oldest binding (counted).
        const oldest = this.ipMac.values().next();
        if (!oldest.done) {
          this.ipMac.delete(oldest.value.ip);
          if (oldest.value.v4 >= 0) this.ipMacV4.delete(oldest.value.v4 | 0);
          if (oldest.value.remote) this.remoteBindings--;
        }
        this.droppedBindings++;
      }
      state = { ip, v4: canonicalV4(ip), remote: (cls & LOCAL) === 0, mac: m, rank, device: d, record: undefined };
      if (state.remote) this.remoteBindings++;
      this.ipMac.set(ip, state);
      if (state.v4 >= 0) this.ipMacV4.set(state.v4 | 0, state);
      this.touchIpDevice(ip);
    } else {
      state.mac = m;
      state.rank = rank;
      state.device = d;
      this.touchIpDevice(ip);
    }
    state.record = d.bindIp(ip, ts, source);
    if ((cls & LOCAL) !== 0) d.local = true;
    return d;
  }

  /**
   * bindClassified of an address to the MAC it is bound to already (`cur`, its binding; every flow of a local
   * host, every repeated ARP): nothing is rebound, the binding's rank may rise; cur.device is that MAC's device
   * (what macDevice would find), seen now, and the address's span on it widens.
   */
  private rebindSame(cur: IpBindingState, ip: string, cls: number, ts: number, source: string): DeviceState {
    const rank = bindingRank[source] ?? 0;
    if (rank > cur.rank) cur.rank = rank;
    const d = cur.device;
    this.touch(d, ts);
    if (cur.record !== undefined) refreshBinding(cur.record, ts, source);
    else cur.record = d.bindIp(ip, ts, source);
    if ((cls & LOCAL) !== 0) d.local = true;
    return d;
  }

  /** An 'ip:' device of this address now belongs to a MAC's device: publish that (see takeChanged). */
  private touchIpDevice(ip: string): void {
    const d = this.ipDevices.get(ip);
    if (d !== undefined) this.markTouched(d);
  }

  /** A new device, or undefined (counted) at maxDevices. */
  private create(id: string, ts: number): DeviceState | undefined {
    if (this.byId.size >= this.options.maxDevices) {
      this.droppedDevices++;
      return undefined;
    }
    const d = new DeviceState(id, this.options);
    this.byId.set(id, d);
    this.touch(d, ts);
    return d;
  }

  /** The device was seen at `ts` (and is touched, for takeChanged). */
  private touch(d: DeviceState, ts: number): void {
    this.markTouched(d);
    d.seen(ts);
  }

  /** Put the device's id in `touched`, once per takeChanged() period (a set insertion per flow costs a hash). */
  private markTouched(d: DeviceState): void {
    if (d.touchEpoch === this.touchEpoch) return;
    d.touchEpoch = this.touchEpoch;
    this.touched.add(d.id);
  }

  /**
   * One side of a finished flow: the device it belongs to (MAC for local addresses, else by IP). `v4` is the
   * address's canonicalV4 number (or -1: looked up by text), `cls` its classify().
   */
  private flowSide(ip: string, v4: number, cls: number, mac: string | undefined, ts: number): DeviceState | undefined {
    if ((cls & HOST) === 0) return undefined;
    const cur = (cls & LOCAL) !== 0 || this.remoteBindings > 0 ? this.bindingOf(ip, v4) : undefined;
    // Bound to this flow's MAC already (a local host's every flow): what bindClassified does then, without
    // parsing the MAC (cur.mac is canonical and names a device, as deviceMac would find).
    if (cur !== undefined && mac === cur.mac && (cls & LOCAL) !== 0) return this.rebindSame(cur, ip, cls, ts, 'traffic');
    if ((cls & LOCAL) === 0) {
      // A remote address behind this MAC: the MAC forwards it (router), it does not own it.
      const gw = this.deviceForMac(mac, ts);
      if (gw) gw.add(gw.forwarded, addressKey(ip, v4));
    } else {
      const m = this.deviceMac(mac);
      const bound = m === undefined ? undefined : this.bindClassified(ip, cls, m, ts, 'traffic', cur);
      if (bound) return bound;
    }
    // bindClassified changed no binding if it bound nothing: `cur` is still the address's binding.
    return this.ipDevice(ip, v4, cls, cur, ts);
  }

  /** Feed one finished flow (attach() does this). */
  onFlow(f: FlowRecord): void {
    if (f.transport === 'arp') return;
    this.changed();
    // Each address is classified once (host? local?) and the answer reused by every step below; an IPv4 address
    // as its number (from a lazy record's tuple, else from text written as the flow table writes it).
    let origV4 = FlowBound.origV4(f);
    if (origV4 < 0 && typeof f.orig_ip === 'string') origV4 = canonicalV4(f.orig_ip);
    let respV4 = FlowBound.respV4(f);
    if (respV4 < 0 && typeof f.resp_ip === 'string') respV4 = canonicalV4(f.resp_ip);
    const origClass = this.classifySide(this.origMemo, origV4, f.orig_ip);
    const respClass = this.classifySide(this.respMemo, respV4, f.resp_ip);
    const orig = this.flowSide(f.orig_ip, origV4, origClass, f.orig_mac, f.first_ts);
    const resp = this.flowSide(f.resp_ip, respV4, respClass, f.resp_mac, f.first_ts);
    const answered = f.transport === 'tcp'
      ? f.tcp_state === 'established' || f.tcp_state === 'closed' || f.tcp_state === 'reset' || f.tcp_state === 'half_open'
      : f.resp_pkts > 0;
    const ports = f.transport === 'tcp' || f.transport === 'udp';
    if (orig) {
      orig.seen(f.last_ts);
      orig.flows_out++;
      orig.bytes_out += f.orig_bytes;
      orig.bytes_in += f.resp_bytes;
      if (ports) orig.add(orig.talksPorts, portKey(f.transport, f.resp_port));
      if ((respClass & HOST) !== 0) orig.add((respClass & LOCAL) !== 0 ? orig.peersLocal : orig.peersRemote, addressKey(f.resp_ip, respV4));
    }
    if (resp) {
      resp.seen(f.last_ts);
      resp.flows_in++;
      resp.bytes_in += f.orig_bytes;
      resp.bytes_out += f.resp_bytes;
      if (answered && ports) resp.service(f.transport, f.resp_port, f.app);
      if ((origClass & HOST) !== 0) resp.add((origClass & LOCAL) !== 0 ? resp.peersLocal : resp.peersRemote, addressKey(f.orig_ip, origV4));
    }
  }

  /** Merge 'ip:' devices whose address was later bound to a MAC. */
  private settle(): void {
    for (const [id, d] of this.byId) {
      if (!id.startsWith('ip:')) continue;
      const b = this.ipMac.get(id.slice(3));
      if (!b) continue;
      const owner = this.byId.get(`mac:${b.mac}`);
      if (!owner) continue;
      owner.absorb(d);
      this.byId.delete(id);
      this.ipDevices.delete(id.slice(3));
      const v4 = canonicalV4(id.slice(3));
      if (v4 >= 0) this.ipDevicesV4.delete(v4 | 0);
      this.identifications.delete(id);
    }
  }

  /** Every device, identified (rules, model, then user overrides), ordered by first sighting. */
  devices(): DeviceRecord[] {
    if (this.cache) return this.cache;
    const groups = this.lookup().groups;
    const out: DeviceRecord[] = [];
    for (const d of this.byId.values()) {
      if (this.ownerOf(d) !== d) continue; // part of a MAC's device (settled below)
      const base = this.baseRecord(this.settled(d, groups));
      if (base) out.push(this.identified(base));
    }
    out.sort((a, b) => a.first_ts - b.first_ts || a.id.localeCompare(b.id));
    this.cache = out;
    return out;
  }

  /** The record before identification; undefined for a remote host seen on the segment (a peer, not a device). */
  private baseRecord(d: DeviceState): Omit<DeviceRecord, 'identification'> | undefined {
    if (!listed(d)) return undefined;
    const macLocal = d.mac !== undefined && isLocallyAdministered(d.mac);
    const base = d.toRecord(d.mac ? ouiVendor(d.mac) : undefined, macLocal);
    // A router forwards many remote addresses; one remote address behind a device's MAC is not routing.
    if (d.forwarded.size >= minForwardedForGateway) {
      base.evidence.push({ signal: 'gateway', value: `forwards traffic of ${d.forwarded.size} remote address${d.forwarded.size === 1 ? '' : 'es'}`, ts: d.first_ts, file: '', packet: 0 });
    }
    return base;
  }

  private identified(base: Omit<DeviceRecord, 'identification'>): DeviceRecord {
    const rec: DeviceRecord = { ...base, identification: this.identificationOf(base) };
    return applyOverrides(rec, this.options.overrides);
  }

  /** The identification of a record: the remembered one while its inputs are unchanged (default identify only). */
  private identificationOf(base: Omit<DeviceRecord, 'identification'>): Identification {
    // A replaced identify step may read anything: it runs every time.
    if (this.options.identify !== identify) return this.options.identify(base);
    const inputs = identificationInputs(base);
    const known = this.identifications.get(base.id);
    if (known?.inputs === inputs) return copyIdentification(known.identification);
    const identification = identify(base);
    this.identifications.set(base.id, { inputs, identification: copyIdentification(identification) });
    return identification;
  }

  byIp(ip: string): DeviceRecord | undefined {
    const d = this.lookup().ip.get(ip);
    return d === undefined ? undefined : this.recordOf(d);
  }

  byMac(mac: string): DeviceRecord | undefined {
    const m = normaliseMac(mac);
    const d = m === undefined ? undefined : this.lookup().mac.get(m);
    return d === undefined ? undefined : this.recordOf(d);
  }

  refOf(ip: string, mac?: string): { id: string; mac?: string } | undefined {
    const index = this.lookup();
    const m = mac ? normaliseMac(mac) : undefined;
    let d = m === undefined ? undefined : index.mac.get(m);
    if (d === undefined || !listed(d)) d = index.ip.get(ip);
    if (d === undefined || !listed(d)) return undefined;
    return d.mac ? { id: d.id, mac: d.mac } : { id: d.id };
  }

  /** The identified record of one listed device, as devices() would give it now (computed once per version). */
  private recordOf(d: DeviceState): DeviceRecord | undefined {
    if (!listed(d)) return undefined; // a peer whose device is listed only once an 'ip:' device merges into it
    if (this.memoVersion !== this.version) {
      this.memo.clear();
      this.memoVersion = this.version;
    }
    let rec = this.memo.get(d);
    if (rec === undefined) {
      const base = this.baseRecord(this.settled(d, this.lookup().groups));
      if (base === undefined) return undefined;
      rec = this.identified(base);
      this.memo.set(d, rec);
    }
    return rec;
  }

  /**
   * Address → device index over the device states (no record built, nothing identified), rebuilt only after a
   * change; the answers scanning devices() would give: the latest binding of an address wins, ties to the device
   * listed later. An 'ip:' device whose address is now bound to a MAC's device counts as part of it, as it will
   * be once merged (settle), without merging now: a merge at a wall-clock moment would make results depend on it.
   */
  private lookup(): { ip: Map<string, DeviceState>; mac: Map<string, DeviceState>; groups: Map<DeviceState, DeviceState[]> } {
    if (this.index?.version === this.version) return this.index;
    const groups = new Map<DeviceState, { first: number; merged: boolean; last: Map<string, number> }>();
    for (const d of this.byId.values()) {
      const owner = this.ownerOf(d);
      let g = groups.get(owner);
      if (g === undefined) {
        g = { first: owner.first_ts, merged: false, last: new Map() };
        groups.set(owner, g);
      }
      if (owner !== d) {
        g.merged = true;
        if (d.first_ts < g.first) g.first = d.first_ts;
      }
      for (const b of d.ips.values()) {
        const cur = g.last.get(b.ip);
        if (cur === undefined || b.last_ts > cur) g.last.set(b.ip, b.last_ts);
      }
    }
    const list = [...groups].filter(([d, g]) => g.merged || listed(d)).sort(([a, ga], [b, gb]) => ga.first - gb.first || a.id.localeCompare(b.id));
    const ip = new Map<string, DeviceState>();
    const ipLast = new Map<string, number>();
    const mac = new Map<string, DeviceState>();
    for (const [d, g] of list) {
      if (d.mac) mac.set(d.mac, d);
      for (const [addr, last] of g.last) {
        const cur = ipLast.get(addr);
        if (cur === undefined || last >= cur) {
          ip.set(addr, d);
          ipLast.set(addr, last);
        }
      }
    }
    this.index = { version: this.version, ip, mac, groups: this.groups() };
    return this.index;
  }

  /** The device `d` becomes part of when settled (itself unless an 'ip:' device whose address a MAC's device now holds). */
  private ownerOf(d: DeviceState): DeviceState {
    if (!d.id.startsWith('ip:')) return d;
    const b = this.ipMac.get(d.id.slice(3));
    return (b && this.byId.get(`mac:${b.mac}`)) ?? d;
  }

  stats(): InventoryStats {
    let evidence = 0;
    let overflow = 0;
    for (const d of this.byId.values()) {
      evidence += d.evidence_dropped;
      overflow += d.overflow;
    }
    return {
      devices: this.byId.size, dropped_devices: this.droppedDevices, evidence_dropped: evidence, set_overflow: overflow, event_errors: this.eventErrors,
      ip_bindings_dropped: this.droppedBindings,
    };
  }

  /** Source of an event, for evidence items. */
  static source(ev: EventRecord): Source {
    return { ts: ev.ts, file: ev.file, packet: ev.packet };
  }
}

/**
 * Whether a device is listed: a MAC that only ever carried one address outside the local networks is that
 * remote host, seen on the segment (public addressing, a point-to-point link): a peer, not a device of this network.
 */
function listed(d: DeviceState): boolean {
  return !(d.forwarded.size === 1 && d.ips.size === 0 && !d.local && d.hostnames.size === 0 && d.services.size === 0);
}

/** Remote addresses a MAC must carry before it counts as forwarding traffic (a gateway). */
const minForwardedForGateway = 2;
