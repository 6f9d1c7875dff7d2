/**
 * ddos.flood-victim: a device here receives a flood: many new flows (SYN, ACK, UDP, ICMP, unsolicited SYN-ACK)
 * at one address within a short window, usually from spoofed sources. One finding per victim.
 * @module
 */
import type { Detector, EvidenceRef } from '../types.ts';
import { isLocalIp } from '../lib/net.ts';
import { floodVector, isGroupAddress } from '../lib/flood.ts';

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
  sources: Set<string>;
  vectors: Map<string, number>;
  ports: Map<number, number>;
  evidence: EvidenceRef[];
  tripped: boolean;
  lastTs: number;
}

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
  subscribes: ['flow.end'],
  needs: 'flows',
  create(ctx, options) {
    const buckets = new Map<string, Bucket>();
    const flush = (victim: string, b: Bucket): void => {
      if (!b.tripped || b.flows <= b.reported) return;
      const vector = top(b.vectors) ?? 'unknown';
      const port = top(b.ports) ?? 0;
      const named = b.sources.size <= options.maxNamedAttackers ? [...b.sources].map((ip) => ({ role: 'attacker' as const, ip })) : [];
      const data = { victim, vector, flows: b.flows, sources: b.sources.size >= options.maxSourcesPerVictim ? `${b.sources.size}+` : b.sources.size, port, window: options.windowS };
      const facts = { vector, sources: b.sources.size, packets: b.packets, port, vectors: Object.fromEntries(b.vectors) };
      const first = b.reported === 0;
      const evidence = first ? b.evidence : [];
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
    return {
      onFlow(f) {
        // Answers to SYN-ACKs nobody asked for: the "originator" the flow table inferred is the victim.
        const reflected = f.orig_pkts === 0;
        const victim = reflected ? f.orig_ip : f.resp_ip;
        const source = reflected ? f.resp_ip : f.orig_ip;
        if (f.transport === 'arp' || isGroupAddress(victim)) return;
        if (isLocalIp(source) && !isLocalIp(victim)) return; // outbound: ddos.flood-source
        const ts = f.first_ts;
        let b = buckets.get(victim);
        if (b !== undefined && ts - b.start > options.windowS) {
          flush(victim, b);
          buckets.delete(victim);
          b = undefined;
        }
        if (b === undefined) {
          if (buckets.size >= options.maxTrackedVictims) {
            const [oldKey, old] = buckets.entries().next().value as [string, Bucket];
            flush(oldKey, old);
            buckets.delete(oldKey);
          }
          b = { start: ts, flows: 0, packets: 0, reported: 0, sources: new Set(), vectors: new Map(), ports: new Map(), evidence: [], tripped: false, lastTs: ts };
          buckets.set(victim, b);
        }
        b.flows++;
        b.packets += f.orig_pkts + f.resp_pkts;
        if (ts > b.lastTs) b.lastTs = ts;
        if (b.sources.size < options.maxSourcesPerVictim) b.sources.add(source);
        const vector = floodVector(f);
        b.vectors.set(vector, (b.vectors.get(vector) ?? 0) + 1);
        const port = reflected ? f.orig_port : f.resp_port;
        if (b.ports.has(port) || b.ports.size < 16) b.ports.set(port, (b.ports.get(port) ?? 0) + 1);
        if (b.evidence.length < options.evidencePerFinding) b.evidence.push({ file: f.file, packet: f.first_packet, ts, community_id: f.community_id });
        if (!b.tripped && b.flows >= options.minFlows && b.sources.size >= options.minSources) {
          b.tripped = true;
          flush(victim, b);
        }
      },
      finish() {
        for (const [victim, b] of buckets) flush(victim, b);
        buckets.clear();
      },
    };
  },
};

export default detector;
