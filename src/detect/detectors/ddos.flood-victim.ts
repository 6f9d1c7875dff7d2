/**
 * ddos.flood-victim: a device here receives a flood: many new flows (SYN, ACK, UDP, ICMP, unsolicited SYN-ACK)
 * at one address within a short window, usually from spoofed sources. One finding per victim.
 *
 * Judged as it happens: each flow counts at its first packet (`flow.start`), so a live flood is raised within
 * a second of crossing the threshold, not when its flows time out. The flow's end only completes what its
 * first packet could not tell (packets, a SYN that became a connection) in the window it counted in.
 * Records from exporters (NetFlow/IPFIX) have no packets: they count when they arrive.
 * @module
 */
import type { Detector, EvidenceRef } from '../types.ts';
import type { FlowRecord } from '../../flow/types.ts';
import { OldestFirst } from '../lib/oldest-first.ts';
import { FirstPacket, HeldStart } from '../../pipeline/first-packet.ts';
import { FlowBound, holdFlow } from '../../flow/lazy-record.ts';
import { ipv4ToUint, isLocalIp, isLocalIpv4, uintToIpv4 } from '../lib/net.ts';
import { floodVector, isGroupAddress, isGroupV4, startVectorOf, synBecameConnect } from '../lib/flood.ts';
import { Tally } from '../lib/tally.ts';
import { FirstThenSet } from '../lib/first-then-set.ts';

interface Options extends Record<string, unknown> {
  windowS: number;
  minFlows: number;
  minSources: number;
  maxTrackedVictims: number;
  maxSourcesPerVictim: number;
  maxNamedAttackers: number;
  evidencePerFinding: number;
}

interface Bucket {
  start: number;
  flows: number;
  packets: number;
  reported: number;
  /**
   * Distinct sources. A Set only from a second source, Maps only from a second vector or port (FirstThenSet,
   * Tally): a window is made for nearly every new destination and lives long enough to be promoted out of the
   * young generation; most see one flow, and empty Sets and Maps were most of what they held.
   */
  sources: FirstThenSet<Addr>;
  /** Flows per vector, and per destination port (the first 16 ports). */
  vectors: Tally<string>;
  ports: Tally<number>;
  /**
   * The window's first flows as they came (their first packet as numbers, or an exporter's record), made
   * evidence only when the window is reported: most windows never are, and a Community ID is a hash.
   */
  evidence: (HeldStart | FlowRecord)[] | undefined;
  tripped: boolean;
  lastTs: number;
  /** Completed by a flow's end after the last report (vector or packets): report again at the close. */
  amended: boolean;
}

/** Evidence of a kept flow: its first packet (without the flow id), or the record's first. */
function evidenceOf(kept: HeldStart | FlowRecord): EvidenceRef {
  if (kept instanceof HeldStart) return kept.evidence(false);
  return { file: kept.file, packet: kept.first_packet, ts: kept.first_ts, community_id: kept.community_id };
}

/** An address as victims and sources are keyed: IPv4 as its unsigned 32-bit value (no text per flow), others as text. */
type Addr = string | number;

function addrOf(ip: string): Addr {
  const n = ipv4ToUint(ip);
  return n >= 0 ? n : ip;
}

/** A flow record's side as an Addr: the record's IPv4 value where it has one (FlowBound: no text parsed), else from its text. */
const sideOf = (v4: number, ip: string): Addr => (v4 >= 0 ? v4 : addrOf(ip));

/** A flow that started at `ts` counted in window `w` (not yet over when it started). */
const inWindow = (w: Bucket | undefined, ts: number, windowS: number): w is Bucket => w !== undefined && ts >= w.start && ts - w.start <= windowS;

const textOf = (a: Addr): string => (typeof a === 'number' ? uintToIpv4(a) : a);
const isLocalAddr = (a: Addr): boolean => (typeof a === 'number' ? isLocalIpv4(a) : isLocalIp(a));
const isGroupAddr = (a: Addr): boolean => (typeof a === 'number' ? isGroupV4(a) : isGroupAddress(a));

function top<K>(m: Map<K, number>): K | undefined {
  let best: K | undefined;
  let n = -1;
  for (const [k, v] of m) if (v > n) { best = k; n = v; }
  return best;
}

export const detector: Detector<Options> = {
  id: 'ddos.flood-victim',
  description: 'A device is the target of a flood: many new flows (SYN, ACK, UDP, ICMP or unsolicited SYN-ACK packets) reach one address within seconds, typically from spoofed sources.',
  category: 'ddos',
  severity: 'high',
  confidence: 0.85,
  references: {
    etsi: ['5.9-1'],
    enisa: ['GP-TM-51', 'GP-TM-56'],
    attack: ['T1498.001', 'T1499.002'],
    other: ['https://github.com/StopDDoS/packet-captures'],
  },
  options: {
    windowS: { default: 10, description: 'Length of the counting window, seconds.' },
    minFlows: { default: 1000, description: 'New flows toward one address within the window that make a flood.' },
    minSources: { default: 1, description: 'Distinct source addresses needed as well (raise it to report only distributed floods).' },
    maxTrackedVictims: { default: 4096, description: 'Addresses counted at once (the oldest window is dropped beyond it).' },
    maxSourcesPerVictim: { default: 4096, description: 'Distinct sources remembered per victim and window (counts saturate there).' },
    maxNamedAttackers: { default: 3, description: 'Sources are listed as attacker devices only when there are at most this many (spoofed floods name none).' },
    evidencePerFinding: { default: 5, description: 'First flows of a window kept as evidence packets.' },
  },
  messages: {
    flood: {
      title: '{victim} under a {vector} flood',
      explanation: '{victim} received {flows} new flows within {window} s ({vector} flood toward port {port}, from {sources} source addresses); {count} flood flows in all from {first_seen} to {last_seen}. Many sources sending a handful of packets each means spoofed addresses. Ask the upstream provider to filter it, and make sure the device is not exposed to the Internet needlessly.',
    },
  },
  subscribes: ['flow.start', 'flow.end'],
  needs: 'flows',
  create(ctx, options) {
    const buckets = new OldestFirst<Addr, Bucket>();
    const flush = (victimKey: Addr, b: Bucket): void => {
      if (!b.tripped || (b.flows <= b.reported && !b.amended)) return;
      b.amended = false;
      const victim = textOf(victimKey);
      const vectors = b.vectors.settled();
      const vector = top(vectors) ?? 'unknown';
      const port = top(b.ports.settled()) ?? 0;
      const named = b.sources.size <= options.maxNamedAttackers ? [...b.sources.values()].map((ip) => ({ role: 'attacker' as const, ip: textOf(ip) })) : [];
      const data = { victim, vector, flows: b.flows, sources: b.sources.size >= options.maxSourcesPerVictim ? `${b.sources.size}+` : b.sources.size, port, window: options.windowS };
      const facts = { vector, sources: b.sources.size, packets: b.packets, port, vectors: Object.fromEntries(vectors) };
      const first = b.reported === 0;
      const evidence = first && b.evidence !== undefined ? b.evidence.map(evidenceOf) : [];
      const count = b.flows - b.reported;
      b.reported = b.flows;
      if (evidence.length === 0) {
        ctx.report({ messageId: 'flood', key: victim, data, devices: [{ role: 'victim', ip: victim }, ...named], ts: b.lastTs, count, facts });
        return;
      }
      evidence.forEach((ev, i) => ctx.report({
        messageId: 'flood', key: victim, data, devices: [{ role: 'victim', ip: victim }, ...named], ts: ev.ts, evidence: ev,
        count: i === 0 ? count : 0, facts,
      }));
    };
    // The window before the current one, per victim: its flows still end (at the idle timeout) after it closed.
    const previous = new OldestFirst<Addr, Bucket>();
    const retire = (victim: Addr, b: Bucket): void => {
      const old = previous.get(victim);
      if (old !== undefined) flush(victim, old);
      else if (previous.size >= options.maxTrackedVictims) {
        const oldKey = previous.oldestKey()!;
        const oldest = previous.get(oldKey)!;
        flush(oldKey, oldest);
        previous.delete(oldKey);
      }
      previous.delete(victim);
      if (b.tripped) previous.setAbsent(victim, b);
    };
    // The last victim looked up and its open window (undefined: none), forgotten whenever the windows change: a
    // flood's flows share one victim, so most of its first packets and ends skip the Map lookup.
    let lastVictim: Addr | undefined = undefined;
    let lastBucket: Bucket | undefined = undefined;
    const bucketOf = (victim: Addr): Bucket | undefined => {
      if (victim !== lastVictim) {
        lastBucket = buckets.get(victim);
        lastVictim = victim;
      }
      return lastBucket;
    };
    /** One attempt toward `victim` at its first packet (held only if kept as evidence), or an exporter's record as it arrives. */
    const attempt = (victim: Addr, source: Addr, port: number, vector: string, packets: number, ts: number, kept: FirstPacket | FlowRecord): void => {
      if (isGroupAddr(victim)) return;
      if (isLocalAddr(source) && !isLocalAddr(victim)) return; // outbound: ddos.flood-source
      let b = bucketOf(victim);
      if (b !== undefined && ts - b.start > options.windowS) {
        flush(victim, b);
        buckets.delete(victim);
        lastVictim = undefined;
        retire(victim, b);
        b = undefined;
      }
      if (b === undefined) {
        if (buckets.size >= options.maxTrackedVictims) {
          const oldKey = buckets.oldestKey()!;
          const old = buckets.get(oldKey)!;
          flush(oldKey, old);
          buckets.delete(oldKey);
        }
        lastVictim = undefined;
        b = { start: ts, flows: 0, packets: 0, reported: 0, sources: new FirstThenSet(), vectors: new Tally(), ports: new Tally(16), evidence: undefined, tripped: false, lastTs: ts, amended: false };
        buckets.setAbsent(victim, b);
      }
      b.flows++;
      b.packets += packets;
      if (ts > b.lastTs) b.lastTs = ts;
      if (b.sources.size < options.maxSourcesPerVictim) b.sources.add(source);
      b.vectors.add(vector);
      b.ports.add(port);
      if ((b.evidence?.length ?? 0) < options.evidencePerFinding) {
        // Both refilled for the next flow: held as copies (an exporter's record is its own, and comes back as it is).
        const held = kept instanceof FirstPacket ? kept.hold() : holdFlow(kept);
        if (b.evidence === undefined) b.evidence = [held]; // a literal: room for one, not a pushed array's 17
        else b.evidence.push(held);
      }
      if (!b.tripped && b.flows >= options.minFlows && b.sources.size >= options.minSources) {
        b.tripped = true;
        flush(victim, b);
      }
    };
    /** A flow counted at its start ended: complete its window with what only the end tells. */
    const onEnd = (f: FlowRecord): void => {
      if (f.transport === 'arp') return;
      const orig = sideOf(FlowBound.origV4(f), f.orig_ip);
      const resp = sideOf(FlowBound.respV4(f), f.resp_ip);
      const victim = f.orig_pkts === 0 ? orig : resp;
      const source = f.orig_pkts === 0 ? resp : orig;
      if (isLocalAddr(source) && !isLocalAddr(victim)) return;
      const current = bucketOf(victim);
      const b = inWindow(current, f.first_ts, options.windowS) ? current : previous.get(victim);
      if (!inWindow(b, f.first_ts, options.windowS)) return;
      b.packets += f.orig_pkts + f.resp_pkts;
      // The vector counted at its start ('syn') renamed now it is known ('tcp-connect'): firstVector and floodVector.
      if (synBecameConnect(f) && (b.vectors.get('syn') ?? 0) > 0) {
        b.vectors.set('syn', b.vectors.get('syn')! - 1);
        b.vectors.set('tcp-connect', (b.vectors.get('tcp-connect') ?? 0) + 1);
      }
      if (b.tripped) b.amended = true;
    };
    return {
      onFirstPacket(p) {
        if (p.ipVersion === 0) return; // ARP
        // The first packet's receiver is the victim (of an unsolicited SYN-ACK too: the flow's inferred originator).
        const victim = p.dst >= 0 ? p.dst : p.dstIp();
        const source = p.src >= 0 ? p.src : p.srcIp();
        attempt(victim, source, p.dstPort, startVectorOf(p), 0, p.ts, p);
      },
      onFlow(f) {
        if (f.provenance === undefined) return onEnd(f);
        // An exporter's record: no flow.start came before it.
        const reflected = f.orig_pkts === 0;
        attempt(addrOf(reflected ? f.orig_ip : f.resp_ip), addrOf(reflected ? f.resp_ip : f.orig_ip), reflected ? f.orig_port : f.resp_port, floodVector(f),
          f.orig_pkts + f.resp_pkts, f.first_ts, f);
      },
      finish() {
        for (const [victim, b] of previous) flush(victim, b);
        previous.clear();
        for (const [victim, b] of buckets) flush(victim, b);
        buckets.clear();
        lastVictim = undefined;
      },
    };
  },
};

export default detector;
