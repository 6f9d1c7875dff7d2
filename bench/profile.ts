/**
 * CPU profile summary of the full analysis (`bulwark analyze --quiet --threads 1`: every stage on the thread profiled) on a benchmark workload: runs it under
 * `node --cpu-prof` and prints, as Markdown, the functions with the most self time and the stages with the most
 * inclusive time (time in a function and everything it calls; recursion counted once).
 * Run: node bench/profile.ts <capture> [--top N] [--profile existing.cpuprofile]
 * @module
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO, shebangFlags } from './peers.ts';

interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] }[];
  samples: number[];
  timeDeltas: number[];
}

const args = process.argv.slice(2);
const opt = (name: string): string | undefined => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
const top = Number(opt('--top') ?? 15);
let path = opt('--profile');
const capture = args.find((a, i) => !a.startsWith('--') && !['--top', '--profile'].includes(args[i - 1] ?? ''));
let dir: string | undefined;
if (path === undefined) {
  if (capture === undefined) throw new Error('usage: node bench/profile.ts <capture> [--top N] [--profile file.cpuprofile]');
  dir = mkdtempSync(join(tmpdir(), 'bulwark-prof-'));
  // The modules one by one, not the start-up bundle: the bundle's frames are named after one generated file (and some
  // functions renamed), so neither the source files nor the stages' inclusive time could be told apart.
  const run = spawnSync(process.execPath, ['--cpu-prof', `--cpu-prof-dir=${dir}`, ...shebangFlags(REPO), join(REPO, 'bin/bulwark.js'), 'analyze', capture, '--quiet', '--threads', '1'],
    { cwd: REPO, encoding: 'utf8', env: { ...process.env, BULWARK_NO_BUNDLE: '1' } });
  if (run.status !== 0) throw new Error(`analyze failed: ${run.stderr}`);
  path = join(dir, readdirSync(dir).find((f) => f.endsWith('.cpuprofile'))!);
}
const p = JSON.parse(readFileSync(path, 'utf8')) as CpuProfile;
if (dir) rmSync(dir, { recursive: true, force: true });

const byId = new Map(p.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const name = (id: number): string => {
  const f = byId.get(id)!.callFrame;
  // Paths from the repository root (also for a profile of another checkout, e.g. the --baseline one).
  const at = f.url.lastIndexOf('/src/');
  const file = f.url.startsWith('file://') ? (at >= 0 ? f.url.slice(at + 1) : f.url.slice(7)) : f.url;
  return `${f.functionName || '(anonymous)'} ${file ? `${file}:${f.lineNumber + 1}` : ''}`.trim();
};
const selfUs = new Map<number, number>();
let total = 0;
p.samples.forEach((id, i) => {
  const d = p.timeDeltas[i] ?? 0;
  selfUs.set(id, (selfUs.get(id) ?? 0) + d);
  total += d;
});
const self = new Map<string, number>();
const incl = new Map<string, number>();
for (const [id, us] of selfUs) {
  const k = name(id);
  self.set(k, (self.get(k) ?? 0) + us);
  const seen = new Set<string>();
  for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
    const key = name(cur);
    if (seen.has(key)) continue;
    seen.add(key);
    incl.set(key, (incl.get(key) ?? 0) + us);
  }
}
const rows = (m: Map<string, number>, filter: (k: string) => boolean) => [...m].filter(([k]) => filter(k)).sort((a, b) => b[1] - a[1]).slice(0, top)
  .map(([k, us]) => `| ${(100 * us / total).toFixed(1)} % | ${(us / 1000).toFixed(0)} | \`${k.replace(/\|/g, '\\|')}\` |`);
console.log(`Profiled ${(total / 1e6).toFixed(2)} s of CPU (start-up included).\n`);
console.log('Self time (top functions):\n\n| share | ms | function |\n|---:|---:|---|');
console.log(rows(self, () => true).join('\n'));
console.log('\nInclusive time (Bulwark code below the capture read loop):\n\n| share | ms | function |\n|---:|---:|---|');
// The read loop holds everything: leave out its frames (capture reading, the per-packet entry).
const loop = /src\/capture\/|onPacketBound /;
console.log(rows(incl, (k) => k.includes(' src/') && !loop.test(k)).join('\n'));
