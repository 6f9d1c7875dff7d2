import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { keptBytes } from './kept-bytes.ts';

describe('keptBytes', () => {
  it('counts all but CR and NUL, in short and long ranges, at every alignment', () => {
    // 'ab\r\n\0c' repeated: per six bytes, four kept (a, b, LF, c).
    const text = Buffer.from('ab\r\n\0c'.repeat(100), 'latin1');
    for (let off = 0; off < 8; off++) {
      const b = new Uint8Array(text.length + 8);
      b.set(text, off);
      assert.equal(keptBytes(b, off, off + 6), 4);
      assert.equal(keptBytes(b, off, off + 600), 400, `offset ${off}`);
      assert.equal(keptBytes(b, off + 2, off + 600), 398, `offset ${off}`);
      assert.equal(keptBytes(b, off + 3, off + 599), 397, `offset ${off}`); // less a, b and the last c
    }
  });

  it('bytes that only look like CR or NUL in their low bits (0x80, 0x8d, 0xff) are kept', () => {
    const b = new Uint8Array(1000).fill(0x80);
    b.fill(0x8d, 300, 600);
    b.fill(0xff, 600, 900);
    assert.equal(keptBytes(b, 1, 999), 998);
    assert.equal(keptBytes(new Uint8Array(1000), 0, 1000), 0);
    assert.equal(keptBytes(new Uint8Array(1000).fill(0x0d), 3, 997), 0);
  });

  it('more than 255 words of dropped bytes (the lanes are summed before they overflow)', () => {
    const b = new Uint8Array(8192);
    b.fill(0x41, 4096);
    assert.equal(keptBytes(b, 0, 8192), 4096);
    assert.equal(keptBytes(b, 5, 8190), 4094);
  });

  it('a view into a larger buffer, and a Buffer from the pool', () => {
    const whole = new Uint8Array(4096).fill(0x20);
    whole[2000] = 0;
    const view = whole.subarray(1001, 3001);
    assert.equal(keptBytes(view, 0, 2000), 1999);
    const pooled = Buffer.from(`${'x'.repeat(50)}\r\n${'y'.repeat(50)}`);
    assert.equal(keptBytes(pooled, 0, pooled.length), 101);
  });
});
