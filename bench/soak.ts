/**
 * `npm run soak`: a week of packet time through the live code path at full speed, in flat memory?
 *
 * 1. Builds the workload (bench/soak-traffic.ts): 7 simulated days, 50 devices from the IoT Sentinel
 *    captures, attacks interleaved every other day; written once to bench/work/soak-<days>d.pcap.
 * 2. Live run (child process): the capture is streamed through the same reader dumpcap's output goes
 *    through, as a live source (wall-clock heartbeats, publication every second, incremental outputs to a
 *    temporary --out directory); RSS sampled at every simulated hour.
 * 3. File run (child process): the same capture analysed as a file.
 * Prints RSS per simulated day, the slope after the first (warm-up) day, the peak, and whether both runs
 * found the same findings; writes bench/soak-results.md.
 *
 * Options: --days N (default 7), --devices N (default 50).
 * @module
 */
import { spawnSync } from 'node:child_process';
import { createReadStream, existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { InputSource } from '../src/pipeline/source.ts';
import { PcapWriter } from './pcap.ts';
import { SoakTraffic } from './soak-traffic.ts';

const here = fileURLToPath(new URL('.', import.meta.url));
const arg = (name: string, def: number): number => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : def;
};

interface RunReport {
  samples: { hour: number; rss: number; heap: number; heapTotal: number; external: number }[];
  peakRss: number;
  packets: number;
  flows: number;
  findings: string[];
  wallS: number;
  stats: unknown;
}

async function liveRun(path: string): Promise<void> {
  const { AnalysisSession } = await import('../src/engine/session.ts');
  const { readCaptureStream } = await import('../src/capture/open.ts');
  const { RunOutputs } = await import('../src/output/run-outputs.ts');
  const { Site } = await import('../src/pipeline/site.ts');
  const { liveClosedFindings } = await import('../src/cli/analyze.ts');
  const out = mkdtempSync(join(tmpdir(), 'bulwark-soak-out-'));
  const outputs = new RunOutputs({ dir: out, stdout: false, events: ['dhcp', 'telnet.login'], showSecrets: false });
  const samples: RunReport['samples'] = [];
  let firstHour = -1;
  let session: InstanceType<typeof AnalysisSession> | undefined = undefined;
  const published: string[] = [];
  session = new AnalysisSession({
    site: new Site({ sensor: 'soak' }),
    // As `bulwark analyze --interface` runs: closed findings are published, only the latest kept.
    detection: { maxClosedFindings: liveClosedFindings },
    onEvent: outputs.event,
    onFlow: outputs.flow,
    onFindingChange: (f, change) => {
      outputs.finding(f, change);
      if (change === 'closed') published.push(`${f.id}#${f.occurrence} ${f.count}`);
    },
    onDeviceChange: (changes) => outputs.devices(changes, () => session!.inventory.devices()),
    onPublish: outputs.published,
  });
  session.pipeline.onTick((now) => {
    const hour = Math.floor(now / 3600);
    if (firstHour < 0) firstHour = hour;
    if (hour - firstHour === samples.length) {
      const m = process.memoryUsage();
      samples.push({ hour: hour - firstHour, rss: m.rss, heap: m.heapUsed, heapTotal: m.heapTotal, external: m.external + m.arrayBuffers });
    }
  });
  const started = performance.now();
  // The live path: a byte stream through the reader dumpcap's pcapng goes through, heartbeats on.
  const source: InputSource = {
    name: 'soak-stream',
    live: true,
    run: async (sink) => {
      const beat = setInterval(() => sink.heartbeat(), 1000);
      try {
        return await readCaptureStream(createReadStream(path, { highWaterMark: 1 << 20 }), 'soak-stream', sink.packet);
      } finally {
        clearInterval(beat);
      }
    },
  };
  const result = await session.run([source]);
  outputs.close(result);
  rmSync(out, { recursive: true, force: true });
  const report: RunReport = {
    samples, peakRss: process.resourceUsage().maxRSS * 1024, packets: result.summary.packets, flows: result.summary.flows.total,
    // Every finding as published when it closed (findings.jsonl), compared with the file run's result.
    findings: published.sort(), wallS: (performance.now() - started) / 1000,
    stats: result.stats,
  };
  process.stdout.write(JSON.stringify(report));
}

async function fileRun(path: string): Promise<void> {
  const { analyzeCaptures } = await import('../src/engine/analyze-captures.ts');
  const { Site } = await import('../src/pipeline/site.ts');
  const started = performance.now();
  const result = await analyzeCaptures([path], { site: new Site({ sensor: 'soak' }) });
  const report: RunReport = {
    samples: [], peakRss: process.resourceUsage().maxRSS * 1024, packets: result.summary.packets, flows: result.summary.flows.total,
    findings: result.findings.map((f) => `${f.id}#${f.occurrence} ${f.count}`).sort(), wallS: (performance.now() - started) / 1000, stats: result.stats,
  };
  process.stdout.write(JSON.stringify(report));
}

function build(days: number, devices: number): { path: string; packets: number; plan: SoakTraffic['plan'] } {
  const dir = join(here, 'work');
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `soak-${days}d-${devices}dev.pcap`);
  const traffic = new SoakTraffic({ days, devices, start: Date.UTC(2026, 0, 5) / 1000 });
  if (existsSync(path) && statSync(path).size > 24) return { path, packets: -1, plan: traffic.plan };
  const w = new PcapWriter(`${path}.tmp`, 1);
  for (let h = 0; h < days * 24; h++) {
    for (const p of traffic.hour(h)) w.write(p.tsSec, p.tsUsec, p.origLen, p.data);
  }
  w.close();
  spawnSync('mv', [`${path}.tmp`, path]);
  return { path, packets: w.packets, plan: traffic.plan };
}

function child(mode: string, path: string): RunReport {
  // The same heap cap and malloc arenas as bin/bulwark.js, and a small young generation (see the README: a sensor's RSS).
  const r = spawnSync(process.execPath, ['--max-old-space-size=320', '--max-semi-space-size=4', fileURLToPath(import.meta.url), mode, path], {
    encoding: 'utf8', maxBuffer: 1 << 28, env: { ...process.env, MALLOC_ARENA_MAX: '2' },
  });
  if (r.status !== 0) throw new Error(`${mode} run failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as RunReport;
}

/** Least-squares slope of y over x. */
function slope(xs: number[], ys: number[]): number {
  const n = xs.length;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    num += (xs[i] - mx) * (ys[i] - my);
    den += (xs[i] - mx) ** 2;
  }
  return den === 0 ? 0 : num / den;
}

async function main(): Promise<void> {
  const mode = process.argv[2];
  if (mode === '--live') return liveRun(process.argv[3]);
  if (mode === '--file') return fileRun(process.argv[3]);
  const days = arg('--days', 7);
  const devices = arg('--devices', 50);
  const t0 = performance.now();
  const built = build(days, devices);
  const size = statSync(built.path).size;
  process.stdout.write(`workload: ${built.path} (${(size / 2 ** 20).toFixed(0)} MiB), ${days} days, ${devices} devices from ${built.plan.templates} IoT Sentinel captures, ${built.plan.attacks.length} attack replays; built in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
  const live = child('--live', built.path);
  const file = child('--file', built.path);
  const mb = (b: number): number => b / 2 ** 20;
  const after = live.samples.filter((s) => s.hour >= 24);
  const perDay = slope(after.map((s) => s.hour / 24), after.map((s) => mb(s.rss)));
  const heapPerDay = slope(after.map((s) => s.hour / 24), after.map((s) => mb(s.heap)));
  // Bounded structures fill during the first days (closed findings kept, per-host samples): the second half shows
  // whether what is left keeps growing.
  const late = live.samples.filter((s) => s.hour >= (days * 24) / 2);
  const latePerDay = slope(late.map((s) => s.hour / 24), late.map((s) => mb(s.rss)));
  const same = JSON.stringify(live.findings) === JSON.stringify(file.findings);
  const lines = [
    `| simulated day | RSS at its end (MiB) | heap used (MiB) | heap reserved (MiB) | external + array buffers (MiB) |`,
    `|---:|---:|---:|---:|---:|`,
    ...Array.from({ length: days }, (_, d) => live.samples[Math.min(live.samples.length - 1, (d + 1) * 24 - 1)])
      .map((s, d) => `| ${d + 1} | ${mb(s.rss).toFixed(1)} | ${mb(s.heap).toFixed(1)} | ${mb(s.heapTotal).toFixed(1)} | ${mb(s.external).toFixed(1)} |`),
  ];
  const summary = [
    `packets ${live.packets.toLocaleString('en')}, flows ${live.flows.toLocaleString('en')}, ${live.samples.length} hourly samples`,
    `live run: ${live.wallS.toFixed(1)} s wall (${Math.round(live.packets / live.wallS).toLocaleString('en')} packets/s), peak RSS ${mb(live.peakRss).toFixed(0)} MiB`,
    `file run: ${file.wallS.toFixed(1)} s wall, peak RSS ${mb(file.peakRss).toFixed(0)} MiB`,
    `RSS slope after the first day: ${perDay.toFixed(2)} MiB per simulated day (heap ${heapPerDay.toFixed(2)} MiB/day); goal < 1`,
    `RSS slope over the second half (days ${Math.floor(days / 2) + 1}-${days}): ${latePerDay.toFixed(2)} MiB per simulated day`,
    `peak RSS ${mb(live.peakRss).toFixed(0)} MiB; goal <= 256`,
    `findings: live ${live.findings.length}, file ${file.findings.length}: ${same ? 'the same' : 'DIFFERENT'}`,
  ];
  const text = `${summary.join('\n')}\n\n${lines.join('\n')}\n`;
  process.stdout.write(text);
  if (!same) {
    const onlyLive = live.findings.filter((f) => !file.findings.includes(f));
    const onlyFile = file.findings.filter((f) => !live.findings.includes(f));
    process.stdout.write(`only live: ${onlyLive.slice(0, 10).join(', ')}\nonly file: ${onlyFile.slice(0, 10).join(', ')}\n`);
  }
  writeFileSync(join(here, 'soak-results.md'), `# Soak run (npm run soak -- --days ${days} --devices ${devices})\n\n${new Date().toISOString()}, Node ${process.version}, load average ${(await import('node:os')).loadavg().map((l) => l.toFixed(1)).join(' ')}\n\n${summary.map((l) => `- ${l}`).join('\n')}\n\n${lines.join('\n')}\n`);
  process.exitCode = same && perDay < 1 && mb(live.peakRss) <= 256 ? 0 : 1;
}

await main();
