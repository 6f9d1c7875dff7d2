import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PairTable } from './pair-table.ts';
import { BoundedMap } from './bounded-map.ts';
import { xorshift32 } from '../../../test/random.ts';

const rng = xorshift32;

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

test('PairTable probe and insertAt answer as a Map of "hi,lo" strings, deleted slots reused and rebuilds crossed', () => {
  const next = rng(0x2468ace);
  const table = new PairTable<number>(8);
  const model = new Map<string, number>();
  for (let op = 0; op < 200_000; op++) {
    const hi = (0xfe800000 + (next() % 48)) >>> 0;
    const lo = next() % 200;
    const k = `${hi},${lo}`;
    const h = table.hash(hi, lo);
    const i = table.probe(h, hi, lo);
    assert.equal(i >= 0, model.has(k), `op ${op} key ${k}`);
    if (i >= 0) {
      assert.equal(table.valueAt(i), model.get(k));
      if (next() % 3 === 0) {
        table.deleteAt(i);
        model.delete(k);
      }
    } else {
      table.insertAt(-1 - i, h, hi, lo, op);
      model.set(k, op);
    }
    assert.equal(table.size, model.size);
  }
  for (const [k, v] of model) {
    const [hi, lo] = k.split(',').map(Number);
    assert.equal(table.get(hi, lo), v);
  }
});

test('PairTables made with one seed hash a key alike whatever their sizes', () => {
  const small = new PairTable<number>(4, 12345), large = new PairTable<number>(5000, 12345), other = new PairTable<number>(4, 54321);
  assert.equal(small.hash(0xc0a80001, 443), large.hash(0xc0a80001, 443));
  assert.notEqual(small.hash(0xc0a80001, 443), other.hash(0xc0a80001, 443));
});

test('BoundedMap.getPairOrInsert answers and forgets as getPair then insertAbsentPair on a miss', () => {
  const next = rng(0x13579bd);
  const bound = 64;
  const combined = new BoundedMap<string, number>(bound);
  const separate = new BoundedMap<string, number>(bound);
  for (let op = 0; op < 100_000; op++) {
    // Few keys against a small bound: hits in the young and in the old generation, misses, generations dropped.
    const a = (0x0a000000 + (next() % 120)) >>> 0, b = next() % 3;
    const got = combined.getPairOrInsert(a, b, op);
    const expected = separate.getPair(a, b);
    if (expected === undefined) separate.insertAbsentPair(a, b, op);
    assert.equal(got, expected, `op ${op}`);
    assert.equal(combined.size, separate.size);
  }
  assert.equal(combined.evicted, separate.evicted);
  assert.ok(separate.evicted > 0, 'the bound was exercised');
  assert.deepEqual([...combined.values()].sort((x, y) => x - y), [...separate.values()].sort((x, y) => x - y));
});
