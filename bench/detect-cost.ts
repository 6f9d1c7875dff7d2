/**
 * What the detectors cost: the same analysis (pipeline, inventory, assessment) with and without the 15
 * detectors, in-process, CPU time, best of N, on the benchmark workloads. Prints each time and the throughput ratio;
 * the budget is a ratio ≥ 0.8 (detectors cost at most 20 % of analyze's throughput). Also shown apart: the run with
 * detectors but without the evidence pass after it (SHA-256 of the capture and a second pass for the record offsets
 * of evidence packets, done once per capture that has findings): a cost of the file's size, not of the detectors.
 * Run: npm run bench:detect -- [--repeat N] [--quick | --packets N] (after `npm run bench` built the workloads of that
 * size). It runs under the Node flags of bin/bulwark.js's first line (heap sizes), as `bulwark analyze` does: started
 * without them, it starts itself again with them, so the figure is the cost a user's run has.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { analyzeCaptures } from '../src/engine/analyze-captures.ts';
import { REPO, shebangFlags } from './peers.ts';

const flags = shebangFlags(REPO);
if (!flags.every((f) => process.execArgv.includes(f))) {
  const run = spawnSync(process.execPath, [...flags, fileURLToPath(import.meta.url), ...process.argv.slice(2)], { stdio: 'inherit' });
  process.exit(run.status ?? 1);
}

const repeat = Number(process.argv[process.argv.indexOf('--repeat') + 1]) || 3;
const packets = process.argv.includes('--quick') ? 200_000 : Number(process.argv[process.argv.indexOf('--packets') + 1]) || 2_000_000;
const work = new URL('work/', import.meta.url).pathname;

/** CPU seconds of one analysis of `file` in this process: user + system, not wall time (other work on a shared machine stretches wall time). */
async function cpuSeconds(file: string, detect: boolean, resolveEvidence: boolean): Promise<number> {
  const t = process.cpuUsage();
  await analyzeCaptures([file], detect ? { resolveEvidence } : { detectors: [] });
  const used = process.cpuUsage(t);
  return (used.user + used.system) / 1e6;
}

for (const name of ['mixed', 'flow-heavy', 'mirai'].map((w) => `${w}-${packets}.pcap`)) {
  const file = join(work, name);
  if (!existsSync(file)) {
    console.log(`${name}: missing (run npm run bench first)`);
    continue;
  }
  // The three runs alternate, best of `repeat` each: a shared host's speed drifts by a quarter within minutes, and
  // runs of one kind back to back then measured the drift as much as the detectors.
  const runs = { without: [] as number[], detectorsOnly: [] as number[], with: [] as number[] };
  for (let i = 0; i < repeat; i++) {
    runs.without.push(await cpuSeconds(file, false, false));
    runs.detectorsOnly.push(await cpuSeconds(file, true, false));
    runs.with.push(await cpuSeconds(file, true, true));
  }
  const without = Math.min(...runs.without);
  const detectorsOnly = Math.min(...runs.detectorsOnly);
  const withDetectors = Math.min(...runs.with);
  const ratio = without / withDetectors;
  const share = (t: number): string => `${((1 - without / t) * 100).toFixed(0)} %`;
  const spread = Math.max(...runs.without) / without;
  console.log(`${name}: without detectors ${without.toFixed(2)} CPU s, with ${withDetectors.toFixed(2)} CPU s → throughput ×${ratio.toFixed(2)} (detectors cost ${share(withDetectors)}; budget 20 %); ` +
    `without the evidence pass ${detectorsOnly.toFixed(2)} CPU s (detectors alone ${share(detectorsOnly)}); runs without detectors spread ×${spread.toFixed(2)} (the host's noise, and the first run's compiling)`);
}
