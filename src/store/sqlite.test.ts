// Store tests on SYNTHETIC rows (test/api/synthetic.ts): the store parses no traffic, it keeps what the
// stages produce. The whole path from a real capture is in test/api/api.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { SqliteStore } from './sqlite.ts';
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
