/**
 * One analysis run over capture files, every stage composed: pipeline (capture → app events), device
 * inventory, detectors, assessment facts and verdicts. The CLI, the report and the store all run
 * analyses through here (or through `AnalysisSession`, src/engine/session.ts, for sources and live use).
 * @module
 */
import type { InputSource } from '../pipeline/source.ts';
import { AnalysisSession, type AnalysisOptions, type AnalysisResult } from './session.ts';

export type { AnalysisOptions, AnalysisResult } from './session.ts';
export { AnalysisSession } from './session.ts';

/** Analyse captures (paths; '-' is standard input) or other sources to their end. */
export async function analyzeCaptures(paths: readonly (string | InputSource)[], options: Partial<AnalysisOptions> = {}): Promise<AnalysisResult> {
  return new AnalysisSession(options).run(paths);
}

