/**
 * The `k` largest counts of a keyed tally, in one pass: detectors name a finding's busiest peers on every
 * report, and copying and sorting a tally of thousands each time cost more than the detection itself.
 * @module
 */

/**
 * The `k` entries with the largest counts, largest first; equal counts keep their iteration order (exactly
 * what a stable sort by descending count followed by `slice(0, k)` gives).
 */
export function topCounts<K>(entries: Iterable<readonly [K, number]>, k: number): [K, number][] {
  const top: [K, number][] = [];
  if (k <= 0) return top;
  for (const [key, n] of entries) {
    if (top.length === k && n <= top[k - 1][1]) continue;
    let i = top.length;
    while (i > 0 && top[i - 1][1] < n) i--;
    top.splice(i, 0, [key, n]);
    if (top.length > k) top.pop();
  }
  return top;
}
