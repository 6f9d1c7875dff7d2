/**
 * c2.beaconing: a device connects (or tries to) to the same remote endpoint at a regular interval, the
 * heartbeat of a bot calling its command-and-control server. Unanswered attempts count: a bot whose C2 is
 * down keeps knocking. Judged per (device, remote address, port) on the flows' start times.
 * @module
 */
import type { Detector, EvidenceRef } from '../types.ts';
import type { FlowRecord } from '../../flow/types.ts';
import { isLocalAddr } from '../lib/net.ts';
import { isGroupAddr } from '../lib/flood.ts';
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

interface Pair {
  device: string;
  mac: string | undefined;
  remote: string;
  port: number;
  transport: string;
  starts: number[];
  total: number;
  unanswered: number;
  reported: number;
  evidence: EvidenceRef | undefined;
  lastTs: number;
  sinceCheck: number;
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
    const pairs = new Map<string, Pair>();
    let lastSweep = Number.NEGATIVE_INFINITY;
    /** What finish does for a pair: report connections not yet reported if the rhythm holds. */
    const settle = (key: string, p: Pair): void => {
      if (p.total > p.reported && p.total >= options.minConnections) judge(key, p);
    };

    const judge = (key: string, p: Pair): void => {
      p.sinceCheck = 0;
      if (p.total < options.minConnections) return;
      const shape = periodicity(p.starts, options.tolerance);
      if (shape === undefined || shape.interval < options.minIntervalS || shape.interval > options.maxIntervalS || shape.regularity < options.minRegularity) return;
      const count = p.total - p.reported;
      if (count <= 0) return;
      const unansweredShare = p.unanswered / p.total;
      const interval = Math.round(shape.interval * 10) / 10;
      ctx.report({
        messageId: 'beacon', key,
        data: {
          device: p.device, remote: p.remote, port: p.port, transport: p.transport, interval, connections: p.total,
          regularity: Math.round(shape.regularity * 100), unanswered: p.unanswered,
        },
        devices: [{ role: 'infected', ip: p.device, mac: p.mac }, { role: 'peer', ip: p.remote }],
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
        if (f.orig_pkts === 0 || !isLocalAddr(FlowBound.origV4(f), f.orig_ip)) return;
        const resp4 = FlowBound.respV4(f);
        if (isGroupAddr(resp4, f.resp_ip) || ignored.has(f.resp_port)) return;
        if (!options.includeLocalTargets && isLocalAddr(resp4, f.resp_ip)) return;
        const key = `${f.orig_ip}|${f.resp_ip}|${f.resp_port}|${f.transport}`;
        let p = pairs.get(key);
        if (p === undefined) {
          if (pairs.size >= options.maxTrackedPairs) pairs.delete(pairs.keys().next().value as string);
          p = {
            device: f.orig_ip, mac: f.orig_mac, remote: f.resp_ip, port: f.resp_port, transport: f.transport, starts: [], total: 0, unanswered: 0,
            reported: 0, evidence: undefined, lastTs: f.first_ts, sinceCheck: 0,
          };
          pairs.set(key, p);
        }
        p.total++;
        if (isUnanswered(f)) p.unanswered++;
        if (p.evidence === undefined || f.first_ts < p.evidence.ts) p.evidence = { file: f.file, packet: f.first_packet, ts: f.first_ts, community_id: f.community_id };
        if (f.first_ts > p.lastTs) p.lastTs = f.first_ts;
        p.starts.push(f.first_ts);
        if (p.starts.length > options.maxSamples) p.starts.shift();
        // Judge at the threshold, then every half-threshold more connections (not on every flow).
        if (++p.sinceCheck >= Math.max(1, options.minConnections >> 1) && p.total >= options.minConnections && p.reported === 0) judge(key, p);
      },
      tick(now) {
        if (now - lastSweep < SWEEP_EVERY_S) return;
        lastSweep = now;
        for (const [key, p] of pairs) {
          if (now - p.lastTs <= options.maxIdleS) continue;
          settle(key, p);
          pairs.delete(key);
        }
      },
      finish() {
        for (const [key, p] of pairs) settle(key, p);
        pairs.clear();
      },
    };
  },
};

export default detector;
