/**
 * The pipeline: capture → decode → flow → app analyzers → events. Runs one or more sources in order
 * (capture files, standard input, a live interface; flows continue across them), publishes events and
 * finished flows to subscribers, and returns a summary.
 *
 * Time: packet time drives everything (a capture analyses the same way every run). The clock is the newest
 * packet time; every `expireEveryS` of it the pipeline ticks: flows due end, and `onTick` subscribers (the
 * later stages) age their state. A live source also calls `heartbeat()` about once a second, which moves the
 * clock on by the wall-clock time since the last packet, so a quiet link still ends flows and closes findings.
 * @module
 */
import type { OpenCaptureOptions } from '../capture/open.ts';
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
import type { EventHandler, EventRecord } from '../events/record.ts';
import type { EventType, TypedEventHandler } from '../events/map.ts';
import { RunStats, type EventCounter, type RunSummary } from './stats.ts';
import { flowStartFields } from './flow-start.ts';
import { FirstPacket, type FirstPacketHandler } from './first-packet.ts';
import { Site, uidOfWords } from './site.ts';
import { Subscribers, type SubscribeOptions } from '../flow/subscribers.ts';
import { FlowIds, flowTuple, type FlowTuple, type LazyFlowRecord } from '../flow/lazy-record.ts';
import { LazyArpEvent, LazyFlowEvent } from './lazy-event.ts';
import { fileSource, type InputSource, type SourceSink } from './source.ts';

/**
 * Set on globalThis once a pipeline on this thread has read packets: bin/bulwark.js then knows its code cache holds
 * the pipeline's code (a cache written by a run that read none is replaced by the next run that does).
 */
export const PIPELINE_RAN_HERE = Symbol.for('bulwark.pipelineRanHere');

// The envelope and handler types live in src/events/; re-exported here for the code that imports them from the pipeline.
export type { EventHandler, EventRecord, FlowHandler } from '../events/record.ts';

export interface PipelineOptions {
  /** Capture reading limits (decompression bombs). */
  capture?: OpenCaptureOptions;
  flow: Partial<FlowTableOptions>;
  reassembly: Partial<ReassemblyOptions>;
  defrag: Partial<DefragOptions>;
  protocols: readonly AppProtocol[];
  /** Seconds of packet time between ticks (flow-timeout sweeps and the later stages' ageing). */
  expireEveryS: number;
  /** Sensor name and local networks (flow uids carry the sensor). */
  site: Site;
}

/** A subscriber to the clock: time (epoch seconds) advanced to `now`. */
export type TickHandler = (now: number) => void;

/**
 * Takes a flow event as what its lazy event would be built of — the envelope's numbers, the flow's tuple (valid during
 * the call) and the payload — instead of the LazyFlowEvent (see Pipeline.onFlowEventParts). Returns false to have the
 * event built and published as usual after all.
 */
export type FlowEventParts = (type: string, ts: number, file: string, packet: number, t: FlowTuple, transport: string, fromOrig: boolean,
  fields: EventFields) => boolean;

/** A finished flow as the flow table holds it (`Pipeline.onFinishedFlow`): read it with the table's accessors. */
export interface FinishedFlow {
  table: FlowTable;
  slot: number;
  reason: FlowEndReason;
  /** The run's files so far (the table keeps a file index per flow) and the analyzers' names by id. */
  files: readonly string[];
  appNames: readonly string[];
}

export interface RunOptions {
  onProgress?: (file: string, p: CaptureProgress, packets: number) => void;
  /** Stop reading (Ctrl-C): what was read is analysed, every stage flushed, the summary marked interrupted. */
  signal?: AbortSignal;
}

const TCP = IpProto.TCP;

const UDP = IpProto.UDP;

/**
 * What publishing one event type needs, looked up once per event instead of four times (subscribers of the type,
 * whether they all read by name, the run's count of the type). Rebuilt when a subscription is added.
 */
interface EventTypeEntry {
  handlers: readonly EventHandler[];
  lazy: boolean;
  /** The type's one subscriber is the parts handler's (onFlowEventParts): flow events go to the parts handler. */
  parts: boolean;
  count: EventCounter;
}

const noHandlers: readonly EventHandler[] = [];
/** Event types are the analyzers' constants; the bound only guards against a type made from traffic. */
const EVENT_TYPES_MAX = 4096;

export class Pipeline extends Subscribers<EventRecord, FlowRecord> {
  private readonly opts: PipelineOptions;

  private readonly view = new PacketView();
  private readonly defrag: Defragmenter;
  private readonly table: FlowTable;
  private readonly reasm: TcpReassembler;
  private readonly dispatcher: AppDispatcher;
  /** Each live flow's analyzer state by slot (undefined: none yet); grows with the slots used, bounded by them. */
  private readonly apps: (FlowApp | undefined)[] = [];
  private readonly typeEntries = new Map<string, EventTypeEntry>();
  /** Whether anyone wants `flow.end`, `flow.start`, ARP events (-1: not known since the last subscription). */
  private flowEndWanted = -1;
  private flowStartWanted = -1;
  private arpWanted = -1;
  private readonly appNames: readonly string[];
  /** Flow uids of live flow records as 96-bit numbers (3 words a slot) and whether known: no string per flow. */
  private uidWords = new Uint32Array(0);
  private uidKnown = new Uint8Array(0);
  private readonly stats = new RunStats();
  private readonly files: string[] = [];
  /** What lazy records compute their Community ID and uid with; the tuple they copy theirs from. */
  private readonly ids: FlowIds;
  private readonly tuple = flowTuple();
  /** The lazy record finished flows are given in (refilled per flow), once there was one. */
  private flowView: LazyFlowRecord | undefined = undefined;
  /** Subscribers to finished flows as table slots, and the one view they are given (refilled per flow). */
  private readonly finishedHandlers: ((f: FinishedFlow) => void)[] = [];
  private finished: FinishedFlow | undefined;
  /** Subscribers to new flows' first packets as numbers, and the one fact they are given (refilled per flow). */
  private readonly firstPacketHandlers: FirstPacketHandler[] = [];
  private readonly firstPacket = new FirstPacket();
  /** onFlowEventParts: the handler whose events go as parts, and where to. */
  private partsOf: EventHandler | undefined = undefined;
  private parts: FlowEventParts | undefined = undefined;

  // Current packet, read by the shared app context (one object for the whole run).
  private fileIndex = 0;
  private packetNo = 0;
  private ts = 0;
  /** The clock: newest packet time, moved on by heartbeats when the link is quiet. */
  private clock = -Infinity;
  /** Wall-clock time (seconds) of the last heartbeat, and the clock then: the heartbeat's estimate. */
  private clockWall = 0;
  private clockAtBeat = -Infinity;
  private lastExpire = -Infinity;
  private interrupted = false;
  private flushed = false;
  private curSlot = -1;
  private curDir: Dir = 0;
  private readonly info: ProbeInfo = { transport: 'tcp', origPort: 0, respPort: 0 };
  private readonly ctx: AppContext;
  private readonly onPacketBound = (rec: PacketRecord): void => this.onPacket(rec);
  private readonly deliverBound = (dir: number, bytes: Uint8Array): void => this.deliver(dir as Dir, bytes);
  private readonly gapBound = (dir: number, len: number): void => this.gap(dir as Dir, len);

  constructor(options: Partial<PipelineOptions> = {}) {
    super();
    this.opts = { flow: {}, reassembly: {}, defrag: {}, protocols: appProtocols, expireEveryS: 1, site: options.site ?? new Site(), ...options };
    this.defrag = new Defragmenter(this.opts.defrag);
    this.table = new FlowTable(this.opts.flow, (slot, reason) => this.onFlowEnd(slot, reason));
    this.reasm = new TcpReassembler(this.opts.reassembly);
    this.dispatcher = new AppDispatcher(this.opts.protocols);
    this.appNames = this.dispatcher.appNames;
    this.ids = new FlowIds(this.opts.site);
    this.ctx = {
      wants: (type) => this.wants(type),
      emit: (type, fields, dir) => this.emitFlowEvent(type, fields, dir),
      anomaly: (id) => this.stats.anomaly(id),
      info: this.info,
    };
  }

  get site(): Site {
    return this.opts.site;
  }

  /** Subscribe to one event type (typed: `on('telnet.login', (ev) => ev.username)`), or '*' for all. */
  override on<T extends EventType>(type: T, handler: TypedEventHandler<T>, options?: SubscribeOptions): this;
  override on(type: string, handler: EventHandler, options?: SubscribeOptions): this;
  override on(type: string, handler: EventHandler, options?: SubscribeOptions): this {
    this.typeEntries.clear();
    this.flowEndWanted = -1;
    this.flowStartWanted = -1;
    this.arpWanted = -1;
    return super.on(type, handler, options);
  }

  /**
   * Flow events whose one subscriber is `handler` (subscribed lazily, alone for its type and with no '*' subscriber
   * beside it) go to `parts` as what the lazy event would be built of, and are not built. For a subscriber that
   * copies events out (the `--threads` worker encodes them for the other thread, src/engine/record-codec.ts): an
   * event built only to be read back field by field costs the building and eleven envelope fields read back.
   */
  onFlowEventParts(handler: EventHandler, parts: FlowEventParts): this {
    this.typeEntries.clear();
    this.partsOf = handler;
    this.parts = parts;
    return this;
  }

  /** Whether `handler` is the one subscriber of events of `type` (see onFlowEventParts). */
  private onlySubscriber(type: string, handler: EventHandler | undefined): boolean {
    if (handler === undefined) return false;
    const list = this.handlers.get(type) ?? noHandlers;
    const any = this.anyHandlers;
    return (list.length === 1 && list[0] === handler && any.length === 0) || (list.length === 0 && any.length === 1 && any[0] === handler);
  }

  /**
   * Each new flow's first packet as numbers (src/pipeline/first-packet.ts): what the scan, flood and SYN
   * signature stages read, without a `flow.start` event (built only when someone subscribes to that).
   */
  onFirstPacket(handler: FirstPacketHandler): this {
    this.firstPacketHandlers.push(handler);
    return this;
  }

  /**
   * Each finished flow as its slot in the flow table, before the slot is freed: for a subscriber that copies the
   * numbers itself (the `--threads` worker encodes them for the other thread) rather than get a record built
   * for it. Valid during the call only.
   */
  onFinishedFlow(handler: (f: FinishedFlow) => void): this {
    this.finished ??= { table: this.table, slot: -1, reason: 'end_of_input', files: this.files, appNames: this.appNames };
    this.finishedHandlers.push(handler);
    return this;
  }

  /** The clock: packet time of the newest packet, or later after heartbeats on a quiet link (-Infinity before any). */
  get now(): number {
    return this.clock;
  }

  /**
   * Analyse sources in order (a path is a capture file, '-' standard input); never rejects for bad input
   * (errors are in the summary). At the end (or when `signal` aborts) every flow ends and every stage flushes.
   */
  async run(inputs: readonly (string | InputSource)[], options: RunOptions | RunOptions['onProgress'] = {}): Promise<RunSummary> {
    const opts: RunOptions = typeof options === 'function' ? { onProgress: options } : options;
    this.stats.start();
    const sink: SourceSink = {
      packet: this.onPacketBound,
      flow: (rec) => this.publishFlow(rec),
      heartbeat: () => this.heartbeat(),
    };
    for (const input of inputs) {
      if (opts.signal?.aborted) break;
      const source = typeof input === 'string' ? fileSource(input, this.opts.capture) : input;
      this.fileIndex = this.files.length;
      this.files.push(source.name);
      const onProgress = opts.onProgress;
      const summary: CaptureSummary = await source.run(sink, {
        signal: opts.signal,
        onProgress: onProgress ? (p) => onProgress(source.name, p, this.stats.packets) : undefined,
      });
      this.stats.file(summary);
    }
    this.interrupted = opts.signal?.aborted === true;
    if (this.stats.packets > 0) (globalThis as Record<symbol, unknown>)[PIPELINE_RAN_HERE] = true;
    this.flush();
    return this.summary();
  }

  /** The run's summary so far (also after `flush`). */
  summary(): RunSummary {
    const s = this.stats.finish(this.table, this.reasm, this.defrag, this.dispatcher.violations, this.appNames);
    if (this.interrupted) s.interrupted = true;
    s.sensor = this.opts.site.sensor;
    return s;
  }

  /**
   * Advance the clock to `now` (epoch seconds; never backwards): flows due end, then the tick subscribers
   * age their state. Packets call it once per `expireEveryS` of packet time; heartbeats on a quiet link.
   */
  tick(now: number): void {
    if (now > this.clock) this.clock = now;
    this.lastExpire = now;
    this.table.tick(now);
    this.defrag.expire(now);
    // Indexed: a for-of made an iterator result per tick (about one a packet).
    const handlers = this.tickHandlers;
    for (let i = 0; i < handlers.length; i++) handlers[i](now);
  }

  /**
   * Live sources call this about once a second. The clock moves on by the wall-clock time since the last
   * packet (packet timestamps of a live capture follow the wall clock; this keeps any offset between them).
   */
  heartbeat(wallS = Date.now() / 1000): void {
    if (this.clock === -Infinity) return; // no packet yet: nothing can be due
    if (this.clock !== this.clockAtBeat) {
      // Packets arrived since the last beat: they set the clock (no wall-clock read per packet).
      this.clockAtBeat = this.clock;
      this.clockWall = wallS;
      return;
    }
    const now = this.clock + Math.max(0, wallS - this.clockWall);
    this.clockWall = wallS;
    this.clockAtBeat = now;
    if (now - this.lastExpire >= this.opts.expireEveryS) this.tick(now);
    else this.clock = now;
  }

  /** End of input or stop: every flow ends (reason end_of_input), then every stage flushes. Idempotent. */
  flush(): void {
    if (this.flushed) return;
    this.flushed = true;
    this.table.flush();
    for (const h of this.flushHandlers) h();
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
    if (ts > this.clock) this.clock = ts;
    const view = this.view;
    decodePacket(rec, view, this.defrag, ts);
    for (let i = 0; i < view.anomalies.length; i++) this.stats.anomaly(view.anomalies[i]);
    // Tick once a second of packet time (also when time jumps back, e.g. at the next file).
    if (ts - this.lastExpire >= this.opts.expireEveryS || ts < this.lastExpire) this.tick(ts);
    const slot = this.table.track(view, ts, rec.origLen, rec.packetNo, this.fileIndex);
    this.stats.transport(view);
    if (slot < 0) return;
    this.curSlot = slot;
    this.curDir = this.table.dir as Dir;
    if (this.table.isNew && this.firstPacketHandlers.length > 0) this.publishFirstPacket(slot);
    if (this.table.isNew && this.wantsFlowStart()) this.emitFlowEvent('flow.start', flowStartFields(view));
    else if (this.table.continued) this.forgetUid(slot); // cut by the active timeout: a new record, a new uid
    if (view.l3 === L3.ARP) {
      if (this.wantsArp()) this.emitArp();
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
    let app = this.appOf(slot);
    if (app === undefined) {
      if (view.payloadLen === 0) return; // nothing for an analyzer yet (the flow table keeps the handshake's ISNs)
      app = this.dispatcher.newFlowApp();
      const apps = this.apps;
      while (apps.length <= slot) apps.push(undefined);
      apps[slot] = app;
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

  private publishFirstPacket(slot: number): void {
    const t = this.table;
    const p = this.firstPacket.fill(this.view, this.ts, this.files[this.fileIndex], this.packetNo, t.flowId(slot), t.ipVersion(slot), t.protoOf(slot),
      this.curDir === 0, t.origPort(slot), t.respPort(slot), t.addressWords(), slot * 8);
    const handlers = this.firstPacketHandlers;
    for (let i = 0; i < handlers.length; i++) handlers[i](p);
  }

  private setInfo(slot: number, transport: 'tcp' | 'udp'): void {
    this.info.transport = transport;
    this.info.origPort = this.table.origPort(slot);
    this.info.respPort = this.table.respPort(slot);
  }

  private appOf(slot: number): FlowApp | undefined {
    return slot < this.apps.length ? this.apps[slot] : undefined;
  }

  private deliver(dir: Dir, bytes: Uint8Array): void {
    const app = this.appOf(this.curSlot);
    if (app === undefined) return;
    this.curDir = dir;
    const chosen = this.dispatcher.deliver(app, dir, bytes, this.ctx);
    if (chosen) this.table.setAppId(this.curSlot, this.dispatcher.idOf(chosen));
    if (app.finished) this.reasm.release(this.curSlot);
  }

  private gap(dir: Dir, len: number): void {
    const app = this.appOf(this.curSlot);
    if (app) this.dispatcher.gap(app, dir, len, this.ctx);
  }

  private onFlowEnd(slot: number, reason: FlowEndReason): void {
    const app = this.appOf(slot);
    // Cut by the active timeout, the connection goes on in the same slot: its analyzer and reassembly state stay.
    if (app !== undefined && reason !== 'active') {
      const prevSlot = this.curSlot;
      this.curSlot = slot;
      this.curDir = 0;
      this.setInfo(slot, this.table.transport(slot) === 'tcp' ? 'tcp' : 'udp');
      this.reasm.flush(slot, this.deliverBound, this.gapBound);
      this.dispatcher.end(app, this.ctx);
      this.curSlot = prevSlot;
      this.apps[slot] = undefined;
      this.reasm.release(slot);
    }
    this.stats.flowEnded(reason, this.table.appId(slot));
    const finished = this.finished;
    if (finished !== undefined) {
      finished.slot = slot;
      finished.reason = reason;
      const handlers = this.finishedHandlers;
      for (let i = 0; i < handlers.length; i++) handlers[i](finished);
    }
    if (this.flowHandlers.length > 0 || this.wantsFlowEnd()) {
      // Lazy when every subscriber reads by name: uid and Community ID then cost nothing until someone reads them.
      // One lazy record refilled for every flow: its subscribers keep a copy where they keep one (holdFlow).
      const rec = this.lazyFlows()
        ? (this.flowView = this.table.toLazyRecord(slot, this.ids, this.files, this.appNames, reason, this.flowView) as unknown as LazyFlowRecord)
        : this.table.toRecord(slot, this.files, this.appNames, reason, this.communityId(slot), this.uid(slot));
      this.publishFlow(rec);
    }
    this.forgetUid(slot);
  }

  /** A finished flow to the flow subscribers (and as `flow.end`); flow-record sources call it directly. */
  private publishFlow(rec: FlowRecord): void {
    const handlers = this.flowHandlers;
    for (let i = 0; i < handlers.length; i++) handlers[i](rec);
    if (this.wantsFlowEnd()) this.publish({ ...rec, type: 'flow.end', ts: rec.last_ts, packet: rec.last_packet } as unknown as EventRecord);
  }

  private wantsFlowStart(): boolean {
    if (this.flowStartWanted < 0) this.flowStartWanted = this.wants('flow.start') ? 1 : 0;
    return this.flowStartWanted === 1;
  }

  private wantsArp(): boolean {
    if (this.arpWanted < 0) this.arpWanted = this.wants('arp.request') || this.wants('arp.reply') ? 1 : 0;
    return this.arpWanted === 1;
  }

  private wantsFlowEnd(): boolean {
    if (this.flowEndWanted < 0) this.flowEndWanted = this.wants('flow.end') ? 1 : 0;
    return this.flowEndWanted === 1;
  }

  private uid(slot: number): string {
    if (slot >= this.uidKnown.length) {
      const n = Math.max(1024, this.uidKnown.length * 2, slot + 1);
      const words = new Uint32Array(n * 3);
      words.set(this.uidWords);
      const known = new Uint8Array(n);
      known.set(this.uidKnown);
      // Detached once copied: the old buffers are released now, not at a later collection (peak RSS).
      this.uidWords.buffer.transfer(0);
      this.uidKnown.buffer.transfer(0);
      this.uidWords = words;
      this.uidKnown = known;
    }
    if (this.uidKnown[slot] === 0) {
      this.opts.site.flowUidWords(this.communityId(slot), this.table.firstTs(slot), this.table.flowId(slot), this.uidWords, slot * 3);
      this.uidKnown[slot] = 1;
    }
    return uidOfWords(this.uidWords, slot * 3);
  }

  private forgetUid(slot: number): void {
    if (slot < this.uidKnown.length) this.uidKnown[slot] = 0;
  }

  /** The flow's Community ID (the flow table keeps its digest once computed). */
  private communityId(slot: number): string {
    return this.table.communityId(slot);
  }

  /** Emit an event of the current flow, with the envelope filled from the flow and the packet. */
  private emitFlowEvent(type: string, fields: EventFields, dir: Dir = this.curDir): void {
    const slot = this.curSlot;
    const fromOrig = dir === 0;
    const t = this.table;
    const entry = this.typeEntry(type);
    if (entry.parts && this.parts!(type, this.ts, this.files[this.fileIndex], this.packetNo, t.tupleOf(slot, this.tuple), t.transport(slot), fromOrig, fields)) {
      entry.count.n++;
      return;
    }
    if (entry.lazy) {
      this.publishTo(entry, new LazyFlowEvent(this.ids, t.tupleOf(slot, this.tuple), type, this.ts, this.files[this.fileIndex], this.packetNo,
        t.transport(slot), fromOrig, t.origIp(slot), t.respIp(slot), fields) as unknown as EventRecord);
      return;
    }
    const ev: EventRecord = {
      type,
      ts: this.ts,
      file: this.files[this.fileIndex],
      packet: this.packetNo,
      community_id: this.communityId(slot),
      flow_id: t.flowId(slot),
      uid: this.uid(slot),
      transport: t.transport(slot),
      src_ip: fromOrig ? t.origIp(slot) : t.respIp(slot),
      src_port: fromOrig ? t.origPort(slot) : t.respPort(slot),
      dst_ip: fromOrig ? t.respIp(slot) : t.origIp(slot),
      dst_port: fromOrig ? t.respPort(slot) : t.origPort(slot),
      from_orig: fromOrig,
      ...fields,
    };
    ev.type = type; // a payload never renames the event
    this.publishTo(entry, ev);
  }

  private emitArp(): void {
    const fields = arpEventFields(this.view);
    const type = this.view.arpOp === 2 ? 'arp.reply' : 'arp.request';
    if (!this.wants(type)) return;
    const slot = this.curSlot;
    const entry = this.typeEntry(type);
    if (entry.lazy) {
      this.publishTo(entry, new LazyArpEvent(this.ids, this.table.tupleOf(slot, this.tuple), type, this.ts, this.files[this.fileIndex], this.packetNo, fields) as unknown as EventRecord);
      return;
    }
    this.publishTo(entry, { type, ts: this.ts, file: this.files[this.fileIndex], packet: this.packetNo, flow_id: this.table.flowId(slot), uid: this.uid(slot), transport: 'arp', ...fields });
  }

  private anyWantsNdp(): boolean {
    return this.anyHandlers.length > 0 || this.handlers.has('ndp.neighbor_solicit') || this.handlers.has('ndp.neighbor_advert') ||
      this.handlers.has('ndp.router_solicit') || this.handlers.has('ndp.router_advert');
  }

  private publish(ev: EventRecord): void {
    this.publishTo(this.typeEntry(ev.type), ev);
  }

  /** Publish an event of the type `entry` describes. */
  private publishTo(entry: EventTypeEntry, ev: EventRecord): void {
    entry.count.n++;
    const list = entry.handlers;
    for (let i = 0; i < list.length; i++) list[i](ev);
    const any = this.anyHandlers;
    for (let i = 0; i < any.length; i++) any[i](ev);
  }

  private typeEntry(type: string): EventTypeEntry {
    let entry = this.typeEntries.get(type);
    if (entry === undefined) {
      if (this.typeEntries.size >= EVENT_TYPES_MAX) this.typeEntries.clear();
      const lazy = this.lazyEvents(type);
      entry = { handlers: this.handlers.get(type) ?? noHandlers, lazy, parts: lazy && this.onlySubscriber(type, this.partsOf), count: this.stats.eventCounter(type) };
      this.typeEntries.set(type, entry);
    }
    return entry;
  }
}
