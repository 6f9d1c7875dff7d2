/**
 * Store write benchmark (`npm run bench:store`): sensor batches of SYNTHETIC devices and findings
 * (test/api/synthetic.ts) applied to PostgreSQL (a schema of its own, dropped at the end) and, for reference,
 * SQLite; rows/s at several batch sizes. Then the dashboard's queries on the filled PostgreSQL store, each
 * with EXPLAIN ANALYZE: the plan's access path and time (how the indexes in pg-schema.ts were chosen).
 *
 * A "row" is a table row written: per device its source, document and list row; per finding its source,
 * document, list row and device link; per flow bucket one. Options: --devices N (20000), --findings N
 * (100000), --sizes 1,100,1000 (devices+findings per batch), --postgres URL (BULWARK_TEST_POSTGRES or the
 * local test server).
 * @module
 */
import { cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import type { StoreBatch } from '../src/store/batch.ts';
import type { Store } from '../src/store/types.ts';
import { openTestPostgres, openTestSqlite, postgresUnavailable } from '../src/store/test-stores.ts';
import { pgDeviceOrder } from '../src/store/pg-queries.ts';
import type { PgStore } from '../src/store/pg.ts';
import { syntheticDevice, syntheticFinding, T0 } from '../test/api/synthetic.ts';

const { values: opt } = parseArgs({
  options: {
    devices: { type: 'string', default: '20000' },
    findings: { type: 'string', default: '100000' },
    sizes: { type: 'string', default: '1,100,1000' },
    postgres: { type: 'string' },
  },
});
if (opt.postgres) process.env.BULWARK_TEST_POSTGRES = opt.postgres;
const nDevices = Number(opt.devices);
const nFindings = Number(opt.findings);
const sizes = opt.sizes.split(',').map(Number);

const ROWS_PER_DEVICE = 3;
const ROWS_PER_FINDING = 4;
const SENSORS = 4;

/** Batches covering `devices` devices and `findings` findings, `size` records each, spread over 4 sensors of one site. */
function batches(devices: number, findings: number, size: number): { list: StoreBatch[]; rows: number } {
  const list: StoreBatch[] = [];
  const seq = new Array<number>(SENSORS).fill(0);
  let rows = 0;
  for (let d = 0, f = 0; d < devices || f < findings;) {
    const k = list.length % SENSORS;
    const take = Math.min(devices - d, Math.ceil(size * devices / (devices + findings)));
    const takeF = Math.min(findings - f, size - take);
    const batch: StoreBatch = {
      site: 'bench', sensor: `s${k}`, seq: ++seq[k],
      devices: Array.from({ length: take }, (_, i) => syntheticDevice(d + i)),
      findings: Array.from({ length: takeF }, (_, i) => ({ finding: syntheticFinding(f + i, devices), change: 'raised' as const })),
      flowBuckets: [{ t: T0 + list.length * 10, flows: take + takeF, bytes: 1000 }],
    };
    rows += take * ROWS_PER_DEVICE + takeF * ROWS_PER_FINDING + 1;
    d += take;
    f += takeF;
    list.push(batch);
  }
  return { list, rows };
}

/** The store being filled: dropped on SIGINT/SIGTERM too, so a stopped run leaves no schema behind. */
let current: { drop(): Promise<void> } | undefined;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void (current?.drop() ?? Promise.resolve()).finally(() => process.exit(130));
  });
}

async function write(store: Store, list: readonly StoreBatch[]): Promise<number> {
  const t = performance.now();
  for (const b of list) await store.applyBatch(b);
  return (performance.now() - t) / 1000;
}

const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');

async function writeRates(kind: string, open: () => Promise<{ store: Store; drop(): Promise<void> }>, devices: number, findings: number): Promise<void> {
  for (const size of sizes) {
    // Small batches cost a round trip each: fewer of them keep the run short with the same meaning.
    const scale = size < 100 ? 0.02 : 1;
    const { list, rows } = batches(Math.round(devices * scale), Math.round(findings * scale), size);
    const opened = await open();
    current = opened;
    try {
      const s = await write(opened.store, list);
      console.log(`| ${kind} | ${size} | ${list.length} | ${fmt(rows)} | ${s.toFixed(2)} | **${fmt(rows / s)}** | ${fmt(list.length / s)} |`);
    } finally {
      await opened.drop();
    }
  }
}

const dashboardQueries: [string, string, unknown[]][] = [
  ['devices, newest first', `SELECT id FROM devices ORDER BY ${pgDeviceOrder(undefined)} LIMIT 50`, []],
  ['devices of a type', `SELECT id FROM devices WHERE type = $1 ORDER BY ${pgDeviceOrder(undefined)} LIMIT 50`, ['camera']],
  ['devices of a vendor', `SELECT id FROM devices WHERE lower(vendor) = lower($1) ORDER BY ${pgDeviceOrder(undefined)} LIMIT 50`, ['Acme Synthetic']],
  ['devices by name', `SELECT id FROM devices ORDER BY ${pgDeviceOrder('name')} LIMIT 50`, []],
  ['devices by findings', `SELECT id FROM devices ORDER BY ${pgDeviceOrder('findings')} LIMIT 50`, []],
  ['device search q=10.0.1.17', 'SELECT id FROM devices WHERE search LIKE $1 ORDER BY last_ts DESC, id LIMIT 50', ['%10.0.1.17%']],
  ['findings, newest first', 'SELECT id FROM findings ORDER BY last_ts DESC, id LIMIT 50', []],
  ['findings high+critical', 'SELECT id FROM findings WHERE severity = ANY($1::text[]) ORDER BY last_ts DESC, id LIMIT 50', [['high', 'critical']]],
  ['findings of a device', 'SELECT id FROM findings WHERE id IN (SELECT finding_id FROM finding_devices WHERE device_id = $1) ORDER BY last_ts DESC, id LIMIT 50', ['bench/mac:02:00:00:00:00:11']],
  ['findings count, status new', 'SELECT count(*) FROM findings WHERE status = ANY($1::text[])', [['new']]],
  ['findings time series', 'SELECT floor(first_ts / 300)::bigint * 300 AS b, severity, count(*) FROM findings WHERE first_ts >= $1 AND first_ts <= $2 GROUP BY 1, 2', [0, 1e15]],
  ['device documents of a page', 'SELECT d.id, dd.record FROM devices d JOIN device_docs dd ON dd.id = d.id WHERE d.id = ANY($1)', [Array.from({ length: 50 }, (_, i) => `bench/mac:02:00:00:00:00:${(i + 16).toString(16).padStart(2, '0')}`)]],
];

async function explain(store: PgStore): Promise<void> {
  await store.pool.query('ANALYZE');
  console.log('\n| dashboard query | plan (access path) | time ms |\n|---|---|---|');
  for (const [name, sql, params] of dashboardQueries) {
    const res = await store.pool.query(`EXPLAIN (ANALYZE, FORMAT JSON) ${sql}`, params);
    const plan = (res.rows[0] as { 'QUERY PLAN': { Plan: PlanNode; 'Execution Time': number }[] })['QUERY PLAN'][0];
    console.log(`| ${name} | ${paths(plan.Plan).join(', ')} | ${plan['Execution Time'].toFixed(2)} |`);
  }
}

interface PlanNode {
  'Node Type': string;
  'Index Name'?: string;
  'Relation Name'?: string;
  Plans?: PlanNode[];
}

/** The scans of a plan: which index (or sequential scan) reads each table. */
function paths(n: PlanNode): string[] {
  const here = n['Relation Name'] || n['Index Name'] ? [`${n['Node Type']} ${n['Index Name'] ?? n['Relation Name']}`] : [];
  return [...here, ...(n.Plans ?? []).flatMap(paths)];
}

const why = await postgresUnavailable();
if (why) {
  console.error(`bench:store: ${why}`);
  process.exit(1);
}
console.log(`# bench:store — ${nDevices.toLocaleString('en-US')} devices, ${nFindings.toLocaleString('en-US')} findings (SYNTHETIC); ${cpus().length} CPUs, load ${loadavg()[0].toFixed(1)}\n`);
console.log('| store | records per batch | batches | rows | seconds | rows/s | batches/s |\n|---|---|---|---|---|---|---|');
await writeRates('PostgreSQL', () => openTestPostgres(), nDevices, nFindings);
await writeRates('SQLite', async () => openTestSqlite(), nDevices, nFindings);

const filled = await openTestPostgres();
current = filled;
try {
  await write(filled.store, batches(nDevices, nFindings, 1000).list);
  await explain(filled.store);
} finally {
  await filled.drop();
}
