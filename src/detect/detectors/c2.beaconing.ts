/**
 * c2.beaconing: a device connects (or tries to) to the same remote endpoint at a regular interval, the
 * heartbeat of a bot calling its command-and-control server. Unanswered attempts count: a bot whose C2 is
 * down keeps knocking. Judged per (device, remote address, port) on the flows' start times.
 * @module
 */
import type { Detector, EvidenceRef } from '../types.ts';
import type { FlowRecord } from '../../flow/types.ts';
import { ipv4ToUint, isLocalAddr, uintToIpv4 } from '../lib/net.ts';
import { isGroupAddr } from '../lib/flood.ts';
import { NumberedPairs } from '../lib/numbered-pairs.ts';
import { FlowBound } from '../../flow/lazy-record.ts';

interface Options extends Record<string, unknown> {
  minConnections: number;
  minIntervalS: number;
  maxIntervalS: number;
  tolerance: number;
  minRegularity: number;
  minUnansweredShare: number;
  ignorePorts: string[];
  includeLocalTargets: boolean;
  maxTrackedPairs: number;
  maxSamples: number;
  maxIdleS: number;
}

/** Packet seconds between sweeps for pairs that went quiet. */
const SWEEP_EVERY_S = 600;

/**
 * One (device, remote address, port, transport): made for nearly every flow to a new endpoint and kept for
 * hours, so promoted out of the young generation; it keeps no address text where both are IPv4 (made when
 * reported) and its starts as a one-element array until a second connection.
 */
interface Pair {
  /** The addresses as text, or undefined where the key is numeric (then made from device4 and remote4 when reported). */
  device: string | undefined;
  remote: string | undefined;
  /** The IPv4 values as int32 (small integers in the object, not boxed numbers): read back unsigned; -1 (as -1) where not IPv4. */
  device4: number;
  remote4: number;
  mac: string | undefined;
  port: number;
  transport: string;
  starts: number[] | undefined;
  total: number;
  unanswered: number;
  reported: number;
  evidence: EvidenceRef | undefined;
  lastTs: number;
  sinceCheck: number;
}

/** A pair's key: a number where both addresses are IPv4 (NumberedPairs), else `device|remote|port|transport`. */
type PairKey = string | number;

/**
 * Numeric keys of IPv4 pairs: an id for the (device, port, transport) of a flow, given at first sight and kept
 * for the run, above the remote address's 32 bits. No key text built and hashed per flow. At most MAX_IDS
 * ids (the key stays an exact integer); beyond, a (device, port, transport) never gets one and its pairs keep
 * text keys, so an endpoint is always keyed the same way.
 */
const MAX_IDS = 1 << 20;

/** A (device, port, transport) as one number: device (32 bits), port (16), transport (1): 49 bits, exact. */
function serviceNumber(device4: number, port: number, tcp: boolean): number {
  return (device4 * 0x1_0000 + port) * 2 + (tcp ? 1 : 0);
}

/** Median interval and the share of intervals within tolerance of it; undefined when too few starts. */
export function periodicity(starts: number[], tolerance: number): { interval: number; regularity: number } | undefined {
  if (starts.length < 3) return undefined;
  const sorted = [...starts].sort((a, b) => a - b);
  const gaps: number[] = [];
  for (let i = 1; i < sorted.length; i++) gaps.push(sorted[i] - sorted[i - 1]);
  const ordered = [...gaps].sort((a, b) => a - b);
  const interval = ordered[ordered.length >> 1];
  const slack = Math.max(interval * tolerance, 1);
  let regular = 0;
  for (const g of gaps) if (Math.abs(g - interval) <= slack) regular++;
  return { interval, regularity: regular / gaps.length };
}

function isUnanswered(f: FlowRecord): boolean {
  if (f.transport === 'tcp') return f.tcp_state === 'unanswered_syn' || f.tcp_state === 'rejected';
  return f.resp_pkts === 0;
}

export const detector: Detector<Options> = {
  id: 'c2.beaconing',
  description: 'Beaconing: a device connects, or tries to connect, to the same remote address and port at a regular interval (the heartbeat of a bot calling its command-and-control server); unanswered attempts count too.',
  category: 'c2',
  severity: 'medium',
  confidence: 0.6,
  references: {
    etsi: ['5.7-2'],
    enisa: ['GP-TM-43', 'GP-TM-44', 'GP-TM-56'],
    attack: ['T1071', 'T1029', 'T1571'],
    other: ['https://www.stratosphereips.org/datasets-iot23'],
  },
  options: {
    minConnections: { default: 10, description: 'Connections (or attempts) to one endpoint before the rhythm is judged.' },
    minIntervalS: { default: 5, description: 'Shortest interval counted as beaconing (faster repeats are retries or bulk traffic).' },
    maxIntervalS: { default: 7200, description: 'Longest interval counted as beaconing.' },
    tolerance: { default: 0.1, description: 'Allowed deviation of an interval from the median, as a fraction of it (at least 1 s).' },
    minRegularity: { default: 0.8, description: 'Share of intervals within the tolerance for the series to be periodic.' },
    minUnansweredShare: { default: 0.8, description: 'Share of unanswered attempts from which the finding is raised to high severity (a bot knocking on a dead C2).' },
    ignorePorts: { default: ['53', '67', '68', '123', '137', '138', '1900', '5353', '5355'], description: 'Remote ports never judged (name resolution, time, discovery: periodic by design).' },
    includeLocalTargets: { default: false, description: 'Also judge endpoints on this network (off: only remote endpoints).' },
    maxTrackedPairs: { default: 20000, description: 'Device/endpoint pairs followed at once (the oldest is forgotten beyond it).' },
    maxSamples: { default: 32, description: 'Most recent connection times kept per pair.' },
    maxIdleS: { default: 14400, description: 'A pair with no new connection for this long is judged a last time and forgotten (its rhythm stopped; a sensor running for weeks keeps only live pairs).' },
  },
  messages: {
    beacon: {
      title: '{device} beacons to {remote}:{port} every {interval} s',
      explanation: '{device} connected to {remote} port {port} ({transport}) {connections} times at a steady {interval}-second rhythm ({regularity} % of the intervals); {unanswered} of those attempts got no answer. {count} connections in all, {first_seen} to {last_seen}. Malware calls its command-and-control server this way; check that {remote} belongs to the device\'s vendor.',
    },
  },
  subscribes: ['flow.end'],
  needs: 'flows',
  create(ctx, options) {
    const ignored = new Set(options.ignorePorts.map(Number));
    const pairs = new Map<PairKey, Pair>();
    const endpointKeys = new NumberedPairs(MAX_IDS);
    let lastSweep = Number.NEGATIVE_INFINITY;
    /** What finish does for a pair: report connections not yet reported if the rhythm holds. */
    const settle = (p: Pair): void => {
      if (p.total > p.reported && p.total >= options.minConnections) judge(p);
    };

    const judge = (p: Pair): void => {
      p.sinceCheck = 0;
      if (p.total < options.minConnections || p.starts === undefined) return;
      const shape = periodicity(p.starts, options.tolerance);
      if (shape === undefined || shape.interval < options.minIntervalS || shape.interval > options.maxIntervalS || shape.regularity < options.minRegularity) return;
      const count = p.total - p.reported;
      if (count <= 0) return;
      const unansweredShare = p.unanswered / p.total;
      const interval = Math.round(shape.interval * 10) / 10;
      const device = p.device ??= uintToIpv4(p.device4 >>> 0);
      const remote = p.remote ??= uintToIpv4(p.remote4 >>> 0);
      ctx.report({
        messageId: 'beacon', key: `${device}|${remote}|${p.port}|${p.transport}`,
        data: {
          device, remote, port: p.port, transport: p.transport, interval, connections: p.total,
          regularity: Math.round(shape.regularity * 100), unanswered: p.unanswered,
        },
        devices: [{ role: 'infected', ip: device, mac: p.mac }, { role: 'peer', ip: remote }],
        ts: p.reported === 0 && p.evidence ? p.evidence.ts : p.lastTs,
        evidence: p.reported === 0 ? p.evidence : undefined,
        count,
        severity: unansweredShare >= options.minUnansweredShare ? 'high' : undefined,
        facts: { interval_s: interval, regularity: shape.regularity, unanswered: p.unanswered, connections: p.total },
      });
      p.reported = p.total;
    };

    return {
      onFlow(f) {
        if (f.transport !== 'tcp' && f.transport !== 'udp') return;
        // Addresses as the record's numbers where it has them (no text parsed per flow).
        const orig4 = FlowBound.origV4(f);
        if (f.orig_pkts === 0 || !isLocalAddr(orig4, f.orig_ip)) return;
        const resp4 = FlowBound.respV4(f);
        if (isGroupAddr(resp4, f.resp_ip) || ignored.has(f.resp_port)) return;
        if (!options.includeLocalTargets && isLocalAddr(resp4, f.resp_ip)) return;
        // A record without the numbers (an exporter's) is keyed by its text: the numbers from it.
        const device4 = orig4 >= 0 ? orig4 : ipv4ToUint(f.orig_ip);
        const remote4 = resp4 >= 0 ? resp4 : ipv4ToUint(f.resp_ip);
        const numeric = device4 >= 0 && remote4 >= 0 ? endpointKeys.key(serviceNumber(device4, f.resp_port, f.transport === 'tcp'), remote4) : undefined;
        const key = numeric ?? `${f.orig_ip}|${f.resp_ip}|${f.resp_port}|${f.transport}`;
        let p = pairs.get(key);
        if (p === undefined) {
          if (pairs.size >= options.maxTrackedPairs) pairs.delete(pairs.keys().next().value as PairKey);
          p = {
            device: numeric === undefined ? f.orig_ip : undefined, remote: numeric === undefined ? f.resp_ip : undefined, device4: device4 | 0, remote4: remote4 | 0,
            mac: f.orig_mac, port: f.resp_port, transport: f.transport, starts: undefined, total: 0, unanswered: 0,
            reported: 0, evidence: undefined, lastTs: f.first_ts, sinceCheck: 0,
          };
          pairs.set(key, p);
        }
        p.total++;
        if (isUnanswered(f)) p.unanswered++;
        if (p.evidence === undefined || f.first_ts < p.evidence.ts) p.evidence = { file: f.file, packet: f.first_packet, ts: f.first_ts, community_id: f.community_id };
        if (f.first_ts > p.lastTs) p.lastTs = f.first_ts;
        // A literal for the first start (room for one; a push onto [] makes room for 17).
        if (p.starts === undefined) p.starts = [f.first_ts];
        else p.starts.push(f.first_ts);
        if (p.starts.length > options.maxSamples) p.starts.shift();
        // Judge at the threshold, then every half-threshold more connections (not on every flow).
        if (++p.sinceCheck >= Math.max(1, options.minConnections >> 1) && p.total >= options.minConnections && p.reported === 0) judge(p);
      },
      tick(now) {
        if (now - lastSweep < SWEEP_EVERY_S) return;
        lastSweep = now;
        for (const [key, p] of pairs) {
          if (now - p.lastTs <= options.maxIdleS) continue;
          settle(p);
          pairs.delete(key);
        }
      },
      finish() {
        for (const p of pairs.values()) settle(p);
        pairs.clear();
        endpointKeys.clear();
      },
    };
  },
};

export default detector;
