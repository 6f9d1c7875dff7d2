// The store contract (types.ts, batch.ts), one suite run against every store: SQLite and PostgreSQL.
// SYNTHETIC rows (test/api/synthetic.ts): the store parses no traffic, it keeps what the stages produce (the
// whole path from a real capture is in test/api/api.test.ts). Expected values follow by hand from the rows
// written here. PostgreSQL tests skip, saying why, only when no server can be had (scripts/test-services.sh).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { captureIdOf } from './sqlite.ts';
import { storeKinds } from './test-stores.ts';
import { BatchError, MAX_SEQ_GAP, type StoreBatch } from './batch.ts';
import { segmentCaptureId } from './sources.ts';
import type { IngestInput, Store } from './types.ts';
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

const json = async (p: Promise<string | undefined>): Promise<Record<string, unknown>> => JSON.parse((await p)!) as Record<string, unknown>;

function input(over: Partial<IngestInput> = {}): IngestInput {
  return {
    summary: summary(10), devices: [syntheticDevice(1), syntheticDevice(2)], findings: [syntheticFinding(0, 2), syntheticFinding(1, 2)],
    flowBuckets: [{ t: T0, flows: 2, bytes: 300 }, { t: T0 + 70, flows: 1, bytes: 50 }], protocols: [{ name: 'dns', flows: 3, bytes: 350 }],
    ...over,
  };
}

const sha = (c: string): string => c.repeat(64);

for (const kind of await storeKinds()) {
describe(`store contract: ${kind.name}`, { skip: kind.skip }, () => {
  async function withStore(fn: (s: Store) => Promise<void>): Promise<void> {
    const { store, drop } = await kind.open();
    try {
      await fn(store);
    } finally {
      await drop();
    }
  }

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

  test('a batch number more than MAX_SEQ_GAP behind the newest is taken as lost; the numbers kept stay bounded', async () => {
    await withStore(async (s) => {
      const ref = { site: 'berlin', sensor: 'gw1' };
      const far = MAX_SEQ_GAP + 3;
      assert.equal((await s.applyBatch({ ...ref, seq: 1 })).applied, true);
      assert.equal((await s.applyBatch({ ...ref, seq: far })).applied, true);
      assert.equal((await s.applyBatch({ ...ref, seq: 2 })).applied, false, `2 is more than ${MAX_SEQ_GAP} behind ${far}: lost`);
      assert.equal((await s.applyBatch({ ...ref, seq: 4 })).applied, true, 'within the window: still applied');
      assert.equal((await s.applyBatch({ ...ref, seq: far })).applied, false);
      assert.equal((await s.listSensors())[0].last_seq, far);
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

  test('a device a sensor merged away (removedDevices) is forgotten for that sensor only; a later re-publish wins', async () => {
    await withStore(async (s) => {
      const dev = syntheticDevice(1, { flows_out: 10 });
      const id = 'berlin/mac:02:00:00:00:00:01';
      await s.applyBatch({ site: 'berlin', sensor: 'gw1', seq: 1, devices: [dev, syntheticDevice(2)] });
      await s.applyBatch({ site: 'berlin', sensor: 'gw2', seq: 1, devices: [{ ...dev, flows_out: 4 }] });
      await s.applyBatch({ site: 'berlin', sensor: 'gw1', seq: 2, removedDevices: [dev.id, syntheticDevice(2).id] });
      assert.equal((await json(s.getDevice(id))).flows_out, 4, 'only gw2 still speaks of device 1');
      assert.equal(await s.getDevice('berlin/mac:02:00:00:00:00:02'), undefined, 'no source is left for device 2');
      // A removal older than the record it would remove (batches applied out of order) leaves it.
      await s.applyBatch({ site: 'berlin', sensor: 'gw3', seq: 5, devices: [{ ...dev, flows_out: 1 }] });
      await s.applyBatch({ site: 'berlin', sensor: 'gw3', seq: 4, removedDevices: [dev.id] });
      assert.equal((await json(s.getDevice(id))).flows_out, 5);
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
});
}
