/**
 * scan.horizontal: one source probing one TCP port on many hosts (e.g. telnet 23/2323, 80, 8080, 7547,
 * 5555, 37215, 52869). Outbound from a local device means it is probably infected; inbound means
 * someone sweeps this network.
 * @module
 */
import type { Detector, EvidenceRef } from '../types.ts';
import { FirstPacket, type HeldStart } from '../../pipeline/first-packet.ts';
import { FlowBound } from '../../flow/lazy-record.ts';
import type { FlowRecord } from '../../flow/types.ts';
import { ipv4ToUint, isLocalIp, uintToIpv4 } from '../lib/net.ts';
import { carriedData, exportedAttempt, isSynPacket, notablePorts } from '../lib/probes.ts';
import { DistinctWindow } from '../lib/windows.ts';
import { ResolvedAddresses } from '../lib/resolved.ts';

interface Options extends Record<string, unknown> {
  windowS: number;
  minHosts: number;
  maxTrackedKeys: number;
  maxHostsPerKey: number;
  ignoreResolved: boolean;
  maxResolvedAddresses: number;
}

const detector: Detector<Options> = {
  id: 'scan.horizontal',
  description: 'Horizontal scan: one source starts TCP connection attempts (bare SYNs, judged as they start) to the same port on many hosts, attempts that later carry data taken back (outbound from a local device, or inbound toward this network).',
  category: 'scan',
  severity: 'medium',
  confidence: 0.8,
  references: {
    etsi: ['5.6-1'],
    enisa: ['GP-TM-45', 'GP-TM-46', 'GP-TM-56'],
    attack: ['T1046', 'T1595.001'],
  },
  options: {
    windowS: { default: 60, description: 'Seconds within which the hosts must be probed.' },
    minHosts: { default: 20, description: 'Distinct hosts probed on one port within the window.' },
    maxTrackedKeys: { default: 2000, description: 'Source/port pairs tracked at once (the least recently active is forgotten beyond it; a scanner keeps its own pair active). Small on purpose: on a flood of spoofed sources a 10,000-pair window cost 1.5 s more per 2 M flows (cache misses).' },
    maxHostsPerKey: { default: 256, description: 'Hosts remembered per source/port pair (at least minHosts).' },
    ignoreResolved: { default: true, description: 'Do not count connections to addresses seen in DNS answers (a device retrying its cloud servers while offline is not scanning).' },
    maxResolvedAddresses: { default: 65536, description: 'DNS-answer addresses remembered for ignoreResolved.' },
  },
  messages: {
    outbound: {
      title: '{source} scans port {port} on many hosts',
      explanation: '{source}, a device on this network, probed TCP port {port} ({port_note}) on at least {threshold} hosts within {window} s, {count} probes in all ({first_seen} to {last_seen}). Devices do not do this on their own: it is probably infected (Mirai-like bots spread this way). Isolate it and reset it to factory settings.',
    },
    inbound: {
      title: 'Port {port} swept across this network by {source}',
      explanation: '{source} probed TCP port {port} ({port_note}) on at least {threshold} hosts within {window} s, {count} probes in all ({first_seen} to {last_seen}). Devices answering on this port from outside are exposed: close or filter it.',
    },
  },
  subscribes: ['flow.start', 'flow.end', 'dns.response'],
  needs: 'flows',
  create(ctx, options) {
    const resolved = new ResolvedAddresses(options.maxResolvedAddresses);
    // Attempts are kept as numbers (HeldStart) until reported: most never are, and a reference hashes a Community ID.
    // A pair key's first attempt is kept as its HeldStart alone (its target the packet's destination address).
    const window = new DistinctWindow<HeldStart>(options.windowS, options.minHosts, options.maxTrackedKeys, options.maxHostsPerKey,
      { target: (held) => held.dst, ts: (held) => held.ts });
    // An IPv4 source and the port as a pair of numbers, the target as a number (nothing made per attempt); IPv6 as strings.
    // A flow record's IPv4 addresses as its numbers where it has them (FlowBound), else parsed from the text.
    const withdraw = (f: FlowRecord): void => {
      const port = f.resp_port;
      let src4 = FlowBound.origV4(f);
      if (src4 < 0) src4 = ipv4ToUint(f.orig_ip);
      if (src4 < 0) return window.withdraw(`${f.orig_ip}|${port}`, f.resp_ip);
      let dst4 = FlowBound.respV4(f);
      if (dst4 < 0) dst4 = ipv4ToUint(f.resp_ip);
      window.withdrawPair(src4, port, dst4);
    };
    const report = (source: string, port: number, evidence: EvidenceRef, target: string): void => {
      const outbound = isLocalIp(source);
      ctx.report({
        messageId: outbound ? 'outbound' : 'inbound',
        key: `${source}|${port}`,
        data: {
          source, port, port_note: notablePorts[port] ?? 'no well-known IoT service',
          threshold: options.minHosts, window: options.windowS,
        },
        devices: [{ role: outbound ? 'infected' : 'attacker', ip: source }, ...(isLocalIp(target) ? [{ role: 'victim' as const, ip: target }] : [])],
        ts: evidence.ts,
        evidence,
        severity: outbound ? 'high' : 'medium',
        facts: { port, direction: outbound ? 'outbound' : 'inbound' },
      });
    };
    const onAttempt = (p: FirstPacket): void => {
      const port = p.dstPort;
      const v4 = p.src >= 0 && p.dst >= 0;
      if (options.ignoreResolved && (v4 ? resolved.hasV4(p.dst) : resolved.has(p.dstIp()))) return;
      const held = p.hold();
      const state = v4 ? window.addPair(p.src, port, p.dst, p.ts, held) : window.add(`${p.srcIp()}|${port}`, p.dstIp(), p.ts, held);
      if (state.tripped) return report(p.srcIp(), port, held.evidence(true), p.dstIp());
      if (state.size < options.minHosts) return;
      const source = p.srcIp();
      for (const [t, item] of state.entries()) report(source, port, item.payload.evidence(true), typeof t === 'number' ? uintToIpv4(t) : t);
      window.trip(state);
    };
    const exportedFact = new FirstPacket();
    return {
      onFirstPacket(p) {
        if (isSynPacket(p)) onAttempt(p);
      },
      onEvent(ev) {
        if (options.ignoreResolved && ev.type === 'dns.response') resolved.onDnsResponse(ev);
      },
      onFlow(f) {
        const exported = exportedAttempt(f);
        if (exported) return onAttempt(exportedFact.fromEvent(exported));
        if (carriedData(f)) withdraw(f);
      },
    };
  },
};

export default detector;
