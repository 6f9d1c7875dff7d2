import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NumberedPairs } from './numbered-pairs.ts';

test('numbered pairs: one id per first part, the address in the low 32 bits, none past the cap or when not given', () => {
  const pairs = new NumberedPairs(2);
  const a = pairs.key(0xc0a80001, 0x08080808)!;
  assert.equal(a % 2 ** 32, 0x08080808);
  assert.equal(pairs.key(0xc0a80001, 0x08080808), a);
  assert.notEqual(pairs.key(0xc0a80001, 0x08080404), a);
  assert.equal(pairs.key(0xc0a80002, 0xffffffff, false), undefined);
  const b = pairs.key(0xc0a80002, 0xffffffff)!;
  assert.equal(Math.floor(b / 2 ** 32), 1);
  assert.equal(b % 2 ** 32, 0xffffffff);
  assert.equal(pairs.key(0xc0a80003, 1), undefined, 'a third first part past a cap of two');
  pairs.clear();
  assert.equal(pairs.key(0xc0a80003, 1), 1);
  assert.throws(() => new NumberedPairs(2 ** 22));
});
