/**
 * Packet times a JavaScript Date can hold (±8.64e15 ms, about ±275,000 years). A pcapng interface with a large
 * if_tsoffset, a coarse if_tsresol or a raw 64-bit count can state a time outside it: such a packet gets the
 * anomaly `capture.time.out_of_range` and the time of the packet before it; and every formatter goes
 * through `isoTime`, which answers for any number.
 * @module
 */

/** Largest |seconds since the epoch| a Date represents. */
export const MAX_TIME_SEC = 8.64e12;

export const TIMESTAMP_OUT_OF_RANGE = 'capture.time.out_of_range';

export function inTimeRange(sec: number): boolean {
  return Number.isFinite(sec) && sec <= MAX_TIME_SEC && sec >= -MAX_TIME_SEC;
}

/** ISO 8601 (UTC) of a packet time in seconds; `invalid` for a value no date can hold (NaN, ±Infinity, huge). */
export function isoTime(sec: number | null | undefined, invalid = '-'): string {
  return typeof sec === 'number' && inTimeRange(sec) ? new Date(sec * 1000).toISOString() : invalid;
}
