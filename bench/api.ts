/**
 * API load benchmark (`npm run bench:api`): a temporary store holding 10,000 devices and 100,000 findings
 * (SYNTHETIC rows, test/api/synthetic.ts), `bulwark serve`'s app on 127.0.0.1 (random port) in a child process,
 * and an open-loop load generator in this process sending a fixed rate to the device and finding lists.
 * Latency is measured from each request's scheduled send time, so a stalled server cannot hide its queue
 * (no coordinated omission). Loopback only.
 *
 * Options: --rate N (1000 req/s), --seconds S (20), --warmup S (2), --devices N (10000), --findings N (100000),
 * --connections N (64), --no-memo (answer every list from SQLite, no memoised pages).
 * @module
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { serve } from '@hono/node-server';
import { createApp } from '../src/api/app.ts';
import { SqliteStore } from '../src/store/sqlite.ts';
import { syntheticDevice, syntheticFinding, syntheticMac } from '../test/api/synthetic.ts';

const { values: opt } = parseArgs({
  options: {
    server: { type: 'string' },
    rate: { type: 'string', default: '1000' },
    seconds: { type: 'string', default: '20' },
    warmup: { type: 'string', default: '2' },
    devices: { type: 'string', default: '10000' },
    findings: { type: 'string', default: '100000' },
    connections: { type: 'string', default: '64' },
    'no-memo': { type: 'boolean', default: false },
  },
});

if (opt.server) runServer(opt.server);
else await main();

/** Child: serve the filled store; print the port when listening. */
function runServer(db: string): void {
  const store = new SqliteStore(db, { memoPages: !opt['no-memo'] });
  const app = createApp({ store, maxUploadBytes: 1 << 20, uploadDir: join(db, '..', 'uploads') });
  const server = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, (info) => process.stdout.write(`${info.port}\n`));
  process.on('SIGTERM', () => server.close(() => process.exit(0)));
}

async function fill(db: string, devices: number, findings: number): Promise<number> {
  const t = performance.now();
  const store = new SqliteStore(db);
  const { capture } = await store.addCapture({ sha256: '0'.repeat(64), filename: 'synthetic', size: 0, path: '/synthetic' });
  await store.ingest(capture.id, {
    summary: {
      files: [], partial: false, packets: 0, bytes: 0, captured_bytes: 0, first_ts: null, last_ts: null, span_s: 0,
      flows: { total: 0, max_live: 0, evicted: 0, ended: {}, bytes_per_flow: 0 }, transports: {}, apps: {}, events: {},
      anomalies: {}, reassembly: {}, defrag: {}, analyzer_violations: {}, wall_s: 0, packets_per_s: 0,
    },
    devices: Array.from({ length: devices }, (_, i) => syntheticDevice(i)),
    findings: Array.from({ length: findings }, (_, i) => syntheticFinding(i, devices)),
    flowBuckets: [], protocols: [],
  });
  await store.close();
  return (performance.now() - t) / 1000;
}

interface Target {
  group: 'devices' | 'findings';
  path: (i: number) => string;
}

/** What a dashboard asks: first pages, filters, sorts, searches, a device's findings. */
function targets(devices: number): Target[] {
  const dev = (i: number): string => encodeURIComponent(`mac:${syntheticMac(i % devices)}`);
  return [
    { group: 'devices', path: () => '/api/devices' },
    { group: 'devices', path: (i) => `/api/devices?offset=${(i % 20) * 50}` },
    { group: 'devices', path: () => '/api/devices?type=camera&sort=name' },
    { group: 'devices', path: () => '/api/devices?vendor=acme%20synthetic&sort=-bytes' },
    { group: 'devices', path: (i) => `/api/devices?q=synthetic-plug-${i % 1000}` },
    { group: 'findings', path: () => '/api/findings' },
    { group: 'findings', path: (i) => `/api/findings?offset=${(i % 20) * 50}` },
    { group: 'findings', path: () => '/api/findings?severity=high,critical&status=new' },
    { group: 'findings', path: () => '/api/findings?detector=synthetic.scan&since=1700040000' },
    { group: 'findings', path: (i) => `/api/findings?device=${dev(i * 7919)}` },
  ];
}

function get(agent: Agent, port: number, path: string): Promise<number> {
  return new Promise((ok, fail) => {
    const req = request({ host: '127.0.0.1', port, path, agent }, (res) => {
      res.on('data', () => undefined);
      res.on('end', () => ok(res.statusCode ?? 0));
    });
    req.on('error', fail);
    req.end();
  });
}

/** CPU seconds (user + system) a process has used, from /proc (Linux); NaN elsewhere. */
function cpuSeconds(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return NaN;
  }
}

function quantile(sorted: number[], q: number): number {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] : NaN;
}

async function main(): Promise<void> {
  const rate = Number(opt.rate);
  const seconds = Number(opt.seconds);
  const warmup = Number(opt.warmup);
  const nDevices = Number(opt.devices);
  const nFindings = Number(opt.findings);
  const dir = mkdtempSync(join(tmpdir(), 'bulwark-bench-api-'));
  const db = join(dir, 'bench.db');
  const load0 = loadavg()[0];
  process.stderr.write(`filling a store with ${nDevices} synthetic devices and ${nFindings} synthetic findings...\n`);
  const fillS = await fill(db, nDevices, nFindings);
  const child = spawn(process.execPath, [import.meta.filename, '--server', db, ...(opt['no-memo'] ? ['--no-memo'] : [])], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((ok, fail) => {
    child.stdout.once('data', (b: Buffer) => ok(Number(b.toString().trim())));
    child.once('exit', (code) => fail(new Error(`server exited with ${code}`)));
  });
  const agent = new Agent({ keepAlive: true, maxSockets: Number(opt.connections) });
  const list = targets(nDevices);
  for (let i = 0; i < list.length * 3; i++) await get(agent, port, list[i % list.length].path(i));

  process.stderr.write(`driving ${rate} req/s for ${warmup + seconds} s (first ${warmup} s not counted) on 127.0.0.1:${port}...\n`);
  const lat: Record<string, number[]> = { devices: [], findings: [] };
  const perSecond: number[][] = [];
  let errors = 0;
  let sent = 0;
  let completedInWindow = 0;
  const total = Math.round(rate * (warmup + seconds));
  const cpu0 = cpuSeconds(child.pid!);
  const start = performance.now();
  const inflight = new Set<Promise<void>>();
  while (sent < total) {
    const due = Math.min(total, Math.floor(((performance.now() - start) / 1000) * rate) + 1);
    for (; sent < due; sent++) {
      const i = sent;
      const scheduled = start + (i / rate) * 1000;
      const t = list[i % list.length];
      const p = get(agent, port, t.path(i)).then(
        (status) => {
          const ms = performance.now() - scheduled;
          if (status !== 200) errors++;
          if (scheduled - start >= warmup * 1000) {
            lat[t.group].push(ms);
            (perSecond[Math.floor((scheduled - start) / 1000)] ??= []).push(ms);
            completedInWindow++;
          }
        },
        () => {
          errors++;
        },
      ).finally(() => inflight.delete(p));
      inflight.add(p);
    }
    await new Promise((r) => setTimeout(r, 1));
  }
  await Promise.all(inflight);
  const elapsed = (performance.now() - start) / 1000;
  const serverCpuMs = ((cpuSeconds(child.pid!) - cpu0) * 1000) / total;
  agent.destroy();
  child.kill('SIGTERM');
  rmSync(dir, { recursive: true, force: true });

  const all = [...lat.devices, ...lat.findings].sort((a, b) => a - b);
  const row = (name: string, xs: number[]): string => {
    const s = [...xs].sort((a, b) => a - b);
    return `| ${name} | ${s.length} | ${quantile(s, 0.5).toFixed(2)} | ${quantile(s, 0.99).toFixed(2)} | ${s.length ? s[s.length - 1].toFixed(1) : '-'} |`;
  };
  const cpu = cpus();
  process.stdout.write([
    `API load benchmark: ${nDevices} devices, ${nFindings} findings (synthetic rows), store filled in ${fillS.toFixed(1)} s`,
    `offered ${rate} req/s for ${seconds} s after ${warmup} s warm-up; achieved ${(total / elapsed).toFixed(0)} req/s overall, ` +
      `${(completedInWindow / seconds).toFixed(0)} req/s measured; errors ${errors}`,
    `memoised list pages: ${opt['no-memo'] ? 'off' : 'on'}; server CPU per request ${serverCpuMs.toFixed(2)} ms`,
    `machine: ${cpu.length} × ${cpu[0]?.model ?? 'cpu'}, Node ${process.version}, load average at start ${load0.toFixed(2)}`,
    '',
    '| endpoint group | requests | p50 ms | p99 ms | max ms |',
    '|---|---|---|---|---|',
    row('GET /api/devices (5 query shapes)', lat.devices),
    row('GET /api/findings (5 query shapes)', lat.findings),
    row('all', all),
    '',
    `p99 per second (ms): ${perSecond.filter((x) => x).map((x) => quantile(x.sort((a, b) => a - b), 0.99).toFixed(0)).join(' ')}`,
    '',
  ].join('\n'));
  process.exitCode = errors > 0 || quantile(all, 0.99) >= 50 ? 1 : 0;
}
