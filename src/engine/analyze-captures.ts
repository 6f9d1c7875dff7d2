/**
 * One analysis run over capture files, every stage composed: pipeline (capture → app events), device
 * inventory, detectors, assessment facts and verdicts. The CLI, the report and the store all run
 * analyses through here.
 * @module
 */
import { Pipeline, type EventHandler, type FlowHandler, type PipelineOptions } from '../pipeline/analyze.ts';
import type { RunSummary } from '../pipeline/stats.ts';
import type { CaptureProgress } from '../capture/types.ts';
import { Inventory, type InventoryOptions, type InventoryStats } from '../inventory/inventory.ts';
import type { Overrides } from '../inventory/overrides.ts';
import type { DeviceRecord } from '../inventory/types.ts';
import { DetectionEngine } from '../detect/engine.ts';
import { detectors as allDetectors } from '../detect/registry.ts';
import type { DetectionOptions, DetectionStats, Detector, Finding } from '../detect/types.ts';
import { AssessmentFacts } from '../assess/facts.ts';
import { assessDevices } from '../assess/assess.ts';
import type { DeviceAssessment } from '../assess/types.ts';
import { buildCases } from '../findings/cases.ts';
import { resolveEvidence, type CaptureIdentity } from '../findings/evidence-refs.ts';
import type { Case } from '../findings/types.ts';
import { DEFAULT_MAX_DETAILED_DEVICES, selectDetailed, type UndetailedDevices } from '../assess/detail-limit.ts';

export interface AnalysisOptions {
  pipeline: Partial<PipelineOptions>;
  inventory: Partial<InventoryOptions>;
  /** Device names/types/vendors set by the user. */
  overrides: Overrides;
  /** Detectors to run (default: all registered); an empty list turns detection off. */
  detectors: readonly Detector[];
  /** Per-detector option overrides and engine limits. */
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
  attach?: (pipeline: Pipeline) => void;
  onProgress?: (file: string, p: CaptureProgress, packets: number) => void;
}

export interface AnalysisResult {
  summary: RunSummary;
  devices: DeviceRecord[];
  findings: Finding[];
  /** Findings grouped into incidents, most important first. */
  cases: Case[];
  /** The captures the findings' evidence names (SHA-256 as stored). */
  captures: CaptureIdentity[];
  /** One per detailed device (see detail-limit.ts), in device order. */
  assessments: DeviceAssessment[];
  /** Devices past `maxDetailedDevices`: not assessed, summarised. */
  undetailed: UndetailedDevices;
  /** Facts the assessment was made from (per host; the report shows them). */
  facts?: AssessmentFacts;
  /** Counters of the later stages, limits hit included (the pipeline's are in `summary`). */
  stats: { inventory: InventoryStats; detection?: DetectionStats; alerts?: Record<string, unknown> };
}

export async function analyzeCaptures(paths: readonly string[], options: Partial<AnalysisOptions> = {}): Promise<AnalysisResult> {
  const pipeline = new Pipeline(options.pipeline ?? {});
  const inventory = new Inventory({ ...options.inventory, overrides: options.overrides ?? options.inventory?.overrides ?? {} }).attach(pipeline);
  const chosen = options.detectors ?? allDetectors;
  const detection = chosen.length > 0 ? new DetectionEngine(chosen, { ...options.detection, devices: inventory }).attach(pipeline) : undefined;
  const facts = options.assess === false ? undefined : new AssessmentFacts().attach(pipeline);
  if (options.onEvent) pipeline.on('*', options.onEvent);
  if (options.onFlow) pipeline.onFlow(options.onFlow);
  options.attach?.(pipeline);
  const summary = await pipeline.run(paths, options.onProgress);
  const devices = inventory.devices();
  const findings = detection?.findings() ?? [];
  const { detailed, rest } = selectDetailed(devices, findings, options.maxDetailedDevices ?? DEFAULT_MAX_DETAILED_DEVICES);
  const assessments = facts ? assessDevices(detailed, findings, facts) : [];
  const captures = options.resolveEvidence === false ? [] : await resolveEvidence(findings);
  const cases = buildCases(findings, devices);
  return { summary, devices, findings, cases, captures, assessments, undetailed: rest, facts, stats: { inventory: inventory.stats(), detection: detection?.stats } };
}
