/**
 * The detection engine: runs detectors on the pipeline's events and turns their reports into findings.
 * Repeat suppression and aggregation live only here: reports with the same (detector, key) become one
 * finding with a count, a time span, merged devices and bounded evidence.
 * @module
 */
import { createHash } from 'node:crypto';
import type { EventRecord } from '../pipeline/analyze.ts';
import type { RecordSource } from '../pipeline/record-source.ts';
import type { FlowRecord } from '../flow/types.ts';
import { isoTime } from '../capture/time-range.ts';
import type {
  DetectionOptions, DetectionStats, Detector, DetectorContext, DetectorInstance, EvidenceRef, Finding, Report, Severity,
} from './types.ts';
import { render } from './template.ts';

export const severityRank: Record<Severity, number> = { info: 0, low: 1, medium: 2, high: 3, critical: 4 };

export const defaultDetectionOptions: DetectionOptions = {
  options: {},
  maxFindings: 10000,
  maxEvidencePerFinding: 20,
  maxCommunityIdsPerFinding: 50,
  maxDevicesPerFinding: 20,
};

/** Placeholders every template may use besides the report's data. */
export const enginePlaceholders = ['count', 'first_seen', 'last_seen'] as const;

const maxFactKeys = 32;
const maxFactString = 256;
const maxFactArray = 50;

interface Aggregate {
  detector: Detector;
  finding: Finding;
  messageId: string;
  data: Record<string, string | number>;
  severityRank: number;
  deviceKeys: Set<string>;
  communityIds: Set<string>;
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
  private readonly instances: { detector: Detector; instance: DetectorInstance }[] = [];
  private readonly byEvent = new Map<string, { detector: Detector; instance: DetectorInstance }[]>();
  private readonly byFlow: { detector: Detector; instance: DetectorInstance }[] = [];
  private readonly aggregates = new Map<string, Aggregate>();
  private finished = false;
  readonly stats: DetectionStats = {
    reports: 0, findings: 0, suppressed: 0, dropped_findings: 0, evidence_dropped: 0, community_ids_dropped: 0,
    by_detector: {}, template_errors: [], detector_errors: {},
  };

  constructor(detectors: readonly Detector[], options: Partial<DetectionOptions> = {}) {
    this.detectors = detectors;
    this.opts = { ...defaultDetectionOptions, ...options };
    for (const id of Object.keys(this.opts.options)) {
      if (!detectors.some((d) => d.id === id)) throw new Error(`options given for unknown detector '${id}'`);
    }
    for (const detector of detectors) {
      const ctx: DetectorContext = { report: (r) => this.report(detector, r), devices: this.opts.devices };
      const instance = detector.create(ctx, resolveOptions(detector, this.opts.options[detector.id]));
      const entry = { detector, instance };
      this.instances.push(entry);
      for (const type of detector.subscribes) {
        if (type === 'flow.end') this.byFlow.push(entry);
        else {
          const list = this.byEvent.get(type);
          if (list) list.push(entry);
          else this.byEvent.set(type, [entry]);
        }
      }
    }
  }

  /** Event types the detectors need (the union of their `subscribes`). */
  get subscriptions(): string[] {
    return [...this.byEvent.keys(), ...(this.byFlow.length > 0 ? ['flow.end'] : [])];
  }

  /** Subscribe to exactly the events the detectors need. Call `finish()` (or `findings()`) after the run. */
  attach(pipeline: RecordSource): this {
    for (const type of this.byEvent.keys()) pipeline.on(type, (ev) => this.onEvent(ev));
    if (this.byFlow.length > 0) pipeline.onFlow((flow) => this.onFlow(flow));
    return this;
  }

  onEvent(ev: EventRecord): void {
    const list = this.byEvent.get(ev.type);
    if (list === undefined) return;
    for (const { detector, instance } of list) {
      try {
        instance.onEvent?.(ev);
      } catch {
        this.stats.detector_errors[detector.id] = (this.stats.detector_errors[detector.id] ?? 0) + 1;
      }
    }
  }

  onFlow(flow: FlowRecord): void {
    for (const { detector, instance } of this.byFlow) {
      try {
        instance.onFlow?.(flow);
      } catch {
        this.stats.detector_errors[detector.id] = (this.stats.detector_errors[detector.id] ?? 0) + 1;
      }
    }
  }

  /** End of input: detectors report what their windows still hold. Idempotent. */
  finish(): void {
    if (this.finished) return;
    this.finished = true;
    for (const { detector, instance } of this.instances) {
      try {
        instance.finish?.();
      } catch {
        this.stats.detector_errors[detector.id] = (this.stats.detector_errors[detector.id] ?? 0) + 1;
      }
    }
  }

  /** The findings, most severe first, then by first time seen. Titles and explanations rendered now. */
  findings(): Finding[] {
    this.finish();
    const out: Finding[] = [];
    for (const agg of this.aggregates.values()) out.push(this.rendered(agg));
    out.sort((a, b) => severityRank[b.severity] - severityRank[a.severity] || a.first_ts - b.first_ts || (a.id < b.id ? -1 : 1));
    return out;
  }

  private report(detector: Detector, r: Report): void {
    const stats = this.stats;
    stats.reports++;
    stats.by_detector[detector.id] = (stats.by_detector[detector.id] ?? 0) + 1;
    if (!(r.messageId in detector.messages)) {
      this.templateError(`${detector.id}/${r.messageId}/(unknown message)`);
      return;
    }
    const aggKey = `${detector.id}\u0000${r.key}`;
    let agg = this.aggregates.get(aggKey);
    const count = r.count ?? 1;
    const rank = severityRank[r.severity ?? detector.severity];
    if (agg === undefined) {
      if (this.aggregates.size >= this.opts.maxFindings) {
        stats.dropped_findings++;
        return;
      }
      agg = {
        detector,
        messageId: r.messageId,
        data: r.data,
        severityRank: rank,
        deviceKeys: new Set(),
        communityIds: new Set(),
        finding: {
          id: `${detector.id}:${createHash('sha1').update(r.key).digest('hex').slice(0, 12)}`,
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
        },
      };
      this.aggregates.set(aggKey, agg);
      stats.findings++;
    } else {
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
    for (const d of r.devices) this.addDevice(agg, d);
    if (r.evidence) this.addEvidence(agg, r.evidence);
    if (r.facts) mergeFacts(f, r.facts);
  }

  private addDevice(agg: Aggregate, d: Report['devices'][number]): void {
    const key = `${d.role}|${d.ip}`;
    if (agg.deviceKeys.has(key)) return;
    const f = agg.finding;
    if (f.devices.length >= this.opts.maxDevicesPerFinding) {
      f.devices_dropped = (f.devices_dropped ?? 0) + 1;
      return;
    }
    agg.deviceKeys.add(key);
    const entry: Finding['devices'][number] = { role: d.role, ip: d.ip };
    if (d.mac) entry.mac = d.mac;
    f.devices.push(entry);
  }

  private addEvidence(agg: Aggregate, ev: EvidenceRef): void {
    const f = agg.finding;
    if (f.evidence.length < this.opts.maxEvidencePerFinding) f.evidence.push(ev);
    else {
      f.evidence_dropped++;
      this.stats.evidence_dropped++;
    }
    const cid = ev.community_id;
    if (cid === undefined || agg.communityIds.has(cid)) return;
    if (f.community_ids.length < this.opts.maxCommunityIdsPerFinding) {
      agg.communityIds.add(cid);
      f.community_ids.push(cid);
    } else {
      // Not remembered past the cap, so a repeated flow may be counted twice here: an upper bound.
      f.community_ids_dropped++;
      this.stats.community_ids_dropped++;
    }
  }

  private rendered(agg: Aggregate): Finding {
    const f = agg.finding;
    const message = agg.detector.messages[agg.messageId];
    const data: Record<string, string | number> = {
      ...agg.data,
      count: f.count,
      first_seen: isoTime(f.first_ts),
      last_seen: isoTime(f.last_ts),
    };
    const title = render(message.title, data);
    const explanation = render(message.explanation, data);
    for (const name of [...title.missing, ...explanation.missing]) this.templateError(`${agg.detector.id}/${agg.messageId}/${name}`);
    return { ...f, title: title.text, explanation: explanation.text, devices: f.devices.map((d) => this.named(d)), evidence: [...f.evidence], community_ids: [...f.community_ids] };
  }

  /** Device ids from the inventory, looked up when findings are read (the inventory fills during the run). */
  private named(d: Finding['devices'][number]): Finding['devices'][number] {
    const lookup = this.opts.devices;
    const record = lookup ? ((d.mac ? lookup.byMac(d.mac) : undefined) ?? lookup.byIp(d.ip)) : undefined;
    if (record === undefined) return { ...d };
    const out: Finding['devices'][number] = { ...d, device_id: record.id };
    if (!out.mac && record.mac) out.mac = record.mac;
    return out;
  }

  private templateError(what: string): void {
    if (!this.stats.template_errors.includes(what) && this.stats.template_errors.length < 100) this.stats.template_errors.push(what);
  }
}

/** Shallow merge, latest value wins; bounded in keys, string length and array length. */
function mergeFacts(f: Finding, facts: Record<string, unknown>): void {
  const target = (f.facts ??= {});
  for (const [k, v] of Object.entries(facts)) {
    if (!(k in target) && Object.keys(target).length >= maxFactKeys) continue;
    target[k] = boundedFact(v);
  }
}

function boundedFact(v: unknown): unknown {
  if (typeof v === 'string') return v.length > maxFactString ? `${v.slice(0, maxFactString)}…` : v;
  if (Array.isArray(v)) return v.slice(0, maxFactArray).map((x) => (typeof x === 'string' && x.length > maxFactString ? `${x.slice(0, maxFactString)}…` : x));
  return v;
}
