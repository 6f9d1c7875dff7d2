/**
 * ddos.reflection: reflection and amplification. Two sides are visible from here: a device receiving answers
 * it never asked for from many reflectors (SYN-ACK reflection, UDP amplification from SNMP, SSDP, BACnet,
 * DVR discovery on 37810, DNS, NTP, ...), and a device here answering spoofed requests with much larger
 * answers (used as an amplifier).
 * @module
 */
import type { Detector, EvidenceRef } from '../types.ts';
import type { FlowRecord } from '../../flow/types.ts';
import { isLocalAddr } from '../lib/net.ts';
import { isGroupAddr } from '../lib/flood.ts';
import { FlowBound } from '../../flow/lazy-record.ts';
import { topCounts } from '../lib/top-counts.ts';

interface Options extends Record<string, unknown> {
  amplifierPorts: string[];
  windowS: number;
  minReflectors: number;
  minPackets: number;
  minAmplification: number;
  minRequests: number;
  maxTrackedKeys: number;
  maxReflectorsPerVictim: number;
  evidencePerFinding: number;
}

/** Well-known UDP amplifiers (service port: name). */
const serviceNames: Record<number, string> = {
  19: 'CharGEN', 53: 'DNS', 69: 'TFTP', 111: 'portmap', 123: 'NTP', 137: 'NetBIOS', 161: 'SNMP', 389: 'CLDAP',
  427: 'SLP', 1434: 'MS-SQL browser', 1900: 'SSDP', 3283: 'ARD', 3702: 'WS-Discovery', 5351: 'NAT-PMP', 5353: 'mDNS',
  5683: 'CoAP', 10001: 'Ubiquiti discovery', 10074: 'TP240', 11211: 'memcached', 37810: 'DVR discovery (Dahua)', 47808: 'BACnet',
};

interface Bucket {
  start: number;
  lastTs: number;
  flows: number;
  packets: number;
  bytes: number;
  reported: number;
  reflectors: Set<string>;
  services: Map<string, number>;
  evidence: EvidenceRef[];
  tripped: boolean;
}

/** The most frequent services, most frequent first ("SSDP, SNMP, NTP"). */
function topServices(m: Map<string, number>, n = 3): string {
  return topCounts(m, n).map(([k]) => k).join(', ') || 'unknown';
}

export const detector: Detector<Options> = {
  id: 'ddos.reflection',
  description: 'Reflection/amplification attacks: a device receives answers it never asked for from many reflectors (SYN-ACK reflection, UDP amplification from SNMP, SSDP, BACnet, DVR discovery, DNS, NTP, ...), or a device here answers spoofed requests with much larger answers (it is used as an amplifier).',
  category: 'ddos',
  severity: 'high',
  confidence: 0.8,
  references: {
    etsi: ['5.6-1', '5.6-2'],
    enisa: ['GP-TM-45', 'GP-TM-50', 'GP-TM-56'],
    attack: ['T1498.002'],
    other: ['https://www.cisa.gov/news-events/alerts/2014/01/17/udp-based-amplification-attacks'],
  },
  options: {
    amplifierPorts: { default: Object.keys(serviceNames), description: 'UDP service ports known to amplify (answers larger than requests).' },
    windowS: { default: 10, description: 'Length of the counting window, seconds.' },
    minReflectors: { default: 20, description: 'Distinct reflectors sending unsolicited answers to one victim within the window.' },
    minPackets: { default: 200, description: 'Unsolicited answer packets to one victim within the window.' },
    minAmplification: { default: 5, description: 'Answer bytes per request byte for a device here to count as an amplifier.' },
    minRequests: { default: 100, description: 'Requests from one (spoofed) requester within the window that make amplifier abuse.' },
    maxTrackedKeys: { default: 4096, description: 'Victims and amplifier/requester pairs counted at once; the oldest window is dropped beyond it.' },
    maxReflectorsPerVictim: { default: 4096, description: 'Distinct reflectors remembered per victim and window.' },
    evidencePerFinding: { default: 5, description: 'First flows of a window kept as evidence packets.' },
  },
  messages: {
    victim: {
      title: '{victim} hit by {service} reflection',
      explanation: '{victim} received {packets} {service} answers it never asked for from {reflectors} reflectors within {window} s; {count} reflected flows in all from {first_seen} to {last_seen}. Someone sends requests with {victim}\'s address forged so that the answers, often much larger, flood it.',
    },
    amplifier: {
      title: '{amplifier} used as a {service} amplifier against {victim}',
      explanation: '{amplifier}, a device on this network, answered {requests} {service} requests from {victim} with {ratio} times as many bytes as it received; {count} requests in all. The requests are almost certainly forged: the device is reachable from outside and helps attack {victim}. Block {service} (UDP {port}) from the Internet or switch the service off.',
    },
  },
  subscribes: ['flow.end'],
  needs: 'flows',
  create(ctx, options) {
    const ports = new Set(options.amplifierPorts.map(Number));
    const buckets = new Map<string, Bucket>();
    const meta = new Map<string, { kind: 'victim' | 'amplifier'; victim: string; amplifier?: string; port: number }>();

    const flush = (key: string, b: Bucket): void => {
      const m = meta.get(key);
      if (m === undefined) return;
      // Victims count reflected flows; amplifiers count the requests they answered.
      const total = m.kind === 'victim' ? b.flows : b.packets;
      if (!b.tripped || total <= b.reported) return;
      const service = topServices(b.services);
      const count = total - b.reported;
      const evidence = b.reported === 0 ? b.evidence : [];
      b.reported = total;
      const devices = m.kind === 'victim'
        ? [{ role: 'victim' as const, ip: m.victim }]
        : [{ role: 'insecure' as const, ip: m.amplifier as string }, { role: 'victim' as const, ip: m.victim }];
      const data: Record<string, string | number> = m.kind === 'victim'
        ? { victim: m.victim, service, packets: b.packets, reflectors: b.reflectors.size, window: options.windowS }
        : { amplifier: m.amplifier as string, victim: m.victim, service, requests: b.packets, ratio: Math.round(b.bytes * 10) / 10, port: m.port };
      const facts = { service, reflectors: b.reflectors.size, packets: b.packets, side: m.kind };
      const reportKey = m.kind === 'victim' ? `victim|${m.victim}` : `amplifier|${m.amplifier}|${m.victim}`;
      if (evidence.length === 0) {
        ctx.report({ messageId: m.kind, key: reportKey, data, devices, ts: b.lastTs, count, facts });
        return;
      }
      evidence.forEach((ev, i) => ctx.report({ messageId: m.kind, key: reportKey, data, devices, ts: ev.ts, evidence: ev, count: i === 0 ? count : 0, facts }));
    };

    const bucketFor = (key: string, ts: number): Bucket => {
      let b = buckets.get(key);
      if (b !== undefined && ts - b.start > options.windowS) {
        flush(key, b);
        buckets.delete(key);
        b = undefined;
      }
      if (b === undefined) {
        if (buckets.size >= options.maxTrackedKeys) {
          const [oldKey, old] = buckets.entries().next().value as [string, Bucket];
          flush(oldKey, old);
          buckets.delete(oldKey);
          meta.delete(oldKey);
        }
        b = { start: ts, lastTs: ts, flows: 0, packets: 0, bytes: 0, reported: 0, reflectors: new Set(), services: new Map(), evidence: [], tripped: false };
        buckets.set(key, b);
      }
      if (ts > b.lastTs) b.lastTs = ts;
      return b;
    };

    /** `victim4`, `reflector4`: the addresses' IPv4 values where the record has them (FlowBound), else -1. */
    const unsolicited = (f: FlowRecord, victim: string, victim4: number, reflector: string, reflector4: number, service: string, answers: number): void => {
      if (isGroupAddr(victim4, victim) || (isLocalAddr(reflector4, reflector) && !isLocalAddr(victim4, victim))) return;
      const key = `v|${victim}`;
      const b = bucketFor(key, f.first_ts);
      if (!meta.has(key)) meta.set(key, { kind: 'victim', victim, port: 0 });
      b.flows++;
      b.packets += answers;
      if (b.reflectors.size < options.maxReflectorsPerVictim) b.reflectors.add(reflector);
      b.services.set(service, (b.services.get(service) ?? 0) + 1);
      if (b.evidence.length < options.evidencePerFinding) b.evidence.push({ file: f.file, packet: f.first_packet, ts: f.first_ts, community_id: f.community_id });
      if (!b.tripped && b.reflectors.size >= options.minReflectors && b.packets >= options.minPackets) {
        b.tripped = true;
        flush(key, b);
      }
    };

    return {
      onFlow(f) {
        if (f.transport === 'tcp') {
          // A SYN-ACK with no SYN before it: the flow table makes the addressee the originator.
          if (f.orig_pkts === 0 && f.resp_tcp_flags?.includes('S') && f.resp_tcp_flags.includes('A')) unsolicited(f, f.orig_ip, FlowBound.origV4(f), f.resp_ip, FlowBound.respV4(f), 'SYN-ACK', f.resp_pkts);
          return;
        }
        if (f.transport !== 'udp') return;
        // The server side is the one on an amplifier port (the flow table may have put it on either side).
        const respServes = ports.has(f.resp_port);
        const origServes = ports.has(f.orig_port);
        if (respServes === origServes) return;
        const server = respServes ? f.resp_ip : f.orig_ip;
        const client = respServes ? f.orig_ip : f.resp_ip;
        const orig4 = FlowBound.origV4(f);
        const resp4 = FlowBound.respV4(f);
        const server4 = respServes ? resp4 : orig4;
        const client4 = respServes ? orig4 : resp4;
        const port = respServes ? f.resp_port : f.orig_port;
        const requests = respServes ? f.orig_pkts : f.resp_pkts;
        const answers = respServes ? f.resp_pkts : f.orig_pkts;
        const reqBytes = respServes ? f.orig_payload_bytes : f.resp_payload_bytes;
        const ansBytes = respServes ? f.resp_payload_bytes : f.orig_payload_bytes;
        const service = serviceNames[port] ?? `UDP ${port}`;
        if (requests === 0 && answers > 0) return unsolicited(f, client, client4, server, server4, service, answers);
        if (requests === 0 || !isLocalAddr(server4, server) || isLocalAddr(client4, client) || isGroupAddr(client4, client)) return;
        if (ansBytes < reqBytes * options.minAmplification) return;
        const key = `a|${server}|${client}`;
        const b = bucketFor(key, f.first_ts);
        if (!meta.has(key)) meta.set(key, { kind: 'amplifier', victim: client, amplifier: server, port });
        b.flows++;
        b.packets += requests;
        b.services.set(service, (b.services.get(service) ?? 0) + 1);
        // bytes holds the running amplification ratio of the window.
        b.reflectors.add(server);
        const prevReq = b.flows === 1 ? 0 : b.packets - requests;
        b.bytes = (b.bytes * prevReq + (ansBytes / Math.max(reqBytes, 1)) * requests) / b.packets;
        if (b.evidence.length < options.evidencePerFinding) b.evidence.push({ file: f.file, packet: f.first_packet, ts: f.first_ts, community_id: f.community_id });
        if (!b.tripped && b.packets >= options.minRequests) {
          b.tripped = true;
          flush(key, b);
        }
      },
      finish() {
        for (const [key, b] of buckets) flush(key, b);
        buckets.clear();
        meta.clear();
      },
    };
  },
};

export default detector;
