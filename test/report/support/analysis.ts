/**
 * Runs the real pipeline, inventory, detectors and the assessment's fact collector over captures, once per
 * file set (cached): the inputs of the assessment and report tests.
 * @module
 */
import { analyzeForReport, type ReportAnalysis } from '../../../src/cli/report.ts';

const cache = new Map<string, Promise<ReportAnalysis>>();

export function analysis(...paths: string[]): Promise<ReportAnalysis> {
  const key = paths.join('\n');
  let p = cache.get(key);
  if (p === undefined) {
    p = analyzeForReport(paths);
    cache.set(key, p);
  }
  return p;
}
