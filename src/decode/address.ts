/**
 * Address formatting (as tshark prints them) and parsing. Formatting allocates strings: call it only for
 * output, never per packet on the hot path.
 * @module
 */

/** Decimal text of each octet, and of each octet followed by '.'. */
const octetTexts: readonly string[] = Array.from({ length: 256 }, (_, i) => String(i));
const octetDotTexts: readonly string[] = Array.from({ length: 256 }, (_, i) => `${i}.`);

/** Dotted quad of an unsigned 32-bit number (three concatenations of octet texts made once, no number conversion). */
export function ipv4ToString(n: number): string {
  return octetDotTexts[(n >>> 24) & 255] + octetDotTexts[(n >>> 16) & 255] + octetDotTexts[(n >>> 8) & 255] + octetTexts[n & 255];
}

/** Unsigned 32-bit number of a dotted quad, or undefined when it is not one. */
export function ipv4FromString(s: string): number | undefined {
  const parts = s.split('.');
  if (parts.length !== 4) return undefined;
  let n = 0;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p) || Number(p) > 255) return undefined;
    n = n * 256 + Number(p);
  }
  return n;
}

/**
 * RFC 5952 text form of 16 bytes at `off`: lowercase, leading zeros dropped, the longest run (first on a tie)
 * of two or more zero groups as `::`, IPv4-mapped / -compatible addresses with a dotted-quad tail.
 */
export function ipv6ToString(bytes: Uint8Array, off: number): string {
  const groups: number[] = [];
  for (let i = 0; i < 8; i++) groups.push((bytes[off + 2 * i] << 8) | bytes[off + 2 * i + 1]);
  // Embedded IPv4 as inet_ntop / tshark print it: mapped (::ffff:0:0/96) and compatible (::/96, not ::1).
  if (groups[0] === 0 && groups[1] === 0 && groups[2] === 0 && groups[3] === 0 && groups[4] === 0) {
    const quad = `${bytes[off + 12]}.${bytes[off + 13]}.${bytes[off + 14]}.${bytes[off + 15]}`;
    if (groups[5] === 0xffff) return `::ffff:${quad}`;
    if (groups[5] === 0 && groups[6] !== 0) return `::${quad}`;
  }
  let bestStart = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = (from: number, to: number): string => groups.slice(from, to).map((g) => g.toString(16)).join(':');
  if (bestStart < 0) return hex(0, 8);
  return `${hex(0, bestStart)}::${hex(bestStart + bestLen, 8)}`;
}

/** 16 bytes of an IPv6 text address (with `::` and an optional dotted-quad tail), or undefined. */
export function ipv6FromString(s: string): Uint8Array | undefined {
  const halves = s.split('::');
  if (halves.length > 2) return undefined;
  const parse = (part: string): number[] | undefined => {
    if (part === '') return [];
    const out: number[] = [];
    const items = part.split(':');
    for (let i = 0; i < items.length; i++) {
      const item = items[i];
      if (i === items.length - 1 && item.includes('.')) {
        const v4 = ipv4FromString(item);
        if (v4 === undefined) return undefined;
        out.push(v4 >>> 16, v4 & 0xffff);
      } else if (/^[0-9a-fA-F]{1,4}$/.test(item)) out.push(parseInt(item, 16));
      else return undefined;
    }
    return out;
  };
  const head = parse(halves[0]);
  const tail = halves.length === 2 ? parse(halves[1]) : [];
  if (!head || !tail) return undefined;
  const fill = 8 - head.length - tail.length;
  if (halves.length === 2 ? fill < 1 : fill !== 0) return undefined;
  const groups = [...head, ...new Array<number>(fill).fill(0), ...tail];
  const out = new Uint8Array(16);
  groups.forEach((g, i) => {
    out[2 * i] = g >> 8;
    out[2 * i + 1] = g & 0xff;
  });
  return out;
}

/** Lowercase colon form of 6 bytes at `off`, e.g. `1c:5f:2b:aa:fd:4e`. */
export function macToString(bytes: Uint8Array, off: number): string {
  let s = '';
  for (let i = 0; i < 6; i++) {
    const b = bytes[off + i];
    s += (i ? ':' : '') + (b < 16 ? '0' : '') + b.toString(16);
  }
  return s;
}

/** The 48-bit MAC at `off` as a number (exact: below 2^53). No allocation: usable as a per-packet key. */
export function macToNumber(bytes: Uint8Array, off: number): number {
  return (
    ((bytes[off] << 8) | bytes[off + 1]) * 0x100000000 +
    (((bytes[off + 2] << 24) | (bytes[off + 3] << 16) | (bytes[off + 4] << 8) | bytes[off + 5]) >>> 0)
  );
}

/** Lowercase colon form of a 48-bit MAC number. */
export function macNumberToString(n: number): string {
  const b = new Uint8Array(6);
  let hi = Math.floor(n / 0x100000000);
  let lo = n >>> 0;
  for (let i = 5; i >= 2; i--, lo >>>= 8) b[i] = lo & 0xff;
  for (let i = 1; i >= 0; i--, hi >>>= 8) b[i] = hi & 0xff;
  return macToString(b, 0);
}

/** 48-bit number of a MAC in colon or dash form, or undefined. */
export function macFromString(s: string): number | undefined {
  const m = /^([0-9a-fA-F]{2})[:-]([0-9a-fA-F]{2})[:-]([0-9a-fA-F]{2})[:-]([0-9a-fA-F]{2})[:-]([0-9a-fA-F]{2})[:-]([0-9a-fA-F]{2})$/.exec(s);
  if (!m) return undefined;
  let n = 0;
  for (let i = 1; i <= 6; i++) n = n * 256 + parseInt(m[i], 16);
  return n;
}
