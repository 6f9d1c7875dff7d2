/**
 * One run of the flow-export path: datagrams in (from a capture file or a live UDP socket), flow records out
 * to subscribers through the same interface as the packet pipeline (`on`, `onFlow`, `wants`), so the
 * inventory, the detectors and the assessment attach to it unchanged. Counters for the run summary.
 * @module
 */
import { openCapture } from '../capture/open.ts';
import type { CaptureProgress, CaptureSummary, PacketRecord } from '../capture/types.ts';
import { ipv4ToString, ipv6ToString } from '../decode/address.ts';
import { decodePacket } from '../decode/decode.ts';
import { Defragmenter } from '../decode/defrag.ts';
import { IpProto, L3, PacketView } from '../decode/packet-view.ts';
import type { FlowRecord } from '../flow/types.ts';
import { Subscribers } from '../flow/subscribers.ts';
import { FlowCollector, type CollectorOptions, type CollectorStats } from './collector.ts';
import { FlowStitcher, type StitchOptions } from './stitch.ts';
import type { DatagramMeta } from './types.ts';

/** An event as the packet pipeline publishes it (structurally its EventRecord). */
export interface ExportEvent {
  type: string;
  ts: number;
  file: string;
  packet: number;
  [field: string]: unknown;
}

export interface ExportRunOptions {
  collector: Partial<CollectorOptions>;
  stitch: Partial<StitchOptions>;
  /** UDP destination ports accepted from a capture (empty: any port whose payload looks like an export). */
  ports: readonly number[];
}

export interface ExportRunStats {
  collector: CollectorStats;
  stitch: { stitched: number; one_way: number; biflows: number; pending: number };
  flows: number;
  anomalies: Map<string, number>;
  events: Map<string, number>;
  transports: Map<string, number>;
  /** Time span of the exported flows (seconds), null before the first. */
  first_ts: number | null;
  last_ts: number | null;
  /** Capture packets read (capture input) and UDP datagrams that were not flow exports. */
  packets: number;
  bytes: number;
}

export class FlowExportRun extends Subscribers<ExportEvent, FlowRecord> {
  private readonly collector: FlowCollector;
  private readonly stitcher: FlowStitcher;
  private readonly ports: Set<number>;
  private readonly anomalies = new Map<string, number>();
  private readonly events = new Map<string, number>();
  /** Packets per transport, summed from the exported counters (the packet path's `transports`). */
  private readonly transports = new Map<string, number>();
  private flows = 0;
  private firstTs = Infinity;
  private lastTs = -Infinity;
  private lastSweep = -Infinity;
  private packets = 0;
  private bytes = 0;

  constructor(options: Partial<ExportRunOptions> = {}) {
    super();
    const anomaly = (id: string): void => {
      this.anomalies.set(id, (this.anomalies.get(id) ?? 0) + 1);
    };
    this.stitcher = new FlowStitcher((f) => this.publishFlow(f), anomaly, options.stitch);
    this.collector = new FlowCollector((r) => this.stitcher.add(r), anomaly, options.collector);
    this.ports = new Set(options.ports ?? []);
  }

  // Subscribers: on('flow.end' | '*'), onFlow, onTick (once a second of record arrival time, as the pipeline's
  // packet clock), onFlush (once, by `finish()`, after the last flows are published).

  /** One export datagram (UDP payload) from `meta.exporter`. */
  datagram(d: Uint8Array, off: number, len: number, meta: DatagramMeta): void {
    this.collector.datagram(d, off, len, meta);
    this.tick(meta.ts);
  }

  /** Let time pass (arrival clock, seconds): one-way records that waited long enough are published. */
  tick(now: number): void {
    if (now - this.lastSweep < 1 && now >= this.lastSweep) return;
    this.lastSweep = now;
    this.stitcher.sweep(now);
    for (const h of this.tickHandlers) h(now);
  }

  /** Read export datagrams out of a capture file (UDP payloads that look like NetFlow/IPFIX). */
  async readCapture(path: string, onProgress?: (p: CaptureProgress, packets: number) => void): Promise<CaptureSummary> {
    const view = new PacketView();
    const defrag = new Defragmenter({});
    const onPacket = (rec: PacketRecord): void => {
      const ts = rec.tsSec + rec.tsNsec / 1e9;
      this.packets++;
      this.bytes += rec.origLen;
      decodePacket(rec, view, defrag, ts);
      if (view.ipProto !== IpProto.UDP || view.payloadLen === 0) return;
      if (this.ports.size > 0 && !this.ports.has(view.dstPort)) return;
      if (!FlowCollector.looksLikeExport(view.data, view.payloadOff, view.payloadLen)) return;
      const exporter = view.l3 === L3.IPV6 ? ipv6ToString(view.data, view.src6Off) : ipv4ToString(view.src4);
      this.datagram(view.data, view.payloadOff, view.payloadLen, { exporter, ts, file: path, packet: rec.packetNo });
    };
    return openCapture(path).read(onPacket, onProgress ? (p) => onProgress(p, this.packets) : undefined);
  }

  /** End of input: waiting data sets are counted, waiting one-way records published. */
  finish(): ExportRunStats {
    this.collector.finish();
    this.stitcher.flush();
    for (const h of this.flushHandlers) h();
    const s = this.stitcher;
    return {
      collector: this.collector.stats(),
      stitch: { stitched: s.stitched, one_way: s.oneWay, biflows: s.biflows, pending: s.pending },
      flows: this.flows,
      anomalies: this.anomalies,
      events: this.events,
      transports: this.transports,
      first_ts: this.flows > 0 ? this.firstTs : null,
      last_ts: this.flows > 0 ? this.lastTs : null,
      packets: this.packets,
      bytes: this.bytes,
    };
  }

  /** Flows published so far. */
  get flowCount(): number {
    return this.flows;
  }

  /** Datagrams received so far. */
  get datagramCount(): number {
    return this.collector.datagramCount;
  }

  private publishFlow(f: FlowRecord): void {
    this.flows++;
    this.transports.set(f.transport, (this.transports.get(f.transport) ?? 0) + f.orig_pkts + f.resp_pkts);
    if (f.first_ts < this.firstTs) this.firstTs = f.first_ts;
    if (f.last_ts > this.lastTs) this.lastTs = f.last_ts;
    for (const h of this.flowHandlers) h(f);
    if (this.wants('flow.end')) {
      const ev = { ...f, type: 'flow.end', ts: f.last_ts, packet: f.last_packet } as unknown as ExportEvent;
      this.events.set('flow.end', (this.events.get('flow.end') ?? 0) + 1);
      const list = this.handlers.get('flow.end');
      if (list) for (const h of list) h(ev);
      for (const h of this.anyHandlers) h(ev);
    }
  }
}
