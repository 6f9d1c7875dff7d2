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
import { coveredSeconds, defaultGradeOptions } from '../assess/grade.ts';
import type { DeviceAssessment } from '../assess/types.ts';

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
  /** Extra subscribers (outputs): every event / every finished flow. */
  onEvent?: EventHandler;
  onFlow?: FlowHandler;
  onProgress?: (file: string, p: CaptureProgress, packets: number) => void;
}

export interface AnalysisResult {
  summary: RunSummary;
  devices: DeviceRecord[];
  findings: Finding[];
  assessments: DeviceAssessment[];
  /** Facts the assessment was made from (per host; the report shows them). */
  facts?: AssessmentFacts;
  /** Counters of the later stages, limits hit included (the pipeline's are in `summary`). */
  stats: { inventory: InventoryStats; detection?: DetectionStats };
}

export async function analyzeCaptures(paths: readonly string[], options: Partial<AnalysisOptions> = {}): Promise<AnalysisResult> {
  const pipeline = new Pipeline(options.pipeline ?? {});
  const inventory = new Inventory({ ...options.inventory, overrides: options.overrides ?? options.inventory?.overrides ?? {} }).attach(pipeline);
  const chosen = options.detectors ?? allDetectors;
  const detection = chosen.length > 0 ? new DetectionEngine(chosen, { ...options.detection, devices: inventory }).attach(pipeline) : undefined;
  const facts = options.assess === false ? undefined : new AssessmentFacts().attach(pipeline);
  if (options.onEvent) pipeline.on('*', options.onEvent);
  if (options.onFlow) pipeline.onFlow(options.onFlow);
  const summary = await pipeline.run(paths, options.onProgress);
  const devices = inventory.devices();
  const findings = detection?.findings() ?? [];
  const assessments = facts ? assessDevices(devices, findings, facts, { grade: { ...defaultGradeOptions, coveredS: coveredSeconds(summary) } }) : [];
  return { summary, devices, findings, assessments, facts, stats: { inventory: inventory.stats(), detection: detection?.stats } };
}

