/**
 * CoAP message parser (RFC 7252 over UDP): header, token, options (delta encoding), payload bounds.
 * @module
 */
import { type Parsed, invalid, ok } from '../types.ts';
import { utf8 as utf8Text } from '../text.ts';

export const COAP_HEADER_LEN = 4;
/** Options kept per message; real requests use a handful. */
export const MAX_OPTIONS = 64;

export const typeNames = ['CON', 'NON', 'ACK', 'RST'];

export const Option = {
  IF_MATCH: 1, URI_HOST: 3, ETAG: 4, IF_NONE_MATCH: 5, OBSERVE: 6, URI_PORT: 7, LOCATION_PATH: 8, URI_PATH: 11,
  CONTENT_FORMAT: 12, MAX_AGE: 14, URI_QUERY: 15, ACCEPT: 17, LOCATION_QUERY: 20, BLOCK2: 23, BLOCK1: 27,
  PROXY_URI: 35, PROXY_SCHEME: 39, SIZE1: 60,
} as const;

export interface CoapOptionRef {
  number: number;
  /** Value bytes are b[off, off + len). */
  off: number;
  len: number;
}

export interface CoapMessage {
  version: number;
  type: number;
  /** Code byte: class in the top 3 bits, detail in the low 5. */
  code: number;
  messageId: number;
  tokenOff: number;
  tokenLen: number;
  options: CoapOptionRef[];
  payloadOff: number;
  payloadLen: number;
}

/** Extended delta/length nibble: 13 -> one more byte (+13), 14 -> two more bytes (+269), 15 reserved. */
function extended(nibble: number, b: Uint8Array, p: number, end: number): [number, number] | undefined {
  if (nibble < 13) return [nibble, p];
  if (nibble === 13) return p + 1 <= end ? [b[p] + 13, p + 1] : undefined;
  if (nibble === 14) return p + 2 <= end ? [((b[p] << 8) | b[p + 1]) + 269, p + 2] : undefined;
  return undefined;
}

export function parseMessage(b: Uint8Array, off: number, end: number): Parsed<CoapMessage> {
  if (end - off < COAP_HEADER_LEN) return invalid('app.coap.truncated');
  const version = b[off] >> 6;
  if (version !== 1) return invalid('app.coap.bad_version');
  const tokenLen = b[off] & 0x0f;
  if (tokenLen > 8) return invalid('app.coap.bad_token_length');
  const tokenOff = off + COAP_HEADER_LEN;
  if (tokenOff + tokenLen > end) return invalid('app.coap.truncated');
  const msg: CoapMessage = {
    version, type: (b[off] >> 4) & 3, code: b[off + 1], messageId: (b[off + 2] << 8) | b[off + 3],
    tokenOff, tokenLen, options: [], payloadOff: end, payloadLen: 0,
  };
  let p = tokenOff + tokenLen;
  let number = 0;
  while (p < end) {
    if (b[p] === 0xff) {
      // A payload marker followed by nothing is a format error (RFC 7252 3).
      if (p + 1 >= end) return invalid('app.coap.bad_option');
      msg.payloadOff = p + 1;
      msg.payloadLen = end - p - 1;
      break;
    }
    if (msg.options.length >= MAX_OPTIONS) return invalid('app.coap.too_many_options');
    const delta = extended(b[p] >> 4, b, p + 1, end);
    if (!delta) return invalid('app.coap.bad_option');
    const length = extended(b[p] & 0x0f, b, delta[1], end);
    if (!length) return invalid('app.coap.bad_option');
    number += delta[0];
    const valOff = length[1];
    if (valOff + length[0] > end) return invalid('app.coap.truncated');
    msg.options.push({ number, off: valOff, len: length[0] });
    p = valOff + length[0];
  }
  return ok(msg, end - off);
}

/** "c.dd" form of a code: 1 -> "0.01", 69 -> "2.05". */
export function codeString(code: number): string {
  return `${code >> 5}.${String(code & 0x1f).padStart(2, '0')}`;
}

export const codeNames: Readonly<Record<number, string>> = {
  0: 'Empty', 1: 'GET', 2: 'POST', 3: 'PUT', 4: 'DELETE', 5: 'FETCH', 6: 'PATCH', 7: 'iPATCH',
  65: 'Created', 66: 'Deleted', 67: 'Valid', 68: 'Changed', 69: 'Content', 95: 'Continue',
  128: 'Bad Request', 129: 'Unauthorized', 130: 'Bad Option', 131: 'Forbidden', 132: 'Not Found', 133: 'Method Not Allowed',
  134: 'Not Acceptable', 136: 'Request Entity Incomplete', 137: 'Conflict', 140: 'Precondition Failed',
  141: 'Request Entity Too Large', 143: 'Unsupported Content-Format', 160: 'Internal Server Error', 161: 'Not Implemented',
  162: 'Bad Gateway', 163: 'Service Unavailable', 164: 'Gateway Timeout', 165: 'Proxying Not Supported',
};

/** Unsigned integer option value (0-4 bytes; longer values are read from their last 4 bytes). */
export function uintOption(b: Uint8Array, o: CoapOptionRef): number {
  let v = 0;
  for (let i = Math.max(0, o.len - 4); i < o.len; i++) v = v * 256 + b[o.off + i];
  return v;
}

const utf8 = utf8Text;

export function stringOption(b: Uint8Array, o: CoapOptionRef): string {
  return utf8.decode(b.subarray(o.off, o.off + o.len));
}
