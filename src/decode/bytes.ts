/**
 * Big-endian reads on a Uint8Array (callers check bounds first; no DataView per packet).
 * @module
 */

export function u16(d: Uint8Array, o: number): number {
  return (d[o] << 8) | d[o + 1];
}

/** Unsigned 32-bit big-endian. */
export function u32(d: Uint8Array, o: number): number {
  return ((d[o] << 24) | (d[o + 1] << 16) | (d[o + 2] << 8) | d[o + 3]) >>> 0;
}

/** Unsigned 32-bit little-endian. */
export function u32le(d: Uint8Array, o: number): number {
  return (d[o] | (d[o + 1] << 8) | (d[o + 2] << 16) | (d[o + 3] << 24)) >>> 0;
}
