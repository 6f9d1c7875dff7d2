/**
 * Runs one detector over real traces without the aggregation engine: every `report` call is collected
 * as given, so a detector test sees exactly what the detector decided.
 * @module
 */
import { Pipeline } from '../../src/pipeline/analyze.ts';
import type { Detector, Report } from '../../src/detect/types.ts';
import type { DeviceLookup } from '../../src/inventory/types.ts';

export async function reportsOf<O extends Record<string, unknown>>(detector: Detector<O>, paths: string[], options: Partial<O> = {}, devices?: DeviceLookup): Promise<Report[]> {
  const reports: Report[] = [];
  const defaults = Object.fromEntries(Object.entries(detector.options).map(([k, v]) => [k, (v as { default: unknown }).default])) as O;
  const instance = detector.create({ report: (r) => reports.push(r), devices }, { ...defaults, ...options });
  const pipeline = new Pipeline();
  for (const type of detector.subscribes) {
    if (type === 'flow.end') pipeline.onFlow((f) => instance.onFlow?.(f));
    // As the detection engine does: first packets as numbers to a detector that takes them.
    else if (type === 'flow.start' && instance.onFirstPacket) pipeline.onFirstPacket((p) => instance.onFirstPacket?.(p));
    else pipeline.on(type, (ev) => instance.onEvent?.(ev));
  }
  await pipeline.run(paths);
  instance.finish?.();
  return reports;
}
