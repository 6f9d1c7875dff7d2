/**
 * What the detectors cost: the same analysis (pipeline, inventory, assessment) with and without the 15
 * detectors, in-process, CPU time, best of N, on the benchmark workloads. Prints each time and the throughput ratio;
 * the budget is a ratio ≥ 0.8 (detectors cost at most 20 % of analyze's throughput).
 * Run: node --max-old-space-size=320 bench/detect-cost.ts [--repeat N] [--quick | --packets N] (after `npm run bench`
 * built the workloads of that size).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { analyzeCaptures } from '../src/engine/analyze-captures.ts';

const repeat = Number(process.argv[process.argv.indexOf('--repeat') + 1]) || 3;
const packets = process.argv.includes('--quick') ? 200_000 : Number(process.argv[process.argv.indexOf('--packets') + 1]) || 2_000_000;
const work = new URL('work/', import.meta.url).pathname;

async function best(file: string, detect: boolean): Promise<number> {
  let min = Infinity;
  for (let i = 0; i < repeat; i++) {
    // CPU time of this process (user + system), not wall time: other work on a shared machine stretches wall time.
    const t = process.cpuUsage();
    await analyzeCaptures([file], detect ? {} : { detectors: [] });
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
  const withDetectors = await best(file, true);
  const ratio = without / withDetectors;
  console.log(`${name}: without detectors ${without.toFixed(2)} CPU s, with ${withDetectors.toFixed(2)} CPU s → throughput ×${ratio.toFixed(2)} (detectors cost ${((1 - ratio) * 100).toFixed(0)} %; budget 20 %)`);
}
