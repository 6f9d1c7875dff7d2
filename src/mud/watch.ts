/**
 * Watching traffic against profiles: every IP flow of a profiled device is matched (src/mud/match.ts);
 * accepted flows count toward the rules that allowed them (the review's "used / never used"), the rest are
 * violations handed to a callback (the `policy.mud` detector turns them into findings). Used by the detector,
 * `bulwark mud check` and `serve`.
 * @module
 */
import type { EventRecord } from '../pipeline/analyze.ts';
import type { RecordSource } from '../pipeline/record-source.ts';
import type { FlowRecord } from '../flow/types.ts';
import type { DeviceLookup } from '../inventory/types.ts';
import { NetSet } from '../inventory/addresses.ts';
import { defaultLocalNetworks, ProfileMatcher, type PeerFacts } from './match.ts';
import { NameBook } from './names.ts';
import type { StoredProfile } from './store.ts';
import type { RuleUsage } from './types.ts';

export interface Violation {
  mac: string;
  deviceIp: string;
  peerIp: string;
  /** The DNS name that resolved the peer's address, when one did. */
  peerName?: string;
  peerLocal: boolean;
  transport: string;
  /** The server port of the flow (the peer's when the device initiated). */
  port: number;
  /** 'from-device' when the device opened the flow. */
  initiated: 'from-device' | 'to-device';
  /** The direction no rule accepted, and the explicit ACE that denied it if one did. */
  deniedDirection: 'from-device' | 'to-device';
  deniedBy?: string;
  answered: boolean;
  /** Valid during the onViolation call (a lazy record is refilled for the next flow): keep holdFlow(flow). */
  flow: FlowRecord;
}

export interface WatchOptions {
  /** Only devices whose profile is locked raise violations (usage is counted for every profile). */
  lockedOnly: boolean;
  localNetworks: readonly string[];
}

/** Manufacturer of a peer from the inventory's OUI vendor. */
export function inventoryPeers(devices: DeviceLookup | undefined): PeerFacts {
  return {
    manufacturerOf: (ip, mac) => (mac ? devices?.byMac(mac) : undefined)?.oui_vendor ?? devices?.byIp(ip)?.oui_vendor,
    mudUrlOf: (ip, mac) => {
      const r = (mac ? devices?.byMac(mac) : undefined) ?? devices?.byIp(ip);
      return r?.evidence.find((e) => e.signal === 'mud_url')?.value;
    },
  };
}

export class PolicyWatch {
  readonly names = new NameBook();
  private readonly matchers = new Map<string, { matcher: ProfileMatcher; locked: boolean }>();
  private readonly local: NetSet;
  /** mac → ACE name → counts. */
  readonly usage = new Map<string, Map<string, RuleUsage>>();
  readonly unmatched = new Map<string, number>();
  flowsChecked = 0;
  private readonly onViolation: (v: Violation) => void;

  constructor(profiles: readonly StoredProfile[], onViolation: (v: Violation) => void, devices?: DeviceLookup, options: Partial<WatchOptions> = {}) {
    this.onViolation = onViolation;
    const opts: WatchOptions = { lockedOnly: true, localNetworks: defaultLocalNetworks, ...options };
    this.local = new NetSet(opts.localNetworks);
    // Peers' manufacturers: the inventory first, then what other profiles' sidecars say about their addresses.
    const profiled = new Map<string, string>();
    for (const p of profiles) if (p.sidecar.manufacturer) for (const a of p.sidecar.addresses) profiled.set(a, p.sidecar.manufacturer);
    const fromInventory = inventoryPeers(devices);
    const peers: PeerFacts = {
      manufacturerOf: (ip, mac) => fromInventory.manufacturerOf(ip, mac) ?? profiled.get(ip),
      mudUrlOf: fromInventory.mudUrlOf,
    };
    for (const p of profiles) {
      const locked = p.sidecar.state === 'locked';
      this.matchers.set(p.sidecar.mac, { matcher: new ProfileMatcher(p.mud, p.sidecar, this.names, peers, opts.localNetworks), locked: locked || !opts.lockedOnly });
      const counts = new Map<string, RuleUsage>();
      for (const a of this.matchers.get(p.sidecar.mac)!.matcher.aceNames()) counts.set(a.name, { flows: 0 });
      this.usage.set(p.sidecar.mac, counts);
    }
  }

  get size(): number {
    return this.matchers.size;
  }

  attach(pipeline: RecordSource): this {
    pipeline.on('dns.response', (ev) => this.onDns(ev));
    pipeline.onFlow((f) => this.onFlow(f));
    return this;
  }

  onDns(ev: EventRecord): void {
    this.names.onDnsResponse(ev);
  }

  onFlow(f: FlowRecord): void {
    if (f.transport === 'arp' || (f.ip_version !== 4 && f.ip_version !== 6)) return;
    if (f.orig_mac) this.check(f, f.orig_mac, true);
    if (f.resp_mac && f.resp_mac !== f.orig_mac) this.check(f, f.resp_mac, false);
  }

  private check(f: FlowRecord, mac: string, deviceIsOrig: boolean): void {
    const entry = this.matchers.get(mac);
    if (entry === undefined) return;
    const verdict = entry.matcher.checkFlow(f, deviceIsOrig);
    if (verdict === undefined) return;
    this.flowsChecked++;
    const counts = this.usage.get(mac)!;
    for (const name of verdict.used) {
      const c = counts.get(name);
      if (c === undefined) continue;
      c.flows++;
      c.first_ts = Math.min(c.first_ts ?? f.first_ts, f.first_ts);
      c.last_ts = Math.max(c.last_ts ?? f.last_ts, f.last_ts);
    }
    if (verdict.allowed) return;
    this.unmatched.set(mac, (this.unmatched.get(mac) ?? 0) + 1);
    if (!entry.locked) return;
    const peerIp = deviceIsOrig ? f.resp_ip : f.orig_ip;
    const deviceIp = deviceIsOrig ? f.orig_ip : f.resp_ip;
    const clientIp = deviceIsOrig ? deviceIp : peerIp;
    this.onViolation({
      mac, deviceIp, peerIp,
      peerName: this.names.bestName(peerIp, clientIp),
      peerLocal: this.local.has(peerIp),
      transport: f.transport,
      port: f.resp_port,
      initiated: deviceIsOrig ? 'from-device' : 'to-device',
      deniedDirection: verdict.denied?.fromDevice ? 'from-device' : 'to-device',
      deniedBy: verdict.denied?.ace,
      answered: f.resp_pkts > 0,
      flow: f,
    });
  }
}
