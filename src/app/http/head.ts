/**
 * Message head framing shared by HTTP/1.x and RTSP/1.0: a start line and header fields up to an empty line.
 * Headers are offset pairs into the caller's bytes; strings are made only when an event is built.
 * @module
 */
import { incomplete, invalid, ok } from '../types.ts';
import type { Parsed } from '../types.ts';
import { utf8 as utf8Text } from '../text.ts';
import { TextCache } from '../text-cache.ts';

export interface HeadLimits {
  /** Longest accepted head (start line + headers + empty line), bytes. */
  maxHeadBytes: number;
  /** Most header fields kept; more is an anomaly. */
  maxHeaders: number;
}

export const defaultHeadLimits: HeadLimits = { maxHeadBytes: 16384, maxHeaders: 64 };

/** Offsets (absolute in the parsed bytes) of one message head. */
export interface Head {
  start: number;
  /** End of the start line, before CR/LF. */
  lineEnd: number;
  /** Per header field: nameStart, nameEnd, valueStart, valueEnd (value trimmed). */
  fields: number[];
  /** Header lines seen beyond maxHeaders (not in `fields`). */
  dropped: number;
}

const CR = 0x0d;
const LF = 0x0a;
const COLON = 0x3a;

const isSpace = (b: number): boolean => b === 0x20 || b === 0x09;

/**
 * Parse a head starting at `offset`. Lines end in CRLF or bare LF; an empty line ends the head.
 * Obsolete line folding (a line starting with space) extends the previous value.
 */
export function parseHead(bytes: Uint8Array, offset: number, limits: HeadLimits = defaultHeadLimits): Parsed<Head> {
  const limit = Math.min(bytes.length, offset + limits.maxHeadBytes);
  let pos = offset;
  let lineEnd = -1;
  const fields: number[] = [];
  let dropped = 0;
  while (pos < limit) {
    let eol = pos;
    while (eol < limit && bytes[eol] !== LF) eol++;
    if (eol >= limit) break;
    const contentEnd = eol > pos && bytes[eol - 1] === CR ? eol - 1 : eol;
    const next = eol + 1;
    if (lineEnd < 0) {
      if (contentEnd === pos) return invalid('app.http.bad_start_line');
      lineEnd = contentEnd;
    } else if (contentEnd === pos) {
      return ok({ start: offset, lineEnd, fields, dropped }, next - offset);
    } else if (isSpace(bytes[pos])) {
      // Folded continuation: extend the previous value to this line's end.
      if (fields.length > 0) fields[fields.length - 1] = trimEnd(bytes, pos, contentEnd);
    } else if (fields.length >= limits.maxHeaders * 4) {
      dropped++;
    } else {
      let colon = pos;
      while (colon < contentEnd && bytes[colon] !== COLON) colon++;
      if (colon === contentEnd || colon === pos) return invalid('app.http.bad_header_line');
      let vs = colon + 1;
      while (vs < contentEnd && isSpace(bytes[vs])) vs++;
      fields.push(pos, trimEnd(bytes, pos, colon), vs, trimEnd(bytes, vs, contentEnd));
    }
    pos = next;
  }
  if (limit - offset >= limits.maxHeadBytes) return invalid('app.http.header_too_long');
  return incomplete();
}

function trimEnd(bytes: Uint8Array, start: number, end: number): number {
  while (end > start && isSpace(bytes[end - 1])) end--;
  return end;
}

/** Index (0-based field number) of the first header named `lowerName` (ASCII, lower case), or -1. */
export function findHeader(bytes: Uint8Array, head: Head, lowerName: string, from = 0): number {
  const f = head.fields;
  for (let i = from * 4; i < f.length; i += 4) {
    if (f[i + 1] - f[i] !== lowerName.length) continue;
    let same = true;
    for (let k = 0; k < lowerName.length; k++) {
      if ((bytes[f[i] + k] | 0x20) !== lowerName.charCodeAt(k)) {
        same = false;
        break;
      }
    }
    if (same) return i / 4;
  }
  return -1;
}

const utf8 = utf8Text;

/** Methods, versions, header values: the same few recur in message after message. */
const texts = new TextCache((b, start, end) => utf8.decode(b.subarray(start, end)));

/** Bytes as text (UTF-8, invalid sequences replaced). */
export function text(bytes: Uint8Array, start: number, end: number): string {
  return texts.text(bytes, start, end);
}

/** Value of the first header named `lowerName` as text, or undefined. */
export function headerText(bytes: Uint8Array, head: Head, lowerName: string): string | undefined {
  const i = findHeader(bytes, head, lowerName);
  return i < 0 ? undefined : text(bytes, head.fields[i * 4 + 2], head.fields[i * 4 + 3]);
}

/** Decimal value of a header (Content-Length, CSeq): -1 when absent, -2 when not a number. */
export function headerNumber(bytes: Uint8Array, head: Head, lowerName: string): number {
  const i = findHeader(bytes, head, lowerName);
  if (i < 0) return -1;
  const s = head.fields[i * 4 + 2];
  const e = head.fields[i * 4 + 3];
  if (e === s || e - s > 15) return -2;
  let n = 0;
  for (let k = s; k < e; k++) {
    const d = bytes[k] - 0x30;
    if (d < 0 || d > 9) return -2;
    n = n * 10 + d;
  }
  return n;
}

/** True when a header's value contains `lowerToken` (ASCII, case-insensitive), e.g. "chunked". */
export function headerHasToken(bytes: Uint8Array, head: Head, lowerName: string, lowerToken: string): boolean {
  const i = findHeader(bytes, head, lowerName);
  if (i < 0) return false;
  const s = head.fields[i * 4 + 2];
  const e = head.fields[i * 4 + 3];
  for (let p = s; p + lowerToken.length <= e; p++) {
    let k = 0;
    while (k < lowerToken.length && (bytes[p + k] | 0x20) === lowerToken.charCodeAt(k)) k++;
    if (k === lowerToken.length) return true;
  }
  return false;
}
