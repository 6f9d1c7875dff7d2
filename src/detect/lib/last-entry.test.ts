import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BoundedMap } from './bounded-map.ts';
import { LastEntry } from './last-entry.ts';

test('LastEntry answers and ages a BoundedMap as calling get and insertAbsent on it every time does', () => {
  const plain = new BoundedMap<string, number>(8);
  const memo = new BoundedMap<string, number>(8);
  const last = new LastEntry(memo);
  let x = 7;
  for (let i = 0; i < 5000; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    // Runs of one key, as a brute force makes them, among others.
    const key = `k${(x >>> 8) % 13}`;
    for (let r = 0; r < 1 + (x % 3); r++) {
      const a = plain.get(key);
      const b = last.get(key);
      assert.equal(b, a);
      if (a === undefined) {
        plain.insertAbsent(key, i);
        last.insertAbsent(key, i);
      }
    }
    assert.deepEqual([...memo.entries()], [...plain.entries()]);
  }
});
