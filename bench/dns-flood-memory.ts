/**
 * Memory under a DNS flood with random names (`npm run bench:dns-memory`, issue #11): a GENERATED 2 M-packet DNS
 * water-torture capture (test/hostile/floods.ts) through the whole analysis in a child process run exactly as
 * `bin/bulwark.js` runs (same V8 flags), sampling its resident set. Bound: peak RSS <= 512 MiB.
 *
 * Options: --packets N (2000000), --flood FILE (reuse a flood file), --node-flags "…" (override the V8 flags).
 * @module
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { writeDnsFlood } from '../test/hostile/floods.ts';

const { values: opt } = parseArgs({
  options: {
    packets: { type: 'string', default: '2000000' },
    flood: { type: 'string' },
    'node-flags': { type: 'string' },
  },
});
const dir = mkdtempSync(join(tmpdir(), 'bulwark-bench-dns-'));
let flood = opt.flood;
if (!flood || !existsSync(flood)) {
  flood = join(dir, 'dns-flood.pcap');
  writeDnsFlood(flood, Number(opt.packets));
}
const bin = join(import.meta.dirname, '..', 'bin', 'bulwark.js');
// The flags of bin/bulwark.js's first line (#!/usr/bin/env -S node <flags>), so the bench measures what users run.
const shebang = readFileSync(bin, 'utf8').split('\n')[0];
const flags = (opt['node-flags'] ?? shebang.replace(/^#!.*?node\s*/, '')).split(/\s+/).filter(Boolean);
const child = spawn(process.execPath, [...flags, bin, 'analyze', '--quiet', flood], { stdio: ['ignore', 'pipe', 'pipe'] });
let peak = 0;
const sample = setInterval(() => {
  try {
    const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
    const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
    peak = Math.max(peak, kb);
  } catch {
    // The child has exited.
  }
}, 50);
let out = '';
child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
child.stderr.on('data', (d: Buffer) => { out += d.toString(); });
const code = await new Promise<number | null>((r) => child.once('exit', r));
clearInterval(sample);
rmSync(dir, { recursive: true, force: true });
const peakMiB = Math.round(peak / 1024);
process.stdout.write(`${out.trim()}\nexit ${code}; flags ${flags.join(' ')}; peak RSS ${peakMiB} MiB (bound 512 MiB): ${peakMiB <= 512 ? 'within' : 'OVER'}\n`);
process.exitCode = code === 0 && peakMiB <= 512 ? 0 : 1;
