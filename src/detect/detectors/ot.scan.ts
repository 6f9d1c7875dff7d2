/**
 * ot.scan: looking for industrial devices. Three shapes: one source probing an industrial port (Modbus
 * 502, S7 102, DNP3 20000, BACnet 47808, OPC UA 4840, IEC 104 2404, EtherNet/IP 44818, ...) on many hosts;
 * one source trying several industrial ports on one host; and one client sweeping Modbus unit ids behind
 * one server (device discovery through a gateway). A unit counts toward a sweep when it is asked to identify
 * itself (17 Report Server ID, 43/14 Read Device Identification) or the gateway answers that it does not
 * exist (exception 10 or 11): SCADA polling of many units behind a gateway uses reads and gets answers.
 * @module
 */
import type { Detector, EvidenceRef } from '../types.ts';
import type { FlowRecord } from '../../flow/types.ts';
import type { EventRecord } from '../../pipeline/analyze.ts';
import { ipv4ToUint, isLocalIp } from '../lib/net.ts';
import { carriedData, exportedAttempt, flowEvidence, isTcpProbe, opensWithSynPacket, startedWithSyn } from '../lib/probes.ts';
import type { FirstPacket } from '../../pipeline/first-packet.ts';
import { DistinctWindow } from '../lib/windows.ts';
import { endpoints, otPorts } from '../lib/ot-commands.ts';

interface Options extends Record<string, unknown> {
  windowS: number;
  minHosts: number;
  minPorts: number;
  minUnits: number;
  maxTrackedKeys: number;
}

/** 1 for the ports of `otPorts`: a first packet's or a finished flow's port looked up in a byte table rather than an object with sparse integer keys. */
const isOtPort = new Uint8Array(65536);
for (const port of Object.keys(otPorts)) isOtPort[Number(port)] = 1;

export const detector: Detector<Options> = {
  id: 'ot.scan',
  description: 'Scanning for industrial devices: one source probing industrial protocol ports on many hosts or many such ports on one host, or sweeping Modbus unit ids behind one server.',
  category: 'scan',
  severity: 'high',
  confidence: 0.8,
  references: {
    attack: ['T0846', 'T0888', 'T0840'],
    other: ['IEC 62443-3-3 SR 6.2', 'IEC 62443-3-3 SR 5.1', 'IEC 62443-3-3 SR 5.2', 'IEC 62443-3-3 SR 7.6'],
  },
  options: {
    windowS: { default: 300, description: 'Seconds within which the hosts, ports or unit ids must be tried.' },
    minHosts: { default: 5, description: 'Distinct hosts probed on one industrial port (connection attempts without data).' },
    minPorts: { default: 3, description: 'Distinct industrial ports tried on one host by one source.' },
    minUnits: { default: 8, description: 'Distinct Modbus unit ids asked to identify themselves, or reported missing by the gateway, behind one server for one client.' },
    maxTrackedKeys: { default: 2000, description: 'Source keys tracked at once per scan shape (the least recently active are forgotten).' },
  },
  messages: {
    hosts: {
      title: '{source} probes {service} on many hosts',
      explanation: '{source} tried {service} (port {port}) on at least {threshold} hosts within {window} s ({count} reports, {first_seen} to {last_seen}), connection attempts without data: a search for controllers. {where}',
    },
    ports: {
      title: '{source} tries industrial ports on {target}',
      explanation: '{source} tried at least {threshold} industrial protocol ports on {target} within {window} s ({ports}): fingerprinting what kind of controller it is. {where}',
    },
    units: {
      title: '{client} sweeps Modbus unit ids behind {server}',
      explanation: '{client} asked at least {threshold} different Modbus unit ids through {server} to identify themselves, or hit units the gateway reports missing, within {window} s: enumerating the devices behind a gateway or on a serial bus. {where}',
    },
  },
  subscribes: ['flow.start', 'flow.end', 'modbus.request', 'modbus.exception'],
  needs: 'packets',
  create(ctx, options) {
    const hosts = new DistinctWindow<EvidenceRef>(options.windowS, options.minHosts, options.maxTrackedKeys, options.minHosts);
    const ports = new DistinctWindow<EvidenceRef>(options.windowS, options.minPorts, options.maxTrackedKeys, options.minPorts);
    const units = new DistinctWindow<EvidenceRef>(options.windowS, options.minUnits, options.maxTrackedKeys, options.minUnits);
    // Windows keyed by two IPv4 addresses take them as a pair of numbers (nothing allocated per attempt), others
    // as a string.
    const addByPair = (window: DistinctWindow<EvidenceRef>, a: string, b: string, target: number, ts: number, evidence: EvidenceRef) => {
      const a4 = ipv4ToUint(a);
      const b4 = a4 >= 0 ? ipv4ToUint(b) : -1;
      return b4 >= 0 ? window.addPair(a4, b4, target, ts, evidence) : window.add(`${a}>${b}`, target, ts, evidence);
    };
    const where = (source: string): string => (isLocalIp(source)
      ? `${source} is on this network: unless it is an asset-inventory tool run on purpose, find out what runs there.`
      : `${source} is outside the local networks: the industrial network is reachable from there; close it off.`);

    /** One attempt toward an industrial port: counted for both scan shapes at once. */
    function onAttempt(source: string, target: string, port: number, ts: number, evidence: EvidenceRef, probe: boolean): void {
      const service = otPorts[port];
      if (service === undefined) return;
      // Attempts to any industrial port count toward fingerprinting one host; only probes toward host sweeps.
      const p = addByPair(ports, source, target, port, ts, evidence);
      if (p.size >= options.minPorts) {
        const tried = [...p.entries()].map(([t]) => `${String(t)} ${otPorts[t as number] ?? ''}`.trim()).join(', ');
        for (const [, item] of p.entries()) {
          ctx.report({
            messageId: 'ports', key: `ports|${source}|${target}`,
            data: { source, target, threshold: options.minPorts, window: options.windowS, ports: tried, where: where(source) },
            devices: [{ role: 'attacker', ip: source }, { role: 'victim', ip: target }], ts: item.ts, evidence: item.payload,
            facts: { source, target },
          });
        }
        ports.trip(p);
      }
      if (!probe) return;
      const src4 = ipv4ToUint(source);
      const h = src4 >= 0 ? hosts.addPair(src4, port, target, ts, evidence) : hosts.add(`${source}|${port}`, target, ts, evidence);
      if (h.size >= options.minHosts || h.tripped) {
        const items = h.tripped ? [{ ts, payload: evidence }] : [...h.entries()].map(([, item]) => item);
        for (const item of items) {
          ctx.report({
            messageId: 'hosts', key: `hosts|${source}|${port}`,
            data: { source, service, port, threshold: options.minHosts, window: options.windowS, where: where(source) },
            devices: [{ role: 'attacker', ip: source }], ts: item.ts, evidence: item.payload, facts: { source, port },
          });
        }
        if (!h.tripped) hosts.trip(h);
      }
    }

    function onFlow(f: FlowRecord): void {
      // Most flows are not toward an industrial port: one byte read, not a lookup of a sparse integer key.
      if (isOtPort[f.resp_port] !== 1) return;
      const exported = exportedAttempt(f);
      if (exported) return onAttempt(f.orig_ip, f.resp_ip, f.resp_port, f.first_ts, flowEvidence(f), true);
      if (f.transport === 'tcp' && startedWithSyn(f)) {
        // Judged at its SYN (flow.start) already; one that carried data was a connection, not a probe.
        if (carriedData(f)) {
          const src4 = ipv4ToUint(f.orig_ip);
          if (src4 >= 0) hosts.withdrawPair(src4, f.resp_port, f.resp_ip);
          else hosts.withdraw(`${f.orig_ip}|${f.resp_port}`, f.resp_ip);
        }
        return;
      }
      // Mid-stream TCP and UDP: what the flow was is known only at its end (a UDP probe gets no answer).
      const probe = f.transport === 'udp' ? f.resp_pkts === 0 : f.transport === 'tcp' && isTcpProbe(f);
      onAttempt(f.orig_ip, f.resp_ip, f.resp_port, f.first_ts, flowEvidence(f), probe);
    }

    function onFirstPacket(p: FirstPacket): void {
      // A TCP attempt is judged when it starts, so a sweep of unanswered SYNs is reported as it crosses
      // the threshold rather than when its probes time out (the TCP idle timeout, 300 s, in live capture).
      // Most SYNs are not toward an industrial port: checked (one byte read) before the addresses' text and the evidence are made.
      if (isOtPort[p.dstPort] === 1 && opensWithSynPacket(p)) onAttempt(p.srcIp(), p.dstIp(), p.dstPort, p.ts, p.evidence(true), true);
    }

    function onEvent(ev: EventRecord): void {
      const ends = endpoints(ev);
      const unit = ev.unit_id;
      if (!ends || typeof unit !== 'number') return;
      const discovery = ev.type === 'modbus.request'
        ? ev.function_code === 17 || (ev.function_code === 43 && ev.mei_type === 14)
        : ev.exception_code === 10 || ev.exception_code === 11;
      if (!discovery) return;
      const evidence: EvidenceRef = { file: ev.file, packet: ev.packet, ts: ev.ts };
      if (typeof ev.community_id === 'string') evidence.community_id = ev.community_id;
      const u = addByPair(units, ends.client, ends.server, unit, ev.ts, evidence);
      if (u.size < options.minUnits || u.tripped) return;
      for (const [, item] of u.entries()) {
        ctx.report({
          messageId: 'units', key: `units|${ends.client}|${ends.server}`,
          data: { client: ends.client, server: ends.server, threshold: options.minUnits, window: options.windowS, where: where(ends.client) },
          devices: [{ role: 'attacker', ip: ends.client }, { role: 'victim', ip: ends.server }], ts: item.ts, evidence: item.payload,
          facts: { client: ends.client, server: ends.server, protocol: 'modbus' },
        });
      }
      units.trip(u);
    }

    return { onFlow, onEvent, onFirstPacket };
  },
};

export default detector;
