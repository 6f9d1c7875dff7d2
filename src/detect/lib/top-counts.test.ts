import { test } from 'node:test';
import assert from 'node:assert/strict';
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
