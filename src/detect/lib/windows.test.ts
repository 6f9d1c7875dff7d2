import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DistinctWindow, type DistinctState } from './windows.ts';
import { xorshift32 } from '../../../test/random.ts';

interface Attempt { target: number; ts: number }

const plain = (s: DistinctState<Attempt>): unknown => ({ size: s.size, tripped: s.tripped, maxTs: s.maxTs, entries: [...s.entries()] });

test('DistinctWindow: a window keeping payloads alone (single) holds, prunes and reports what one keeping items does', () => {
  const next = xorshift32(0x51a7e);
  const single = { target: (a: Attempt) => a.target, ts: (a: Attempt) => a.ts };
  // Threshold 3 (pruning from 3 targets), at most 5 targets per key, 64 keys.
  const direct = new DistinctWindow<Attempt>(10, 3, 64, 5, single);
  const items = new DistinctWindow<Attempt>(10, 3, 64, 5);
  let ts = 0;
  for (let i = 0; i < 20_000; i++) {
    ts += (next() >>> 0) % 3;
    const hi = (next() >>> 0) % 8, lo = (next() >>> 0) % 4, target = (next() >>> 0) % 9;
    const a = { target, ts };
    if ((next() >>> 0) % 10 === 0) {
      direct.withdrawPair(hi, lo, target);
      items.withdrawPair(hi, lo, target);
      continue;
    }
    const d = direct.addPair(hi, lo, target, ts, a);
    const m = items.addPair(hi, lo, target, ts, a);
    if (d.size === 1 && m.size === 1) continue; // a first attempt kept as its payload reads as a fresh state
    assert.deepEqual(plain(d), plain(m), `attempt ${i}`);
    if (d.size >= 3) {
      direct.trip(d);
      items.trip(m);
    }
  }
});
