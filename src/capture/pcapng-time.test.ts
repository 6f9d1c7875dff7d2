import assert from 'node:assert/strict';
import { test } from 'node:test';
import { newPacketRecord } from './format-parser.ts';
import { setTimestamp, timeUnit } from './pcapng-time.ts';
import { rng } from '../../test/support/mutate.ts';

function reference(ticks: bigint, perSec: bigint, offset: bigint): [number, number] {
  return [Number(ticks / perSec + offset), Number(((ticks % perSec) * 1_000_000_000n) / perSec)];
}

test('pcapng time: every if_tsresol (10^-0..10^-19, 2^-0..2^-63) matches a BigInt reference on random 64-bit ticks', () => {
  const next = rng(7);
  const rec = newPacketRecord();
  const resolutions: [number, bigint][] = [];
  for (let e = 0; e <= 19; e++) resolutions.push([e, 10n ** BigInt(e)]);
  for (let e = 0; e <= 63; e++) resolutions.push([0x80 | e, 1n << BigInt(e)]);
  for (const [tsresol, perSec] of resolutions) {
    for (const offset of [0n, -3600n, 1_000_000n]) {
      const unit = timeUnit(tsresol, Number(offset));
      assert.ok(unit);
      for (let i = 0; i < 300; i++) {
        // Mix small values (fast path, < 2^53), edge values and full 64-bit ones.
        const high = i % 3 === 0 ? Math.floor(next() * 0x200000) : i % 3 === 1 ? 0xffffffff - (i % 5) : Math.floor(next() * 2 ** 32);
        const low = i % 7 === 0 ? 0xffffffff : Math.floor(next() * 2 ** 32);
        const ticks = (BigInt(high) << 32n) | BigInt(low);
        setTimestamp(rec, high, low, unit);
        const [sec, ns] = reference(ticks, perSec, offset);
        // Seconds above 2^53 (absurd tick counts at coarse resolutions) can only be approximate as numbers.
        if (sec < 2 ** 53) assert.equal(rec.tsSec, sec, `tsresol 0x${tsresol.toString(16)} ticks ${ticks}`);
        assert.equal(rec.tsNsec, ns, `tsresol 0x${tsresol.toString(16)} ticks ${ticks}`);
      }
    }
  }
});

test('pcapng time: known values (default microseconds; nanoseconds of 2024-09-24 08:22:44.053038 from sonos.pcapng)', () => {
  const rec = newPacketRecord();
  const us = 1727166164053038n;
  setTimestamp(rec, Number(us >> 32n), Number(us & 0xffffffffn), timeUnit(undefined, 0)!);
  assert.deepEqual([rec.tsSec, rec.tsNsec], [1727166164, 53038000]);
  const ns = us * 1000n + 7n; // beyond 2^53: the long-division path
  setTimestamp(rec, Number(ns >> 32n), Number(ns & 0xffffffffn), timeUnit(9, 0)!);
  assert.deepEqual([rec.tsSec, rec.tsNsec], [1727166164, 53038007]);
});

test('pcapng time: resolutions finer than 10^-19 or 2^-63 are refused', () => {
  assert.equal(timeUnit(20, 0), null);
  assert.equal(timeUnit(0x80 | 64, 0), null);
});
