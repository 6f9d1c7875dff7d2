/**
 * SSH identification lines (RFC 4253 §4.2): "SSH-protoversion-softwareversion SP comments CR LF",
 * at most 255 bytes; a server may send other lines before it.
 * @module
 */
import { incomplete, invalid, ok } from '../types.ts';
import type { Parsed } from '../types.ts';
import { latin1 as latin1Text } from '../text.ts';

export const MAX_LINE = 255;

export interface Banner {
  proto_version: string;
  software: string;
  comments?: string;
  raw: string;
}

/** One line at `offset` (CRLF or bare LF): [contentEnd, totalLength]. */
export function parseLine(bytes: Uint8Array, offset: number, max = MAX_LINE): Parsed<number> {
  const limit = Math.min(bytes.length, offset + max);
  for (let p = offset; p < limit; p++) {
    if (bytes[p] === 0x0a) return ok(p > offset && bytes[p - 1] === 0x0d ? p - 1 : p, p + 1 - offset);
  }
  return limit - offset >= max ? invalid('app.ssh.banner_too_long') : incomplete();
}

const latin1 = latin1Text;

/** Parse the identification string in [start, end) (without CRLF). */
export function parseBanner(bytes: Uint8Array, start: number, end: number): Parsed<Banner> {
  const raw = latin1.decode(bytes.subarray(start, end));
  if (!raw.startsWith('SSH-')) return invalid('app.ssh.bad_banner');
  const dash = raw.indexOf('-', 4);
  if (dash < 0) return invalid('app.ssh.bad_banner');
  const sp = raw.indexOf(' ', dash + 1);
  const banner: Banner = { proto_version: raw.slice(4, dash), software: sp < 0 ? raw.slice(dash + 1) : raw.slice(dash + 1, sp), raw };
  if (sp >= 0) banner.comments = raw.slice(sp + 1);
  if (banner.proto_version.length === 0 || banner.software.length === 0) return invalid('app.ssh.bad_banner');
  return ok(banner, end - start);
}

/** 'yes' on "SSH-1." / "SSH-2." at the start of the bytes. */
export function probeSsh(bytes: Uint8Array): 'yes' | 'no' | 'maybe' {
  const prefix = 'SSH-';
  const n = Math.min(bytes.length, prefix.length);
  for (let k = 0; k < n; k++) if (bytes[k] !== prefix.charCodeAt(k)) return 'no';
  if (bytes.length < 6) return 'maybe';
  return (bytes[4] === 0x32 || bytes[4] === 0x31) && bytes[5] === 0x2e ? 'yes' : 'no';
}
