/**
 * Deterministic mutation of real bytes for robustness tests: random buffers, bit flips, byte
 * substitutions with boundary values, truncations. Seeded, so a failure reproduces.
 * @module
 */

/** mulberry32: small seeded PRNG (deterministic test inputs). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const boundary = [0x00, 0x01, 0x7f, 0x80, 0xfe, 0xff];

/** One mutant of `seed`: a mix of bit flips, boundary bytes, truncation and extension. */
export function mutate(seed: Uint8Array, next: () => number): Uint8Array {
  const kind = Math.floor(next() * 5);
  if (kind === 0) return seed.slice(0, Math.floor(next() * seed.length));
  const out = kind === 4 ? new Uint8Array(seed.length + 1 + Math.floor(next() * 64)) : seed.slice();
  if (kind === 4) {
    out.set(seed);
    for (let i = seed.length; i < out.length; i++) out[i] = Math.floor(next() * 256);
  }
  const edits = 1 + Math.floor(next() * 8);
  for (let e = 0; e < edits && out.length > 0; e++) {
    const at = Math.floor(next() * out.length);
    if (kind === 1 || kind === 4) out[at] ^= 1 << Math.floor(next() * 8);
    else if (kind === 2) out[at] = boundary[Math.floor(next() * boundary.length)];
    else out[at] = Math.floor(next() * 256);
  }
  return out;
}

/** Random bytes of random length up to `max`. */
export function randomBytes(next: () => number, max: number): Uint8Array {
  const out = new Uint8Array(Math.floor(next() * (max + 1)));
  for (let i = 0; i < out.length; i++) out[i] = Math.floor(next() * 256);
  return out;
}

/**
 * Feed `fn` with `iterations` inputs: random buffers and mutants of each seed. Throws (failing the test)
 * with the seed index and iteration when `fn` throws, so the case can be replayed.
 */
export function fuzz(seeds: readonly Uint8Array[], fn: (bytes: Uint8Array) => void, iterations = 2000, seed = 1): void {
  const next = rng(seed);
  for (let i = 0; i < iterations; i++) {
    const input = seeds.length === 0 || i % 4 === 0 ? randomBytes(next, 512) : mutate(seeds[i % seeds.length], next);
    try {
      fn(input);
    } catch (err) {
      const hex = Buffer.from(input).toString('hex');
      throw new Error(`fuzz iteration ${i} (seed ${seed}) threw on input ${hex.slice(0, 400)}: ${String(err)}`, { cause: err });
    }
  }
}
