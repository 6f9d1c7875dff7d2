/**
 * Domain names on the wire (RFC 1035 4.1.4): labels and compression pointers, bounded and loop-free.
 * @module
 */
import { type Parsed, invalid, ok } from '../types.ts';
import { utf8 as utf8Text } from '../text.ts';

/** Compression pointers followed per name; real names need a handful. */
export const MAX_POINTER_HOPS = 16;
/** RFC 1035 2.3.4: 255 octets on the wire (253 characters of text). */
export const MAX_NAME_WIRE = 255;

const utf8 = utf8Text;

/** One label as text: UTF-8 (mDNS instance names), with '.', '\' and control bytes escaped as in zone files. */
function labelText(b: Uint8Array, start: number, len: number): string {
  let plain = true;
  for (let i = start; i < start + len; i++) {
    const c = b[i];
    if (c < 0x21 || c === 0x2e || c === 0x5c || c === 0x7f) {
      if (c !== 0x20) plain = false;
    }
  }
  const text = utf8.decode(b.subarray(start, start + len));
  if (plain) return text;
  let out = '';
  for (const ch of text) {
    const c = ch.charCodeAt(0);
    if (ch === '.' || ch === '\\') out += '\\' + ch;
    else if (c < 0x20 || c === 0x7f) out += '\\' + String(c).padStart(3, '0');
    else out += ch;
  }
  return out;
}

/**
 * Names recently read, by their text's bytes: the same few names recur in every message (mDNS announcements,
 * the queries a device repeats), so a name that is all plain ASCII labels is looked up here instead of being
 * built label by label. Direct-mapped and fixed-size: a slot holds one name's bytes and its text.
 */
const CACHE_SLOTS = 1024;
const cacheBytes = new Uint8Array(CACHE_SLOTS * MAX_NAME_WIRE);
const cacheLength = new Uint16Array(CACHE_SLOTS);
const cacheText: string[] = new Array<string>(CACHE_SLOTS).fill('');
/** The name being read, as text bytes (labels joined by '.'). */
const scratch = new Uint8Array(MAX_NAME_WIRE);

/** Text of the plain ASCII name in scratch[0, n), hashed as `hash`: from the cache, or built and remembered. */
function plainName(n: number, hash: number): string {
  const slot = (hash >>> 0) & (CACHE_SLOTS - 1);
  const base = slot * MAX_NAME_WIRE;
  if (cacheLength[slot] === n) {
    let i = 0;
    while (i < n && cacheBytes[base + i] === scratch[i]) i++;
    if (i === n) return cacheText[slot];
  }
  let text = '';
  for (let i = 0; i < n; i++) text += String.fromCharCode(scratch[i]);
  cacheBytes.set(scratch.subarray(0, n), base);
  cacheLength[slot] = n;
  cacheText[slot] = text;
  return text;
}

/**
 * A possibly compressed domain name at `off`. `length` is the bytes the name occupies at `off` (up to and
 * including the first pointer). Each pointer must go before the previous one's target, so a name always
 * terminates; hops are capped as well. The root name is ".".
 */
export function readName(b: Uint8Array, msgStart: number, msgEnd: number, off: number): Parsed<string> {
  let pos = off;
  // Each pointer must land before the previous jump's target: the walk strictly moves backwards.
  let floor = off;
  let consumed = -1;
  let hops = 0;
  let wire = 0;
  // The labels' bytes go to scratch while every one is plain ASCII (its text is its bytes); the first
  // label that is not sends the whole name to labelText's escaping and decoding.
  let n = 0;
  let hash = 0x811c9dc5;
  let plain = true;
  // Each iteration consumes a label or a pointer; both bounded by hops and MAX_NAME_WIRE.
  while (true) {
    if (pos >= msgEnd) return invalid('app.dns.truncated');
    const len = b[pos];
    if (len === 0) {
      if (consumed < 0) consumed = pos + 1 - off;
      if (wire === 0) return ok('.', consumed);
      return ok(plain ? plainName(n, hash) : escapedName(b, msgStart, off), consumed);
    }
    const kind = len & 0xc0;
    if (kind === 0xc0) {
      if (pos + 1 >= msgEnd) return invalid('app.dns.truncated');
      const target = msgStart + (((len & 0x3f) << 8) | b[pos + 1]);
      if (consumed < 0) consumed = pos + 2 - off;
      if (++hops > MAX_POINTER_HOPS || target >= floor) return invalid('app.dns.name_loop');
      pos = target;
      floor = target;
      continue;
    }
    // 0x40 / 0x80: extended label types (RFC 6891 obsoleted them): a length over 63.
    if (kind !== 0) return invalid('app.dns.label_too_long');
    wire += len + 1;
    if (wire + 1 > MAX_NAME_WIRE) return invalid('app.dns.name_too_long');
    if (pos + 1 + len > msgEnd) return invalid('app.dns.truncated');
    if (plain) {
      if (n > 0) {
        scratch[n++] = 0x2e;
        hash = Math.imul(hash ^ 0x2e, 0x01000193);
      }
      for (let i = pos + 1; i <= pos + len; i++) {
        const c = b[i];
        // Escaped ('.', '', control bytes, DEL) or decoded as UTF-8 (>= 0x80): not plain. Space is plain.
        if (c < 0x20 || c === 0x2e || c === 0x5c || c >= 0x7f) {
          plain = false;
          break;
        }
        scratch[n++] = c;
        hash = Math.imul(hash ^ c, 0x01000193);
      }
    }
    pos += 1 + len;
  }
}

/** The name at `off`, already walked by readName without error, built label by label with labelText. */
function escapedName(b: Uint8Array, msgStart: number, off: number): string {
  let pos = off;
  let name = '';
  while (b[pos] !== 0) {
    const len = b[pos];
    if ((len & 0xc0) === 0xc0) {
      pos = msgStart + (((len & 0x3f) << 8) | b[pos + 1]);
      continue;
    }
    name += (name === '' ? '' : '.') + labelText(b, pos + 1, len);
    pos += 1 + len;
  }
  return name;
}
