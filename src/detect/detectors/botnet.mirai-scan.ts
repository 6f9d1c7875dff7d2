/**
 * botnet.mirai-scan: Mirai's scanner fingerprint. Its raw SYNs carry the destination IPv4 address as the
 * TCP sequence number (`tcph->seq = iph->daddr`, mirai/bot/scanner.c), go to 23 and 2323 about 9:1, share
 * one source port per scanner and are 40 bytes without TCP options. A random ISN equals the destination
 * with probability 2^-32, so a few such SYNs are near-certain. Behind NAT the SYN reaches a private address
 * while its sequence number still holds the public one: several unrelated sources sending the same sequence
 * number to one port of one host is the same fingerprint (random ISNs of different hosts never agree).
 * @module
 */
import type { Detector, EvidenceRef } from '../types.ts';
import type { EventRecord } from '../../pipeline/analyze.ts';
import { evidenceOf, ipv4ToUint, isLocalIp, isLocalIpv4, uintToIpv4 } from '../lib/net.ts';
import { BoundedMap } from '../lib/bounded-map.ts';
import { topCounts } from '../lib/top-counts.ts';

interface Options extends Record<string, unknown> {
  ports: string[];
  anyPort: boolean;
  minSyns: number;
  minNatSources: number;
  maxTrackedSources: number;
}

/** SYNs to one local host and port carrying one sequence number that is not that host's address. */
interface SharedSeq {
  sources: Set<string>;
  held: { ev: EventRecord; evidence: EvidenceRef }[];
  reported: boolean;
}

interface SourceState {
  syns: number;
  port23: number;
  port2323: number;
  otherPorts: number;
  noOptions: number;
  bytes40: number;
  srcPorts: Set<number>;
  /** Evidence held until minSyns is reached. */
  held: EvidenceRef[];
  reported: boolean;
}

const maxSrcPortsKept = 16;

/** How a source was recognised behind NAT: `seq` is the public address of the local host `dst`. */
function natHow(seq: number, dst: string): string {
  return `behind NAT: the sequence number of SYNs from several sources is ${uintToIpv4(seq)}, the public address of ${dst}`;
}

const detector: Detector<Options> = {
  id: 'botnet.mirai-scan',
  description: "Mirai's scanner: TCP SYNs whose sequence number equals the destination IPv4 address (mostly to telnet 23 and 2323), from one source port per scanner, 40 bytes without TCP options.",
  category: 'botnet',
  severity: 'high',
  confidence: 0.99,
  references: {
    etsi: ['5.1-1', '5.7-2'],
    enisa: ['GP-TM-09', 'GP-TM-46', 'GP-TM-56'],
    attack: ['T1595.001', 'T1046', 'T1110.001'],
    other: ['https://github.com/jgamblin/Mirai-Source-Code/blob/master/mirai/bot/scanner.c'],
  },
  options: {
    ports: { default: ['23', '2323'], description: "Destination ports of Mirai's scanner (2323 for one SYN in ten, 23 otherwise)." },
    anyPort: { default: true, description: 'Also count the fingerprint on other ports (variants reuse the scanner for 37215, 52869, 5555...), at lower confidence.' },
    minSyns: { default: 2, description: 'Fingerprinted SYNs from one source before it is reported.' },
    minNatSources: { default: 3, description: 'Distinct sources sending one sequence number (a public address) to one port of one local host before that is read as Mirai scanning through NAT.' },
    maxTrackedSources: { default: 10000, description: 'Sources tracked at once (the oldest is forgotten beyond it).' },
  },
  messages: {
    outbound: {
      title: '{source} is scanning like the Mirai botnet',
      explanation: "{source}, a device on this network, sent {count} TCP SYNs whose sequence number equals the destination address, Mirai's scanner fingerprint ({port23} to port 23, {port2323} to 2323, {other} elsewhere; {src_ports} source port(s); {no_options} without TCP options), {first_seen} to {last_seen}. The device is infected: disconnect it, reboot it (Mirai lives in memory) and change its passwords before reconnecting.",
    },
    inbound: {
      title: 'Mirai-infected hosts scan this network ({sources} sources)',
      explanation: "{sources} Internet hosts (most active: {top_sources}) sent {count} TCP SYNs with Mirai's scanner fingerprint toward this network ({how}), {first_seen} to {last_seen}. They look for telnet with default passwords: make sure no device here exposes telnet or keeps a default password.",
    },
  },
  subscribes: ['flow.start'],
  needs: 'packets',
  create(ctx, options) {
    const ports = new Set(options.ports.map(Number));
    const sources = new BoundedMap<string, SourceState>(options.maxTrackedSources);

    const shared = new BoundedMap<string, SharedSeq>(options.maxTrackedSources);
    // Inbound scanning is one story for the whole network: sources counted, the busiest named.
    const inboundSources = new BoundedMap<string, number>(options.maxTrackedSources);
    const topSources = (): string => topCounts(inboundSources, 5).map(([ip, n]) => `${ip} (${n})`).join(', ');

    const reportInbound = (ev: EventRecord, src: string, evidence: EvidenceRef, how: string, publicAddress?: string): void => {
      inboundSources.set(src, (inboundSources.get(src) ?? 0) + 1);
      const target = String(ev.dst_ip);
      const top = topSources();
      ctx.report({
        messageId: 'inbound',
        key: 'inbound',
        data: { sources: inboundSources.size, top_sources: top, how },
        devices: [{ role: 'attacker', ip: src }, ...(isLocalIp(target) ? [{ role: 'victim' as const, ip: target }] : [])],
        ts: evidence.ts,
        evidence,
        severity: 'medium',
        facts: { direction: 'inbound', sources: inboundSources.size, top_sources: top, last_target: target, ...(publicAddress ? { public_address: publicAddress } : {}) },
      });
    };

    const report = (ev: EventRecord, src: string, s: SourceState, evidence: EvidenceRef, ts: number, port: number): void => {
      const outbound = isLocalIp(src);
      if (!outbound) return reportInbound(ev, src, evidence, 'sequence number = destination address');
      ctx.report({
        messageId: 'outbound',
        key: src,
        data: {
          source: src, port23: s.port23, port2323: s.port2323, other: s.otherPorts, src_ports: s.srcPorts.size, no_options: s.noOptions,
        },
        devices: [{ role: 'infected', ip: src }],
        ts,
        evidence,
        severity: 'high',
        confidence: ports.has(port) ? undefined : 0.9,
        facts: {
          syns: s.syns, port_23: s.port23, port_2323: s.port2323, other_ports: s.otherPorts, without_options: s.noOptions,
          bytes_40: s.bytes40, source_ports: [...s.srcPorts], direction: 'outbound', last_target: String(ev.dst_ip),
        },
      });
    };

    /** A SYN to a local host whose sequence number is some other public address: Mirai behind NAT when shared. */
    const onNatCandidate = (ev: EventRecord, seq: number, port: number): void => {
      const dst = String(ev.dst_ip);
      const src = String(ev.src_ip);
      if (!ports.has(port) || !isLocalIp(dst) || isLocalIp(src)) return;
      // The sequence number as an address, checked as a number: most candidates (random ISNs) stop here.
      if (seq < 0x01000000 || seq >= 0xe0000000 || isLocalIpv4(seq)) return;
      const key = `${dst}|${port}|${seq}`;
      const entry = shared.getOrCreate(key, () => ({ sources: new Set(), held: [], reported: false }));
      const evidence = evidenceOf(ev);
      // The address and the sentence naming it are made only for a report.
      if (entry.reported) return reportInbound(ev, src, evidence, natHow(seq, dst), uintToIpv4(seq));
      if (entry.sources.size < options.minNatSources) entry.sources.add(src);
      if (entry.held.length < 64) entry.held.push({ ev, evidence });
      if (entry.sources.size < options.minNatSources) return;
      entry.reported = true;
      const how = natHow(seq, dst);
      const publicAddress = uintToIpv4(seq);
      for (const h of entry.held) reportInbound(h.ev, String(h.ev.src_ip), h.evidence, how, publicAddress);
      entry.held = [];
    };

    return {
      onEvent(ev) {
        if (ev.tcp_flags !== 'S' || typeof ev.tcp_seq !== 'number') return;
        const dst = ev.dst_ip;
        if (typeof dst !== 'string') return;
        const port = Number(ev.dst_port);
        if (ev.tcp_seq !== ipv4ToUint(dst)) return onNatCandidate(ev, ev.tcp_seq, port);
        if (!ports.has(port) && !options.anyPort) return;
        const src = String(ev.src_ip);
        let s = sources.get(src);
        if (s === undefined) {
          s = { syns: 0, port23: 0, port2323: 0, otherPorts: 0, noOptions: 0, bytes40: 0, srcPorts: new Set(), held: [], reported: false };
          sources.set(src, s);
        }
        s.syns++;
        if (port === 23) s.port23++;
        else if (port === 2323) s.port2323++;
        else s.otherPorts++;
        if (ev.tcp_options === '') s.noOptions++;
        if (ev.ip_len === 40) s.bytes40++;
        if (s.srcPorts.size < maxSrcPortsKept) s.srcPorts.add(Number(ev.src_port));
        const evidence = evidenceOf(ev);
        if (s.reported) return report(ev, src, s, evidence, ev.ts, port);
        s.held.push(evidence);
        if (s.held.length < options.minSyns) return;
        s.reported = true;
        for (const e of s.held) report(ev, src, s, e, e.ts, port);
        s.held = [];
      },
    };
  },
};

export default detector;
