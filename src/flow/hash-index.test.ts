import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FlowIndex } from './hash-index.ts';
import { xorshift32 } from '../../test/random.ts';

/** Slot of hash `h` found by probing as FlowTable.find does (the slot's hash compared in full), or -1. */
function lookup(ix: FlowIndex, h: number, hashes: Uint32Array, live: Map<number, number>): number {
  for (let i = h & ix.mask, step = 0; step <= ix.mask; i = (i + 1) & ix.mask, step++) {
    const e = ix.entries[i];
    if (e === 0) return -1;
    if ((e & ~ix.slotMask) !== ix.want(h, step)) continue;
    const slot = (e & ix.slotMask) - 1;
    if (live.has(slot) && hashes[slot] === h) return slot;
  }
  return -1;
}

/** Every entry is a live slot, its distance field right, no hole between it and its home; every live slot is found. */
function check(ix: FlowIndex, hashes: Uint32Array, live: Map<number, number>): void {
  let n = 0;
  for (let i = 0; i <= ix.mask; i++) {
    const e = ix.entries[i];
    if (e === 0) continue;
    n++;
    const slot = (e & ix.slotMask) - 1;
    assert.ok(live.has(slot), `entry ${i}: slot ${slot} not live`);
    const h = hashes[slot];
    const dist = (i - (h & ix.mask)) & ix.mask;
    assert.equal(e & ~ix.slotMask, ix.want(h, dist), `entry ${i}: distance or tag`);
    for (let k = 0; k < dist; k++) assert.notEqual(ix.entries[((h & ix.mask) + k) & ix.mask], 0, `hole before entry ${i}`);
  }
  assert.equal(n, live.size);
  for (const [slot, h] of live) assert.equal(lookup(ix, h, hashes, live), slot);
}

function modelCheck(maxSlots: number, seed: number, ops: number, homes: number): void {
  const next = xorshift32(seed);
  const ix = new FlowIndex(maxSlots);
  const cap = Math.min(maxSlots, 512);
  const hashes = new Uint32Array(cap);
  const live = new Map<number, number>();
  let size = 16;
  ix.reset(size);
  const free: number[] = [];
  let used = 0;
  for (let op = 0; op < ops; op++) {
    const grow = live.size * 2 >= size && size < cap * 2;
    if (grow) {
      // As FlowTable.growTo: a bigger index, every live slot inserted again.
      size *= 2;
      ix.reset(size);
      for (const [slot, h] of live) ix.insert(h, slot);
    } else if (live.size * 2 < size && (live.size === 0 || next() % 5 < 3)) {
      const slot = free.length > 0 ? free.splice(next() % free.length, 1)[0] : used++;
      // Few distinct homes near the end of the index (wrap-around, long clusters, far entries), random tags.
      const home = (size - 1 - (next() % homes)) & (size - 1);
      const h = ((next() & ~(size - 1)) | home) >>> 0;
      hashes[slot] = h;
      ix.insert(h, slot);
      live.set(slot, h);
    } else {
      const slots = [...live.keys()];
      const slot = slots[next() % slots.length];
      ix.remove(live.get(slot) as number, slot, hashes);
      live.delete(slot);
      free.push(slot);
    }
    check(ix, hashes, live);
  }
}

test('hash index: random inserts and removals agree with a map (wrap-around, long clusters, growth)', () => {
  modelCheck(512, 1, 4000, 3); // clusters longer than the distance field holds
  modelCheck(512, 2, 4000, 40);
  modelCheck(262144, 3, 3000, 5);
});

test('hash index: a slot number too wide for a distance field or a tag still works', () => {
  for (const maxSlots of [2 ** 28, 2 ** 30, 2 ** 31]) modelCheck(maxSlots, 4, 1500, 6);
  assert.equal(new FlowIndex(2 ** 31).dispMax, 0);
  assert.equal(new FlowIndex(2 ** 30).dispMax, 1); // slot + 1 needs 31 bits
});

test('hash index: a probe passes over entries of other homes and tags without reading their slots', () => {
  const ix = new FlowIndex(1024);
  ix.reset(64);
  ix.insert(0x12340005, 0);
  ix.insert(0x56780005, 1); // same home, other tag
  ix.insert(0x12340006, 2); // next home, same tag, lands one further (distance 1)
  assert.notEqual(ix.entries[7] & ~ix.slotMask, ix.want(0x12340006, 2)); // distance 2 of home 5 is not distance 1 of home 6
  assert.equal(ix.entries[7] & ~ix.slotMask, ix.want(0x12340006, 1));
  assert.notEqual(ix.entries[6] & ~ix.slotMask, ix.want(0x12340005, 1));
});
