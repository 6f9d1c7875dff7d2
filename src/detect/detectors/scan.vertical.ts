/**
 * scan.vertical: one source probing many TCP ports of one host (port scan, e.g. nmap -sS). Outbound from
 * a local device, or inbound toward a device here.
 * @module
 */
import type { Detector, EvidenceRef } from '../types.ts';
import type { FlowRecord } from '../../flow/types.ts';
import { isLocalIp } from '../lib/net.ts';
import { flowEvidence, isTcpProbe } from '../lib/probes.ts';
import { DistinctWindow } from '../lib/windows.ts';

interface Options extends Record<string, unknown> {
  windowS: number;
  minPorts: number;
  maxTrackedKeys: number;
  maxPortsPerKey: number;
}

const detector: Detector<Options> = {
  id: 'scan.vertical',
  description: 'Vertical scan: one source sends connection attempts without data to many TCP ports of one host (outbound from a local device, or inbound toward a device).',
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
  subscribes: ['flow.end'],
  needs: 'flows',
  create(ctx, options) {
    const window = new DistinctWindow<EvidenceRef>(options.windowS, options.minPorts, options.maxTrackedKeys, options.maxPortsPerKey);
    const report = (f: FlowRecord, evidence: EvidenceRef, portsAtDetection?: number): void => {
      const outbound = isLocalIp(f.orig_ip);
      ctx.report({
        messageId: outbound ? 'outbound' : 'inbound',
        key: `${f.orig_ip}|${f.resp_ip}`,
        data: { source: f.orig_ip, target: f.resp_ip, threshold: options.minPorts, window: options.windowS },
        devices: [{ role: outbound ? 'infected' : 'attacker', ip: f.orig_ip, mac: f.orig_mac }, { role: 'victim', ip: f.resp_ip, mac: f.resp_mac }],
        ts: evidence.ts,
        evidence,
        facts: portsAtDetection === undefined ? { direction: outbound ? 'outbound' : 'inbound' } : { direction: outbound ? 'outbound' : 'inbound', ports_at_detection: portsAtDetection },
      });
    };
    return {
      onFlow(f) {
        if (!isTcpProbe(f)) return;
        const state = window.add(`${f.orig_ip}|${f.resp_ip}`, f.resp_port, f.first_ts, flowEvidence(f));
        if (state.tripped) return report(f, flowEvidence(f));
        const ports = state.size;
        if (ports < options.minPorts) return;
        for (const [, item] of state.entries()) report(f, item.payload, ports);
        window.trip(state);
      },
    };
  },
};

export default detector;
