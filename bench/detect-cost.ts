/**
 * What the detectors cost: the same analysis (pipeline, inventory, assessment) with and without the 15
 * detectors, in-process, CPU time, best of N, on the benchmark workloads. Prints each time and the throughput ratio;
 * the budget is a ratio ≥ 0.8 (detectors cost at most 20 % of analyze's throughput). Also shown apart: the run with
 * detectors but without the evidence pass after it (SHA-256 of the capture and a second pass for the record offsets
 * of evidence packets, done once per capture that has findings): a cost of the file's size, not of the detectors.
 * Run: node --max-old-space-size=320 bench/detect-cost.ts [--repeat N] [--quick | --packets N] (after `npm run bench`
 * built the workloads of that size).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { analyzeCaptures } from '../src/engine/analyze-captures.ts';

const repeat = Number(process.argv[process.argv.indexOf('--repeat') + 1]) || 3;
const packets = process.argv.includes('--quick') ? 200_000 : Number(process.argv[process.argv.indexOf('--packets') + 1]) || 2_000_000;
const work = new URL('work/', import.meta.url).pathname;

async function best(file: string, detect: boolean, resolveEvidence = true): Promise<number> {
  let min = Infinity;
  for (let i = 0; i < repeat; i++) {
    // CPU time of this process (user + system), not wall time: other work on a shared machine stretches wall time.
    const t = process.cpuUsage();
    await analyzeCaptures([file], detect ? { resolveEvidence } : { detectors: [] });
    const used = process.cpuUsage(t);
    min = Math.min(min, (used.user + used.system) / 1e6);
  }
  return min;
}

for (const name of ['mixed', 'flow-heavy', 'mirai'].map((w) => `${w}-${packets}.pcap`)) {
  const file = join(work, name);
  if (!existsSync(file)) {
    console.log(`${name}: missing (run npm run bench first)`);
    continue;
  }
  const without = await best(file, false);
  const detectorsOnly = await best(file, true, false);
  const withDetectors = await best(file, true);
  const ratio = without / withDetectors;
  const share = (t: number): string => `${((1 - without / t) * 100).toFixed(0)} %`;
  console.log(`${name}: without detectors ${without.toFixed(2)} CPU s, with ${withDetectors.toFixed(2)} CPU s → throughput ×${ratio.toFixed(2)} (detectors cost ${share(withDetectors)}; budget 20 %); ` +
    `without the evidence pass ${detectorsOnly.toFixed(2)} CPU s (detectors alone ${share(detectorsOnly)})`);
}
