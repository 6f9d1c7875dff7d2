/**
 * The `k` largest counts of a keyed tally, in one pass: detectors name a finding's busiest peers on every
 * report, and copying and sorting a tally of thousands each time cost more than the detection itself.
 * @module
 */
import { BoundedMap } from './bounded-map.ts';

/**
 * The `k` entries with the largest counts, largest first; equal counts keep their iteration order (exactly
 * what a stable sort by descending count followed by `slice(0, k)` gives).
 */
export function topCounts<K>(entries: Iterable<readonly [K, number]> | Map<K, number> | BoundedMap<K, number>, k: number): [K, number][] {
  const top: [K, number][] = [];
  if (k <= 0) return top;
  const visit = (n: number, key: K): void => {
    if (top.length === k && n <= top[k - 1][1]) return;
    let i = top.length;
    while (i > 0 && top[i - 1][1] < n) i--;
    top.splice(i, 0, [key, n]);
    if (top.length > k) top.pop();
  };
  // A map's forEach walks its entries without an iterator result and a [key, count] array each.
  if (entries instanceof Map || entries instanceof BoundedMap) entries.forEach(visit);
  else for (const [key, n] of entries) visit(n, key);
  return top;
}
