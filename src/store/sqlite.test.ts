// Store tests on SYNTHETIC rows (test/api/synthetic.ts): the store parses no traffic, it keeps what the
// stages produce. The whole path from a real capture is in test/api/api.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { SqliteStore, captureIdOf } from './sqlite.ts';
import { migrations } from './schema.ts';
import type { IngestInput } from './types.ts';
import type { RunSummary } from '../pipeline/stats.ts';
import { syntheticDevice, syntheticFinding, T0 } from '../../test/api/synthetic.ts';

const summary = (packets: number): RunSummary => ({
  files: [], partial: false, packets, bytes: packets * 100, captured_bytes: packets * 100, first_ts: T0, last_ts: T0 + 100, span_s: 100,
  flows: { total: 2, max_live: 2, evicted: 0, ended: {}, bytes_per_flow: 0 }, transports: {}, apps: {}, events: {}, anomalies: {},
  reassembly: {}, defrag: {}, analyzer_violations: {}, wall_s: 0, packets_per_s: 0,
});

function input(over: Partial<IngestInput> = {}): IngestInput {
  return {
    summary: summary(10), devices: [syntheticDevice(1), syntheticDevice(2)], findings: [syntheticFinding(0, 2), syntheticFinding(1, 2)],
    flowBuckets: [{ t: T0, flows: 2, bytes: 300 }, { t: T0 + 70, flows: 1, bytes: 50 }], protocols: [{ name: 'dns', flows: 3, bytes: 350 }],
    ...over,
  };
}

const sha = (c: string): string => c.repeat(64);

async function withStore(fn: (s: SqliteStore, dir: string) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'bulwark-store-'));
  const s = new SqliteStore(join(dir, 'b.db'));
  try {
    await fn(s, dir);
  } finally {
    await s.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

test('a file store runs in WAL mode with its migrations recorded; reopening applies nothing twice', async () => {
  await withStore(async (s, dir) => {
    assert.equal(s.journalMode(), 'wal');
    assert.deepEqual(s.schemaVersions(), [1, 2]);
    const again = new SqliteStore(join(dir, 'b.db'));
    assert.deepEqual(again.schemaVersions(), [1, 2]);
    await again.close();
  });
});

test('the same capture twice adds nothing twice', async () => {
  await withStore(async (s) => {
    const a = await s.addCapture({ sha256: sha('a'), filename: 'x.pcap', size: 10, path: '/tmp/x' });
    assert.equal(a.created, true);
    assert.equal(a.capture.id, captureIdOf(sha('a')));
    const b = await s.addCapture({ sha256: sha('a'), filename: 'renamed.pcap', size: 10, path: '/tmp/y' });
    assert.equal(b.created, false);
    assert.equal(b.capture.filename, 'x.pcap');
    const first = await s.ingest(a.capture.id, input());
    assert.equal(first.applied, true);
    assert.deepEqual(first.newDeviceIds, ['mac:02:00:00:00:00:01', 'mac:02:00:00:00:00:02']);
    const second = await s.ingest(a.capture.id, input());
    assert.equal(second.applied, false);
    assert.deepEqual(await s.counts(), { captures: 1, devices: 2, findings: 2 });
    const f = JSON.parse((await s.getFinding(syntheticFinding(0, 2).id))!);
    assert.equal(f.count, 1);
    const ts = await s.timeseries({ metric: 'flows', bucket: 60 });
    assert.deepEqual(ts.series.flows, [2, 1]);
  });
});

test('a second capture merges devices and findings; overrides and statuses persist', async () => {
  await withStore(async (s) => {
    const a = (await s.addCapture({ sha256: sha('a'), filename: 'a.pcap', size: 1, path: '/a' })).capture;
    const b = (await s.addCapture({ sha256: sha('b'), filename: 'b.pcap', size: 1, path: '/b' })).capture;
    await s.ingest(a.id, input());
    const devId = syntheticDevice(1).id;
    assert.equal(await s.overrideDevice(devId, { name: 'Hall camera', type: 'camera' }), true);
    assert.equal(await s.overrideDevice('mac:none', { name: 'x' }), false);
    const findingId = syntheticFinding(0, 2).id;
    await s.updateFinding(findingId, { status: 'resolved', note: 'fixed the password' });
    const later = syntheticDevice(1, { last_ts: T0 + 99_999, hostnames: ['renamed-host'], flows_out: 5, evidence: [] });
    const out = await s.ingest(b.id, input({ devices: [later], findings: [syntheticFinding(0, 2, { last_ts: T0 + 99_999, count: 4 })] }));
    assert.deepEqual(out.newDeviceIds, []);
    assert.deepEqual(out.newFindingIds, []);
    const d = JSON.parse((await s.getDevice(devId))!);
    assert.equal(d.name, 'Hall camera');
    assert.deepEqual(d.user, { name: 'Hall camera', type: 'camera' });
    assert.equal(d.last_ts, T0 + 99_999);
    assert.deepEqual(d.hostnames, ['synthetic-plug-1', 'renamed-host']);
    assert.equal(d.flows_out, 11 + 5);
    assert.equal(d.captures, 2);
    assert.equal(d.evidence.length, 1);
    const f = JSON.parse((await s.getFinding(findingId))!);
    assert.equal(f.count, 5);
    assert.equal(f.status, 'new', 'a resolved finding seen again after it was resolved is new again');
    assert.equal(f.note, 'fixed the password');
    // Clearing the override brings the inventory's values back.
    await s.overrideDevice(devId, { name: null, type: null });
    const cleared = JSON.parse((await s.getDevice(devId))!);
    assert.equal(cleared.name, 'synthetic-plug-1');
    assert.equal(cleared.type, 'plug');
    assert.equal(cleared.user, undefined);
  });
});

test('list filters, sorting, totals and open-finding counts', async () => {
  await withStore(async (s) => {
    const c = (await s.addCapture({ sha256: sha('c'), filename: 'c.pcap', size: 1, path: '/c' })).capture;
    const devices = Array.from({ length: 30 }, (_, i) => syntheticDevice(i));
    const findings = Array.from({ length: 100 }, (_, i) => syntheticFinding(i, 30));
    await s.ingest(c.id, input({ devices, findings }));
    const cams = await s.listDevices({ limit: 5, offset: 0, type: 'camera' });
    assert.equal(cams.total, 3);
    assert.ok(cams.items.every((j) => JSON.parse(j).type === 'camera'));
    const byName = await s.listDevices({ limit: 2, offset: 0, sort: 'name' });
    assert.deepEqual(byName.items.map((j) => JSON.parse(j).name), ['synthetic-bulb-12', 'synthetic-bulb-2']);
    const q = await s.listDevices({ limit: 50, offset: 0, q: '10.0.0.17' });
    assert.deepEqual(q.items.map((j) => JSON.parse(j).id), [syntheticDevice(17).id]);
    const vendor = await s.listDevices({ limit: 50, offset: 0, vendor: 'acme synthetic' });
    assert.equal(vendor.total, 8);
    const high = await s.listFindings({ limit: 10, offset: 0, severity: ['high', 'critical'] });
    assert.equal(high.total, 40);
    const first = JSON.parse(high.items[0]);
    assert.equal(first.evidence, undefined, 'lists leave evidence out');
    assert.equal(first.status, 'new');
    const forDevice = await s.listFindings({ limit: 50, offset: 0, device: syntheticDevice(3).id });
    assert.deepEqual(forDevice.items.map((j) => JSON.parse(j).title).sort(), ['Synthetic finding 3', 'Synthetic finding 33', 'Synthetic finding 63', 'Synthetic finding 93']);
    assert.equal(JSON.parse((await s.getDevice(syntheticDevice(3).id, false))!).findings_open, 4);
    await s.updateFinding(syntheticFinding(3, 30).id, { status: 'acknowledged' });
    assert.equal(JSON.parse((await s.getDevice(syntheticDevice(3).id, false))!).findings_open, 3);
    assert.equal((await s.listFindings({ limit: 1, offset: 0, status: ['acknowledged'] })).total, 1);
    const window = await s.listFindings({ limit: 1, offset: 0, since: T0 + 90, until: T0 + 95 });
    assert.equal(window.total, 66, 'active in [T0+90, T0+95]: finding i spans [T0+i, T0+i+60], so i from 30 to 95');
    const series = await s.timeseries({ metric: 'findings', bucket: 60 });
    assert.equal(series.t.length, 2);
    assert.deepEqual(series.series.info, [8, 12], 'buckets start at T0-20 (minute boundary): i 0..39, then 40..99; every fifth is info');
    const ov = await s.overview();
    assert.equal(ov.devices, 30);
    assert.deepEqual(ov.findings_by_severity, { critical: 20, high: 20, medium: 20, low: 20, info: 20 });
    assert.equal(ov.top_talkers[0].bytes, 12 * 1000 + 500);
  });
});

test('assessments set the device grade; labels are kept per format', async () => {
  await withStore(async (s) => {
    const c = (await s.addCapture({ sha256: sha('d'), filename: 'd.pcap', size: 1, path: '/d' })).capture;
    const id = syntheticDevice(1).id;
    const assessment = { device_id: id, grade: 'D', headline: 'synthetic' };
    await s.ingest(c.id, input({ assessments: [assessment], labels: [{ device_id: id, svg: '<svg/>' }] }));
    assert.equal(JSON.parse((await s.getDevice(id))!).grade, 'D');
    assert.equal(JSON.parse((await s.getAssessment(id))!).headline, 'synthetic');
    assert.equal(Buffer.from((await s.getLabel(id, 'svg'))!).toString(), '<svg/>');
    assert.equal(await s.getLabel(id, 'pdf'), undefined);
    assert.equal((await s.listDevices({ limit: 10, offset: 0, grade: 'D' })).total, 1);
    assert.equal((await s.listDevices({ limit: 10, offset: 0, grade: 'ungraded' })).total, 1);
  });
});

test('a store made before sensor batches (schema 1) keeps merging what later captures add', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'bulwark-store-'));
  try {
    // Schema 1 with one device and one finding, as that version wrote them (rows written by hand here).
    const old = new DatabaseSync(join(dir, 'old.db'));
    old.exec('CREATE TABLE migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)');
    old.exec(migrations[0].sql);
    old.prepare("INSERT INTO migrations VALUES (1, 'v1', '2026-01-01T00:00:00Z')").run();
    const { evidence, ...record } = syntheticDevice(1);
    old.prepare(`INSERT INTO devices (id, auto_name, auto_type, name, type, first_ts, last_ts, bytes, captures)
      VALUES (?, 'n', 'plug', 'n', 'plug', ?, ?, 0, 3)`).run(record.id, record.first_ts, record.last_ts);
    old.prepare('INSERT INTO device_docs (id, record, evidence) VALUES (?, ?, ?)').run(record.id, JSON.stringify(record), JSON.stringify(evidence));
    const f = syntheticFinding(0, 2, { count: 6 });
    old.prepare(`INSERT INTO findings (id, detector, category, severity, title, first_ts, last_ts, count, capture_id)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'cold')`).run(f.id, f.detector, f.category, f.severity, f.title, f.first_ts, f.last_ts, f.count);
    old.prepare('INSERT INTO finding_docs (id, record) VALUES (?, ?)').run(f.id, JSON.stringify(f));
    old.close();
    const s = new SqliteStore(join(dir, 'old.db'));
    assert.deepEqual(s.schemaVersions(), [1, 2]);
    const c = (await s.addCapture({ sha256: sha('f'), filename: 'f.pcap', size: 1, path: '/f' })).capture;
    await s.ingest(c.id, input({ devices: [syntheticDevice(1)], findings: [syntheticFinding(0, 2, { count: 2 })] }));
    const d = JSON.parse((await s.getDevice(record.id))!);
    assert.deepEqual([d.flows_out, d.captures, d.evidence.length], [11 + 11, 3 + 1, 2], 'the stored record and the new one merge');
    assert.equal(JSON.parse((await s.getFinding(f.id))!).count, 6 + 2);
    await s.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
