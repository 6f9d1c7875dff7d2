/**
 * pcapng timestamps: 64-bit tick counts at a per-interface resolution (if_tsresol, 10^-n or 2^-n)
 * plus a per-interface offset in seconds (if_tsoffset). The conversion is set up once per interface
 * so the per-packet path is plain double arithmetic, exact for every resolution up to 10^-11 / 2^-32;
 * finer resolutions (none seen in practice) fall back to BigInt per packet.
 * @module
 */
import type { PacketRecord } from './types.ts';

const TWO32 = 4294967296;
/** Long division by 16-bit digits stays exact while ticks * 2^16 <= 2^53. */
const MAX_EXACT_TICKS = 2 ** 37;

export interface TimeUnit {
  /** Ticks per second. */
  ticks: number;
  /** tsNsec = floor(remainderTicks * nsMul / nsDiv); both chosen so the product stays below 2^53. */
  nsMul: number;
  nsDiv: number;
  /** Set only for resolutions too fine for the exact double path. */
  bigTicks: bigint | null;
  /** if_tsoffset, seconds. */
  offsetSec: number;
}

/**
 * The unit for an if_tsresol byte (undefined: the default, microseconds), or null when the
 * resolution is beyond what a 64-bit count can meaningfully hold.
 */
export function timeUnit(tsresol: number | undefined, offsetSec: number): TimeUnit | null {
  const raw = tsresol ?? 6;
  const binary = (raw & 0x80) !== 0;
  const exp = raw & 0x7f;
  if (binary ? exp > 63 : exp > 19) return null;
  if (binary) {
    const ticks = 2 ** exp;
    if (exp > 32) return { ticks, nsMul: 0, nsDiv: 1, bigTicks: 1n << BigInt(exp), offsetSec };
    // 1e9 = 2^9 * 1953125: dividing by a power of two is exact, so floor() is too.
    return exp <= 9 ? { ticks, nsMul: 1e9, nsDiv: ticks, bigTicks: null, offsetSec } : { ticks, nsMul: 1953125, nsDiv: 2 ** (exp - 9), bigTicks: null, offsetSec };
  }
  const ticks = 10 ** exp;
  if (ticks > MAX_EXACT_TICKS) return { ticks, nsMul: 0, nsDiv: 1, bigTicks: 10n ** BigInt(exp), offsetSec };
  return exp <= 9 ? { ticks, nsMul: 10 ** (9 - exp), nsDiv: 1, bigTicks: null, offsetSec } : { ticks, nsMul: 1, nsDiv: 10 ** (exp - 9), bigTicks: null, offsetSec };
}

/** Sets rec.tsSec / rec.tsNsec from the timestamp's two 32-bit halves. */
export function setTimestamp(rec: PacketRecord, high: number, low: number, unit: TimeUnit): void {
  const ticks = unit.ticks;
  let sec: number;
  let rem: number;
  if (unit.bigTicks !== null) {
    const ts = (BigInt(high) << 32n) | BigInt(low);
    rec.tsSec = Number(ts / unit.bigTicks) + unit.offsetSec;
    rec.tsNsec = Number(((ts % unit.bigTicks) * 1000000000n) / unit.bigTicks);
    return;
  }
  if (high < 0x200000) {
    // Below 2^53 (every microsecond timestamp until the year 2255): one division.
    const ts = high * TWO32 + low;
    sec = Math.floor(ts / ticks);
    rem = ts - sec * ticks;
    if (rem < 0) {
      sec--;
      rem += ticks;
    } else if (rem >= ticks) {
      sec++;
      rem -= ticks;
    }
  } else {
    // Long division with 16-bit digits; every partial remainder * 2^16 stays below 2^53.
    let q = 0;
    rem = 0;
    for (let i = 0; i < 4; i++) {
      const digit = i === 0 ? high >>> 16 : i === 1 ? high & 0xffff : i === 2 ? low >>> 16 : low & 0xffff;
      const r = rem * 65536 + digit;
      let d = Math.floor(r / ticks);
      rem = r - d * ticks;
      if (rem < 0) {
        d--;
        rem += ticks;
      } else if (rem >= ticks) {
        d++;
        rem -= ticks;
      }
      q = q * 65536 + d;
    }
    sec = q;
  }
  rec.tsSec = sec + unit.offsetSec;
  rec.tsNsec = Math.floor((rem * unit.nsMul) / unit.nsDiv);
}
