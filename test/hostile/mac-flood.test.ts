/**
 * Issue #11, fault 1 (crash loop): a capture with 5,000 new MAC addresses (DHCP starvation + ARP flood,
 * GENERATED from the documented on-wire formats, see floods.ts) must not exhaust the report, the labels or the
 * server; devices past the bounds are counted and summarised; an ingest that fails is marked failed with its
 * reason, and a capture the previous server died on is never resumed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { macFlood } from './floods.ts';
import { tsharkFields } from '../support/tshark.ts';
import { reportData } from '../../src/cli/report.ts';
import { renderHtml } from '../../src/output/report/html.ts';
import { analyzeCaptures } from '../../src/engine/analyze-captures.ts';
import { DEFAULT_MAX_DETAILED_DEVICES } from '../../src/assess/detail-limit.ts';
import { SqliteStore } from '../../src/store/sqlite.ts';
import { INTERRUPTED, IngestQueue } from '../../src/api/ingest.ts';
import { samplePath } from '../api/helpers.ts';

const dir = mkdtempSync(join(tmpdir(), 'bulwark-macflood-'));
const flood = join(dir, 'mac-flood.pcap');
writeFileSync(flood, macFlood(2500));
test.after(() => rmSync(dir, { recursive: true, force: true }));

/** Distinct source MACs as tshark reads them (the flood's ground truth: one new MAC per frame). */
const sourceMacs = new Set(tsharkFields(flood, '', ['eth.src']).map((r) => r[0])).size;

test('report of a 5,000-MAC flood: every device counted, 1,000 detailed, the rest summarised', async () => {
  assert.equal(sourceMacs, 5000);
  const data = await reportData([flood], { now: new Date(0) });
  assert.equal(data.summary.devices, sourceMacs);
  assert.equal(data.devices.length, DEFAULT_MAX_DETAILED_DEVICES);
  assert.equal(data.undetailed.count, sourceMacs - DEFAULT_MAX_DETAILED_DEVICES);
  assert.equal(data.undetailed.by_type.reduce((n, t) => n + t.devices, 0), data.undetailed.count);
  const html = renderHtml(data);
  assert.match(html, /4,000 more devices were seen but not assessed one by one/);
  // 149 MB before the bound (5,000 labels inline); the detailed part is now bounded whatever the flood: 1,000
  // labels, each an inline SVG and a PDF with its font subset embedded (about 12 KB a device).
  assert.ok(html.length < 16e6, `report is ${html.length} bytes`);
});

test('the inventory cap counts every device it could not create', async () => {
  const r = await analyzeCaptures([flood], { detectors: [], assess: false, inventory: { maxDevices: 1200 } });
  assert.equal(r.devices.length, 1200);
  assert.equal(r.stats.inventory.devices, 1200);
  // Each refused MAC is counted once per attempt: at least once for each of the 3,800 MACs left out.
  assert.ok(r.stats.inventory.dropped_devices >= sourceMacs - 1200, `dropped ${r.stats.inventory.dropped_devices}`);
});

test('an ingest that exhausts its worker is marked failed with the reason; the server goes on', async () => {
  const store = new SqliteStore(join(dir, 'oom.db'));
  const queue = new IngestQueue(store, { heapMb: 8 });
  const { capture } = await queue.submitFile(flood, 'flood.pcap');
  await queue.idle();
  const failed = await store.getCapture(capture.id);
  assert.equal(failed?.status, 'failed');
  assert.match(failed?.error ?? '', /memory limit \(8 MiB/);
  assert.doesNotMatch(failed?.error ?? '', new RegExp(dir));
  // Same process, same store: the next capture goes through.
  const next = new IngestQueue(store);
  const sample = await next.submitFile(samplePath);
  await next.idle();
  assert.equal((await store.getCapture(sample.capture.id))?.status, 'done');
  await store.close();
});

test('a capture left ingesting by a dead server is marked failed at start-up, never resumed', async () => {
  const path = join(dir, 'restart.db');
  const before = new SqliteStore(path);
  const { capture } = await before.addCapture({ sha256: 'a'.repeat(64), filename: 'killer.pcap', size: 1, path: flood });
  const queued = await before.addCapture({ sha256: 'b'.repeat(64), filename: 'next.pcap', size: 1, path: samplePath });
  await before.setCaptureState(capture.id, { status: 'ingesting', progress: 0.4 });
  await before.close();
  const store = new SqliteStore(path);
  const queue = new IngestQueue(store);
  await queue.recover(() => true);
  await queue.idle();
  const killer = await store.getCapture(capture.id);
  assert.equal(killer?.status, 'failed');
  assert.equal(killer?.error, INTERRUPTED);
  assert.equal((await store.getCapture(queued.capture.id))?.status, 'done');
  await store.close();
});
