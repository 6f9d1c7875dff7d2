/**
 * ddos.flood-source: a device here sends a flood (Mirai's vectors: SYN, ACK, UDP, GRE, HTTP, DNS water
 * torture). Three signs: many new flows to one target within seconds; one flow with a very high one-way
 * packet rate; many random subdomains of one domain queried within seconds.
 *
 * Many flows are judged as they happen: each flow counts at its first packet (`flow.start`), so a live flood
 * is raised within a second of crossing the threshold, not when its flows time out; the flow's end completes
 * its window (packets, a SYN that became an HTTP connection). DNS flows count at their end (an answered
 * lookup is not an attack, and the answer comes later), as do exporters' records (no packets).
 * @module
 */
import type { Detector, EvidenceRef } from '../types.ts';
import type { EventRecord } from '../../pipeline/analyze.ts';
import type { FlowRecord } from '../../flow/types.ts';
import { OldestFirst } from '../lib/oldest-first.ts';
import { FirstPacket, HeldStart } from '../../pipeline/first-packet.ts';
import { IpProto } from '../../decode/packet-view.ts';
import { flowAppName } from '../lib/flow-app.ts';
import { ipv4ToUint, isLocalAddr, isLocalIp, isLocalIpv4, uintToIpv4 } from '../lib/net.ts';
import { NumberedPairs } from '../lib/numbered-pairs.ts';
import { Tally } from '../lib/tally.ts';
import { firstVector, floodVector, isGroupAddr, isGroupAddress, isGroupV4, startVectorOf } from '../lib/flood.ts';
import { FlowBound } from '../../flow/lazy-record.ts';

interface Options extends Record<string, unknown> {
  windowS: number;
  minFlows: number;
  minFlowPackets: number;
  minFlowPps: number;
  maxReplyRatio: number;
  singleFlowLocalTargets: boolean;
  maxScanSourcePortShare: number;
  minDnsNames: number;
  minLabelLength: number;
  maxTrackedKeys: number;
  maxNamesPerKey: number;
  evidencePerFinding: number;
}

/**
 * One window of a device toward a target (or a domain, `dns`). Made for nearly every first packet a device here
 * sends to a new address (75,000 windows on the 2 M-packet mixed workload, 9 in 10 with one flow), and kept
 * until 4096 newer ones push it out: long enough for everything it holds to be copied by the young-generation
 * collector and promoted. So it holds as little as a window of one flow needs: the addresses as numbers where
 * IPv4 (the text made when reported), the first evidence and ports in fields (an array or a Set from a
 * second), vectors in a Tally (a Map from a third).
 */
class Bucket {
  readonly kind: 'flows' | 'dns';
  readonly key: WindowKey;
  readonly start: number;
  lastTs: number;
  flows = 0;
  reported = 0;
  packets = 0;
  /** Flows per vector (per resolver for `dns`, at most MAX_RESOLVERS). */
  readonly vectors: Tally<string>;
  /**
   * The window's first flows or queries: references, or first packets kept as numbers (made references when
   * reported). The first in a field, the others in an array from the second.
   */
  private firstEvidence: EvidenceRef | HeldStart | undefined = undefined;
  private moreEvidence: (EvidenceRef | HeldStart)[] | undefined = undefined;
  tripped = false;
  /** Completed by a flow's end after the last report (vector or packets): report again at the close. */
  amended = false;
  mac: string | undefined;
  /** Distinct destination and source ports (`flows`): the first in a field (-1: none yet), a Set from a second one. */
  private firstPort = -1;
  private ports: Set<number> | undefined = undefined;
  private firstSrcPort = -1;
  private srcPorts: Set<number> | undefined = undefined;
  /** Distinct first labels (`dns`). */
  readonly names: Set<string> | undefined;
  /** Attacker and target (domain) as text, or undefined until reported where the key is numeric (then their IPv4 values, else -1). */
  private attackerText: string | undefined;
  private targetText: string | undefined;
  /** As int32 (small integers in the object, not boxed numbers): read back unsigned. */
  private readonly attacker4: number;
  private readonly target4: number;

  constructor(kind: 'flows' | 'dns', key: WindowKey, start: number, attackerText: string | undefined, targetText: string | undefined,
    attacker4: number, target4: number, mac: string | undefined) {
    this.kind = kind;
    this.key = key;
    this.start = start;
    this.lastTs = start;
    this.vectors = new Tally(kind === 'dns' ? MAX_RESOLVERS : Infinity);
    this.mac = mac;
    this.names = kind === 'dns' ? new Set() : undefined;
    this.attackerText = attackerText;
    this.targetText = targetText;
    this.attacker4 = attacker4 | 0;
    this.target4 = target4 | 0;
  }

  get attacker(): string {
    return this.attackerText ??= uintToIpv4(this.attacker4 >>> 0);
  }

  get target(): string {
    return this.targetText ??= uintToIpv4(this.target4 >>> 0);
  }

  /** The key findings are reported under: attacker and target (`flows`), or as kept (`dns`). */
  reportKey(): string {
    return typeof this.key === 'string' ? this.key : `${this.attacker}|${this.target}`;
  }

  /** Evidence kept so far. */
  get evidenceCount(): number {
    return this.firstEvidence === undefined ? 0 : 1 + (this.moreEvidence?.length ?? 0);
  }

  keep(ev: EvidenceRef | HeldStart): void {
    if (this.firstEvidence === undefined) this.firstEvidence = ev;
    else if (this.moreEvidence === undefined) this.moreEvidence = [ev]; // a literal: room for one, not a pushed array's 17
    else this.moreEvidence.push(ev);
  }

  /** The evidence kept, in order. */
  evidence(): (EvidenceRef | HeldStart)[] {
    if (this.firstEvidence === undefined) return [];
    return this.moreEvidence === undefined ? [this.firstEvidence] : [this.firstEvidence, ...this.moreEvidence];
  }

  /** Count a flow's ports (at most MAX_PORTS distinct of each, as Sets capped there would). */
  addPorts(dstPort: number, srcPort: number): void {
    if (this.ports !== undefined) {
      if (this.ports.size < MAX_PORTS) this.ports.add(dstPort);
    } else if (this.firstPort < 0 || this.firstPort === dstPort) {
      this.firstPort = dstPort;
    } else {
      this.ports = new Set([this.firstPort, dstPort]);
    }
    if (this.srcPorts !== undefined) {
      if (this.srcPorts.size < MAX_PORTS) this.srcPorts.add(srcPort);
    } else if (this.firstSrcPort < 0 || this.firstSrcPort === srcPort) {
      this.firstSrcPort = srcPort;
    } else {
      this.srcPorts = new Set([this.firstSrcPort, srcPort]);
    }
  }

  get portCount(): number {
    return this.ports !== undefined ? this.ports.size : this.firstPort < 0 ? 0 : 1;
  }

  get srcPortCount(): number {
    return this.srcPorts !== undefined ? this.srcPorts.size : this.firstSrcPort < 0 ? 0 : 1;
  }
}

/** Distinct destination (and source) ports counted per window. */
const MAX_PORTS = 4096;

/** Resolvers counted per DNS window (the ones beyond are not). */
const MAX_RESOLVERS = 8;

/**
 * A window's key. Two IPv4 addresses are keyed as one number, the attacker's small id (NumberedPairs) above the
 * target's 32 bits: no text made per first packet (two addresses and a joined key), and a number hashes
 * without flattening a joined string. Other pairs as `attacker|target`, DNS windows as `dns|device|domain`.
 */
type WindowKey = string | number;

/**
 * IPv4 attackers keyed numerically (devices on this network; ids given at first sight, kept for the run): an
 * attacker beyond MAX_ATTACKERS keeps text keys.
 */
const MAX_ATTACKERS = 1 << 16;

/** The vector of a flow a flooding device started; connections carrying HTTP are an HTTP flood. */
function sourceVector(f: FlowRecord): string {
  const v = floodVector(f);
  if (f.app === 'dns') return 'dns';
  if (v === 'tcp-connect' && (f.app === 'http' || f.resp_port === 80 || f.resp_port === 8080)) return 'http';
  return v;
}

function top(m: Map<string, number>): string {
  let best = 'unknown';
  let n = -1;
  for (const [k, v] of m) if (v > n) { best = k; n = v; }
  return best;
}

/** Evidence of a flow: its first packet (made only where a flow is counted or reported). */
function firstPacketOf(f: FlowRecord): EvidenceRef {
  return { file: f.file, packet: f.first_packet, ts: f.first_ts, community_id: f.community_id };
}

/** An address's IPv4 value: the record's (`FlowBound`, no text parsed) where it has one, else from its text (-1: not IPv4). */
function v4Of(v4: number, ip: string): number {
  return v4 >= 0 ? v4 : ipv4ToUint(ip);
}

/** A flow that started at `firstTs` belongs to the window `w` (of `windowS` seconds). */
function inWindow(w: Bucket | undefined, firstTs: number, windowS: number): w is Bucket {
  return w !== undefined && firstTs >= w.start && firstTs - w.start <= windowS;
}

export const detector: Detector<Options> = {
  id: 'ddos.flood-source',
  description: 'A device on this network sends a flood: many new flows to one target within seconds (SYN, ACK, UDP, GRE, HTTP), one flow with a very high one-way packet rate, or a burst of queries for random subdomains of one domain (DNS water torture), the attack vectors of Mirai and its variants.',
  category: 'ddos',
  severity: 'high',
  confidence: 0.85,
  references: {
    etsi: ['5.7-2'],
    enisa: ['GP-TM-46', 'GP-TM-56'],
    attack: ['T1498.001', 'T1499.002', 'T1499.003'],
    other: ['https://github.com/jgamblin/Mirai-Source-Code/blob/master/mirai/bot/attack.h'],
  },
  options: {
    windowS: { default: 10, description: 'Length of the counting window, seconds.' },
    minFlows: { default: 200, description: 'New flows from one device to one target within the window that make a flood.' },
    minFlowPackets: { default: 1000, description: 'Packets one flow must carry from the device to count as a single-flow flood.' },
    minFlowPps: { default: 500, description: 'Packets per second from the device in that flow.' },
    maxReplyRatio: { default: 0.02, description: 'At most this many packets back per packet sent, in a single-flow flood.' },
    singleFlowLocalTargets: { default: false, description: 'Also report single-flow floods toward addresses on this network (off: local media streams look alike).' },
    maxScanSourcePortShare: { default: 0.1, description: 'Flows to many ports from at most this share of distinct source ports are a port scan (left to the scan.* detectors), not a flood (floods randomise source ports or hit one port).' },
    minDnsNames: { default: 100, description: 'Distinct random subdomains of one domain queried by one device within the window (DNS water torture).' },
    minLabelLength: { default: 6, description: 'Shortest first label counted as a random subdomain.' },
    maxTrackedKeys: { default: 4096, description: 'Device/target pairs (and device/domain pairs) counted at once; the oldest window is dropped beyond it.' },
    maxNamesPerKey: { default: 1024, description: 'Distinct subdomains remembered per device/domain pair and window.' },
    evidencePerFinding: { default: 5, description: 'First flows or queries of a window kept as evidence packets.' },
  },
  messages: {
    flows: {
      title: '{attacker} floods {target} ({vector})',
      explanation: '{attacker}, a device on this network, opened {flows} flows to {target} within {window} s ({vector} flood); {count} flood flows in all from {first_seen} to {last_seen}. IoT bots such as Mirai attack on command this way: the device is very likely infected. Disconnect it, reset it to factory state, update its firmware and change its password.',
    },
    stream: {
      title: '{attacker} floods {target} ({vector}, {pps} packets/s)',
      explanation: '{attacker}, a device on this network, sent {packets} packets to {target} at {pps} packets per second with almost no answer ({vector} flood). IoT bots such as Mirai attack on command this way: the device is very likely infected. Disconnect it, reset it to factory state and update its firmware.',
    },
    dns: {
      title: '{attacker} runs a DNS water-torture attack on {domain}',
      explanation: '{attacker}, a device on this network, queried {names} different random names under {domain} within {window} s through {resolver}; {count} queries in all. Random subdomains defeat DNS caches so every query reaches the authoritative servers of {domain} (Mirai\'s DNS attack). The device is very likely infected.',
    },
  },
  subscribes: ['flow.start', 'flow.end', 'dns.query'],
  needs: 'flows',
  create(ctx, options) {
    const buckets = new OldestFirst<WindowKey, Bucket>();
    const attackerIds = new NumberedPairs(MAX_ATTACKERS);
    const flush = (b: Bucket): void => {
      const { kind } = b;
      if (!b.tripped || (b.flows <= b.reported && !b.amended)) return;
      b.amended = false;
      const key = b.reportKey();
      const count = b.flows - b.reported;
      const evidence = b.reported === 0 ? b.evidence().map((e) => (e instanceof HeldStart ? e.evidence(false) : e)) : [];
      b.reported = b.flows;
      const devices = [{ role: 'infected' as const, ip: b.attacker, mac: b.mac }, ...(kind === 'flows' ? [{ role: 'victim' as const, ip: b.target }] : [])];
      const vectors = b.vectors.settled();
      const data: Record<string, string | number> = kind === 'flows'
        ? { attacker: b.attacker, target: b.target, vector: top(vectors), flows: b.flows, window: options.windowS }
        : { attacker: b.attacker, domain: b.target, names: b.names?.size ?? 0, resolver: top(vectors), window: options.windowS };
      const facts = kind === 'flows' ? { vector: top(vectors), packets: b.packets, vectors: Object.fromEntries(vectors) } : { vector: 'dns-water-torture', domain: b.target };
      if (evidence.length === 0) {
        ctx.report({ messageId: kind, key, data, devices, ts: b.lastTs, count, facts });
        return;
      }
      evidence.forEach((ev, i) => ctx.report({ messageId: kind, key, data, devices, ts: ev.ts, evidence: ev, count: i === 0 ? count : 0, facts }));
    };
    // The window before the current one, per key: its flows still end (at the idle timeout) after it closed.
    const previous = new OldestFirst<WindowKey, Bucket>();
    const retire = (b: Bucket): void => {
      const old = previous.get(b.key);
      if (old !== undefined) flush(old);
      else if (previous.size >= options.maxTrackedKeys) {
        const oldKey = previous.oldestKey()!;
        const oldest = previous.get(oldKey)!;
        flush(oldest);
        previous.delete(oldKey);
      }
      previous.delete(b.key);
      if (b.tripped && b.kind === 'flows') previous.setAbsent(b.key, b);
    };
    /**
     * The open window of `key` at `ts`, undefined when there is none (its window over: flushed and retired). The
     * caller then makes one and adds it (`open`): no closure per flow to make it here.
     */
    const current = (key: WindowKey, ts: number): Bucket | undefined => {
      const b = buckets.get(key);
      if (b === undefined) return undefined;
      if (ts - b.start > options.windowS) {
        flush(b);
        buckets.delete(key);
        retire(b);
        return undefined;
      }
      if (ts > b.lastTs) b.lastTs = ts;
      return b;
    };
    /** Add a new window (`current` found none), dropping the oldest beyond the bound. */
    const open = (b: Bucket): Bucket => {
      if (buckets.size >= options.maxTrackedKeys) {
        const oldKey = buckets.oldestKey()!;
        const old = buckets.get(oldKey)!;
        flush(old);
        buckets.delete(oldKey);
      }
      buckets.setAbsent(b.key, b);
      return b;
    };
    /**
     * One flow from the attacker to the target counted in its window: at its first packet (`kept` held only if
     * kept), or at its end. The addresses as IPv4 values (-1: not IPv4), their text where the caller has it.
     */
    const count = (attacker4: number, target4: number, attackerText: string | undefined, targetText: string | undefined, srcPort: number, dstPort: number,
      mac: string | undefined, vector: string, packets: number, ts: number, kept: FirstPacket | EvidenceRef): void => {
      const numeric = attacker4 >= 0 && target4 >= 0 ? attackerIds.key(attacker4, target4, true) : undefined;
      if (numeric === undefined) {
        attackerText ??= (kept as FirstPacket).srcIp();
        targetText ??= (kept as FirstPacket).dstIp();
      }
      const key = numeric ?? `${attackerText}|${targetText}`;
      const b = current(key, ts) ?? open(new Bucket('flows', key, ts, attackerText, targetText, attacker4, target4, mac));
      b.flows++;
      b.packets += packets;
      b.vectors.add(vector);
      if (b.evidenceCount < options.evidencePerFinding) b.keep(kept instanceof FirstPacket ? kept.hold() : kept);
      b.addPorts(dstPort, srcPort);
      // Many destination ports from a handful of source ports: a port scan (nmap -sS), not a flood.
      const scanLike = b.portCount >= b.flows * 0.3 && b.srcPortCount <= b.flows * options.maxScanSourcePortShare;
      if (!b.tripped && b.flows >= options.minFlows && !scanLike) {
        b.tripped = true;
        flush(b);
      }
    };
    /** DNS flows count at their end (answered lookups are left out then). */
    const dnsPort = (p: number): boolean => p === 53 || p === 5353;
    const onStart = (p: FirstPacket): void => {
      if (p.ipVersion === 0) return; // ARP
      // Addresses as numbers where IPv4: most first packets (from outside) stop here without text.
      if (p.src >= 0 ? !isLocalIpv4(p.src) : !isLocalIp(p.srcIp())) return;
      if (p.dst >= 0 ? isGroupV4(p.dst) : isGroupAddress(p.dstIp())) return;
      const dstPort = p.dstPort;
      if (p.proto === IpProto.UDP && dnsPort(dstPort)) return;
      // A first packet sent toward its originator (an answer seen first, a SYN-ACK): not this device's attempt.
      if (!p.fromOrig) return;
      count(p.src, p.dst, undefined, undefined, p.srcPort, dstPort, undefined, startVectorOf(p), 0, p.ts, p);
    };
    const onFlow = (f: FlowRecord): void => {
      // Addresses as the record's numbers where it has them (no text parsed per flow).
      if (f.transport === 'arp' || f.orig_pkts === 0) return;
      const orig4 = v4Of(FlowBound.origV4(f), f.orig_ip);
      if (!isLocalAddr(orig4, f.orig_ip)) return;
      const resp4 = v4Of(FlowBound.respV4(f), f.resp_ip);
      if (isGroupAddr(resp4, f.resp_ip)) return;
      // Answered DNS lookups are many small flows to the resolver; water torture is judged on the names.
      const app = flowAppName(f);
      if ((app === 'dns' || app === 'mdns') && f.resp_pkts > 0) return;
      const vector = sourceVector(f);
      const pps = f.orig_pkts / Math.max(f.duration, 0.001);
      if (f.orig_pkts >= options.minFlowPackets && pps >= options.minFlowPps && f.resp_pkts <= f.orig_pkts * options.maxReplyRatio &&
        (options.singleFlowLocalTargets || !isLocalAddr(resp4, f.resp_ip))) {
        ctx.report({
          messageId: 'stream', key: `${f.orig_ip}|${f.resp_ip}`,
          data: { attacker: f.orig_ip, target: f.resp_ip, vector, packets: f.orig_pkts, pps: Math.round(pps) },
          devices: [{ role: 'infected', ip: f.orig_ip, mac: f.orig_mac }, { role: 'victim', ip: f.resp_ip, mac: f.resp_mac }],
          ts: f.first_ts, evidence: firstPacketOf(f), count: f.orig_pkts, facts: { vector, packets: f.orig_pkts, pps: Math.round(pps) },
        });
      }
      const atEnd = f.provenance !== undefined || (f.transport === 'udp' && dnsPort(f.resp_port));
      if (atEnd) return count(orig4, resp4, f.orig_ip, f.resp_ip, f.orig_port, f.resp_port, f.orig_mac, vector, f.orig_pkts, f.first_ts, firstPacketOf(f));
      // Counted at its start: complete its window (the key looked up once, no text made; the evidence only when used).
      const key = orig4 >= 0 && resp4 >= 0 ? attackerIds.key(orig4, resp4, false) ?? `${f.orig_ip}|${f.resp_ip}` : `${f.orig_ip}|${f.resp_ip}`;
      const now = buckets.get(key);
      const b = inWindow(now, f.first_ts, options.windowS) ? now : previous.get(key);
      if (!inWindow(b, f.first_ts, options.windowS)) return;
      if (b.mac === undefined) b.mac = f.orig_mac;
      b.packets += f.orig_pkts;
      const first = firstVector(f);
      if (first !== vector && (b.vectors.get(first) ?? 0) > 0) {
        b.vectors.set(first, b.vectors.get(first)! - 1);
        b.vectors.set(vector, (b.vectors.get(vector) ?? 0) + 1);
      }
      if (b.tripped) b.amended = true;
    };
    const onQuery = (ev: EventRecord): void => {
      const src = String(ev.src_ip ?? '');
      const qname = typeof ev.qname === 'string' ? ev.qname.toLowerCase() : '';
      if (ev.dst_port === 5353 || !isLocalIp(src)) return;
      const dot = qname.indexOf('.');
      if (dot < options.minLabelLength) return;
      const parent = qname.slice(dot + 1);
      if (parent.indexOf('.') < 0 || parent.endsWith('.arpa') || parent.endsWith('.local')) return;
      const key = `dns|${src}|${parent}`;
      const b = current(key, ev.ts) ?? open(new Bucket('dns', key, ev.ts, src, parent, -1, -1, undefined));
      b.flows++;
      b.vectors.add(String(ev.dst_ip ?? '')); // the resolver (the first MAX_RESOLVERS counted)
      const names = b.names!;
      if (names.size < options.maxNamesPerKey) names.add(qname.slice(0, dot));
      if (b.evidenceCount < options.evidencePerFinding) {
        const ref: EvidenceRef = { file: ev.file, packet: ev.packet, ts: ev.ts };
        if (typeof ev.community_id === 'string') ref.community_id = ev.community_id;
        b.keep(ref);
      }
      if (!b.tripped && names.size >= options.minDnsNames) {
        b.tripped = true;
        flush(b);
      }
    };
    return {
      onFlow,
      onFirstPacket: onStart,
      onEvent(ev) {
        if (ev.type === 'dns.query') onQuery(ev);
      },
      finish() {
        for (const b of previous.values()) flush(b);
        previous.clear();
        for (const b of buckets.values()) flush(b);
        buckets.clear();
        attackerIds.clear();
      },
    };
  },
};

export default detector;
