/**
 * The pipeline: capture → decode → flow → app analyzers → events. Runs one or more capture files in order
 * (flows continue across files), publishes events and finished flows to subscribers, and returns a summary.
 * @module
 */
import { openCapture, type OpenCaptureOptions } from '../capture/open.ts';
import type { CaptureProgress, CaptureSummary, PacketRecord } from '../capture/types.ts';
import { decodePacket } from '../decode/decode.ts';
import { Defragmenter, type DefragOptions } from '../decode/defrag.ts';
import { arpEventFields, ndpEventFields } from '../decode/events.ts';
import { IpProto, L3, PacketView } from '../decode/packet-view.ts';
import { FlowTable, type FlowTableOptions } from '../flow/table.ts';
import { inTimeRange, TIMESTAMP_OUT_OF_RANGE } from '../capture/time-range.ts';
import { TcpReassembler, type ReassemblyOptions } from '../flow/reassembly.ts';
import type { FlowEndReason, FlowRecord } from '../flow/types.ts';
import { AppDispatcher, type FlowApp } from '../app/dispatch.ts';
import { appProtocols } from '../app/registry.ts';
import type { AppContext, AppProtocol, Dir, ProbeInfo } from '../app/types.ts';
import type { EventFields } from '../events/types.ts';
import { RunStats, type RunSummary } from './stats.ts';
import { flowStartFields } from './flow-start.ts';

export interface PipelineOptions {
  /** Capture reading limits (decompression bombs). */
  capture?: OpenCaptureOptions;
  flow: Partial<FlowTableOptions>;
  reassembly: Partial<ReassemblyOptions>;
  defrag: Partial<DefragOptions>;
  protocols: readonly AppProtocol[];
  /** Seconds of packet time between flow-timeout sweeps. */
  expireEveryS: number;
}

/** An event as published: the envelope (see src/events/types.ts) plus the analyzer's fields. */
export interface EventRecord {
  type: string;
  ts: number;
  file: string;
  packet: number;
  [field: string]: unknown;
}

export type EventHandler = (ev: EventRecord) => void;
export type FlowHandler = (flow: FlowRecord) => void;

const TCP = IpProto.TCP;

const UDP = IpProto.UDP;

export class Pipeline {
  private readonly handlers = new Map<string, EventHandler[]>();
  private readonly anyHandlers: EventHandler[] = [];
  private readonly flowHandlers: FlowHandler[] = [];
  private readonly opts: PipelineOptions;

  private readonly view = new PacketView();
  private readonly defrag: Defragmenter;
  private readonly table: FlowTable;
  private readonly reasm: TcpReassembler;
  private readonly dispatcher: AppDispatcher;
  private readonly apps = new Map<number, FlowApp>();
  private readonly appNames: readonly string[];
  private readonly communityIds = new Map<number, string>();
  private readonly stats = new RunStats();
  private readonly files: string[] = [];

  // Current packet, read by the shared app context (one object for the whole run).
  private fileIndex = 0;
  private packetNo = 0;
  private ts = 0;
  private lastExpire = -Infinity;
  private curSlot = -1;
  private curDir: Dir = 0;
  private readonly info: ProbeInfo = { transport: 'tcp', origPort: 0, respPort: 0 };
  private readonly ctx: AppContext;
  private readonly onPacketBound = (rec: PacketRecord): void => this.onPacket(rec);
  private readonly deliverBound = (dir: number, bytes: Uint8Array): void => this.deliver(dir as Dir, bytes);
  private readonly gapBound = (dir: number, len: number): void => this.gap(dir as Dir, len);

  constructor(options: Partial<PipelineOptions> = {}) {
    this.opts = { flow: {}, reassembly: {}, defrag: {}, protocols: appProtocols, expireEveryS: 1, ...options };
    this.defrag = new Defragmenter(this.opts.defrag);
    this.table = new FlowTable(this.opts.flow, (slot, reason) => this.onFlowEnd(slot, reason));
    this.reasm = new TcpReassembler(this.opts.reassembly);
    this.dispatcher = new AppDispatcher(this.opts.protocols);
    this.appNames = this.dispatcher.appNames;
    this.ctx = {
      wants: (type) => this.wants(type),
      emit: (type, fields, dir) => this.emitFlowEvent(type, fields, dir),
      anomaly: (id) => this.stats.anomaly(id),
      info: this.info,
    };
  }

  /** Subscribe to one event type, or '*' for all. */
  on(type: string, handler: EventHandler): this {
    if (type === '*') this.anyHandlers.push(handler);
    else {
      const list = this.handlers.get(type);
      if (list) list.push(handler);
      else this.handlers.set(type, [handler]);
    }
    return this;
  }

  /** Subscribe to finished flows (also published as the `flow.end` event type). */
  onFlow(handler: FlowHandler): this {
    this.flowHandlers.push(handler);
    return this;
  }

  wants(type: string): boolean {
    return this.anyHandlers.length > 0 || this.handlers.has(type);
  }

  /** Analyse capture files in order; never rejects for bad input (errors are in the summary). */
  async run(paths: readonly string[], onProgress?: (file: string, p: CaptureProgress, packets: number) => void): Promise<RunSummary> {
    this.stats.start();
    for (const path of paths) {
      this.fileIndex = this.files.length;
      this.files.push(path);
      const source = openCapture(path, this.opts.capture);
      const summary: CaptureSummary = await source.read(
        this.onPacketBound,
        onProgress ? (p) => onProgress(path, p, this.stats.packets) : undefined,
      );
      this.stats.file(summary);
    }
    this.table.endAll('end_of_input');
    return this.stats.finish(this.table, this.reasm, this.defrag, this.dispatcher.violations);
  }

  private onPacket(rec: PacketRecord): void {
    let ts = rec.tsSec + rec.tsNsec / 1e9;
    if (!inTimeRange(ts)) {
      this.stats.anomaly(TIMESTAMP_OUT_OF_RANGE);
      ts = this.ts;
    }
    this.ts = ts;
    this.packetNo = rec.packetNo;
    this.stats.packet(ts, rec.origLen, rec.caplen);
    const view = this.view;
    decodePacket(rec, view, this.defrag, ts);
    for (let i = 0; i < view.anomalies.length; i++) this.stats.anomaly(view.anomalies[i]);
    // Sweep timeouts once a second of packet time (also when time jumps back, e.g. at the next file).
    if (ts - this.lastExpire >= this.opts.expireEveryS || ts < this.lastExpire) {
      this.lastExpire = ts;
      this.table.expire(ts);
    }
    const slot = this.table.track(view, ts, rec.origLen, rec.packetNo, this.fileIndex);
    this.stats.transport(view);
    if (slot < 0) return;
    this.curSlot = slot;
    this.curDir = this.table.dir as Dir;
    if (this.table.isNew && this.wants('flow.start')) this.emitFlowEvent('flow.start', flowStartFields(view));
    if (view.l3 === L3.ARP) {
      if (this.wants('arp.request') || this.wants('arp.reply')) this.emitArp();
      return;
    }
    if (view.icmpType >= 133 && view.icmpType <= 137 && view.ipProto === IpProto.ICMPV6 && this.anyWantsNdp()) {
      const ndp = ndpEventFields(view);
      if (ndp && this.wants(ndp.type)) this.emitFlowEvent(ndp.type, ndp.fields);
      return;
    }
    if (view.payloadLen === 0 && view.ipProto !== TCP) return;
    const proto = view.ipProto;
    if (proto !== TCP && proto !== UDP) return;
    let app = this.apps.get(slot);
    if (app === undefined) {
      if (view.payloadLen === 0) return; // nothing for an analyzer yet (the flow table keeps the handshake's ISNs)
      app = this.dispatcher.newFlowApp();
      this.apps.set(slot, app);
    }
    if (app.finished) return;
    this.setInfo(slot, proto === TCP ? 'tcp' : 'udp');
    if (proto === UDP) {
      this.deliver(this.curDir, view.data.subarray(view.payloadOff, view.payloadOff + view.payloadLen));
    } else {
      this.reasm.segment(slot, this.curDir, view.seq, view.tcpFlags, view.data, view.payloadOff, view.payloadLen, this.deliverBound, this.gapBound,
        this.table.isn(slot, this.curDir));
    }
  }

  private setInfo(slot: number, transport: 'tcp' | 'udp'): void {
    this.info.transport = transport;
    this.info.origPort = this.table.origPort(slot);
    this.info.respPort = this.table.respPort(slot);
  }

  private deliver(dir: Dir, bytes: Uint8Array): void {
    const app = this.apps.get(this.curSlot);
    if (app === undefined) return;
    this.curDir = dir;
    const chosen = this.dispatcher.deliver(app, dir, bytes, this.ctx);
    if (chosen) this.table.setAppId(this.curSlot, this.dispatcher.idOf(chosen));
    if (app.finished) this.reasm.release(this.curSlot);
  }

  private gap(dir: Dir, len: number): void {
    const app = this.apps.get(this.curSlot);
    if (app) this.dispatcher.gap(app, dir, len, this.ctx);
  }

  private onFlowEnd(slot: number, reason: FlowEndReason): void {
    const app = this.apps.get(slot);
    if (app !== undefined) {
      const prevSlot = this.curSlot;
      this.curSlot = slot;
      this.curDir = 0;
      this.setInfo(slot, this.table.transport(slot) === 'tcp' ? 'tcp' : 'udp');
      this.reasm.flush(slot, this.deliverBound, this.gapBound);
      this.dispatcher.end(app, this.ctx);
      this.curSlot = prevSlot;
      this.apps.delete(slot);
      this.reasm.release(slot);
    }
    const appName = this.dispatcher.nameOfId(this.table.appId(slot));
    this.stats.flowEnded(reason, appName);
    if (this.flowHandlers.length > 0 || this.wants('flow.end')) {
      const rec = this.table.toRecord(slot, this.files, this.appNames, reason, this.communityIds.get(slot));
      for (const h of this.flowHandlers) h(rec);
      if (this.wants('flow.end')) this.publish({ ...rec, type: 'flow.end', ts: rec.last_ts, packet: rec.last_packet } as unknown as EventRecord);
    }
    this.communityIds.delete(slot);
  }

  private communityId(slot: number): string {
    let id = this.communityIds.get(slot);
    if (id === undefined) {
      id = this.table.communityId(slot);
      this.communityIds.set(slot, id);
    }
    return id;
  }

  /** Emit an event of the current flow, with the envelope filled from the flow and the packet. */
  private emitFlowEvent(type: string, fields: EventFields, dir: Dir = this.curDir): void {
    const slot = this.curSlot;
    const fromOrig = dir === 0;
    const t = this.table;
    const ev: EventRecord = {
      type,
      ts: this.ts,
      file: this.files[this.fileIndex],
      packet: this.packetNo,
      community_id: this.communityId(slot),
      flow_id: t.flowId(slot),
      transport: t.transport(slot),
      src_ip: fromOrig ? t.origIp(slot) : t.respIp(slot),
      src_port: fromOrig ? t.origPort(slot) : t.respPort(slot),
      dst_ip: fromOrig ? t.respIp(slot) : t.origIp(slot),
      dst_port: fromOrig ? t.respPort(slot) : t.origPort(slot),
      from_orig: fromOrig,
      ...fields,
    };
    ev.type = type; // a payload never renames the event
    this.publish(ev);
  }

  private emitArp(): void {
    const fields = arpEventFields(this.view);
    const type = this.view.arpOp === 2 ? 'arp.reply' : 'arp.request';
    if (!this.wants(type)) return;
    this.publish({ type, ts: this.ts, file: this.files[this.fileIndex], packet: this.packetNo, flow_id: this.table.flowId(this.curSlot), transport: 'arp', ...fields });
  }

  private anyWantsNdp(): boolean {
    return this.anyHandlers.length > 0 || this.handlers.has('ndp.neighbor_solicit') || this.handlers.has('ndp.neighbor_advert') ||
      this.handlers.has('ndp.router_solicit') || this.handlers.has('ndp.router_advert');
  }

  private publish(ev: EventRecord): void {
    this.stats.event(ev.type);
    const list = this.handlers.get(ev.type);
    if (list) for (const h of list) h(ev);
    for (const h of this.anyHandlers) h(ev);
  }
}
