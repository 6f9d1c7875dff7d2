/**
 * Address text for flow records (called at flow end only). Private to the flow stage until
 * src/decode/address.ts offers the same.
 * @module
 */

/** Dotted quad of an unsigned 32-bit IPv4 address. */
export function ipv4String(n: number): string {
  return `${(n >>> 24) & 255}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
}

/** RFC 5952 text of an IPv6 address given as four big-endian 32-bit words. */
export function ipv6StringFromWords(w0: number, w1: number, w2: number, w3: number): string {
  const g = [w0 >>> 16, w0 & 0xffff, w1 >>> 16, w1 & 0xffff, w2 >>> 16, w2 & 0xffff, w3 >>> 16, w3 & 0xffff];
  // Longest run (>= 2) of zero groups, first one on ties, becomes "::".
  let bestAt = -1, bestLen = 1;
  for (let i = 0; i < 8;) {
    if (g[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen) { bestAt = i; bestLen = j - i; }
    i = j;
  }
  // IPv4-mapped (::ffff:a.b.c.d) keeps the dotted tail, as inet_ntop and Wireshark print it.
  if (bestAt === 0 && bestLen === 5 && g[5] === 0xffff) return `::ffff:${ipv4String(w3)}`;
  const hex = (a: number, b: number) => g.slice(a, b).map((x) => x.toString(16)).join(':');
  if (bestAt < 0) return hex(0, 8);
  return `${hex(0, bestAt)}::${hex(bestAt + bestLen, 8)}`;
}

/** aa:bb:cc:dd:ee:ff of a 48-bit MAC held in a number. */
export function macString(n: number): string {
  let s = '';
  for (let i = 5; i >= 0; i--) {
    const b = Math.floor(n / 2 ** (8 * i)) % 256;
    s += (b < 16 ? '0' : '') + b.toString(16) + (i > 0 ? ':' : '');
  }
  return s;
}
