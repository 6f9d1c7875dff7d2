/**
 * A detector's aggregation key made of a few strings joined by '|' (`client|server|protocol`), remembered for the
 * last parts: a brute force or a scan reports one pair many times in a row, so most calls return the string made
 * before instead of building (and later hashing) a new one. Parts are compared, not hashed.
 * @module
 */

/** A joiner with a memory of one: `join(a, b)` is `a|b`, `join(a, b, c)` is `a|b|c`, `join(a, b, c, d)` is `a|b|c|d`. */
export function joinedKey(): (a: string, b: string, c?: string, d?: string) => string {
  let key = '';
  let lastA: string | undefined;
  let lastB: string | undefined;
  let lastC: string | undefined;
  let lastD: string | undefined;
  return (a, b, c, d) => {
    if (a !== lastA || b !== lastB || c !== lastC || d !== lastD) {
      lastA = a;
      lastB = b;
      lastC = c;
      lastD = d;
      key = c === undefined ? `${a}|${b}` : d === undefined ? `${a}|${b}|${c}` : `${a}|${b}|${c}|${d}`;
    }
    return key;
  };
}
