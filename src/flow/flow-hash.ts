/**
 * Seeded, direction-independent 32-bit hash of a flow tuple (murmur3 rounds). The seed is random per table so
 * traffic cannot be crafted to collide into one probe chain; slot assignment, not output, depends on it.
 * @module
 */

const C1 = 0xcc9e2d51;
const C2 = 0x1b873593;

function round(h: number, k: number): number {
  k = Math.imul(k, C1);
  k = (k << 15) | (k >>> 17);
  k = Math.imul(k, C2);
  h ^= k;
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Hash of one endpoint (address words + port). */
export function endpointHash(seed: number, w0: number, w1: number, w2: number, w3: number, port: number): number {
  return fmix(round(round(round(round(round(seed, w0), w1), w2), w3), port));
}

/** Combine two endpoint hashes (in either order) with the rest of the key. */
export function tupleHash(seed: number, a: number, b: number, proto: number, extra: number): number {
  const lo = a < b ? a : b;
  const hi = a < b ? b : a;
  return fmix(round(round(round(round(seed, lo), hi), proto), extra));
}
