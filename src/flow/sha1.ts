/**
 * SHA-1 of a short input (at most 55 bytes: one 64-byte block after padding), written into a caller's
 * buffer. Community IDs hash 16 (IPv4) or 40 (IPv6) bytes once per flow; `crypto.hash` costs about 1.7 µs a
 * call for the native round trip, the Buffer it returns and the encoding argument, this about 0.3 µs and
 * allocates nothing. Checked against node:crypto in sha1.test.ts.
 * @module
 */

const w = new Int32Array(80);
const state = new Int32Array(5);

/** Longest input one block holds (64 bytes less the 0x80 marker and the 8-byte length). */
export const sha1BlockMax = 55;

/** SHA-1 digest of `data[0..n)` (n ≤ 55) into `out[off..off+20)`. */
export function sha1Short(data: Uint8Array, n: number, out: Uint8Array, off: number): void {
  if (n < 0 || n > sha1BlockMax || n > data.length) throw new RangeError(`sha1Short: input length ${n} not in 0..${sha1BlockMax}`);
  for (let i = 0; i < 16; i++) w[i] = 0;
  for (let i = 0; i < n; i++) w[i >> 2] |= data[i] << (24 - 8 * (i & 3));
  w[n >> 2] |= 0x80 << (24 - 8 * (n & 3));
  w[15] = n * 8;
  initState();
  compress();
  for (let i = 0; i < 5; i++) putWord(out, off + 4 * i, state[i]);
}

function putWord(out: Uint8Array, off: number, v: number): void {
  out[off] = v >>> 24;
  out[off + 1] = v >>> 16;
  out[off + 2] = v >>> 8;
  out[off + 3] = v;
}


/**
 * SHA-1 digest of `data[0..n)` of any length into `out[off..off+20)`: flow uids hash a sensor name, a
 * Community ID and two numbers (over one block). In JavaScript so that a run need not load node:crypto
 * (about 10 ms of a short run's CPU) for it. Checked against node:crypto in sha1.test.ts.
 */
export function sha1(data: Uint8Array, n: number, out: Uint8Array, off: number): void {
  if (n < 0 || n > data.length) throw new RangeError(`sha1: input length ${n} not in 0..${data.length}`);
  initState();
  const blocks = Math.ceil((n + 9) / 64); // the data, the 0x80 marker and the 64-bit length, padded
  for (let b = 0; b < blocks; b++) {
    for (let i = 0; i < 16; i++) w[i] = 0;
    const base = b * 64;
    for (let i = 0; i < 64; i++) {
      const p = base + i;
      const byte = p < n ? data[p] : p === n ? 0x80 : 0;
      w[i >> 2] |= byte << (24 - 8 * (i & 3));
    }
    if (b === blocks - 1) {
      w[14] = Math.floor(n / 0x20000000); // the bit length's high word
      w[15] = (n * 8) | 0;
    }
    compress();
  }
  for (let i = 0; i < 5; i++) putWord(out, off + 4 * i, state[i]);
}

/** FIPS 180-4's initial hash value. */
function initState(): void {
  state[0] = 0x67452301;
  state[1] = 0xefcdab89 | 0;
  state[2] = 0x98badcfe | 0;
  state[3] = 0x10325476;
  state[4] = 0xc3d2e1f0 | 0;
}

/** One block (w[0..16)) into `state`. */
function compress(): void {
  for (let i = 16; i < 80; i++) {
    const x = w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16];
    w[i] = (x << 1) | (x >>> 31);
  }
  let a = state[0], b = state[1], c = state[2], d = state[3], e = state[4];
  for (let i = 0; i < 80; i++) {
    let f: number, k: number;
    if (i < 20) {
      f = (b & c) | (~b & d);
      k = 0x5a827999;
    } else if (i < 40) {
      f = b ^ c ^ d;
      k = 0x6ed9eba1;
    } else if (i < 60) {
      f = (b & c) | (b & d) | (c & d);
      k = 0x8f1bbcdc | 0;
    } else {
      f = b ^ c ^ d;
      k = 0xca62c1d6 | 0;
    }
    const t = (((a << 5) | (a >>> 27)) + f + e + k + w[i]) | 0;
    e = d;
    d = c;
    c = (b << 30) | (b >>> 2);
    b = a;
    a = t;
  }
  state[0] = (state[0] + a) | 0;
  state[1] = (state[1] + b) | 0;
  state[2] = (state[2] + c) | 0;
  state[3] = (state[3] + d) | 0;
  state[4] = (state[4] + e) | 0;
}
