import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TextCache } from './text-cache.ts';

const latin1 = new TextDecoder('latin1');
const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);

test('text cache: a repeated field is made once, at any offset, and always reads as its own bytes', () => {
  let made = 0;
  const cache = new TextCache((b, s, e) => {
    made++;
    return latin1.decode(b.subarray(s, e));
  }, 4, 16);
  const msg = bytes('NT: upnp:rootdevice\r\nNT: upnp:rootdevice\r\n');
  assert.equal(cache.text(msg, 4, 19), 'upnp:rootdevice');
  assert.equal(cache.text(msg, 25, 40), 'upnp:rootdevice');
  assert.equal(made, 1);
  // Four slots, many distinct fields: collisions replace a slot, never answer with another field's text.
  const words = ['host', 'server', 'usn', 'location', 'cache-control', 'st', 'nt', 'nts', 'man', 'mx', 'ext', 'date'];
  for (let round = 0; round < 3; round++) {
    for (const w of words) assert.equal(cache.text(bytes(`:${w};`), 1, w.length + 1), w);
  }
  // Same length, one byte apart.
  assert.equal(cache.text(bytes('abcd'), 0, 4), 'abcd');
  assert.equal(cache.text(bytes('abce'), 0, 4), 'abce');
  assert.equal(cache.text(bytes(''), 0, 0), '');
});

test('text cache: a field longer than the longest cached is made every time', () => {
  let made = 0;
  const cache = new TextCache((b, s, e) => {
    made++;
    return latin1.decode(b.subarray(s, e));
  }, 8, 4);
  const b = bytes('abcdefgh');
  assert.equal(cache.text(b, 0, 8), 'abcdefgh');
  assert.equal(cache.text(b, 0, 8), 'abcdefgh');
  assert.equal(made, 2);
  assert.equal(cache.text(b, 0, 4), 'abcd');
  assert.equal(cache.text(b, 0, 4), 'abcd');
  assert.equal(made, 3);
});
