import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Tally } from './tally.ts';
import { xorshift32 } from '../../../test/random.ts';

const rng = xorshift32;

test('Tally counts, reads and corrects as a Map counting each key at once, in the same order, with its key cap', () => {
  for (const maxKeys of [Infinity, 16, 3, 2, 1]) {
    const next = rng(0x5eed + (maxKeys === Infinity ? 0 : maxKeys));
    const tally = new Tally<string>(maxKeys);
    const map = new Map<string, number>();
    let key = 'syn';
    for (let op = 0; op < 50_000; op++) {
      const r = next() % 100;
      // Long runs of one key (a flood), switches among 40 keys (more than the cap), reads and corrections between.
      if (r < 3) key = `k${next() % 40}`;
      if (r < 90) {
        tally.add(key);
        const n = map.get(key);
        if (n !== undefined || map.size < maxKeys) map.set(key, (n ?? 0) + 1);
      } else if (r < 95) {
        const k = `k${next() % 40}`;
        assert.equal(tally.get(k), map.get(k), `op ${op}`);
      } else if (r < 97) {
        const k = `k${next() % 40}`;
        tally.set(k, op);
        map.set(k, op);
      } else {
        assert.deepEqual([...tally.settled()], [...map], `op ${op}`);
      }
    }
    assert.deepEqual([...tally.settled()], [...map]);
  }
});

test('Tally: a run of one key, by hand', () => {
  const t = new Tally<number>(2);
  for (let i = 0; i < 5; i++) t.add(80);
  t.add(443);
  t.add(22); // a third key beyond the cap of 2: not counted
  t.add(80);
  assert.deepEqual([...t.settled()], [[80, 6], [443, 1]]);
});

test('Tally: a syn renamed tcp-connect, then a third key', () => {
  const t = new Tally<string>();
  t.add('syn');
  t.set('syn', t.get('syn')! - 1);
  t.set('tcp-connect', (t.get('tcp-connect') ?? 0) + 1);
  assert.equal(t.get('udp'), undefined);
  t.add('udp');
  t.add('udp');
  t.add('syn');
  assert.deepEqual([...t.settled()], [['syn', 1], ['tcp-connect', 1], ['udp', 2]]);
});
