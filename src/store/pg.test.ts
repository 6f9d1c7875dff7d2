// What only the PostgreSQL store has to get right: several servers opening and writing one database at once.
// SYNTHETIC rows; expected values follow by hand from what is written. Skipped, saying why, without a server.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { PgStore } from './pg.ts';
import { MAX_FINE_LOCKS } from './pg-write.ts';
import { openTestPostgres, postgresUnavailable, testPostgresUrl } from './test-stores.ts';
import type { StoreBatch } from './batch.ts';
import { syntheticDevice, syntheticFinding, T0 } from '../../test/api/synthetic.ts';

const skip = await postgresUnavailable();

test('two servers opening one new schema at once migrate it once; reopening applies nothing', { skip }, async () => {
  const schema = `bulwark_test_${randomBytes(6).toString('hex')}`;
  const first = await openTestPostgres(schema);
  const [a, b] = await Promise.all([0, 1].map(() => PgStore.open({ connectionString: testPostgresUrl, schema, max: 2 })));
  try {
    assert.deepEqual(await a.schemaVersions(), [1, 2]);
    assert.deepEqual(await b.schemaVersions(), [1, 2]);
    assert.equal(first.store.trigram, true, 'pg_trgm is available on the test server');
  } finally {
    await a.close();
    await b.close();
    await first.drop();
  }
});

test('two consumers applying two sensors\' batches at once, with redeliveries, lose and duplicate nothing', { skip }, async () => {
  const opened = await openTestPostgres();
  const other = await PgStore.open({ ...opened.store.reopen.options, max: 4 });
  try {
    const batches: StoreBatch[] = [];
    for (const sensor of ['gw1', 'gw2']) {
      for (let seq = 1; seq <= 20; seq++) {
        batches.push({
          site: 'berlin', sensor, seq,
          // Each sensor's running totals for the one device both see, and the one finding both report.
          devices: [syntheticDevice(1, { flows_out: seq * (sensor === 'gw1' ? 1 : 100), evidence: [] })],
          findings: [{ finding: syntheticFinding(3, 2, { count: seq }), change: seq === 1 ? 'raised' : 'updated' }],
          flowBuckets: [{ t: T0 + seq * 10, flows: 1, bytes: 10 }],
        });
      }
    }
    // Every batch twice (a redelivery), spread over both consumers, all in flight together.
    const work = [...batches, ...batches].map((b, i) => (i % 2 === 0 ? opened.store : other).applyBatch(b));
    const outcomes = await Promise.all(work);
    assert.equal(outcomes.filter((o) => o.applied).length, 40, 'each of the 40 batches applied exactly once');
    const d = JSON.parse((await opened.store.getDevice('berlin/mac:02:00:00:00:00:01'))!) as { flows_out: number; captures: number };
    assert.equal(d.flows_out, 20 + 2000, 'the latest of each sensor, folded: gw1 says 20, gw2 says 2,000');
    const f = JSON.parse((await opened.store.getFinding(`berlin/${syntheticFinding(3, 2).id}`))!) as { count: number };
    assert.equal(f.count, 20 + 20);
    const flows = await opened.store.timeseries({ metric: 'flows', bucket: 1000 });
    assert.equal(flows.series.flows.reduce((a, b) => a + b, 0), 40, 'one flow per batch, added once');
    assert.deepEqual((await opened.store.listSensors()).map((s) => [s.sensor, s.last_seq]), [['gw1', 20], ['gw2', 20]]);
    const left = await opened.store.pool.query('SELECT count(*) AS n FROM sensor_batches');
    assert.equal(left.rows[0].n, 0, 'numbers below the watermark are not kept');
  } finally {
    await other.close();
    await opened.drop();
  }
});

test('a write too large for fine locks (a big capture) takes the bulk lock and still excludes small writers', { skip }, async () => {
  const opened = await openTestPostgres();
  const other = await PgStore.open({ ...opened.store.reopen.options, max: 4 });
  try {
    const many = Array.from({ length: MAX_FINE_LOCKS + 100 }, (_, i) => syntheticDevice(i, { flows_out: 1, evidence: [] }));
    const small = (seq: number): StoreBatch => ({ site: 'berlin', sensor: 'gw2', seq, devices: [syntheticDevice(seq % 5, { flows_out: 1000, evidence: [] })] });
    await Promise.all([
      opened.store.applyBatch({ site: 'berlin', sensor: 'gw1', seq: 1, devices: many }),
      ...Array.from({ length: 10 }, (_, i) => other.applyBatch(small(i + 1))),
    ]);
    // Devices 0..4 are seen by both sensors: gw1 says 1 flow, gw2's latest says 1,000.
    for (let i = 0; i < 5; i++) {
      const d = JSON.parse((await opened.store.getDevice(`berlin/${syntheticDevice(i).id}`))!) as { flows_out: number };
      assert.equal(d.flows_out, 1 + 1000, `device ${i}`);
    }
    assert.equal((await opened.store.counts()).devices, MAX_FINE_LOCKS + 100);
  } finally {
    await other.close();
    await opened.drop();
  }
});

test('a write through one server changes version() on another server of the same database (memoised answers go stale)', { skip }, async () => {
  const opened = await openTestPostgres();
  const other = await PgStore.open({ ...opened.store.reopen.options, max: 2 });
  try {
    const before = await other.version();
    assert.equal(await other.version(), before, 'no write, same version');
    await opened.store.applyBatch({ site: 'berlin', sensor: 'gw9', seq: 1, devices: [syntheticDevice(7, { evidence: [] })] });
    const after = await other.version();
    assert.notEqual(after, before, 'the other server sees that the database changed');
    await opened.store.addCapture({ sha256: 'ab'.repeat(32), filename: 'x.pcap', size: 1, path: '/nonexistent/x.pcap' });
    assert.notEqual(await other.version(), after);
  } finally {
    await other.close();
    await opened.drop();
  }
});
