/**
 * Run the whole pipeline over real traces and collect everything it publishes.
 * @module
 */
import { Pipeline, type EventRecord, type PipelineOptions } from '../../src/pipeline/analyze.ts';
import type { RunSummary } from '../../src/pipeline/stats.ts';
import type { FlowRecord } from '../../src/flow/types.ts';

export interface RunResult {
  events: EventRecord[];
  flows: FlowRecord[];
  summary: RunSummary;
}

/** Timeouts long enough that no flow of a test trace is split by idleness (tshark does not split either). */
export const noTimeouts = { tcpIdleS: 1e9, udpIdleS: 1e9, icmpIdleS: 1e9, otherIdleS: 1e9, activeTimeoutS: 1e9 };

export async function runPipeline(paths: string[], options: Partial<PipelineOptions> = {}): Promise<RunResult> {
  const pipeline = new Pipeline(options);
  const events: EventRecord[] = [];
  const flows: FlowRecord[] = [];
  pipeline.on('*', (ev) => {
    if (ev.type !== 'flow.end') events.push(ev);
  });
  pipeline.onFlow((f) => flows.push(f));
  const summary = await pipeline.run(paths);
  return { events, flows, summary };
}

export const trace = (name: string): string => new URL(`../traces/pipeline/${name}`, import.meta.url).pathname;
