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
import { TcpFlag, type FirstPacket, type HeldStart } from '../../pipeline/first-packet.ts';
import { isLocalIp, isLocalIpv4, uintToIpv4 } from '../lib/net.ts';
import { BoundedMap } from '../lib/bounded-map.ts';
import { RecentTally } from '../lib/peer-tally.ts';

interface Options extends Record<string, unknown> {
  ports: string[];
  anyPort: boolean;
  minSyns: number;
  minNatSources: number;
  maxTrackedSources: number;
}

/**
 * SYNs to one local host and port carrying one sequence number that is not that host's address. Nearly every
 * one is a random ISN seen once (each telnet connection of a brute force): its first source is kept as is and
 * a set made only for a second one.
 */
interface SharedSeq {
  first: string;
  /** Further distinct sources (besides `first`), up to minNatSources in all. */
  others: Set<string> | undefined;
  held: { src: string; start: HeldStart }[];
  reported: boolean;
}

/** Distinct sources of `entry` so far. */
function sourceCount(entry: SharedSeq): number {
  return entry.others === undefined ? 1 : 1 + entry.others.size;
}

interface SourceState {
  syns: number;
  port23: number;
  port2323: number;
  otherPorts: number;
  noOptions: number;
  bytes40: number;
  srcPorts: Set<number>;
  /** SYNs held (as numbers) until minSyns is reached. */
  held: HeldStart[];
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
    // The same ports as a byte table: asked per SYN (every packet of a SYN flood), one byte read instead of a Set lookup.
    const isPort = new Uint8Array(65536);
    for (const port of ports) if (Number.isInteger(port) && port >= 0 && port < 65536) isPort[port] = 1;
    // Keyed by the IPv4 source as a number (no text per SYN), an IPv6 source by its text.
    const sources = new BoundedMap<string | number, SourceState>(options.maxTrackedSources);

    const shared = new BoundedMap<string, SharedSeq>(options.maxTrackedSources);
    // Inbound scanning is one story for the whole network: sources counted, the busiest named.
    const inboundSources = new RecentTally(5, options.maxTrackedSources);
    const topSources = (): string => {
      const top = inboundSources.top;
      let out = '';
      for (let i = 0; i < top.length; i++) out += `${i === 0 ? '' : ', '}${top[i].peer} (${top[i].count})`;
      return out;
    };

    const reportInbound = (target: string, src: string, evidence: EvidenceRef, how: string, publicAddress?: string): void => {
      inboundSources.add(src);
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

    const report = (target: string, src: string, s: SourceState, evidence: EvidenceRef, ts: number, port: number): void => {
      const outbound = isLocalIp(src);
      if (!outbound) return reportInbound(target, src, evidence, 'sequence number = destination address');
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
          bytes_40: s.bytes40, source_ports: [...s.srcPorts], direction: 'outbound', last_target: target,
        },
      });
    };

    /** A SYN to a local host whose sequence number is some other public address: Mirai behind NAT when shared. */
    const onNatCandidate = (p: FirstPacket, seq: number, port: number): void => {
      if (isPort[port] !== 1) return;
      // Addresses as numbers where IPv4: most candidates (random ISNs from outside) stop here without text.
      if (p.dst >= 0 ? !isLocalIpv4(p.dst) : !isLocalIp(p.dstIp())) return;
      if (p.src >= 0 ? isLocalIpv4(p.src) : isLocalIp(p.srcIp())) return;
      if (seq < 0x01000000 || seq >= 0xe0000000 || isLocalIpv4(seq)) return;
      const dst = p.dstIp();
      const src = p.srcIp();
      const key = `${dst}|${port}|${seq}`;
      let entry = shared.get(key);
      if (entry === undefined) {
        entry = { first: src, others: undefined, held: [], reported: false };
        shared.insertAbsent(key, entry);
      }
      // The address and the sentence naming it are made only for a report.
      if (entry.reported) return reportInbound(dst, src, p.evidence(true), natHow(seq, dst), uintToIpv4(seq));
      if (src !== entry.first && sourceCount(entry) < options.minNatSources) (entry.others ??= new Set()).add(src);
      if (entry.held.length < 64) entry.held.push({ src, start: p.hold() });
      if (sourceCount(entry) < options.minNatSources) return;
      entry.reported = true;
      const how = natHow(seq, dst);
      const publicAddress = uintToIpv4(seq);
      for (const h of entry.held) reportInbound(dst, h.src, h.start.evidence(true), how, publicAddress);
      entry.held = [];
    };

    return {
      onFirstPacket(p) {
        // A bare SYN (flags exactly SYN), its sequence number against the destination as numbers.
        if (p.tcpFlags !== TcpFlag.SYN || !p.isTcp) return;
        const port = p.dstPort;
        if (p.seq !== p.dst) return onNatCandidate(p, p.seq, port);
        if (isPort[port] !== 1 && !options.anyPort) return;
        const srcKey = p.src >= 0 ? p.src : p.srcIp();
        let s = sources.get(srcKey);
        if (s === undefined) {
          s = { syns: 0, port23: 0, port2323: 0, otherPorts: 0, noOptions: 0, bytes40: 0, srcPorts: new Set(), held: [], reported: false };
          sources.set(srcKey, s);
        }
        s.syns++;
        if (port === 23) s.port23++;
        else if (port === 2323) s.port2323++;
        else s.otherPorts++;
        if (p.tcpOptionsLen === 0) s.noOptions++;
        if (p.ipLen === 40) s.bytes40++;
        if (s.srcPorts.size < maxSrcPortsKept) s.srcPorts.add(p.srcPort);
        if (s.reported) return report(p.dstIp(), p.srcIp(), s, p.evidence(true), p.ts, port);
        s.held.push(p.hold());
        if (s.held.length < options.minSyns) return;
        s.reported = true;
        const src = p.srcIp();
        const dst = p.dstIp();
        for (const e of s.held) report(dst, src, s, e.evidence(true), e.ts, port);
        s.held = [];
      },
    };
  },
};

export default detector;
