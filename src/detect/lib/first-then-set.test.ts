import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FirstThenSet } from './first-then-set.ts';
import { xorshift32 } from '../../../test/random.ts';

test('FirstThenSet holds and counts what a Set would, in the same order', () => {
  for (const spread of [1, 2, 5, 300]) {
    const next = xorshift32(0xf1257 + spread);
    const lazy = new FirstThenSet<number>();
    const set = new Set<number>();
    assert.equal(lazy.size, 0);
    assert.deepEqual([...lazy.values()], []);
    for (let i = 0; i < 2000; i++) {
      const v = next() % spread;
      lazy.add(v);
      set.add(v);
      assert.equal(lazy.size, set.size);
      if (i % 97 === 0) assert.deepEqual([...lazy.values()], [...set]);
    }
    assert.deepEqual([...lazy.values()], [...set]);
  }
});

test('FirstThenSet: strings and numbers are different values, NaN is one value', () => {
  const s = new FirstThenSet<string | number>();
  s.add(NaN);
  s.add(NaN);
  assert.equal(s.size, 1);
  s.add('1');
  s.add(1);
  assert.deepEqual([...s.values()], [NaN, '1', 1]);
});
