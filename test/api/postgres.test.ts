// The API over the PostgreSQL store: a real capture ingested (in the ingest worker, which opens its own pool)
// answers every dashboard query as it does over SQLite; `serve --store` reads PostgreSQL credentials and TLS
// from the configuration file; /api/sensors shows rates from the last two reports of a sensor.
// Skipped, saying why, only when no PostgreSQL server can be had (scripts/test-services.sh starts the local one).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp } from '../../src/api/app.ts';
import { IngestQueue } from '../../src/api/ingest.ts';
import { parseServeArgs } from '../../src/cli/serve.ts';
import { openTestPostgres, openTestSqlite, postgresUnavailable, type OpenedStore } from '../../src/store/test-stores.ts';
import { syntheticDevice } from './synthetic.ts';
import { samplePath } from './helpers.ts';

const skip = await postgresUnavailable();

async function served(opened: OpenedStore, fn: (get: (path: string) => Promise<unknown>) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'bulwark-pgapi-'));
  const queue = new IngestQueue(opened.store);
  const app = createApp({ store: opened.store, queue, maxUploadBytes: 1 << 20, uploadDir: join(dir, 'uploads'), webRoot: join(dir, 'no-web') });
  try {
    await fn(async (path) => {
      const res = await app.request(path);
      assert.equal(res.status, 200, path);
      return res.json();
    });
  } finally {
    await queue.idle();
    await opened.drop();
    rmSync(dir, { recursive: true, force: true });
  }
}

test('a real capture ingested into PostgreSQL answers the dashboard exactly as SQLite does', { skip }, async () => {
  const answers: unknown[][] = [];
  for (const open of [openTestSqlite, openTestPostgres]) {
    const opened = await open();
    assert.equal(opened.store.reopen !== undefined, true, 'the ingest runs in the worker, on its own connection');
    await served(opened, async (get) => {
      const queue = new IngestQueue(opened.store);
      const { capture } = await queue.submitFile(samplePath);
      await queue.idle();
      const stored = await opened.store.getCapture(capture.id);
      assert.equal(stored?.status, 'done', stored?.error);
      const paths = ['/api/devices?limit=500', '/api/devices?sort=name&limit=5', '/api/devices?q=dlink', '/api/findings?limit=500',
        '/api/findings?severity=high,critical', '/api/overview', '/api/timeseries?metric=flows&bucket=60', '/api/timeseries?metric=findings&bucket=300'];
      const got: unknown[] = [];
      for (const p of paths) got.push(await get(p));
      const devices = got[0] as { items: { id: string }[] };
      got.push(await get(`/api/devices/${encodeURIComponent(devices.items[0].id)}`));
      answers.push(got);
    });
  }
  const [sqlite, postgres] = answers;
  assert.ok((sqlite[0] as { total: number }).total > 0, 'the sample capture has devices');
  assert.deepEqual(postgres, sqlite);
});

test('sensors: site-scoped ids work in API paths; rates come from the last two reports', { skip }, async () => {
  const opened = await openTestPostgres();
  await served(opened, async (get) => {
    const status = (sent_at: number, packets: number, drops: number) => ({ version: '0.1.0', sent_at, packets, drops, bytes: packets * 60 });
    const t0 = Date.now();
    await opened.store.applyBatch({ site: 'berlin', sensor: 'gw1', seq: 1, devices: [syntheticDevice(7)], status: status(t0 - 4000, 1000, 0) });
    await opened.store.applyBatch({ site: 'berlin', sensor: 'gw1', seq: 2, status: status(t0 - 2000, 5000, 20) });
    const { items } = await get('/api/sensors') as { items: Record<string, unknown>[] };
    assert.equal(items.length, 1);
    const s = items[0];
    assert.deepEqual([s.site, s.sensor, s.last_seq, s.version, s.state], ['berlin', 'gw1', 2, '0.1.0', 'reporting']);
    assert.equal(s.packets_per_s, (5000 - 1000) / 2, '4,000 packets in the 2 s between the reports');
    assert.equal(s.drops_per_s, 20 / 2);
    assert.equal(s.drop_ratio, 20 / 5020);
    const d = await get(`/api/devices/${encodeURIComponent('berlin/mac:02:00:00:00:00:07')}`) as { id: string };
    assert.equal(d.id, 'berlin/mac:02:00:00:00:00:07');
  });
});

test('serve --store: PostgreSQL address, password from the named environment variable, TLS files from the config', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bulwark-pgcfg-'));
  try {
    writeFileSync(join(dir, 'ca.pem'), '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
    writeFileSync(join(dir, 'b.yaml'), `store:\n  url: postgres://bulwark@db.example:5432/bulwark\n  postgres:\n    password_env: PGPASS_TEST\n    schema: site_a\n    pool: 4\n    tls: {mode: verify-full, ca: ${join(dir, 'ca.pem')}}\n`);
    const args = parseServeArgs(['--config', join(dir, 'b.yaml')], { PGPASS_TEST: 'hunter2' });
    assert.equal(typeof args, 'object', String(args));
    const store = (args as Exclude<ReturnType<typeof parseServeArgs>, string>).store;
    assert.equal(store.kind, 'postgres');
    if (store.kind !== 'postgres') return;
    assert.deepEqual({ ...store.options, ssl: undefined }, { connectionString: 'postgres://bulwark@db.example:5432/bulwark', password: 'hunter2', schema: 'site_a', max: 4, ssl: undefined });
    assert.deepEqual(store.options.ssl, { rejectUnauthorized: true, ca: '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n' });
    assert.match(parseServeArgs(['--config', join(dir, 'b.yaml')], {}) as string, /PGPASS_TEST is not set/);
    assert.match(parseServeArgs(['--store', 'postgres://u:secret@h/db'], {}) as string, /password in the address/);
    const sqlite = parseServeArgs(['--store', `sqlite:${join(dir, 'x.db')}`], {}) as { store: { kind: string; path: string } };
    assert.deepEqual(sqlite.store, { kind: 'sqlite', path: join(dir, 'x.db') });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
