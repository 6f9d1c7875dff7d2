import { test } from 'node:test';
import assert from 'node:assert/strict';
import { xorshift32 } from '../../../test/random.ts';
import { BoundedMap } from './bounded-map.ts';
import { PeerTally, RecentTally } from './peer-tally.ts';
import { topCounts } from './top-counts.ts';

/** The model: a Map of counts (new peers counted while fewer than maxPeers are), ranked by topCounts. */
function check(seed: number, k: number, maxPeers: number, peerSpace: number, steps: number): void {
  const rand = xorshift32(seed);
  const tally = new PeerTally(k, maxPeers);
  const model = new Map<string, number>();
  for (let step = 0; step < steps; step++) {
    const peer = `p${rand() % peerSpace}`;
    // Mostly small additions, often 0 (a success is counted as 0), now and then a burst.
    const r = rand() % 10;
    const n = r < 3 ? 0 : r < 9 ? 1 : rand() % 7;
    if (model.has(peer) || model.size < maxPeers) model.set(peer, (model.get(peer) ?? 0) + n);
    tally.add(peer, n);
    assert.equal(tally.size, model.size);
    assert.deepEqual(tally.top.map((p) => [p.peer, p.count]), topCounts(model, k), `seed ${seed} step ${step}`);
  }
}

test('PeerTally ranks as topCounts over the same counts (random additions, many ties)', () => {
  for (let seed = 1; seed <= 40; seed++) {
    check(seed, 5, 1024, 3 + (seed % 12), 300);
    check(seed * 7919, 1, 16, 20, 200);
    check(seed * 104729, 5, 8, 30, 300); // the peer cap reached: later peers are not counted
  }
});

test('PeerTally: ties keep first-counted order; a new peer enters only ahead of the last', () => {
  const t = new PeerTally(2, 100);
  t.add('a', 1);
  t.add('b', 1);
  t.add('c', 1);
  assert.deepEqual(t.top.map((p) => p.peer), ['a', 'b']);
  t.add('c', 1);
  assert.deepEqual(t.top.map((p) => [p.peer, p.count]), [['c', 2], ['a', 1]]);
  t.add('b', 1); // ties with c, counted before it
  assert.deepEqual(t.top.map((p) => [p.peer, p.count]), [['b', 2], ['c', 2]]);
  t.add('a', 1);
  assert.deepEqual(t.top.map((p) => [p.peer, p.count]), [['a', 2], ['b', 2]]);
  assert.equal(t.size, 3);
  const none = new PeerTally(0, 4);
  none.add('x', 3);
  assert.deepEqual(none.top, []);
  assert.equal(none.size, 1);
});

/** The model: what botnet.mirai-scan did, a BoundedMap of counts ranked by topCounts on every report. */
function checkRecent(seed: number, k: number, maxPeers: number, peerSpace: number, steps: number): void {
  const rand = xorshift32(seed);
  const tally = new RecentTally(k, maxPeers);
  const model = new BoundedMap<string, number>(maxPeers);
  for (let step = 0; step < steps; step++) {
    // A few busy peers and a long tail, so that ranked peers age out of the map now and then.
    const peer = rand() % 4 === 0 ? `busy${rand() % 3}` : `p${rand() % peerSpace}`;
    model.set(peer, (model.get(peer) ?? 0) + 1);
    tally.add(peer);
    assert.equal(tally.size, model.size);
    assert.deepEqual(tally.top.map((p) => [p.peer, p.count]), topCounts(model, k), `seed ${seed} step ${step}`);
  }
}

test('RecentTally ranks as topCounts over a BoundedMap of counts (generations rotate, ranked peers forgotten)', () => {
  for (let seed = 1; seed <= 40; seed++) {
    checkRecent(seed, 5, 8, 6 + (seed % 30), 400);
    checkRecent(seed * 31337, 2, 4, 10, 300);
    checkRecent(seed * 7, 5, 10000, 50, 300); // never full
  }
});
