/**
 * BACnet ASN.1 tag decoding (ASHRAE 135 clause 20.2): application and context tags, opening/closing tags,
 * and the primitive application values (unsigned, signed, real, double, strings, enumerated, object id,
 * date, time). Pure functions over b[off, end); no throw.
 * @module
 */
import { type Parsed, incomplete, invalid, ok } from '../types.ts';

export interface Tag {
  /** Tag number (application: 0 null .. 12 object id; context: the field number). */
  number: number;
  context: boolean;
  opening: boolean;
  closing: boolean;
  /** Length of the contents (application boolean: 0, its value is in `lvt`). */
  length: number;
  /** Raw length/value/type field (the value of an application boolean). */
  lvt: number;
  /** Bytes of the tag header (contents start at off + headerLength). */
  headerLength: number;
}

/** Decode one tag header; `length` is checked to fit in b[off, end). */
export function readTag(b: Uint8Array, off: number, end: number): Parsed<Tag> {
  if (off >= end) return incomplete();
  const first = b[off];
  let at = off + 1;
  let number = first >> 4;
  const context = (first & 0x08) !== 0;
  let lvt = first & 0x07;
  if (number === 0x0f) {
    if (at >= end) return invalid('app.bacnet.truncated');
    number = b[at++];
  }
  if (context && lvt === 6) return ok({ number, context, opening: true, closing: false, length: 0, lvt, headerLength: at - off }, at - off);
  if (context && lvt === 7) return ok({ number, context, opening: false, closing: true, length: 0, lvt, headerLength: at - off }, at - off);
  let length = lvt;
  if (!context && number === 1) length = 0; // application boolean: value in the LVT field
  else if (lvt === 5) {
    if (at >= end) return invalid('app.bacnet.truncated');
    const ext = b[at++];
    if (ext < 254) length = ext;
    else if (ext === 254) {
      if (at + 2 > end) return invalid('app.bacnet.truncated');
      length = (b[at] << 8) | b[at + 1];
      at += 2;
    } else {
      if (at + 4 > end) return invalid('app.bacnet.truncated');
      length = ((b[at] << 24) >>> 0) + ((b[at + 1] << 16) | (b[at + 2] << 8) | b[at + 3]);
      at += 4;
    }
    lvt = 5;
  }
  if (at + length > end) return invalid('app.bacnet.truncated');
  return ok({ number, context, opening: false, closing: false, length, lvt, headerLength: at - off }, at - off + length);
}

/** Unsigned big-endian integer of 1..4 bytes (longer ones: the low 6 bytes, enough for any real value). */
export function readUnsigned(b: Uint8Array, off: number, len: number): number {
  let v = 0;
  for (let i = Math.max(0, len - 6); i < len; i++) v = v * 256 + b[off + i];
  return v;
}

export function readSigned(b: Uint8Array, off: number, len: number): number {
  if (len === 0) return 0;
  const n = Math.min(len, 6);
  const u = readUnsigned(b, off + len - n, n);
  return b[off + len - n] & 0x80 ? u - 2 ** (8 * n) : u;
}

export interface ObjectId {
  type: number;
  instance: number;
}

export function readObjectId(b: Uint8Array, off: number): ObjectId {
  const v = ((b[off] << 24) >>> 0) + ((b[off + 1] << 16) | (b[off + 2] << 8) | b[off + 3]);
  return { type: Math.floor(v / 0x400000), instance: v & 0x3fffff };
}

/** Character sets of a CharacterString (clause 20.2.9). */
const latin1 = new TextDecoder('latin1');
const utf8 = new TextDecoder('utf-8');
const utf16 = new TextDecoder('utf-16be');

/** A CharacterString's text; undefined for the charsets not decoded here (JIS, UCS-4). */
export function readCharString(b: Uint8Array, off: number, len: number): string | undefined {
  if (len < 1) return '';
  const set = b[off];
  const body = b.subarray(off + 1, off + len);
  if (set === 0) return utf8.decode(body);
  if (set === 5) return latin1.decode(body);
  if (set === 4) return utf16.decode(body);
  return undefined;
}

export const applicationTagNames = [
  'null', 'boolean', 'unsigned', 'signed', 'real', 'double', 'octet_string', 'character_string', 'bit_string',
  'enumerated', 'date', 'time', 'object_identifier',
] as const;

export interface AppValue {
  /** Application tag name ('real', 'character_string', ...) or 'tag_<n>' for reserved ones. */
  type: string;
  /** Display form: number for numeric types, text for strings, 'true'/'false', hex for octet strings. */
  value: string | number | boolean;
  /** For object identifiers. */
  objectId?: ObjectId;
}

function hex(b: Uint8Array, off: number, len: number): string {
  let s = '';
  for (let i = off; i < off + len; i++) s += b[i].toString(16).padStart(2, '0');
  return s;
}

/** The value of one application-tagged primitive whose tag was read at `tagOff`. */
export function appValue(b: Uint8Array, tagOff: number, t: Tag): AppValue {
  const at = tagOff + t.headerLength;
  const len = t.length;
  const type = applicationTagNames[t.number] ?? `tag_${t.number}`;
  const view = new DataView(b.buffer, b.byteOffset);
  switch (t.number) {
    case 0: return { type, value: 'null' };
    case 1: return { type, value: t.lvt === 1 };
    case 2: case 9: return { type, value: readUnsigned(b, at, len) };
    case 3: return { type, value: readSigned(b, at, len) };
    case 4: return len === 4 ? { type, value: view.getFloat32(at) } : { type, value: hex(b, at, len) };
    case 5: return len === 8 ? { type, value: view.getFloat64(at) } : { type, value: hex(b, at, len) };
    case 7: return { type, value: readCharString(b, at, len) ?? hex(b, at, len) };
    case 10: // date: year-1900, month, day, weekday (255 = any)
      return len === 4 ? { type, value: `${b[at] === 255 ? '*' : 1900 + b[at]}-${b[at + 1] === 255 ? '*' : b[at + 1]}-${b[at + 2] === 255 ? '*' : b[at + 2]}` } : { type, value: hex(b, at, len) };
    case 11:
      return len === 4 ? { type, value: [b[at], b[at + 1], b[at + 2]].map((x) => (x === 255 ? '*' : String(x).padStart(2, '0'))).join(':') + `.${b[at + 3] === 255 ? '*' : String(b[at + 3]).padStart(2, '0')}` } : { type, value: hex(b, at, len) };
    case 12:
      if (len !== 4) return { type, value: hex(b, at, len) };
      {
        const id = readObjectId(b, at);
        return { type, value: `${id.type}:${id.instance}`, objectId: id };
      }
    default: return { type, value: hex(b, at, len) };
  }
}
