/**
 * Minimal BER reader for SNMP (X.690 subset): single-byte tags, definite lengths of up to 4 bytes,
 * integers of up to 6 bytes, OIDs with a bounded number of arcs. Nothing recurses.
 * @module
 */
import { type Parsed, invalid, ok } from '../types.ts';
import { utf8 as utf8Text } from '../text.ts';

export interface Tlv {
  tag: number;
  /** Value bytes are b[valOff, valOff + valLen). */
  valOff: number;
  valLen: number;
}

/** OID arcs kept; longer OIDs are an anomaly (real MIB OIDs stay under ~30). */
export const MAX_OID_ARCS = 128;

export const Tag = {
  INTEGER: 0x02, OCTET_STRING: 0x04, NULL: 0x05, OID: 0x06, SEQUENCE: 0x30, IP_ADDRESS: 0x40, TIMETICKS: 0x43,
} as const;

/** The TLV at `off`, its value within `end`. `length` is header plus value. */
export function readTlv(b: Uint8Array, off: number, end: number): Parsed<Tlv> {
  if (off + 2 > end) return invalid('app.snmp.truncated');
  const tag = b[off];
  if ((tag & 0x1f) === 0x1f) return invalid('app.snmp.bad_ber');
  let len = b[off + 1];
  let p = off + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    // 0x80 is the indefinite form, not allowed in SNMP; more than 4 length bytes cannot fit a datagram.
    if (n === 0 || n > 4) return invalid('app.snmp.bad_ber');
    if (p + n > end) return invalid('app.snmp.truncated');
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + b[p + i];
    p += n;
  }
  if (p + len > end) return invalid('app.snmp.truncated');
  return ok({ tag, valOff: p, valLen: len }, p + len - off);
}

/** A TLV that must carry `tag`. */
export function expectTlv(b: Uint8Array, off: number, end: number, tag: number): Parsed<Tlv> {
  const t = readTlv(b, off, end);
  if (t.status === 'ok' && t.value.tag !== tag) return invalid('app.snmp.bad_ber');
  return t;
}

/** Signed integer value of a TLV (up to 6 bytes, exact in a double). */
export function intValue(b: Uint8Array, t: Tlv): Parsed<number> {
  if (t.valLen < 1 || t.valLen > 6) return invalid('app.snmp.bad_ber');
  let v = 0;
  for (let i = 0; i < t.valLen; i++) v = v * 256 + b[t.valOff + i];
  if (b[t.valOff] & 0x80) v -= 256 ** t.valLen;
  return ok(v, t.valLen);
}

/** Dotted OID text. */
export function oidValue(b: Uint8Array, t: Tlv): Parsed<string> {
  if (t.valLen < 1) return invalid('app.snmp.bad_ber');
  const arcs: number[] = [];
  let v = 0;
  let bytes = 0;
  for (let i = t.valOff; i < t.valOff + t.valLen; i++) {
    // 7 continuation bytes already exceed 2^49; refuse rather than lose precision.
    if (++bytes > 7) return invalid('app.snmp.bad_ber');
    v = v * 128 + (b[i] & 0x7f);
    if (b[i] & 0x80) continue;
    if (arcs.length === 0) {
      const first = v < 40 ? 0 : v < 80 ? 1 : 2;
      arcs.push(first, v - 40 * first);
    } else arcs.push(v);
    if (arcs.length > MAX_OID_ARCS) return invalid('app.snmp.bad_ber');
    v = 0;
    bytes = 0;
  }
  if (bytes !== 0) return invalid('app.snmp.bad_ber');
  return ok(arcs.join('.'), t.valLen);
}

const utf8 = utf8Text;

export function textValue(b: Uint8Array, t: Tlv): string {
  return utf8.decode(b.subarray(t.valOff, t.valOff + t.valLen));
}

export function hexValue(b: Uint8Array, t: Tlv): string {
  let s = '';
  for (let i = t.valOff; i < t.valOff + t.valLen; i++) s += b[i].toString(16).padStart(2, '0');
  return s;
}
