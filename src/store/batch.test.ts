// Batch writes from sensors (batch.ts) on SYNTHETIC rows (test/api/synthetic.ts): replace semantics, idempotent
// sequence numbers, site namespaces. Expected values follow from the rows written here, by hand.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteStore } from './sqlite.ts';
import { BatchError, type StoreBatch } from './batch.ts';
import { segmentCaptureId } from './sources.ts';
import type { Store } from './types.ts';
import type { RunSummary } from '../pipeline/stats.ts';
import type { Finding, FindingChange } from '../detect/types.ts';
import { syntheticDevice, syntheticFinding, T0 } from '../../test/api/synthetic.ts';

const summary = (packets: number): RunSummary => ({
  files: [], partial: false, packets, bytes: packets * 100, captured_bytes: packets * 100, first_ts: T0, last_ts: T0 + packets, span_s: packets,
  flows: { total: packets / 5, max_live: 2, evicted: 0, ended: {}, bytes_per_flow: 0 }, transports: {}, apps: {}, events: {}, anomalies: {},
  reassembly: {}, defrag: {}, analyzer_violations: {}, wall_s: 0, packets_per_s: 0,
});

const status = (sent_at: number, packets: number) => ({ version: '0.1.0', sent_at, packets, drops: 1, bytes: packets * 100 });

const change = (finding: Finding, c: FindingChange = 'raised') => ({ finding, change: c });

async function withStore(fn: (s: Store) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'bulwark-batch-'));
  const s = new SqliteStore(join(dir, 'b.db'));
  try {
    await fn(s);
  } finally {
    await s.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const json = async (p: Promise<string | undefined>): Promise<Record<string, unknown>> => JSON.parse((await p)!) as Record<string, unknown>;

test('a batch replaces the state it names: device records and finding counts are the latest, never sums', async () => {
  await withStore(async (s) => {
    const ref = { site: 'berlin', sensor: 'gw1' };
    const f1 = syntheticFinding(0, 2, { count: 1, state: 'open', occurrence: 1 });
    const out = await s.applyBatch({ ...ref, seq: 1, devices: [syntheticDevice(1, { flows_out: 11 })], findings: [change(f1)] });
    assert.deepEqual(out, { applied: true, newDeviceIds: ['berlin/mac:02:00:00:00:00:01'], newFindingIds: [`berlin/${f1.id}`] });
    await s.applyBatch({
      ...ref, seq: 2, devices: [syntheticDevice(1, { flows_out: 20, hostnames: ['renamed'] })],
      findings: [change({ ...f1, count: 5, last_ts: f1.last_ts + 30 }, 'updated')],
    });
    const d = await json(s.getDevice('berlin/mac:02:00:00:00:00:01'));
    assert.equal(d.flows_out, 20, 'the sensor sent its running total: 20, not 11 + 20');
    assert.deepEqual(d.hostnames, ['renamed']);
    assert.equal(d.captures, 1, 'one segment reported it');
    await s.applyBatch({ ...ref, seq: 3, findings: [change({ ...f1, count: 7, last_ts: f1.last_ts + 90, state: 'closed', closed_ts: f1.last_ts + 3690 }, 'closed')] });
    const f = await json(s.getFinding(`berlin/${f1.id}`));
    assert.equal(f.count, 7);
    assert.equal(f.state, 'closed');
    assert.equal(f.last_ts, f1.last_ts + 90);
    assert.deepEqual((f.devices as { device_id: string }[]).map((x) => x.device_id), ['berlin/mac:02:00:00:00:00:00']);
    assert.deepEqual(await s.counts(), { captures: 1, devices: 1, findings: 1 });
  });
});

test('a batch number applied before changes nothing, in order or not', async () => {
  await withStore(async (s) => {
    const ref = { site: 'berlin', sensor: 'gw1' };
    const batch = (seq: number, flows: number, count: number): StoreBatch => ({
      ...ref, seq, devices: [syntheticDevice(1, { flows_out: count })], findings: [change(syntheticFinding(0, 2, { count }))],
      flowBuckets: [{ t: T0, flows, bytes: flows * 10 }], protocols: [{ name: 'dns', flows, bytes: flows * 10 }],
    });
    assert.equal((await s.applyBatch(batch(1, 2, 1))).applied, true);
    assert.equal((await s.applyBatch(batch(3, 4, 9))).applied, true, 'batch 3 before batch 2 (two consumers)');
    assert.equal((await s.applyBatch(batch(2, 3, 5))).applied, true);
    for (const seq of [1, 2, 3]) assert.equal((await s.applyBatch(batch(seq, 100, 100))).applied, false, `batch ${seq} again`);
    const f = await json(s.getFinding(`berlin/${syntheticFinding(0, 2).id}`));
    assert.equal(f.count, 9, 'batch 2 arriving late does not undo batch 3');
    assert.equal((await json(s.getDevice('berlin/mac:02:00:00:00:00:01'))).flows_out, 9);
    const flows = await s.timeseries({ metric: 'flows', bucket: 60 });
    assert.deepEqual(flows.series.flows, [2 + 4 + 3], 'flow counts of each batch added once');
    assert.deepEqual((await s.overview()).protocols, [{ name: 'dns', flows: 9, bytes: 90 }]);
    const [sensor] = await s.listSensors();
    assert.equal(sensor.last_seq, 3);
  });
});

test('sites are separate namespaces; sensors of one site share devices', async () => {
  await withStore(async (s) => {
    const dev = syntheticDevice(1, { flows_out: 10, bytes_out: 1000 });
    const fnd = syntheticFinding(1, 2);
    await s.applyBatch({ site: 'berlin', sensor: 'gw1', seq: 1, devices: [dev], findings: [change(fnd)] });
    await s.applyBatch({ site: 'paris', sensor: 'gw1', seq: 1, devices: [dev], findings: [change(fnd)] });
    await s.applyBatch({ site: 'paris', sensor: 'gw2', seq: 1, devices: [{ ...dev, flows_out: 4, hostnames: ['seen-by-gw2'] }] });
    const ids = (await s.listDevices({ limit: 10, offset: 0, sort: 'name' })).items.map((j) => JSON.parse(j).id as string).sort();
    assert.deepEqual(ids, ['berlin/mac:02:00:00:00:00:01', 'paris/mac:02:00:00:00:00:01']);
    const paris = await json(s.getDevice('paris/mac:02:00:00:00:00:01'));
    assert.equal(paris.flows_out, 14, 'two sensors of one site: their records fold like two captures (10 + 4)');
    assert.equal(paris.captures, 2);
    assert.deepEqual(paris.hostnames, [dev.hostnames[0], 'seen-by-gw2']);
    const berlin = await json(s.getDevice('berlin/mac:02:00:00:00:00:01'));
    assert.equal(berlin.flows_out, 10);
    const forParis = await s.listFindings({ limit: 10, offset: 0, device: 'paris/mac:02:00:00:00:00:01' });
    assert.deepEqual(forParis.items.map((j) => JSON.parse(j).id), [`paris/${fnd.id}`]);
    assert.equal((await json(s.getDevice('paris/mac:02:00:00:00:00:01', false))).findings_open, 1);
    const sensors = await s.listSensors();
    assert.deepEqual(sensors.map((x) => `${x.site}/${x.sensor}`), ['berlin/gw1', 'paris/gw1', 'paris/gw2']);
  });
});

test('a finding raised twice in a run (occurrences 1 and 2, one id) reads as it does from a capture file', async () => {
  await withStore(async (s) => {
    const first = syntheticFinding(4, 2, { count: 21, state: 'closed', occurrence: 1, first_ts: T0, last_ts: T0 + 100, closed_ts: T0 + 3700 });
    const again = syntheticFinding(4, 2, { count: 1, state: 'open', occurrence: 2, first_ts: T0 + 8000, last_ts: T0 + 8000 });
    await s.applyBatch({ site: '', sensor: 'gw1', seq: 1, findings: [change(first, 'raised')] });
    await s.applyBatch({ site: '', sensor: 'gw1', seq: 2, findings: [change(first, 'closed'), change(again, 'raised')] });
    const live = await json(s.getFinding(first.id));
    const cap = (await s.addCapture({ sha256: 'e'.repeat(64), filename: 'e.pcap', size: 1, path: '/e' })).capture;
    await s.ingest(cap.id, { summary: summary(10), devices: [], findings: [{ ...first, id: 'x:1' }, { ...again, id: 'x:1' }], flowBuckets: [], protocols: [] });
    const file = await json(s.getFinding('x:1'));
    assert.equal(live.count, 22, 'occurrences add: 21 + 1');
    assert.deepEqual([live.first_ts, live.last_ts, live.state, live.occurrence], [T0, T0 + 8000, 'open', 2]);
    assert.deepEqual({ ...live, id: 'x:1', status_changed_at: null }, { ...file, status_changed_at: null });
  });
});

test('a segment keeps the latest running summary and is done when final; sensors list their latest status', async () => {
  await withStore(async (s) => {
    const ref = { site: 'berlin', sensor: 'gw1' };
    const seg = (final: boolean, packets: number) => ({ id: 'eth0@2026-12-06T10:00:00Z', summary: summary(packets), final });
    await s.applyBatch({ ...ref, seq: 1, segment: seg(false, 10), devices: [syntheticDevice(1)], status: status(1000, 10) });
    await s.applyBatch({ ...ref, seq: 2, segment: seg(false, 25), devices: [syntheticDevice(1), syntheticDevice(2)], status: status(2000, 25) });
    const id = segmentCaptureId(ref, 'eth0@2026-12-06T10:00:00Z');
    let cap = (await s.getCapture(id))!;
    assert.equal(cap.status, 'live');
    assert.deepEqual([cap.summary?.packets, cap.summary?.devices, cap.summary?.new_devices, cap.site, cap.sensor], [25, 2, 2, 'berlin', 'gw1']);
    assert.deepEqual((await s.pendingCaptures()).map((c) => c.id), [], 'a live segment is not an interrupted ingest');
    await s.applyBatch({ ...ref, seq: 3, segment: seg(true, 40), status: status(1500, 40) });
    cap = (await s.getCapture(id))!;
    assert.deepEqual([cap.status, cap.summary?.packets, cap.summary?.flows], ['done', 40, 8]);
    const [row] = await s.listSensors();
    assert.deepEqual([row.first_seen, row.last_seen, row.last_seq, row.status?.packets], [1000, 2000, 3, 40]);
  });
});

test('deleting a device forgets what every source said of it', async () => {
  await withStore(async (s) => {
    await s.applyBatch({ site: 'berlin', sensor: 'gw1', seq: 1, devices: [syntheticDevice(1, { flows_out: 50 })] });
    await s.deleteDevice('berlin/mac:02:00:00:00:00:01');
    await s.applyBatch({ site: 'berlin', sensor: 'gw2', seq: 1, devices: [syntheticDevice(1, { flows_out: 3 })] });
    assert.equal((await json(s.getDevice('berlin/mac:02:00:00:00:00:01'))).flows_out, 3);
  });
});

test('batches with names that cannot be namespaced or a bad sequence number are refused before any write', async () => {
  await withStore(async (s) => {
    for (const bad of [{ site: 'a/b', sensor: 'x', seq: 1 }, { site: 'a', sensor: '', seq: 1 }, { site: 'a', sensor: 'x', seq: 0 },
      { site: 'a', sensor: 'x', seq: 1.5 }, { site: 'a', sensor: 'x'.repeat(65), seq: 1 }]) {
      await assert.rejects(s.applyBatch({ ...bad, devices: [syntheticDevice(1)] }), BatchError);
    }
    assert.deepEqual(await s.counts(), { captures: 0, devices: 0, findings: 0 });
  });
});
