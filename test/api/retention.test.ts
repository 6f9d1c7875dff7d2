// Deletion and retention through the API, on the bundled real capture (samples/dlink-camera-setup.pcap,
// traffic of 2016-04-15; tshark: 624 frames). Retention counts days of traffic time, so the capture ages
// relative to the newest traffic in the store, not the calendar.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fixture, samplePath } from './helpers.ts';
import { readFileSync } from 'node:fs';
import { syntheticDevice } from './synthetic.ts';
import { spawnSync } from 'node:child_process';
import { SqliteStore } from '../../src/store/sqlite.ts';

const json = (body: unknown): RequestInit => ({ method: 'POST', body: JSON.stringify(body), headers: { 'Content-Type': 'application/json' } });

async function uploadSample(f: ReturnType<typeof fixture>): Promise<string> {
  const res = await f.app.request('/api/captures', { method: 'POST', body: readFileSync(samplePath), headers: { 'Content-Type': 'application/octet-stream', 'X-Filename': 'cam.pcap' } });
  const { capture_id } = await res.json() as { capture_id: string };
  await f.queue.idle();
  return capture_id;
}

test('DELETE a finding, a device, a capture (with its uploaded file); 404 for what is not there', async () => {
  const f = fixture();
  try {
    const id = await uploadSample(f);
    const before = await f.store.counts();
    assert.ok(before.devices > 0);
    const dev = JSON.parse((await f.store.listDevices({ limit: 1, offset: 0 })).items[0]) as { id: string };
    const del = await f.app.request(`/api/devices/${encodeURIComponent(dev.id)}`, { method: 'DELETE' });
    assert.equal(del.status, 200);
    assert.equal(((await del.json()) as { devices: number }).devices, 1);
    assert.equal((await f.store.counts()).devices, before.devices - 1);
    assert.equal((await f.app.request(`/api/devices/${encodeURIComponent(dev.id)}`)).status, 404);
    assert.equal((await f.app.request('/api/devices/nope', { method: 'DELETE' })).status, 404);

    const file = join(f.dir, 'uploads', readFileSync(samplePath).length > 0 ? (await f.store.getCapture(id))!.path.split('/').pop()! : '');
    assert.ok(existsSync(file));
    const cap = await f.app.request(`/api/captures/${id}`, { method: 'DELETE' });
    assert.deepEqual(((await cap.json()) as { captures: number; files_removed: number }), { captures: 1, devices: 0, findings: before.findings, files_removed: 1 });
    assert.ok(!existsSync(file), 'the uploaded file is gone');
    assert.equal((await f.store.counts()).captures, 0);
  } finally {
    await f.close();
  }
});

test('retention: nothing is older than N days of traffic until the store holds newer traffic', async () => {
  const f = fixture();
  try {
    await uploadSample(f);
    const keep = await f.app.request('/api/retention', json({ days: 30 }));
    assert.deepEqual(await keep.json(), { captures: 0, devices: 0, findings: 0, files_removed: 0 });
    // A SYNTHETIC device seen 60 days after the capture's traffic: now the capture's devices and findings
    // are more than 30 days older than the newest traffic.
    const sampleDevices = (await f.store.counts()).devices;
    const last = (await f.store.overview()).last_ts!;
    const { capture } = await f.store.addCapture({ sha256: 'e'.repeat(64), filename: 'synthetic', size: 0, path: '/nonexistent' });
    await f.store.ingest(capture.id, {
      summary: { files: [], partial: false, packets: 0, bytes: 0, captured_bytes: 0, first_ts: null, last_ts: null, span_s: 0, flows: { total: 0, max_live: 0, evicted: 0, ended: {}, bytes_per_flow: 0 }, transports: {}, apps: {}, events: {}, anomalies: {}, reassembly: {}, defrag: {}, analyzer_violations: {}, wall_s: 0, packets_per_s: 0 },
      devices: [syntheticDevice(1, { first_ts: last + 60 * 86400, last_ts: last + 60 * 86400 })], findings: [], flowBuckets: [], protocols: [],
    });
    const gone = await (await f.app.request('/api/retention', json({ days: 30 }))).json() as { captures: number; devices: number; findings: number; files_removed: number };
    assert.deepEqual(gone, { captures: 1, devices: sampleDevices, findings: gone.findings, files_removed: 1 });
    assert.equal((await f.store.counts()).devices, 1, 'only the newer device is left');
    assert.equal((await f.app.request('/api/retention', json({ days: 0 }))).status, 400);
    assert.equal((await f.app.request('/api/retention', { method: 'POST', body: '{}' })).status, 415);
  } finally {
    await f.close();
  }
});

test('bulwark purge: one device from the command line; nothing found is exit 4; a missing choice is a usage error', async () => {
  const f = fixture();
  const db = join(f.dir, 'b.db');
  const main = join(import.meta.dirname, '../../src/cli/main.ts');
  try {
    await uploadSample(f);
    const dev = JSON.parse((await f.store.listDevices({ limit: 1, offset: 0 })).items[0]) as { id: string };
    const devices = (await f.store.counts()).devices;
    await f.store.close();
    const ok = spawnSync(process.execPath, [main, 'purge', '--db', db, '--device', dev.id], { encoding: 'utf8' });
    assert.equal(ok.status, 0, ok.stderr);
    assert.equal(ok.stdout, 'deleted 0 captures, 1 devices, 0 findings, 0 capture files\n');
    const store = new SqliteStore(db);
    assert.equal((await store.counts()).devices, devices - 1);
    await store.close();
    assert.equal(spawnSync(process.execPath, [main, 'purge', '--db', db, '--device', 'nope']).status, 4);
    assert.equal(spawnSync(process.execPath, [main, 'purge', '--db', db]).status, 2);
  } finally {
    await f.close().catch(() => undefined);
  }
});
