/**
 * p2p.botnet: a device sends same-sized UDP datagrams to many random public IP:port pairs, the way P2P botnet
 * nodes (Mozi's DHT, Hide'N Seek) look for peers. Judged per device on flow records: many distinct peers,
 * spread over many ports, most with one payload size, each flow only a few packets.
 * @module
 */
import type { Detector, EvidenceRef } from '../types.ts';
import { isLocalAddr } from '../lib/net.ts';
import { isGroupAddr } from '../lib/flood.ts';
import { FlowBound } from '../../flow/lazy-record.ts';

interface Options extends Record<string, unknown> {
  windowS: number;
  minPeers: number;
  minPortSpread: number;
  minSameSizeShare: number;
  maxPacketsPerPeer: number;
  minPeerPort: number;
  maxTrackedDevices: number;
  maxPeersPerDevice: number;
  evidencePerFinding: number;
}

interface Bucket {
  start: number;
  lastTs: number;
  /** Peers as IPv4 values (no text kept per flow) or, others, as text: one key per address either way. */
  peers: Set<string | number>;
  ports: Set<number>;
  sizes: Map<number, number>;
  srcPorts: Map<number, number>;
  flows: number;
  reported: number;
  evidence: EvidenceRef[];
  tripped: boolean;
  mac: string | undefined;
}

function top(m: Map<number, number>): [number, number] {
  let best = 0;
  let n = 0;
  for (const [k, v] of m) if (v > n) { best = k; n = v; }
  return [best, n];
}

export const detector: Detector<Options> = {
  id: 'p2p.botnet',
  description: 'P2P botnet traffic: a device sends same-sized UDP datagrams to many random public IP:port pairs within a minute, as Mozi (BitTorrent-style DHT) and Hide\'N Seek nodes do to find and talk to their peers.',
  category: 'p2p',
  severity: 'high',
  confidence: 0.75,
  references: {
    etsi: ['5.7-2'],
    enisa: ['GP-TM-43', 'GP-TM-44', 'GP-TM-56'],
    attack: ['T1090.003', 'T1571'],
    other: ['https://blog.lumen.com/new-mozi-malware-family-quietly-amasses-iot-bots/'],
  },
  options: {
    windowS: { default: 120, description: 'Length of the counting window, seconds.' },
    minPeers: { default: 30, description: 'Distinct public peers one device sends UDP to within the window.' },
    minPortSpread: { default: 0.5, description: 'Distinct destination ports per peer (random ports: close to 1).' },
    minSameSizeShare: { default: 0.6, description: 'Share of those flows whose datagrams have the most common payload size.' },
    maxPacketsPerPeer: { default: 6, description: 'Flows with more packets from the device are sessions, not peer probes, and are not counted.' },
    minPeerPort: { default: 1024, description: 'Lowest destination port counted (well-known services such as DNS and NTP are left out).' },
    maxTrackedDevices: { default: 1024, description: 'Devices counted at once; the oldest window is dropped beyond it.' },
    maxPeersPerDevice: { default: 2048, description: 'Distinct peers and ports remembered per device and window.' },
    evidencePerFinding: { default: 5, description: 'First flows of a window kept as evidence packets.' },
  },
  messages: {
    peers: {
      title: '{device} talks to {peers} random P2P peers',
      explanation: '{device}, a device on this network, sent UDP datagrams of {size} bytes to {peers} public addresses on {ports} different ports within {window} s (from port {src_port}); {count} such flows in all. IoT devices do not do this; P2P botnets such as Mozi and Hide\'N Seek do, to reach their peers without a central server. The device is very likely infected: disconnect it, reset it and update its firmware.',
    },
  },
  subscribes: ['flow.end'],
  needs: 'flows',
  create(ctx, options) {
    const buckets = new Map<string, Bucket>();
    const flush = (device: string, b: Bucket): void => {
      if (!b.tripped || b.flows <= b.reported) return;
      const [size] = top(b.sizes);
      const [srcPort] = top(b.srcPorts);
      const count = b.flows - b.reported;
      const evidence = b.reported === 0 ? b.evidence : [];
      b.reported = b.flows;
      const data = { device, peers: b.peers.size, ports: b.ports.size, size, src_port: srcPort, window: options.windowS };
      const devices = [{ role: 'infected' as const, ip: device, mac: b.mac }];
      const facts = { peers: b.peers.size, ports: b.ports.size, payload_size: size, src_port: srcPort };
      if (evidence.length === 0) {
        ctx.report({ messageId: 'peers', key: device, data, devices, ts: b.lastTs, count, facts });
        return;
      }
      evidence.forEach((ev, i) => ctx.report({ messageId: 'peers', key: device, data, devices, ts: ev.ts, evidence: ev, count: i === 0 ? count : 0, facts }));
    };
    return {
      onFlow(f) {
        if (f.transport !== 'udp' || f.orig_pkts === 0 || f.orig_pkts > options.maxPacketsPerPeer) return;
        if (f.resp_port < options.minPeerPort || !isLocalAddr(FlowBound.origV4(f), f.orig_ip)) return;
        const resp4 = FlowBound.respV4(f);
        if (isLocalAddr(resp4, f.resp_ip) || isGroupAddr(resp4, f.resp_ip)) return;
        const device = f.orig_ip;
        const ts = f.first_ts;
        let b = buckets.get(device);
        if (b !== undefined && ts - b.start > options.windowS) {
          flush(device, b);
          buckets.delete(device);
          b = undefined;
        }
        if (b === undefined) {
          if (buckets.size >= options.maxTrackedDevices) {
            const [oldKey, old] = buckets.entries().next().value as [string, Bucket];
            flush(oldKey, old);
            buckets.delete(oldKey);
          }
          b = { start: ts, lastTs: ts, peers: new Set(), ports: new Set(), sizes: new Map(), srcPorts: new Map(), flows: 0, reported: 0, evidence: [], tripped: false, mac: f.orig_mac };
          buckets.set(device, b);
        }
        if (ts > b.lastTs) b.lastTs = ts;
        b.flows++;
        if (b.peers.size < options.maxPeersPerDevice) b.peers.add(resp4 >= 0 ? resp4 : f.resp_ip);
        if (b.ports.size < options.maxPeersPerDevice) b.ports.add(f.resp_port);
        const size = Math.round(f.orig_payload_bytes / f.orig_pkts);
        if (b.sizes.has(size) || b.sizes.size < 64) b.sizes.set(size, (b.sizes.get(size) ?? 0) + 1);
        if (b.srcPorts.has(f.orig_port) || b.srcPorts.size < 64) b.srcPorts.set(f.orig_port, (b.srcPorts.get(f.orig_port) ?? 0) + 1);
        if (b.evidence.length < options.evidencePerFinding) b.evidence.push({ file: f.file, packet: f.first_packet, ts, community_id: f.community_id });
        if (b.tripped || b.peers.size < options.minPeers) return;
        if (b.ports.size < b.peers.size * options.minPortSpread) return;
        if (top(b.sizes)[1] < b.flows * options.minSameSizeShare) return;
        b.tripped = true;
        flush(device, b);
      },
      finish() {
        for (const [device, b] of buckets) flush(device, b);
        buckets.clear();
      },
    };
  },
};

export default detector;
