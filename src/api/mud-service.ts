/**
 * MUD in `serve`: every ingested capture adds to the learned profiles of its devices (a profile still in
 * state `learned` grows; accepted and locked ones keep their rules and the learned file beside them), counts
 * which rules its traffic used, and — through the policy.mud detector's options — raises findings for
 * traffic outside locked profiles, which the store keeps like any finding.
 * @module
 */
import type { RecordSource } from '../pipeline/record-source.ts';
import type { AnalysisOptions, AnalysisResult } from '../engine/analyze-captures.ts';
import type { DeviceLookup, DeviceRecord } from '../inventory/types.ts';
import { MudLearner } from '../mud/learn.ts';
import { PolicyWatch } from '../mud/watch.ts';
import { addUsage, loadProfiles, storeLearned } from '../mud/store.ts';

export interface MudRun {
  options: Pick<AnalysisOptions, 'attach' | 'detection'>;
  finish(result: AnalysisResult): void;
}

export class MudService {
  readonly dir: string;
  /** Profiles that failed to store or load, last run (shown by the API). */
  lastErrors: string[] = [];

  constructor(dir: string) {
    this.dir = dir;
  }

  /** Options for one analysis run and what to do with its result. */
  begin(): MudRun {
    const learner = new MudLearner();
    const { profiles } = loadProfiles(this.dir);
    const usage = new PolicyWatch(profiles, () => undefined, undefined, { lockedOnly: false });
    return {
      options: {
        attach: (pipeline: RecordSource) => {
          learner.attach(pipeline);
          if (usage.size > 0) usage.attach(pipeline);
        },
        detection: { options: { 'policy.mud': { profiles: this.dir } } },
      },
      finish: (result) => {
        this.lastErrors = [];
        const lookup = lookupOf(result.devices);
        for (const p of learner.profiles(lookup)) {
          const errors = storeLearned(this.dir, p);
          if (errors.length) this.lastErrors.push(`${p.sidecar.mac}: ${errors.join('; ')}`);
        }
        addUsage(this.dir, usage.usage, usage.unmatched);
      },
    };
  }
}

function lookupOf(devices: DeviceRecord[]): DeviceLookup {
  const byMac = new Map(devices.filter((d) => d.mac).map((d) => [d.mac!, d]));
  const byIp = new Map<string, DeviceRecord>();
  for (const d of devices) for (const b of d.ips) if (!byIp.has(b.ip)) byIp.set(b.ip, d);
  return { byMac: (m) => byMac.get(m), byIp: (ip) => byIp.get(ip) };
}
