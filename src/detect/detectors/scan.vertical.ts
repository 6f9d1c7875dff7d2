/**
 * scan.vertical: one source probing many TCP ports of one host (port scan, e.g. nmap -sS). Outbound from
 * a local device, or inbound toward a device here.
 * @module
 */
import type { Detector, EvidenceRef } from '../types.ts';
import { FirstPacket, type HeldStart } from '../../pipeline/first-packet.ts';
import { FlowBound } from '../../flow/lazy-record.ts';
import type { FlowRecord } from '../../flow/types.ts';
import { ipv4ToUint, isLocalIp } from '../lib/net.ts';
import { carriedData, exportedAttempt, isSynPacket } from '../lib/probes.ts';
import { DistinctWindow } from '../lib/windows.ts';

interface Options extends Record<string, unknown> {
  windowS: number;
  minPorts: number;
  maxTrackedKeys: number;
  maxPortsPerKey: number;
}

const detector: Detector<Options> = {
  id: 'scan.vertical',
  description: 'Vertical scan: one source starts TCP connection attempts (bare SYNs, judged as they start) to many ports of one host, attempts that later carry data taken back (outbound from a local device, or inbound toward a device).',
  category: 'scan',
  severity: 'medium',
  confidence: 0.85,
  references: {
    etsi: ['5.6-1'],
    enisa: ['GP-TM-45', 'GP-TM-50', 'GP-TM-56'],
    attack: ['T1046', 'T1595.001'],
  },
  options: {
    windowS: { default: 60, description: 'Seconds within which the ports must be probed.' },
    minPorts: { default: 15, description: 'Distinct ports of one host probed within the window.' },
    maxTrackedKeys: { default: 2000, description: 'Source/target pairs tracked at once (the least recently active is forgotten beyond it; a scanner keeps its own pair active). Small on purpose: on a flood of spoofed sources a 10,000-pair window cost 1.5 s more per 2 M flows (cache misses).' },
    maxPortsPerKey: { default: 256, description: 'Ports remembered per source/target pair (at least minPorts).' },
  },
  messages: {
    outbound: {
      title: '{source} port-scans {target}',
      explanation: '{source}, a device on this network, probed at least {threshold} TCP ports of {target} within {window} s, {count} probes in all ({first_seen} to {last_seen}). Unless someone runs a scanner there on purpose, the device is probably compromised.',
    },
    inbound: {
      title: '{target} port-scanned by {source}',
      explanation: '{source} probed at least {threshold} TCP ports of {target} within {window} s, {count} probes in all ({first_seen} to {last_seen}), looking for services to attack. Check which ports of {target} answered and close the ones it does not need.',
    },
  },
  subscribes: ['flow.start', 'flow.end'],
  needs: 'flows',
  create(ctx, options) {
    // Attempts are kept as numbers (HeldStart) until reported: most never are, and a reference hashes a Community ID.
    // A pair key's first attempt is kept as its HeldStart alone (its target the packet's destination port).
    const window = new DistinctWindow<HeldStart>(options.windowS, options.minPorts, options.maxTrackedKeys, options.maxPortsPerKey,
      { target: (held) => held.dstPort, ts: (held) => held.ts });
    const report = (source: string, target: string, evidence: EvidenceRef, portsAtDetection?: number): void => {
      const outbound = isLocalIp(source);
      const direction = outbound ? 'outbound' : 'inbound';
      ctx.report({
        messageId: outbound ? 'outbound' : 'inbound',
        key: `${source}|${target}`,
        data: { source, target, threshold: options.minPorts, window: options.windowS },
        devices: [{ role: outbound ? 'infected' : 'attacker', ip: source }, { role: 'victim', ip: target }],
        ts: evidence.ts,
        evidence,
        facts: portsAtDetection === undefined ? { direction } : { direction, ports_at_detection: portsAtDetection },
      });
    };
    // A flow record's IPv4 addresses as its numbers where it has them (FlowBound), else parsed from the text.
    const withdraw = (f: FlowRecord): void => {
      let src4 = FlowBound.origV4(f);
      if (src4 < 0) src4 = ipv4ToUint(f.orig_ip);
      let dst4 = -1;
      if (src4 >= 0) {
        dst4 = FlowBound.respV4(f);
        if (dst4 < 0) dst4 = ipv4ToUint(f.resp_ip);
      }
      if (dst4 >= 0) window.withdrawPair(src4, dst4, f.resp_port);
      else window.withdraw(`${f.orig_ip}|${f.resp_ip}`, f.resp_port);
    };
    // An IPv4 source and target as a pair of numbers (no string per attempt), others as a string.
    const onAttempt = (p: FirstPacket): void => {
      const held = p.hold();
      const state = p.src >= 0 && p.dst >= 0
        ? window.addPair(p.src, p.dst, p.dstPort, p.ts, held)
        : window.add(`${p.srcIp()}|${p.dstIp()}`, p.dstPort, p.ts, held);
      if (state.tripped) return report(p.srcIp(), p.dstIp(), held.evidence(true));
      const ports = state.size;
      if (ports < options.minPorts) return;
      const source = p.srcIp();
      const target = p.dstIp();
      for (const [, item] of state.entries()) report(source, target, item.payload.evidence(true), ports);
      window.trip(state);
    };
    const exportedFact = new FirstPacket();
    return {
      onFirstPacket(p) {
        if (isSynPacket(p)) onAttempt(p);
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
