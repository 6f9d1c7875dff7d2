/**
 * The detection engine: runs detectors on the pipeline's events and turns their reports into findings.
 * Repeat suppression and aggregation live only here: reports with the same (detector, key) become one
 * finding with a count, a time span, merged devices and bounded evidence.
 *
 * Lifecycle (packet time): a finding is raised by the report that creates it, updated as reports add to it
 * (published at most every `updateIntervalS`), closed after `closeAfterS` without a report (or at the end of
 * input), and raised again (next `occurrence`) when its key is reported after closing. Changes are queued
 * with a snapshot (its devices named by the inventory as it stands at that packet, so the published changes are
 * the same on every run) and published by `drain()` (the caller drains about once a second of wall clock).
 * Suppression rules silence reports, counted.
 * @module
 */
import type { EventRecord } from '../pipeline/analyze.ts';
import { onFirstPackets, type RecordSource } from '../pipeline/record-source.ts';
import { FirstPacket } from '../pipeline/first-packet.ts';
import type { FlowRecord } from '../flow/types.ts';
import { isoTime } from '../capture/time-range.ts';
import { NetSet } from '../pipeline/netset.ts';
import type { Site } from '../pipeline/site.ts';
import type {
  DetectionOptions, DetectionStats, Detector, DetectorContext, DetectorInstance, EvidenceRef, Finding, FindingChange, Report, Severity,
  SuppressionRule,
} from './types.ts';
import { compileTemplate, renderCompiled, type CompiledTemplate } from './template.ts';
import { useSite } from './lib/net.ts';
import { sha1 } from '../flow/sha1.ts';

const idDigest = new Uint8Array(20);
/** Room for the UTF-8 of a key of up to `shortKey` characters (at most 3 bytes each); longer keys get their own buffer. */
const shortKey = 128;
const idBytes = Buffer.alloc(shortKey * 3);
const hexByte = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/**
 * A finding's id: the detector and 12 hex digits of SHA-1 of the key's UTF-8 bytes. SHA-1 in JavaScript
 * (src/flow/sha1.ts), not node:crypto: a run that needs no other hash does not load it (about 10 ms of CPU).
 * Checked against node:crypto in engine.test.ts.
 */
export function findingId(detectorId: string, key: string): string {
  let bytes: Uint8Array = idBytes;
  let n: number;
  if (key.length <= shortKey) n = idBytes.write(key, 0, 'utf8');
  else {
    bytes = Buffer.from(key, 'utf8');
    n = bytes.length;
  }
  sha1(bytes, n, idDigest, 0);
  let hex = '';
  for (let i = 0; i < 6; i++) hex += hexByte[idDigest[i]];
  return `${detectorId}:${hex}`;
}

export const severityRank: Record<Severity, number> = { info: 0, low: 1, medium: 2, high: 3, critical: 4 };

export const defaultDetectionOptions: DetectionOptions = {
  options: {},
  maxFindings: 10000,
  maxEvidencePerFinding: 20,
  maxCommunityIdsPerFinding: 50,
  maxDevicesPerFinding: 20,
  closeAfterS: 3600,
  updateIntervalS: 60,
  maxClosedFindings: 10000,
  suppress: [],
};

/** Packet-time seconds between lifecycle sweeps (closing quiet findings, publishing updates). */
const sweepEveryS = 5;

/** A published change: the finding as it was when it changed, and what changed. */
export type FindingChangeHandler = (finding: Finding, change: FindingChange) => void;

/** Placeholders every template may use besides the report's data. */
export const enginePlaceholders = ['count', 'first_seen', 'last_seen'] as const;

const maxFactKeys = 32;
const maxFactString = 256;
const maxFactArray = 50;

interface Aggregate {
  detector: Detector;
  /** The report key, and the open findings of its detector by report key (it leaves them when it closes). */
  reportKey: string;
  open: Map<string, Aggregate>;
  finding: Finding;
  messageId: string;
  data: Record<string, string | number>;
  severityRank: number;
  communityIds: Set<string>;
  /** The Community ID last found in (or added to) `communityIds`: a flow's reports come in a row. */
  lastCid: string | undefined;
  /**
   * The merged facts (`finding.facts` is an empty placeholder holding the field's place until rendered): a Map
   * set per key costs a fraction of a store to an object under a different key each time (mergeFacts).
   */
  facts: Map<string, unknown> | undefined;
  /** first_seen and last_seen as last rendered, with the times they render (rendered again only when changed). */
  firstSeenTs: number;
  firstSeen: string;
  lastSeenTs: number;
  lastSeen: string;
  /** Packet time of the latest report and of the latest published change. */
  lastReportTs: number;
  lastPublishTs: number;
  /** Reports since the last published change. */
  dirty: boolean;
}

/**
 * A detector and its instance, as the dispatch loops visit them (one object shape for every entry). The
 * handlers are read from the instance once, here: each detector's instance has its own shape, so reading
 * `instance.onFlow` in the loop was a megamorphic load per detector per flow, packet and event. Called with
 * the instance as `this`, as before.
 */
interface Entry {
  detector: Detector;
  instance: DetectorInstance;
  onFlow: DetectorInstance['onFlow'];
  onEvent: DetectorInstance['onEvent'];
  onFirstPacket: DetectorInstance['onFirstPacket'];
}

/**
 * What `report` needs of the detector that reports, fixed when the engine is built: its open findings, the
 * count of its reports (kept here, written to `stats.by_detector` when the stats are read: a keyed load and
 * store on a dictionary per report cost more than the rest of a report that only adds to a count) and the
 * message id last found in its `messages` (detectors report one message many times in a row).
 */
interface Channel {
  detector: Detector;
  open: Map<string, Aggregate>;
  /** Shared by the channels of one detector id. */
  counter: ReportCounter;
  knownMessageId: string | undefined;
}

interface ReportCounter {
  id: string;
  reports: number;
}

interface CompiledMessage {
  title: CompiledTemplate;
  explanation: CompiledTemplate;
  /** The texts compiled (a message object changed in place is compiled again). */
  titleSource: string;
  explanationSource: string;
}

/** Message templates compiled once per message object (messages are static parts of detector modules). */
const compiledMessages = new WeakMap<object, CompiledMessage>();

function compiledMessage(message: { title: string; explanation: string }): CompiledMessage {
  let c = compiledMessages.get(message);
  if (c === undefined || c.titleSource !== message.title || c.explanationSource !== message.explanation) {
    c = { title: compileTemplate(message.title), explanation: compileTemplate(message.explanation), titleSource: message.title, explanationSource: message.explanation };
    compiledMessages.set(message, c);
  }
  return c;
}

interface CompiledRule {
  rule: SuppressionRule;
  device?: (d: { ip: string; mac?: string }) => boolean;
  peer?: (d: { ip: string; mac?: string }) => boolean;
  stats: { rule: SuppressionRule; reports: number; count: number };
}

/** A device/peer matcher: a MAC (any case), or an IP or CIDR prefix. */
function matcher(spec: string): (d: { ip: string; mac?: string }) => boolean {
  if (/^[0-9a-f]{2}([:-][0-9a-f]{2}){5}$/i.test(spec)) {
    const mac = spec.toLowerCase().replaceAll('-', ':');
    return (d) => d.mac?.toLowerCase() === mac;
  }
  const nets = new NetSet([spec]);
  return (d) => nets.has(d.ip);
}

/** Resolved options of a detector: defaults from its OptionSpecs, then the overrides. */
export function resolveOptions(detector: Detector, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(detector.options)) out[name] = spec.default;
  for (const [name, value] of Object.entries(overrides)) {
    if (!(name in detector.options)) throw new Error(`detector ${detector.id}: unknown option '${name}'`);
    out[name] = value;
  }
  return out;
}

export class DetectionEngine {
  readonly detectors: readonly Detector[];
  private readonly opts: DetectionOptions;
  private readonly instances: Entry[] = [];
  /** Entries by event type, and for finished flows: only instances that have the handler (an idle one has none). */
  private readonly byEvent = new Map<string, Entry[]>();
  private readonly byFlow: Entry[] = [];
  /** Subscribers to 'flow.start' that take the first packet as numbers (onFirstPacket), not the event. */
  private readonly byFirstPacket: Entry[] = [];
  /** The fact a `flow.start` event fed to `onEvent` is turned into (reused). */
  private readonly startFact = new FirstPacket();
  /** Instances with a `tick` (one in twenty): the clock advances once a second of packet time. */
  private readonly tickers: Entry[] = [];
  /** Open findings by (detector, key), in the order raised (sweeps and results follow it). */
  private readonly aggregates = new Map<string, Aggregate>();
  /** Closed findings kept for the result, oldest first (bounded by maxClosedFindings). */
  private readonly closed: Aggregate[] = [];
  private closedHead = 0;
  /** Occurrences so far of keys whose finding closed (bounded: forgetting one restarts its numbering). */
  private readonly occurrences = new Map<string, { n: number; evidence?: EvidenceRef }>();
  /** Changes not yet published, in order. */
  private pending: { agg: Aggregate; change: FindingChange; snapshot: Finding }[] = [];
  private readonly changeHandlers: FindingChangeHandler[] = [];
  private readonly rules: CompiledRule[];
  private readonly site?: Site;
  private lastSweep = -Infinity;
  /**
   * Lower bounds of the open findings' `lastReportTs` and of the dirty findings' `lastPublishTs` (lowered as
   * they change, exact again after each full sweep): a sweep that would close and publish nothing is skipped
   * without visiting every open finding.
   */
  private closeBound = Infinity;
  private updateBound = Infinity;
  /** Names of placeholders without a value, per render (reused). */
  private readonly missing: string[] = [];
  private clock = -Infinity;
  private finished = false;
  private flushed = false;
  private readonly counts: DetectionStats = {
    reports: 0, findings: 0, suppressed: 0, dropped_findings: 0, evidence_dropped: 0, community_ids_dropped: 0,
    by_detector: {}, template_errors: [], detector_errors: {}, raised: 0, updated: 0, closed: 0, closed_dropped: 0,
  };
  /** Report counters of the detectors that reported, in the order of their first report (by_detector's order). */
  private readonly reporting: ReportCounter[] = [];

  /** Counters of the run so far (`by_detector` brought up to date when read). */
  get stats(): DetectionStats {
    const byDetector = this.counts.by_detector;
    const reporting = this.reporting;
    for (let i = 0; i < reporting.length; i++) byDetector[reporting[i].id] = reporting[i].reports;
    return this.counts;
  }

  constructor(detectors: readonly Detector[], options: Partial<DetectionOptions> & { site?: Site } = {}) {
    this.detectors = detectors;
    const { site, ...rest } = options;
    this.site = site;
    this.opts = { ...defaultDetectionOptions, ...rest };
    this.rules = this.opts.suppress.map((rule) => {
      if (rule.detector === undefined && rule.device === undefined && rule.peer === undefined) throw new Error('a suppression rule needs a detector, device or peer');
      const stats = { rule, reports: 0, count: 0 };
      return { rule, stats, device: rule.device === undefined ? undefined : matcher(rule.device), peer: rule.peer === undefined ? undefined : matcher(rule.peer) };
    });
    if (this.rules.length > 0) this.counts.suppressed_by_rule = this.rules.map((r) => r.stats);
    for (const id of Object.keys(this.opts.options)) {
      if (!detectors.some((d) => d.id === id)) throw new Error(`options given for unknown detector '${id}'`);
    }
    const openByDetector = new Map<string, Map<string, Aggregate>>();
    const counterById = new Map<string, ReportCounter>();
    for (const detector of detectors) {
      // Open findings of this detector by report key: found without building "<detector> <key>" per report.
      let open = openByDetector.get(detector.id);
      if (open === undefined) openByDetector.set(detector.id, (open = new Map()));
      let counter = counterById.get(detector.id);
      if (counter === undefined) counterById.set(detector.id, (counter = { id: detector.id, reports: 0 }));
      const channel: Channel = { detector, open, counter, knownMessageId: undefined };
      const ctx: DetectorContext = { report: (r) => this.report(channel, r), devices: this.opts.devices };
      const instance = detector.create(ctx, resolveOptions(detector, this.opts.options[detector.id]));
      const entry: Entry = { detector, instance, onFlow: instance.onFlow, onEvent: instance.onEvent, onFirstPacket: instance.onFirstPacket };
      this.instances.push(entry);
      if (instance.tick !== undefined) this.tickers.push(entry);
      // An instance without the handler (c2.indicator without indicator lists, policy.mud without profiles)
      // subscribes to nothing: the pipeline then builds no record for it alone.
      for (const type of detector.subscribes) {
        if (type === 'flow.end') {
          if (instance.onFlow !== undefined) this.byFlow.push(entry);
        } else if (type === 'flow.start' && instance.onFirstPacket !== undefined) {
          this.byFirstPacket.push(entry);
        } else if (instance.onEvent !== undefined) {
          const list = this.byEvent.get(type);
          if (list) list.push(entry);
          else this.byEvent.set(type, [entry]);
        }
      }
    }
  }

  /** Event types the detectors need (the union of their `subscribes`, less what no instance handles). */
  get subscriptions(): string[] {
    const types = [...this.byEvent.keys(), ...(this.byFlow.length > 0 ? ['flow.end'] : [])];
    if (this.byFirstPacket.length > 0 && !types.includes('flow.start')) types.push('flow.start');
    return types;
  }

  /**
   * Subscribe to exactly the events the detectors need, and to the source's clock and flush. Call
   * `findings()` after the run.
   */
  attach(pipeline: RecordSource): this {
    // One handler per type with its detectors bound: no lookup of the type per event.
    for (const [type, list] of this.byEvent) pipeline.on(type, (ev) => this.dispatch(list, ev));
    if (this.byFirstPacket.length > 0) onFirstPackets(pipeline, (p) => this.onFirstPacket(p));
    if (this.byFlow.length > 0) pipeline.onFlow((flow) => this.onFlow(flow));
    pipeline.onTick((now) => this.tick(now));
    pipeline.onFlush(() => this.flush());
    return this;
  }

  /** Subscribe to finding changes (raised / updated / closed), published by `drain()`. */
  onChange(handler: FindingChangeHandler): this {
    this.changeHandlers.push(handler);
    return this;
  }

  onEvent(ev: EventRecord): void {
    const list = this.byEvent.get(ev.type);
    if (list !== undefined) this.dispatch(list, ev);
    if (ev.type === 'flow.start' && this.byFirstPacket.length > 0) this.onFirstPacket(this.startFact.fromEvent(ev));
  }

  /** A new flow's first packet to the detectors that take it as numbers. */
  onFirstPacket(p: FirstPacket): void {
    if (this.site) useSite(this.site);
    const list = this.byFirstPacket;
    for (let i = 0; i < list.length; i++) {
      const entry = list[i];
      try {
        entry.onFirstPacket!.call(entry.instance, p);
      } catch {
        this.detectorError(entry.detector);
      }
    }
  }

  /** Run the detectors subscribed to one event type (indexed loop: no iterator or destructuring per event). */
  private dispatch(list: readonly Entry[], ev: EventRecord): void {
    if (this.site) useSite(this.site);
    for (let i = 0; i < list.length; i++) {
      const entry = list[i];
      try {
        entry.onEvent!.call(entry.instance, ev);
      } catch {
        this.detectorError(entry.detector);
      }
    }
  }

  onFlow(flow: FlowRecord): void {
    if (this.site) useSite(this.site);
    const list = this.byFlow;
    for (let i = 0; i < list.length; i++) {
      const entry = list[i];
      try {
        entry.onFlow!.call(entry.instance, flow);
      } catch {
        this.detectorError(entry.detector);
      }
    }
  }

  private detectorError(detector: Detector): void {
    this.counts.detector_errors[detector.id] = (this.counts.detector_errors[detector.id] ?? 0) + 1;
  }

  /**
   * Lifecycle: the clock advanced to `now`. Detectors age their windows; every few seconds of packet time
   * quiet findings close and findings with new reports publish an update (rate-limited per finding).
   */
  tick(now: number): void {
    if (now > this.clock) this.clock = now;
    if (this.site) useSite(this.site);
    // An indexed loop: the clock ticks about once per packet, and a destructuring for-of made iterator results
    // (0.7 MB of garbage per 200,000 Mirai packets, sampling heap profile).
    const tickers = this.tickers;
    for (let i = 0; i < tickers.length; i++) {
      const entry = tickers[i];
      try {
        entry.instance.tick!(now);
      } catch {
        this.detectorError(entry.detector);
      }
    }
    if (now - this.lastSweep < sweepEveryS && now >= this.lastSweep) return;
    this.lastSweep = now;
    const { closeAfterS, updateIntervalS } = this.opts;
    // Every open finding has lastReportTs >= closeBound and every dirty one lastPublishTs >= updateBound: the
    // sweep below would find nothing due (NaN compares false both here and there, and sweeps).
    if (now - this.closeBound < closeAfterS && now - this.updateBound < updateIntervalS) return;
    let closeBound = Infinity;
    let updateBound = Infinity;
    // forEach, not for-of: no [key, value] array per open finding on every sweep.
    this.aggregates.forEach((agg, key) => {
      if (now - agg.lastReportTs >= closeAfterS) return this.close(key, agg, now);
      if (agg.dirty && now - agg.lastPublishTs >= updateIntervalS) this.queue(agg, 'updated', now);
      if (agg.lastReportTs < closeBound) closeBound = agg.lastReportTs;
      if (agg.dirty && agg.lastPublishTs < updateBound) updateBound = agg.lastPublishTs;
    });
    this.closeBound = closeBound;
    this.updateBound = updateBound;
  }

  /** Lifecycle: end of input or stop. Detectors report what their windows hold, then every open finding closes. */
  flush(): void {
    if (this.flushed) return;
    this.flushed = true;
    this.finish();
    const at = this.clock;
    for (const [key, agg] of this.aggregates) this.close(key, agg, Math.max(at, agg.finding.last_ts), false);
  }

  /** Publish queued changes (in order) to the change subscribers. Device ids are looked up now. */
  drain(): number {
    const batch = this.pending;
    if (batch.length === 0) return 0;
    this.pending = [];
    for (const { snapshot, change } of batch) for (const h of this.changeHandlers) h(snapshot, change);
    return batch.length;
  }

  /** Changes waiting for `drain()`. */
  get pendingChanges(): number {
    return this.pending.length;
  }

  private queue(agg: Aggregate, change: FindingChange, now: number): void {
    agg.dirty = false;
    agg.lastPublishTs = now;
    if (change === 'raised') this.counts.raised = (this.counts.raised ?? 0) + 1;
    else if (change === 'updated') this.counts.updated = (this.counts.updated ?? 0) + 1;
    else this.counts.closed = (this.counts.closed ?? 0) + 1;
    if (this.changeHandlers.length > 0) {
      // Named now, by the inventory as it stands at this packet: named when drained (by the wall clock), the same
      // capture gave different device ids in the published changes from one run to the next.
      this.pending.push({ agg, change, snapshot: this.rendered(agg) });
    }
  }

  /** `compact`: closed while the run goes on, so kept smaller (the published closing line had it all). */
  private close(key: string, agg: Aggregate, at: number, compact = true): void {
    agg.finding.state = 'closed';
    agg.finding.closed_ts = at;
    this.queue(agg, 'closed', at);
    if (compact) compactClosed(agg.finding);
    this.aggregates.delete(key);
    agg.open.delete(agg.reportKey);
    if (this.occurrences.size >= this.opts.maxFindings * 4) this.occurrences.clear();
    this.occurrences.set(key, { n: agg.finding.occurrence ?? 1, evidence: agg.finding.evidence.at(-1) });
    // The closed finding's evidence set is not needed any more: free it.
    agg.communityIds = new Set();
    agg.lastCid = undefined;
    this.closed.push(agg);
    if (this.closed.length - this.closedHead > this.opts.maxClosedFindings) {
      this.closed[this.closedHead++] = undefined as unknown as Aggregate;
      this.counts.closed_dropped = (this.counts.closed_dropped ?? 0) + 1;
      if (this.closedHead > 1024 && this.closedHead * 2 > this.closed.length) {
        this.closed.splice(0, this.closedHead);
        this.closedHead = 0;
      }
    }
  }

  /** A suppression rule the report matches, if any. */
  private suppressedBy(detector: Detector, r: Report): CompiledRule | undefined {
    for (const rule of this.rules) {
      if (rule.rule.detector !== undefined && rule.rule.detector !== detector.id) continue;
      const dev = rule.device ? r.devices.find(rule.device) : undefined;
      if (rule.device && dev === undefined) continue;
      if (rule.peer && !r.devices.some((d) => d !== dev && rule.peer!(d))) continue;
      return rule;
    }
    return undefined;
  }

  /** End of input: detectors report what their windows still hold. Idempotent. */
  finish(): void {
    if (this.finished) return;
    this.finished = true;
    if (this.site) useSite(this.site);
    for (const { detector, instance } of this.instances) {
      try {
        instance.finish?.();
      } catch {
        this.detectorError(detector);
      }
    }
  }

  /**
   * The findings of the run (closed ones kept up to maxClosedFindings, then the open ones), most severe
   * first, then by first time seen. Titles and explanations rendered now.
   */
  findings(): Finding[] {
    this.finish();
    const out: Finding[] = [];
    for (let i = this.closedHead; i < this.closed.length; i++) out.push(this.rendered(this.closed[i]));
    for (const agg of this.aggregates.values()) out.push(this.rendered(agg));
    out.sort((a, b) => severityRank[b.severity] - severityRank[a.severity] || a.first_ts - b.first_ts || (a.id < b.id ? -1 : 1));
    return out;
  }

  private report(channel: Channel, r: Report): void {
    const stats = this.counts;
    const detector = channel.detector;
    const open = channel.open;
    stats.reports++;
    if (channel.counter.reports++ === 0) this.reporting.push(channel.counter);
    if (r.messageId !== channel.knownMessageId) {
      if (!(r.messageId in detector.messages)) {
        this.templateError(`${detector.id}/${r.messageId}/(unknown message)`);
        return;
      }
      // Messages are static parts of detector modules: a name found once stays found.
      channel.knownMessageId = r.messageId;
    }
    const count = r.count ?? 1;
    if (this.rules.length > 0) {
      const rule = this.suppressedBy(detector, r);
      if (rule) {
        rule.stats.reports++;
        rule.stats.count += count;
        return;
      }
    }
    let agg = open.get(r.key);
    const rank = severityRank[r.severity ?? detector.severity];
    let raised = false;
    if (agg === undefined) {
      if (this.aggregates.size >= this.opts.maxFindings) {
        stats.dropped_findings++;
        return;
      }
      raised = true;
      // Keys the findings of all detectors in one map, and the occurrences of closed ones.
      const aggKey = `${detector.id}\u0000${r.key}`;
      agg = {
        detector,
        reportKey: r.key,
        open,
        messageId: r.messageId,
        data: r.data,
        severityRank: rank,
        communityIds: new Set(),
        lastCid: undefined,
        facts: undefined,
        firstSeenTs: NaN,
        firstSeen: '',
        lastSeenTs: NaN,
        lastSeen: '',
        lastReportTs: r.ts,
        lastPublishTs: r.ts,
        dirty: false,
        finding: {
          id: findingId(detector.id, r.key),
          detector: detector.id,
          category: detector.category,
          severity: r.severity ?? detector.severity,
          confidence: r.confidence ?? detector.confidence,
          title: '',
          explanation: '',
          devices: [],
          first_ts: r.ts,
          last_ts: r.ts,
          count: 0,
          community_ids: [],
          community_ids_dropped: 0,
          evidence: [],
          evidence_dropped: 0,
          references: detector.references,
          state: 'open',
          occurrence: (this.occurrences.get(aggKey)?.n ?? 0) + 1,
        },
      };
      // Raised again by a report that only adds to a count (a detector's end-of-window total): the packet
      // that proved the earlier occurrence still proves this one.
      const before = r.evidence === undefined ? this.occurrences.get(aggKey)?.evidence : undefined;
      if (before) this.addEvidence(agg, before);
      this.aggregates.set(aggKey, agg);
      open.set(r.key, agg);
      if (r.ts < this.closeBound) this.closeBound = r.ts;
      stats.findings++;
    } else {
      agg.dirty = true;
      if (agg.lastPublishTs < this.updateBound) this.updateBound = agg.lastPublishTs;
      stats.suppressed++;
      // The most severe report names the finding; among equals the latest (its data is the most complete).
      if (rank >= agg.severityRank) {
        agg.severityRank = rank;
        agg.messageId = r.messageId;
        agg.data = r.data;
        if (r.severity) agg.finding.severity = r.severity;
      }
      if (r.confidence !== undefined && r.confidence > agg.finding.confidence) agg.finding.confidence = r.confidence;
    }
    const f = agg.finding;
    f.count += count;
    if (r.ts < f.first_ts) f.first_ts = r.ts;
    if (r.ts > f.last_ts) f.last_ts = r.ts;
    const devices = r.devices;
    for (let i = 0; i < devices.length; i++) this.addDevice(agg, devices[i]);
    if (r.evidence) this.addEvidence(agg, r.evidence);
    if (r.facts) mergeFacts(agg, r.facts);
    if (r.ts > agg.lastReportTs) agg.lastReportTs = r.ts;
    if (r.ts > this.clock) this.clock = r.ts;
    if (raised) this.queue(agg, 'raised', r.ts);
  }

  private addDevice(agg: Aggregate, d: Report['devices'][number]): void {
    const f = agg.finding;
    const devices = f.devices;
    // A linear look at the few kept (maxDevicesPerFinding, 20) rather than a "role|ip" string and a set per report.
    for (let i = 0; i < devices.length; i++) if (devices[i].ip === d.ip && devices[i].role === d.role) return;
    if (devices.length >= this.opts.maxDevicesPerFinding) {
      f.devices_dropped = (f.devices_dropped ?? 0) + 1;
      return;
    }
    const entry: Finding['devices'][number] = { role: d.role, ip: d.ip };
    if (d.mac) entry.mac = d.mac;
    devices.push(entry);
  }

  private addEvidence(agg: Aggregate, ev: EvidenceRef): void {
    const f = agg.finding;
    if (f.evidence.length < this.opts.maxEvidencePerFinding) f.evidence.push(ev);
    else {
      f.evidence_dropped++;
      this.counts.evidence_dropped++;
    }
    const cid = ev.community_id;
    if (cid === undefined || cid === agg.lastCid) return;
    if (agg.communityIds.has(cid)) {
      agg.lastCid = cid;
      return;
    }
    if (f.community_ids.length < this.opts.maxCommunityIdsPerFinding) {
      agg.communityIds.add(cid);
      agg.lastCid = cid;
      f.community_ids.push(cid);
    } else {
      // Not remembered past the cap, so a repeated flow may be counted twice here: an upper bound.
      f.community_ids_dropped++;
      this.counts.community_ids_dropped++;
    }
  }

  /** The finding with title and explanation, its devices named by the inventory as it stands now. */
  private rendered(agg: Aggregate): Finding {
    const f = agg.finding;
    const compiled = compiledMessage(agg.detector.messages[agg.messageId]);
    // The report's data with the engine's placeholders over it, read in place (no merged copy per render).
    const data = agg.data;
    const value = (name: string): unknown => name === 'count' ? f.count
      : name === 'first_seen' ? this.firstSeen(agg) : name === 'last_seen' ? this.lastSeen(agg) : data[name];
    const missing = this.missing;
    missing.length = 0;
    const title = renderCompiled(compiled.title, value, missing);
    const explanation = renderCompiled(compiled.explanation, value, missing);
    for (let i = 0; i < missing.length; i++) this.templateError(`${agg.detector.id}/${agg.messageId}/${missing[i]}`);
    // The finding's own keys in its own order (JSON output follows it), its arrays and facts copied.
    const out: Finding = { ...f };
    out.title = title;
    out.explanation = explanation;
    out.devices = f.devices.map((d) => this.named(d));
    out.evidence = f.evidence.slice();
    out.community_ids = f.community_ids.slice();
    if (f.facts) out.facts = factsObject(agg.facts);
    return out;
  }

  /** isoTime of the first and last report, formatted again only when they moved. */
  private firstSeen(agg: Aggregate): string {
    const ts = agg.finding.first_ts;
    if (ts !== agg.firstSeenTs) {
      agg.firstSeenTs = ts;
      agg.firstSeen = isoTime(ts);
    }
    return agg.firstSeen;
  }

  private lastSeen(agg: Aggregate): string {
    const ts = agg.finding.last_ts;
    if (ts !== agg.lastSeenTs) {
      agg.lastSeenTs = ts;
      agg.lastSeen = isoTime(ts);
    }
    return agg.lastSeen;
  }

  /** Device ids from the inventory, looked up when findings are read (the inventory fills during the run). */
  private named(d: Finding['devices'][number]): Finding['devices'][number] {
    const lookup = this.opts.devices;
    const record = lookup === undefined ? undefined
      : lookup.refOf ? lookup.refOf(d.ip, d.mac) : ((d.mac ? lookup.byMac(d.mac) : undefined) ?? lookup.byIp(d.ip));
    if (record === undefined) return { ...d };
    const out: Finding['devices'][number] = { ...d, device_id: record.id };
    if (!out.mac && record.mac) out.mac = record.mac;
    return out;
  }

  private templateError(what: string): void {
    if (!this.counts.template_errors.includes(what) && this.counts.template_errors.length < 100) this.counts.template_errors.push(what);
  }
}

/** Evidence and Community IDs a finding closed during the run keeps in memory (the rest is counted as dropped). */
const closedEvidence = 5;
const closedCommunityIds = 5;

/**
 * A finding that closed while the run goes on was published whole; the copy kept for the run's result
 * keeps its first packets and flows only, so a sensor running for weeks does not grow with its history.
 */
function compactClosed(f: Finding): void {
  if (f.evidence.length > closedEvidence) {
    f.evidence_dropped += f.evidence.length - closedEvidence;
    f.evidence = f.evidence.slice(0, closedEvidence);
  }
  if (f.community_ids.length > closedCommunityIds) {
    f.community_ids_dropped += f.community_ids.length - closedCommunityIds;
    f.community_ids = f.community_ids.slice(0, closedCommunityIds);
  }
}

/**
 * Shallow merge, latest value wins (a key keeps the place of its first merge); bounded in keys, string length
 * and array length. Into the aggregate's Map; the finding's `facts` field is set (empty) at the first merge so
 * the rendered finding has it where a merge into the field itself had put it.
 */
function mergeFacts(agg: Aggregate, facts: Record<string, unknown>): void {
  let target = agg.facts;
  if (target === undefined) {
    agg.facts = target = new Map();
    agg.finding.facts ??= {};
  }
  // for-in, not Object.entries: no array per report (facts are plain object literals: own keys, same order).
  for (const k in facts) {
    // A plain object took this as its prototype, never as a fact (a spread of it did not copy it).
    if (k === '__proto__') continue;
    if (target.size >= maxFactKeys && !target.has(k)) continue;
    target.set(k, boundedFact(facts[k]));
  }
}

/** The merged facts as the object a merge into a plain object had made (keys in the order first merged). */
function factsObject(facts: Map<string, unknown> | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (facts !== undefined) for (const [k, v] of facts) out[k] = v;
  return out;
}

function boundedFact(v: unknown): unknown {
  if (typeof v === 'string') return v.length > maxFactString ? `${v.slice(0, maxFactString)}…` : v;
  if (Array.isArray(v)) return v.slice(0, maxFactArray).map((x) => (typeof x === 'string' && x.length > maxFactString ? `${x.slice(0, maxFactString)}…` : x));
  return v;
}
