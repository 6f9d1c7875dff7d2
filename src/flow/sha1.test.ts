import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hash, randomBytes } from 'node:crypto';
import { sha1, sha1Short, sha1BlockMax } from './sha1.ts';

test('sha1Short matches node:crypto (OpenSSL) for every length 0..55 on random inputs', () => {
  const out = new Uint8Array(24);
  for (let n = 0; n <= sha1BlockMax; n++) {
    for (let r = 0; r < 20; r++) {
      const data = randomBytes(n + r); // longer buffers: only the first n bytes count
      sha1Short(data, n, out, 2);
      assert.equal(Buffer.from(out.subarray(2, 22)).toString('hex'), hash('sha1', data.subarray(0, n), 'hex'), `length ${n}`);
    }
  }
});

test('sha1Short: FIPS 180 example "abc" and the empty string', () => {
  const out = new Uint8Array(20);
  sha1Short(new TextEncoder().encode('abc'), 3, out, 0);
  assert.equal(Buffer.from(out).toString('hex'), 'a9993e364706816aba3e25717850c26c9cd0d89d');
  sha1Short(new Uint8Array(0), 0, out, 0);
  assert.equal(Buffer.from(out).toString('hex'), 'da39a3ee5e6b4b0d3255bfef95601890afd80709');
});

test('sha1Short refuses inputs longer than one block', () => {
  assert.throws(() => sha1Short(new Uint8Array(56), 56, new Uint8Array(20), 0), RangeError);
});

test('sha1 of any length matches node:crypto (OpenSSL), across block boundaries', () => {
  const out = new Uint8Array(24);
  for (let n = 0; n <= 300; n++) {
    const data = randomBytes(n + 3); // only the first n bytes count
    sha1(data, n, out, 1);
    assert.equal(Buffer.from(out.subarray(1, 21)).toString('hex'), hash('sha1', data.subarray(0, n), 'hex'), `length ${n}`);
  }
  const million = Buffer.alloc(1_000_000, 'a'); // FIPS 180 example: one million 'a'
  sha1(million, million.length, out, 0);
  assert.equal(Buffer.from(out.subarray(0, 20)).toString('hex'), '34aa973cd4c4daa4f61eeb2bdbad27316534016f');
});
