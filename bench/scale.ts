/**
 * Many sensors, one store (`npm run bench:scale`, issue #15): N sensor processes → NATS JetStream → one
 * `bulwark serve --consume` → the store, with N = 1, 2 and 4. Each sensor first analyses its own IoT
 * Sentinel captures (untimed), then all publish at once as fast as the link takes them. Measured end to
 * end, from the first hand-over to the last batch visible in the API (/api/sensors polled every 10 ms):
 * messages/s, finding changes/s, store record rows/s (devices, findings, flow buckets and protocol counts
 * upserted), and the latency from hand-over to visible in the API (p50/p99, under that full load).
 *
 * Servers: a private nats-server (own port and storage); the store is PostgreSQL when one answers at
 * BULWARK_TEST_POSTGRES (default postgres://127.0.0.1:5432/test; a schema of its own, dropped after), else
 * SQLite (--store sqlite forces it).
 * @module
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import { TestNatsServer } from '../test/support/nats-server.ts';
import { Central } from '../test/support/central.ts';
import { openTestPostgres, postgresUnavailable, testPostgresUrl } from '../src/store/test-stores.ts';
import { withDefaultUser } from '../src/store/pg.ts';

const { values: opt } = parseArgs({ options: { store: { type: 'string' }, sensors: { type: 'string', default: '1,2,4' }, files: { type: 'string', default: '4' } } });
const counts = opt.sensors.split(',').map(Number);
const filesPerSensor = Number(opt.files);
const captures = new URL('../../shared/captures/benign-iot/iot-sentinel/', import.meta.url).pathname;
// The D-Link devices' folders: the largest setups (thousands of packets each), one folder per sensor.
const folders = readdirSync(captures, { withFileTypes: true }).filter((d) => d.isDirectory() && d.name.startsWith('D-Link')).map((d) => d.name).sort();

const dir = mkdtempSync(join(tmpdir(), 'bulwark-bench-scale-'));
const nats = await TestNatsServer.start();
const usePg = opt.store !== 'sqlite' && (await postgresUnavailable()) === undefined;
const schema = `bulwark_bench_${randomBytes(5).toString('hex')}`;
const pg = usePg ? await openTestPostgres(schema) : undefined;
const config = join(dir, 'central.yaml');
writeFileSync(config, usePg ? `store:\n  postgres:\n    schema: ${schema}\n` : '');
const storeArgs = usePg ? ['--store', withDefaultUser(testPostgresUrl)] : ['--db', join(dir, 'central.db')];
const central = await Central.start(nats.url, [...storeArgs, '--config', config]);

interface Ready { batches: number; findings: number; rows: number }

function startSensor(site: string, sensor: string, files: string[]): { child: ChildProcess; ready: Promise<Ready>; done: Promise<{ ms: number; left: number }> } {
  const child = spawn(process.execPath, [join(import.meta.dirname, 'scale-sensor.ts'), nats.url, site, sensor, join(dir, `spool-${site}-${sensor}`), ...files], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout! });
  let onReady: (r: Ready) => void = () => undefined;
  let onDone: (r: { ms: number; left: number }) => void = () => undefined;
  const ready = new Promise<Ready>((r) => { onReady = r; });
  const done = new Promise<{ ms: number; left: number }>((r) => { onDone = r; });
  lines.on('line', (l) => {
    const o = JSON.parse(l) as { ready?: boolean; done?: boolean } & Ready & { ms: number; left: number };
    if (o.ready) onReady(o);
    if (o.done) onDone(o);
  });
  return { child, ready, done };
}

const pct = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] : NaN;
};

const rows: string[] = [];
for (const n of counts) {
  const site = `bench${n}`;
  const sensors = Array.from({ length: n }, (_, i) => {
    const folder = folders[i % folders.length];
    const files = readdirSync(join(captures, folder)).filter((f) => f.endsWith('.pcap')).sort().slice(0, filesPerSensor).map((f) => join(captures, folder, f));
    return { name: `s${i + 1}`, ...startSensor(site, `s${i + 1}`, files) };
  });
  const ready = await Promise.all(sensors.map((s) => s.ready));
  const total = { batches: 0, findings: 0, rows: 0 };
  for (const r of ready) for (const k of ['batches', 'findings', 'rows'] as const) total[k] += r[k];
  const load0 = loadavg()[0];
  const t0 = Date.now();
  for (const s of sensors) s.child.stdin!.write('go\n');
  // Poll the API: each time a sensor's last applied seq moves, the newest batch applied was handed over at last_seen.
  const latency: number[] = [];
  const last = new Map<string, number>();
  const want = new Map(sensors.map((s, i) => [s.name, ready[i].batches]));
  for (;;) {
    const list = (await central.sensors()).filter((x) => x.site === site) as unknown as { sensor: string; last_seq: number; last_seen: number }[];
    const now = Date.now();
    for (const x of list) {
      if ((last.get(x.sensor) ?? 0) !== x.last_seq) latency.push(now - x.last_seen);
      last.set(x.sensor, x.last_seq);
    }
    if ([...want].every(([name, seq]) => (last.get(name) ?? 0) >= seq)) break;
    if (now - t0 > 600_000) throw new Error('the central service did not catch up within 10 minutes');
    await sleep(10);
  }
  const seconds = (Date.now() - t0) / 1000;
  const published = await Promise.all(sensors.map((s) => s.done));
  const pubS = Math.max(...published.map((p) => p.ms)) / 1000;
  rows.push(`| ${n} | ${total.batches} | ${(total.batches / seconds).toFixed(0)} | ${(total.findings / seconds).toFixed(0)} | ${(total.rows / seconds).toFixed(0)} | ${pct(latency, 50).toFixed(0)} | ${pct(latency, 99).toFixed(0)} | ${(total.batches / pubS).toFixed(0)} | ${load0.toFixed(1)} |`);
  console.error(`${n} sensor(s): ${total.batches} messages in ${seconds.toFixed(2)} s end to end`);
}

console.log(`Store: ${usePg ? 'PostgreSQL' : 'SQLite'}; ${cpus().length} CPUs (${cpus()[0]?.model ?? '?'}), shared with other work (load average before each run in the table); nats-server, the central serve and the sensors all on this machine.`);
console.log(`Each sensor: ${filesPerSensor} IoT Sentinel setup captures of one D-Link device folder, a batch per publication tick.\n`);
console.log('| sensors | messages | messages/s | finding changes/s | store rows/s | p50 ms | p99 ms | published/s (sensor side) | load |');
console.log('|---|---|---|---|---|---|---|---|---|');
for (const r of rows) console.log(r);

await central.stop();
await nats.dispose();
await pg?.drop();
rmSync(dir, { recursive: true, force: true });
