import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PairTable } from './pair-table.ts';
import { BoundedMap } from './bounded-map.ts';

/** Deterministic pseudo-random numbers (xorshift32), so a failure replays. */
function rng(seed: number): () => number {
  let x = seed;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return x >>> 0;
  };
}

test('PairTable answers as a Map of "hi,lo" strings under random inserts, updates and deletes', () => {
  const next = rng(0x1234567);
  const table = new PairTable<number>(8);
  const model = new Map<string, number>();
  for (let op = 0; op < 200_000; op++) {
    // Few distinct keys (collisions, re-inserts after deletes) with high bits set (unsigned handling).
    const hi = (0xc0a80000 + (next() % 64)) >>> 0;
    const lo = next() % 300;
    const k = `${hi},${lo}`;
    const r = next() % 10;
    if (r < 5) {
      table.set(hi, lo, op);
      model.set(k, op);
    } else if (r < 7) {
      assert.equal(table.delete(hi, lo), model.delete(k));
    } else {
      assert.equal(table.get(hi, lo), model.get(k));
      assert.equal(table.has(hi, lo), model.has(k));
    }
    assert.equal(table.size, model.size);
  }
  assert.deepEqual([...table.values()].sort((a, b) => a - b), [...model.values()].sort((a, b) => a - b));
  table.clear();
  assert.equal(table.size, 0);
  assert.equal(table.get(0xc0a80000, 0), undefined);
});

test('BoundedMap keeps and forgets pair keys exactly as it does the same keys as strings', () => {
  const next = rng(0x9abcdef);
  const bound = 100;
  const mixed = new BoundedMap<string, number>(bound);
  const strings = new BoundedMap<string, number>(bound);
  for (let op = 0; op < 100_000; op++) {
    const a = next() % 200, b = next() % 5;
    // Half the keys go in as pairs, the other half (a different key space) as strings, as a detector keys
    // IPv4 pairs numerically and IPv6 ones as strings.
    const asPair = a % 2 === 0;
    const k = `${a}|${b}`;
    const got = asPair ? mixed.getPair(a, b) : mixed.get(k);
    assert.equal(got, strings.get(k), `op ${op} key ${k}`);
    if (got === undefined) {
      if (asPair) mixed.insertAbsentPair(a, b, op);
      else mixed.insertAbsent(k, op);
      strings.insertAbsent(k, op);
    }
    assert.equal(mixed.size, strings.size);
  }
  assert.equal(mixed.evicted, strings.evicted);
  assert.ok(strings.evicted > 0, 'the bound was exercised');
});
