/**
 * One analysis session: every stage composed around one pipeline — inventory, detectors, assessment facts
 * — reading injected sources (files, standard input, a live interface) until they end or the caller stops
 * it. While it runs it publishes what became final about once a second of wall clock: finding changes
 * (raised / updated / closed) and device changes. At the end (or on stop) every stage flushes and the
 * result holds the devices, findings and assessments.
 * @module
 */
import { Pipeline, type EventHandler, type FlowHandler, type PipelineOptions, type RunOptions } from '../pipeline/analyze.ts';
import type { InputSource } from '../pipeline/source.ts';
import { Site } from '../pipeline/site.ts';
import type { RunSummary } from '../pipeline/stats.ts';
import type { CaptureProgress } from '../capture/types.ts';
import { Inventory, type InventoryOptions, type InventoryStats } from '../inventory/inventory.ts';
import type { Overrides } from '../inventory/overrides.ts';
import type { DeviceRecord } from '../inventory/types.ts';
import { DetectionEngine } from '../detect/engine.ts';
import { detectors as allDetectors } from '../detect/registry.ts';
import type { DetectionOptions, DetectionStats, Detector, Finding, FindingChange } from '../detect/types.ts';
import { AssessmentFacts, type FactsStats } from '../assess/facts.ts';
import { assessDevices } from '../assess/assess.ts';
import { coveredSeconds, defaultGradeOptions } from '../assess/grade.ts';
import type { DeviceAssessment } from '../assess/types.ts';
import { DEFAULT_MAX_DETAILED_DEVICES, selectDetailed, type UndetailedDevices } from '../assess/detail-limit.ts';
import { buildCases } from '../findings/cases.ts';
import { resolveEvidence, type CaptureIdentity } from '../findings/evidence-refs.ts';
import type { Case } from '../findings/types.ts';
import { readingByName, type RecordSource } from '../pipeline/record-source.ts';
import { ThreadedPipeline } from './threaded-pipeline.ts';

export interface AnalysisOptions {
  pipeline: Partial<PipelineOptions>;
  inventory: Partial<InventoryOptions>;
  /** Sensor name and local networks, shared by every stage (default: host name, private networks). */
  site?: Site;
  /** Device names/types/vendors set by the user. */
  overrides: Overrides;
  /** Detectors to run (default: all registered); an empty list turns detection off. */
  detectors: readonly Detector[];
  /** Per-detector option overrides, engine limits, lifecycle intervals, suppression rules. */
  detection: Partial<Omit<DetectionOptions, 'devices'>>;
  /** Skip the baseline assessment (facts collection and verdicts). */
  assess: boolean;
  /** Hash the referenced captures and fill each evidence reference's SHA-256 and record offset (default true). */
  resolveEvidence: boolean;
  /** Devices assessed (and so labelled and detailed in reports); the rest are counted in `undetailed`. */
  maxDetailedDevices: number;
  /** Extra subscribers (outputs): every event / every finished flow. */
  onEvent?: EventHandler;
  onFlow?: FlowHandler;
  /** Extra subscribers that attach themselves, to only the event types they need (e.g. MUD learning in serve). */
  attach?: (pipeline: RecordSource) => void;
  onProgress?: (file: string, p: CaptureProgress, packets: number) => void;
  /** Live outputs: a finding was raised, updated or closed (published within about a second). */
  onFindingChange?: (finding: Finding, change: FindingChange) => void;
  /** Live outputs: devices that appeared or whose identity changed (published within about a second). */
  onDeviceChange?: (changes: { device: DeviceRecord; change: 'new' | 'changed' }[]) => void;
  /** Live outputs: published devices that were merged into another (an address-only device that got its MAC). */
  onDeviceRemoved?: (ids: string[]) => void;
  /** Called after each publication (outputs flush their buffers then). */
  onPublish?: () => void;
  /** Least wall-clock milliseconds between publications (default 1000). */
  publishEveryMs?: number;
  /**
   * Threads (default 1). Two or more run the pipeline (capture to application events) in a worker thread
   * while this thread runs the later stages: same results, about two cores' worth of speed at most (see
   * src/engine/threaded-pipeline.ts). Small inputs and non-file sources stay on one thread. 'auto': two when
   * the machine has a core idle as the run starts (src/engine/spare-core.ts), else one.
   */
  threads?: number | 'auto';
  /** Input bytes below which a run stays on one thread even when `threads` allows more. */
  minThreadBytes?: number;
}

export interface AnalysisResult {
  summary: RunSummary;
  devices: DeviceRecord[];
  findings: Finding[];
  /** Findings grouped into incidents, most important first. */
  cases: Case[];
  /** The captures the findings' evidence names (SHA-256 as stored; filled at the end of a run). */
  captures: CaptureIdentity[];
  /** One per detailed device (see detail-limit.ts), in device order. */
  assessments: DeviceAssessment[];
  /** Devices past `maxDetailedDevices`: not assessed, summarised. */
  undetailed: UndetailedDevices;
  /** Facts the assessment was made from (per host; the report shows them). */
  facts?: AssessmentFacts;
  /** Counters of the later stages, limits hit included (the pipeline's are in `summary`). */
  stats: { inventory: InventoryStats; detection?: DetectionStats; assessment?: FactsStats; alerts?: Record<string, unknown>; publish?: Record<string, unknown> };
}

export class AnalysisSession {
  readonly site: Site;
  readonly pipeline: Pipeline | ThreadedPipeline;
  readonly inventory: Inventory;
  readonly detection?: DetectionEngine;
  readonly facts?: AssessmentFacts;
  private readonly options: Partial<AnalysisOptions>;
  private readonly publishEveryMs: number;
  private lastPublish = 0;

  constructor(options: Partial<AnalysisOptions> = {}) {
    this.options = options;
    this.publishEveryMs = options.publishEveryMs ?? 1000;
    this.site = options.site ?? options.pipeline?.site ?? new Site();
    const pipelineOptions = { ...options.pipeline, site: this.site };
    const threads = options.threads ?? 1;
    this.pipeline = threads === 'auto' || threads > 1
      ? new ThreadedPipeline(pipelineOptions, { minBytes: options.minThreadBytes, whenIdle: threads === 'auto' })
      : new Pipeline(pipelineOptions);
    // The inventory, the detectors and the assessment read records' fields by name (never spread, enumerate or
    // clone a record): they may get lazy records, whose uid and Community ID cost nothing unless read — a run
    // that writes nothing reads no uid, and a Community ID only for the evidence of what it reports. Outputs and
    // the other subscribers below subscribe plainly, and get plain records.
    const stages = readingByName(this.pipeline);
    this.inventory = new Inventory({ ...options.inventory, site: this.site, overrides: options.overrides ?? options.inventory?.overrides ?? {} }).attach(stages);
    const chosen = options.detectors ?? allDetectors;
    if (chosen.length > 0) {
      this.detection = new DetectionEngine(chosen, { ...options.detection, devices: this.inventory, site: this.site }).attach(stages);
      const onChange = options.onFindingChange;
      if (onChange) this.detection.onChange(onChange);
    }
    this.facts = options.assess === false ? undefined : new AssessmentFacts().attach(stages);
    if (options.onEvent) this.pipeline.on('*', options.onEvent);
    if (options.onFlow) this.pipeline.onFlow(options.onFlow);
    options.attach?.(this.pipeline);
    // Publish on the clock too: a file read in big chunks may not yield to timers for a while.
    this.pipeline.onTick(() => {
      if (Date.now() - this.lastPublish >= this.publishEveryMs) this.publish();
    });
  }

  /** Publish what became final since the last call: finding changes, device changes; then outputs flush. */
  publish(): void {
    this.lastPublish = Date.now();
    this.detection?.drain();
    const onDevice = this.options.onDeviceChange;
    if (onDevice) {
      const changes = this.inventory.takeChanged();
      if (changes.length > 0) onDevice(changes);
    }
    const onRemoved = this.options.onDeviceRemoved;
    if (onRemoved) {
      if (!onDevice) this.inventory.takeChanged();
      const removed = this.inventory.takeRemoved();
      if (removed.length > 0) onRemoved(removed);
    }
    this.options.onPublish?.();
  }

  /** Read the sources to their end (or until `signal` aborts), flush every stage and return the result. */
  async run(inputs: readonly (string | InputSource)[], options: Omit<RunOptions, 'onProgress'> = {}): Promise<AnalysisResult> {
    const timer = setInterval(() => this.publish(), this.publishEveryMs);
    let summary: RunSummary;
    try {
      summary = await this.pipeline.run(inputs, { onProgress: this.options.onProgress, signal: options.signal });
    } finally {
      clearInterval(timer);
    }
    this.publish();
    const result = this.result(summary);
    if (this.options.resolveEvidence !== false) result.captures = await resolveEvidence(result.findings);
    return result;
  }

  /** The result of the run so far: devices, findings (closed and open), assessments. */
  result(summary: RunSummary = this.pipeline.summary()): AnalysisResult {
    const devices = this.inventory.devices();
    const findings = this.detection?.findings() ?? [];
    const { detailed, rest } = selectDetailed(devices, findings, this.options.maxDetailedDevices ?? DEFAULT_MAX_DETAILED_DEVICES);
    const assessments = this.facts ? assessDevices(detailed, findings, this.facts, { grade: { ...defaultGradeOptions, coveredS: coveredSeconds(summary) } }) : [];
    return {
      summary, devices, findings, cases: buildCases(findings, devices), captures: [], assessments, undetailed: rest, facts: this.facts,
      stats: { inventory: this.inventory.stats(), detection: this.detection?.stats, assessment: this.facts?.stats() },
    };
  }
}
