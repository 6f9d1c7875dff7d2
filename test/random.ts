/** Deterministic pseudo-random numbers for tests (xorshift32): a failing case replays from its seed. */
export function xorshift32(seed: number): () => number {
  let x = seed;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return x >>> 0;
  };
}
