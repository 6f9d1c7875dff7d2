/**
 * API latency during ingest (`npm run bench:ingest`, issue #11): `bulwark serve` in a child process (its own
 * ingest worker), a GENERATED flood (DNS water torture with random names, test/hostile/floods.ts) dropped into its
 * watched folder, and /api/health plus the list pages requested at a fixed rate for as long as the ingest runs.
 * Goal: p99 < 50 ms. Loopback only.
 *
 * Beside the latency clients see, it reports the server's own event-loop delay over the ingest (prom-client's
 * monitorEventLoopDelay gauges on /metrics, reset by the scrape before the flood arrives) and, from the kernel's
 * scheduler statistics (Linux /proc), the time the server's main thread ran and the time it waited for a CPU while
 * runnable: on a machine shared with other work, client latency includes that wait, which these tell apart from
 * work the server itself does.
 *
 * Options: --packets N (10000000), --rate N (requests/s, 100), --flood FILE (reuse a flood file).
 * @module
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { writeDnsFlood } from '../test/hostile/floods.ts';
import { measureWhile } from '../test/hostile/latency.ts';

const { values: opt } = parseArgs({
  options: {
    packets: { type: 'string', default: '10000000' },
    rate: { type: 'string', default: '100' },
    flood: { type: 'string' },
  },
});
const dir = mkdtempSync(join(tmpdir(), 'bulwark-bench-ingest-'));
const watch = join(dir, 'watch');
mkdirSync(watch);
const packets = Number(opt.packets);
let flood = opt.flood;
if (!flood || !existsSync(flood)) {
  flood = join(dir, 'flood.pcap');
  const t = performance.now();
  writeDnsFlood(flood, packets);
  process.stderr.write(`generated ${packets.toLocaleString('en')} packets in ${((performance.now() - t) / 1000).toFixed(0)} s\n`);
}
const bin = join(import.meta.dirname, '..', 'bin', 'bulwark.js');
const child = spawn(process.execPath, ['--max-old-space-size=320', bin, 'serve', '--db', join(dir, 'b.db'), '--port', '0', '--watch', watch], { stdio: ['ignore', 'pipe', 'inherit'] });
const port = await new Promise<number>((ok, fail) => {
  let out = '';
  child.stdout.on('data', (d: Buffer) => {
    out += d.toString();
    const m = /127\.0\.0\.1:(\d+)/.exec(out);
    if (m) ok(Number(m[1]));
  });
  child.once('exit', (code) => fail(new Error(`serve exited ${code}`)));
});
/** The server's event-loop delay since the last scrape, ms (prom-client resets its histogram on each). */
async function loopDelay(): Promise<Record<string, number>> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const out: Record<string, number> = {};
  for (const q of ['p50', 'p99', 'max']) {
    const m = new RegExp(`^bulwark_nodejs_eventloop_lag_${q}_seconds (\\S+)$`, 'm').exec(text);
    if (m) out[q] = Math.round(Number(m[1]) * 10000) / 10;
  }
  return out;
}
/**
 * Seconds the server's main thread ran on a CPU and waited for one while runnable (schedstat, the kernel's
 * scheduler statistics; NaN where /proc is missing).
 */
function mainThreadSched(): { cpu: number; wait: number } {
  try {
    const [cpu, wait] = readFileSync(`/proc/${child.pid}/task/${child.pid}/schedstat`, 'utf8').split(' ').map(Number);
    return { cpu: cpu / 1e9, wait: wait / 1e9 };
  } catch {
    return { cpu: Number.NaN, wait: Number.NaN };
  }
}
await loopDelay();
const schedBefore = mainThreadSched();
let ingesting = true;
let sawIngest = false;
const started = performance.now();
const poll = setInterval(async () => {
  try {
    const h = await (await fetch(`http://127.0.0.1:${port}/api/health`)).json() as { ingesting: string | null; queued: number; captures: number };
    if (h.ingesting) sawIngest = true;
    if (sawIngest && !h.ingesting && h.queued === 0) ingesting = false;
  } catch {
    // The measurement counts errors; the poll just tries again.
  }
}, 200);
// Moving a file into the watched folder is how captures arrive from a capture box.
const target = join(watch, 'flood.pcap');
if (opt.flood) {
  const { copyFileSync } = await import('node:fs');
  copyFileSync(flood, join(dir, 'copy.pcap'));
  renameSync(join(dir, 'copy.pcap'), target);
} else renameSync(flood, target);
const report = await measureWhile(port, Number(opt.rate), () => !ingesting);
clearInterval(poll);
const seconds = (performance.now() - started) / 1000;
const serverLoop = await loopDelay();
const schedAfter = mainThreadSched();
const serverCpuS = Math.round((schedAfter.cpu - schedBefore.cpu) * 10) / 10;
const serverWaitS = Math.round((schedAfter.wait - schedBefore.wait) * 10) / 10;
// What was ingested, as the server counted it.
const listed = await (await fetch(`http://127.0.0.1:${port}/api/captures`)).json() as { items: { summary?: { packets: number }; status: string }[] };
const ingested = listed.items[0]?.summary?.packets ?? 0;
child.kill('SIGTERM');
await new Promise((r) => child.once('exit', r));
rmSync(dir, { recursive: true, force: true });
process.stdout.write(`${JSON.stringify({ packets: ingested, status: listed.items[0]?.status, ingest_s: Math.round(seconds), rate: Number(opt.rate), ...report, server_event_loop_delay_ms: serverLoop, server_main_thread_cpu_s: serverCpuS, server_main_thread_runqueue_wait_s: serverWaitS, cpus: cpus().length, load: loadavg()[0] }, null, 2)}\n`);
process.stdout.write(`${ingested.toLocaleString('en')} packets: p50 ${report.p50} ms, p99 ${report.p99} ms, max ${report.max} ms over ${report.requests} requests during a ${Math.round(seconds)} s ingest (goal p99 < 50 ms); server event-loop delay p99 ${serverLoop.p99} ms, max ${serverLoop.max} ms; server main thread ${serverCpuS} s on a CPU, ${serverWaitS} s waiting for one; load ${loadavg()[0].toFixed(1)} on ${cpus().length} CPUs\n`);
