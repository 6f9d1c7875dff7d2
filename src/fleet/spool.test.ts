import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, readdirSync, rmSync, statSync, truncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Spool } from './spool.ts';

function tempDir(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'bulwark-spool-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const bytes = (n: number, fill: number): Uint8Array => new Uint8Array(n).fill(fill);

test('messages come back in order with their prev and kind; published ones are released, segments deleted', (t) => {
  const dir = tempDir(t);
  const spool = new Spool({ dir, segmentBytes: 300 });
  for (let seq = 1; seq <= 6; seq++) assert.equal(spool.append({ seq, prev: seq - 1, kind: seq % 2 ? 'batch' : 'status', data: bytes(100, seq) }), true);
  // 100-byte payloads + 28-byte headers: two records a 300-byte segment, three segments.
  assert.equal(readdirSync(dir).filter((n) => n.endsWith('.spool')).length, 3);
  const all = spool.peek(10);
  assert.deepEqual(all.map((r) => [r.seq, r.prev, r.kind, r.data[0], r.data.length]), [1, 2, 3, 4, 5, 6].map((s) => [s, s - 1, s % 2 ? 'batch' : 'status', s, 100]));
  spool.published(3);
  assert.deepEqual(spool.peek(2).map((r) => r.seq), [4, 5]);
  // The first segment (1, 2) is gone; the second still holds 4.
  assert.equal(readdirSync(dir).filter((n) => n.endsWith('.spool')).length, 2);
  assert.equal(spool.stats().pending, 3);
  spool.close();
});

test('a restarted sensor continues after the last seq on disk, and publishes only what was not acknowledged', (t) => {
  const dir = tempDir(t);
  const a = new Spool({ dir });
  for (let seq = 1; seq <= 5; seq++) a.append({ seq, prev: seq - 1, kind: 'batch', data: bytes(10, seq) });
  a.published(2);
  a.close();
  const b = new Spool({ dir });
  assert.equal(b.nextSeq, 6);
  assert.equal(b.last, 5);
  assert.deepEqual(b.peek(10).map((r) => r.seq), [3, 4, 5]);
  b.published(5);
  b.close();
  // Everything published: no segment left, yet the numbering goes on from the cursor.
  const c = new Spool({ dir });
  assert.equal(c.nextSeq, 6);
  assert.deepEqual(c.peek(10), []);
  c.close();
});

test('the byte bound is kept: what does not fit is counted, uses up its seq, and the next kept message names the last kept as prev', (t) => {
  const dir = tempDir(t);
  const spool = new Spool({ dir, maxBytes: 3 * 128 });
  for (let seq = 1; seq <= 3; seq++) assert.equal(spool.append({ seq, prev: seq - 1, kind: 'batch', data: bytes(100, seq) }), true);
  assert.equal(spool.append({ seq: 4, prev: 3, kind: 'batch', data: bytes(100, 4) }), false);
  assert.equal(spool.nextSeq, 5);
  assert.equal(spool.last, 3);
  const s = spool.stats();
  assert.equal(s.overflow, 1);
  assert.equal(s.overflow_bytes, 128);
  assert.ok(s.pending_bytes <= 3 * 128);
  spool.published(1);
  assert.equal(spool.append({ seq: 5, prev: spool.last, kind: 'batch', data: bytes(100, 5) }), true);
  assert.deepEqual(spool.peek(10).map((r) => [r.seq, r.prev]), [[2, 1], [3, 2], [5, 3]]);
  assert.throws(() => spool.append({ seq: 5, prev: 3, kind: 'batch', data: bytes(1, 0) }), /not after/);
  spool.close();
});

test('a torn last record (a write cut short) is cut off and counted; the records before it stay', (t) => {
  const dir = tempDir(t);
  const a = new Spool({ dir });
  for (let seq = 1; seq <= 3; seq++) a.append({ seq, prev: seq - 1, kind: 'batch', data: bytes(50, seq) });
  a.close();
  const file = join(dir, readdirSync(dir).find((n) => n.endsWith('.spool'))!);
  truncateSync(file, statSync(file).size - 10);
  appendFileSync(file, Buffer.from('garbage'));
  const b = new Spool({ dir });
  assert.equal(b.stats().torn, 1);
  assert.deepEqual(b.peek(10).map((r) => r.seq), [1, 2]);
  assert.equal(statSync(file).size, 2 * (28 + 50));
  // The lost record's seq is reused: it never left the sensor.
  assert.equal(b.nextSeq, 3);
  b.close();
});

test('a new spool given firstSeq numbers on from it, keeps it over a restart, and reports it', (t) => {
  const dir = tempDir(t);
  const base = 1_800_000_000_000;
  const a = new Spool({ dir, firstSeq: base });
  assert.equal(a.nextSeq, base + 1);
  assert.equal(a.last, base, 'the first message names the base as prev: no batch lost before it');
  a.close();
  // Restarted before any message, with another clock: the number first chosen stays.
  const b = new Spool({ dir, firstSeq: base + 5_000 });
  assert.equal(b.nextSeq, base + 1);
  for (let seq = base + 1; seq <= base + 3; seq++) b.append({ seq, prev: seq - 1, kind: 'batch', data: bytes(10, seq % 250) });
  b.close();
  const c = new Spool({ dir, firstSeq: base + 9_000 });
  assert.equal(c.nextSeq, base + 4);
  assert.deepEqual(c.peek(10).map((r) => r.seq), [base + 1, base + 2, base + 3]);
  assert.equal(c.stats().first_seq, base);
  assert.equal(c.stats().last_seq - c.stats().first_seq, 3);
  c.close();
});
