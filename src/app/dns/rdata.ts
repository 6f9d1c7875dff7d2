/**
 * Resource record data (RDATA) by type: one small function per type, each giving a display string and,
 * for TXT and SRV, the structured fields.
 * @module
 */
import { type Parsed, invalid, ok } from '../types.ts';
import { readName } from './name.ts';
import { utf8 as utf8Text } from '../text.ts';
import { TextCache } from '../text-cache.ts';

export interface SrvData {
  priority: number;
  weight: number;
  port: number;
  target: string;
}

export interface RecordData {
  /** Display form: address, name, quoted strings, or hex for unknown types. */
  data: string;
  txt?: string[];
  srv?: SrvData;
}

/** TXT strings kept per record; DNS-SD records rarely carry more than a dozen. */
export const MAX_TXT_STRINGS = 64;
/** Unknown RDATA shown as hex up to this many bytes. */
export const MAX_HEX_BYTES = 64;

const utf8 = utf8Text;

export function formatIpv4(b: Uint8Array, off: number): string {
  return `${b[off]}.${b[off + 1]}.${b[off + 2]}.${b[off + 3]}`;
}

/** RFC 5952 text form (lowercase, longest zero run compressed). */
export function formatIpv6(b: Uint8Array, off: number): string {
  const words: number[] = [];
  for (let i = 0; i < 8; i++) words.push((b[off + 2 * i] << 8) | b[off + 2 * i + 1]);
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (words[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && words[j] === 0) j++;
    if (j - i > bestLen && j - i > 1) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  if (bestStart < 0) return words.map((w) => w.toString(16)).join(':');
  const head = words.slice(0, bestStart).map((w) => w.toString(16)).join(':');
  const tail = words.slice(bestStart + bestLen).map((w) => w.toString(16)).join(':');
  return `${head}::${tail}`;
}

export function hex(b: Uint8Array, start: number, len: number): string {
  let s = '';
  for (let i = start; i < start + len; i++) s += b[i].toString(16).padStart(2, '0');
  return s;
}

/** TXT strings recur in every announcement of a service (mDNS): their text comes from a cache by their bytes. */
const characterStrings = new TextCache((bytes, from, to) => utf8.decode(bytes.subarray(from, to)), 1024, 255);

/** Character-strings (one length byte each) filling the RDATA: TXT, and HINFO's two strings. */
export function readCharacterStrings(b: Uint8Array, start: number, len: number, max: number): Parsed<string[]> {
  const out: string[] = [];
  const end = start + len;
  let p = start;
  while (p < end) {
    if (out.length >= max) return invalid('app.dns.too_many_strings');
    const n = b[p];
    if (p + 1 + n > end) return invalid('app.dns.bad_rdata');
    out.push(characterStrings.text(b, p + 1, p + 1 + n));
    p += 1 + n;
  }
  return ok(out, len);
}

function fixedLength(len: number, want: number): boolean {
  return len === want;
}

function nameData(b: Uint8Array, msgStart: number, msgEnd: number, start: number): Parsed<RecordData> {
  const n = readName(b, msgStart, msgEnd, start);
  return n.status === 'ok' ? ok({ data: n.value }, n.length) : n;
}

function srvData(b: Uint8Array, msgStart: number, msgEnd: number, start: number, len: number): Parsed<RecordData> {
  if (len < 7) return invalid('app.dns.bad_rdata');
  const target = readName(b, msgStart, msgEnd, start + 6);
  if (target.status !== 'ok') return target;
  const srv: SrvData = {
    priority: (b[start] << 8) | b[start + 1],
    weight: (b[start + 2] << 8) | b[start + 3],
    port: (b[start + 4] << 8) | b[start + 5],
    target: target.value,
  };
  return ok({ data: `${srv.priority} ${srv.weight} ${srv.port} ${srv.target}`, srv }, len);
}

function txtData(b: Uint8Array, start: number, len: number): Parsed<RecordData> {
  const s = readCharacterStrings(b, start, len, MAX_TXT_STRINGS);
  if (s.status !== 'ok') return s;
  return ok({ data: txtTexts.text(b, start, start + len), txt: s.value }, len);
}

function hinfoData(b: Uint8Array, start: number, len: number): Parsed<RecordData> {
  const s = readCharacterStrings(b, start, len, 2);
  if (s.status !== 'ok') return s;
  return ok({ data: s.value.map((t) => JSON.stringify(t)).join(' ') }, len);
}

function mxData(b: Uint8Array, msgStart: number, msgEnd: number, start: number, len: number): Parsed<RecordData> {
  if (len < 3) return invalid('app.dns.bad_rdata');
  const n = readName(b, msgStart, msgEnd, start + 2);
  return n.status === 'ok' ? ok({ data: `${(b[start] << 8) | b[start + 1]} ${n.value}` }, len) : n;
}

/**
 * Answers repeat (a device announces the same addresses and TXT records every few seconds): the text of A, AAAA
 * and TXT data comes from caches by the RDATA's bytes.
 */
const ipv4Texts = new TextCache((bytes, from) => formatIpv4(bytes, from), 1024, 4);
const ipv6Texts = new TextCache((bytes, from) => formatIpv6(bytes, from), 1024, 16);
/** A TXT RDATA's text: its strings quoted, space-separated (made only for RDATA that parsed). */
const txtTexts = new TextCache((bytes, from, to) => {
  const strings = readCharacterStrings(bytes, from, to - from, MAX_TXT_STRINGS);
  return strings.status === 'ok' ? strings.value.map((t) => JSON.stringify(t)).join(' ') : '';
}, 512, 255);

/** RDATA of `type` at b[start, start+len). Names inside may point anywhere earlier in the message. */
export function parseRdata(b: Uint8Array, msgStart: number, msgEnd: number, type: number, start: number, len: number): Parsed<RecordData> {
  switch (type) {
    case 1: // A
      return fixedLength(len, 4) ? ok({ data: ipv4Texts.text(b, start, start + 4) }, len) : invalid('app.dns.bad_rdata');
    case 28: // AAAA
      return fixedLength(len, 16) ? ok({ data: ipv6Texts.text(b, start, start + 16) }, len) : invalid('app.dns.bad_rdata');
    case 2: // NS
    case 5: // CNAME
    case 12: // PTR
      return len === 0 ? invalid('app.dns.bad_rdata') : nameData(b, msgStart, start + len, start);
    case 15:
      return mxData(b, msgStart, start + len, start, len);
    case 16:
      return txtData(b, start, len);
    case 13:
      return hinfoData(b, start, len);
    case 33:
      return srvData(b, msgStart, start + len, start, len);
    default:
      return ok({ data: hex(b, start, Math.min(len, MAX_HEX_BYTES)) }, len);
  }
}
