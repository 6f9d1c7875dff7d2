/**
 * Helpers shared by the SIEM formats: stable numeric ids, timestamps, TCP flag bits.
 * @module
 */

/** FNV-1a 64-bit over the text, cut to 53 bits so the id survives every JSON parser as an exact integer. */
export function id53(text: string): number {
  let h = 0xcbf29ce484222325n;
  for (let i = 0; i < text.length; i++) {
    h ^= BigInt(text.charCodeAt(i));
    h = (h * 0x100000001b3n) & 0xffffffffffffffffn;
  }
  return Number(h & 0x1fffffffffffffn);
}

/** Suricata's EVE timestamp: microseconds and a numeric zone, `2009-11-24T21:27:09.534255+0000`. */
export function eveTime(epochSeconds: number): string {
  if (!Number.isFinite(epochSeconds)) epochSeconds = 0;
  const whole = Math.floor(epochSeconds);
  const micros = Math.round((epochSeconds - whole) * 1e6);
  const carry = micros === 1_000_000 ? 1 : 0;
  const d = new Date((whole + carry) * 1000);
  if (Number.isNaN(d.getTime())) return '1970-01-01T00:00:00.000000+0000';
  return `${d.toISOString().slice(0, 19)}.${String(carry ? 0 : micros).padStart(6, '0')}+0000`;
}

/** ISO 8601 UTC with milliseconds; times a date cannot hold become the epoch. */
export function isoTime(epochSeconds: number): string {
  const d = new Date(Math.round(epochSeconds * 1000));
  return Number.isNaN(d.getTime()) ? new Date(0).toISOString() : d.toISOString();
}

const flagBits: Record<string, number> = { F: 0x01, S: 0x02, R: 0x04, P: 0x08, A: 0x10, U: 0x20, E: 0x40, C: 0x80 };

/** TCP flags as Bulwark writes them ("FSPA") to the flag byte. */
export function tcpFlagByte(flags: string | undefined): number {
  let b = 0;
  for (const c of flags ?? '') b |= flagBits[c] ?? 0;
  return b;
}

/** IANA protocol numbers of the transports Bulwark names. */
export const ianaNumber: Record<string, number> = { icmp: 1, igmp: 2, tcp: 6, udp: 17, gre: 47, icmp6: 58, sctp: 132 };
