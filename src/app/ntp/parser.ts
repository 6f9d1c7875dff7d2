/**
 * NTP parser (RFC 5905 header for modes 1-5, RFC 1305 appendix B control messages for mode 6, and the
 * ntpd private mode 7 header whose request code 42 is MON_GETLIST_1, "monlist").
 * @module
 */
import { type Parsed, invalid, ok } from '../types.ts';

export const NTP_HEADER_LEN = 48;
export const CONTROL_HEADER_LEN = 12;
export const PRIVATE_HEADER_LEN = 8;
/** Seconds from the NTP era 0 epoch (1900) to the Unix epoch. */
const NTP_UNIX_OFFSET = 2208988800;

export const modeNames = ['reserved', 'symmetric_active', 'symmetric_passive', 'client', 'server', 'broadcast', 'control', 'private'];

export interface NtpPacket {
  kind: 'packet';
  leap: number;
  version: number;
  mode: number;
  stratum: number;
  poll: number;
  /** log2 seconds, signed. */
  precision: number;
  /** Kiss code or reference clock name for stratum 0/1, dotted IPv4 (or IPv6 hash) otherwise. */
  referenceId: string;
  /** Unix seconds (fraction kept), 0 when the field is zero. */
  transmitTime: number;
}

export interface NtpControl {
  kind: 'control';
  version: number;
  mode: 6;
  response: boolean;
  opcode: number;
  sequence: number;
  associationId: number;
  count: number;
}

export interface NtpPrivate {
  kind: 'private';
  version: number;
  mode: 7;
  response: boolean;
  implementation: number;
  requestCode: number;
}

export type NtpMessage = NtpPacket | NtpControl | NtpPrivate;

const u16 = (b: Uint8Array, o: number) => (b[o] << 8) | b[o + 1];
const u32 = (b: Uint8Array, o: number) => ((b[o] << 24) | (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3]) >>> 0;

function referenceId(b: Uint8Array, off: number, stratum: number): string {
  if (stratum <= 1) {
    let s = '';
    for (let i = off; i < off + 4 && b[i] !== 0; i++) s += b[i] >= 0x20 && b[i] < 0x7f ? String.fromCharCode(b[i]) : '?';
    return s;
  }
  return `${b[off]}.${b[off + 1]}.${b[off + 2]}.${b[off + 3]}`;
}

export function parsePacket(b: Uint8Array, off: number, end: number): Parsed<NtpPacket> {
  if (end - off < NTP_HEADER_LEN) return invalid('app.ntp.truncated');
  const stratum = b[off + 1];
  const sec = u32(b, off + 40);
  const frac = u32(b, off + 44);
  return ok(
    {
      kind: 'packet',
      leap: b[off] >> 6,
      version: (b[off] >> 3) & 7,
      mode: b[off] & 7,
      stratum,
      poll: (b[off + 2] << 24) >> 24,
      precision: (b[off + 3] << 24) >> 24,
      referenceId: referenceId(b, off + 12, stratum),
      transmitTime: sec === 0 && frac === 0 ? 0 : sec - NTP_UNIX_OFFSET + frac / 4294967296,
    },
    NTP_HEADER_LEN,
  );
}

export function parseControl(b: Uint8Array, off: number, end: number): Parsed<NtpControl> {
  if (end - off < CONTROL_HEADER_LEN) return invalid('app.ntp.truncated');
  return ok(
    {
      kind: 'control',
      version: (b[off] >> 3) & 7,
      mode: 6,
      response: (b[off + 1] & 0x80) !== 0,
      opcode: b[off + 1] & 0x1f,
      sequence: u16(b, off + 2),
      associationId: u16(b, off + 6),
      count: u16(b, off + 10),
    },
    CONTROL_HEADER_LEN,
  );
}

export function parsePrivate(b: Uint8Array, off: number, end: number): Parsed<NtpPrivate> {
  if (end - off < PRIVATE_HEADER_LEN) return invalid('app.ntp.truncated');
  return ok(
    {
      kind: 'private',
      version: (b[off] >> 3) & 7,
      mode: 7,
      response: (b[off] & 0x80) !== 0,
      implementation: b[off + 2],
      requestCode: b[off + 3],
    },
    PRIVATE_HEADER_LEN,
  );
}

/** Any NTP datagram, dispatched on its mode. */
export function parseMessage(b: Uint8Array, off: number, end: number): Parsed<NtpMessage> {
  if (end - off < 1) return invalid('app.ntp.truncated');
  const version = (b[off] >> 3) & 7;
  if (version < 1 || version > 4) return invalid('app.ntp.bad_version');
  const mode = b[off] & 7;
  if (mode === 6) return parseControl(b, off, end);
  if (mode === 7) return parsePrivate(b, off, end);
  if (mode === 0) return invalid('app.ntp.bad_mode');
  return parsePacket(b, off, end);
}
