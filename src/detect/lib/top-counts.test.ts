import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BoundedMap } from './bounded-map.ts';
import { topCounts } from './top-counts.ts';

/** The definition: a stable sort by descending count, then the first k. */
function bySort(entries: [string, number][], k: number): [string, number][] {
  return [...entries].sort((a, b) => b[1] - a[1]).slice(0, k);
}

test('topCounts keeps the largest counts, ties in iteration order', () => {
  const tally: [string, number][] = [['a', 1], ['b', 3], ['c', 3], ['d', 2], ['e', 3], ['f', 1], ['g', 4]];
  assert.deepEqual(topCounts(tally, 3), [['g', 4], ['b', 3], ['c', 3]]);
  assert.deepEqual(topCounts(tally, 5), [['g', 4], ['b', 3], ['c', 3], ['e', 3], ['d', 2]]);
  assert.deepEqual(topCounts(tally, 0), []);
  assert.deepEqual(topCounts([], 5), []);
  assert.deepEqual(topCounts(new Map([['x', 2]]), 5), [['x', 2]]);
});

test('topCounts agrees with a stable sort on random tallies with many ties', () => {
  let seed = 7;
  const rand = (n: number): number => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed % n;
  };
  for (let round = 0; round < 200; round++) {
    const tally: [string, number][] = [];
    const len = rand(40);
    for (let i = 0; i < len; i++) tally.push([`k${i}`, rand(6)]);
    for (const k of [1, 2, 5, 10]) assert.deepEqual(topCounts(tally, k), bySort(tally, k));
  }
});

test('topCounts of a BoundedMap walks it in entries() order (old generation first), as the iterable did', () => {
  const m = new BoundedMap<string, number>(8);
  for (let i = 0; i < 11; i++) m.set(`k${i}`, i % 3);
  m.get('k3'); // touched: moves to the young generation
  const entries = [...m.entries()];
  const seen: [string, number][] = [];
  m.forEach((n, key) => seen.push([key, n]));
  assert.deepEqual(seen, entries);
  for (const k of [1, 3, 20]) assert.deepEqual(topCounts(m, k), bySort(entries, k));
});
