/**
 * DHCPv4 parser (RFC 2131 BOOTP header + RFC 2132 options): header fields, an option index (code and
 * byte range, in wire order, honouring option overload), and decoders for the options Bulwark reports.
 * @module
 */
import { type Parsed, invalid, ok } from '../types.ts';
import { utf8 as utf8Text } from '../text.ts';
import { TextCache } from '../text-cache.ts';

const utf8 = utf8Text;

export const BOOTP_FIXED_LEN = 236;
export const MAGIC_COOKIE = 0x63825363;
/** Options indexed per message; real clients send a few dozen. */
export const MAX_OPTIONS = 128;

export interface DhcpOptionRef {
  code: number;
  /** Value bytes are b[off, off + len). */
  off: number;
  len: number;
}

export interface DhcpHeader {
  op: number;
  htype: number;
  hlen: number;
  xid: number;
  ciaddr: string;
  yiaddr: string;
  siaddr: string;
  giaddr: string;
  /** aa:bb:.. for Ethernet (htype 1, hlen 6), hex of the first hlen bytes otherwise. */
  chaddr: string;
}

export interface DhcpMessage {
  header: DhcpHeader;
  options: DhcpOptionRef[];
  /** Option 53, absent for plain BOOTP. */
  messageType?: number;
  /** Malformed or capped option area: options before the fault are kept. */
  anomaly?: string;
}

/**
 * Addresses and MACs recur in every message of a client's exchange (and 0.0.0.0 in most): their text comes
 * from caches keyed by their bytes.
 */
const ipv4Texts = new TextCache((b, off) => `${b[off]}.${b[off + 1]}.${b[off + 2]}.${b[off + 3]}`, 1024, 4);
const macTexts = new TextCache((b, off) => {
  let s = '';
  for (let i = 0; i < 6; i++) s += (i ? ':' : '') + b[off + i].toString(16).padStart(2, '0');
  return s;
}, 1024, 6);
const optionTexts = new TextCache((b, start, end) => utf8.decode(b.subarray(start, end)), 1024, 128);

export function ipv4At(b: Uint8Array, off: number): string {
  return ipv4Texts.text(b, off, off + 4);
}

/** Two lowercase hex digits per byte value (no toString and padStart per byte of a client id). */
const hexByte = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

export function hexOf(b: Uint8Array, off: number, len: number): string {
  let s = '';
  for (let i = off; i < off + len; i++) s += hexByte[b[i]];
  return s;
}

function macOf(b: Uint8Array, off: number): string {
  return macTexts.text(b, off, off + 6);
}

export function parseHeader(b: Uint8Array, off: number, end: number): Parsed<DhcpHeader> {
  if (end - off < BOOTP_FIXED_LEN) return invalid('app.dhcp.truncated');
  const op = b[off];
  if (op !== 1 && op !== 2) return invalid('app.dhcp.bad_op');
  const htype = b[off + 1];
  const hlen = Math.min(b[off + 2], 16);
  return ok(
    {
      op,
      htype,
      hlen,
      xid: ((b[off + 4] << 24) | (b[off + 5] << 16) | (b[off + 6] << 8) | b[off + 7]) >>> 0,
      ciaddr: ipv4At(b, off + 12),
      yiaddr: ipv4At(b, off + 16),
      siaddr: ipv4At(b, off + 20),
      giaddr: ipv4At(b, off + 24),
      chaddr: htype === 1 && hlen === 6 ? macOf(b, off + 28) : hexOf(b, off + 28, hlen),
    },
    BOOTP_FIXED_LEN,
  );
}

/**
 * Index the options in b[start, end) into `into`. Returns the overload value (option 52) seen, or an
 * anomaly id. Pad (0) and end (255) are not indexed.
 */
export function indexOptions(b: Uint8Array, start: number, end: number, into: DhcpOptionRef[]): number | string {
  let overload = 0;
  let p = start;
  while (p < end) {
    const code = b[p];
    if (code === 255) return overload;
    if (code === 0) {
      p++;
      continue;
    }
    if (p + 1 >= end) return 'app.dhcp.bad_option';
    const len = b[p + 1];
    if (p + 2 + len > end) return 'app.dhcp.bad_option';
    if (into.length >= MAX_OPTIONS) return 'app.dhcp.too_many_options';
    into.push({ code, off: p + 2, len });
    if (code === 52 && len === 1) overload = b[p + 2];
    p += 2 + len;
  }
  // Options must end with 255; many stacks pad to the datagram end instead, so running out is tolerated.
  return overload;
}

/** A whole DHCP/BOOTP message in b[off, end). */
export function parseMessage(b: Uint8Array, off: number, end: number): Parsed<DhcpMessage> {
  const h = parseHeader(b, off, end);
  if (h.status !== 'ok') return h;
  const msg: DhcpMessage = { header: h.value, options: [] };
  if (end - off < BOOTP_FIXED_LEN + 4) return ok(msg, end - off);
  const cookie = ((b[off + 236] << 24) | (b[off + 237] << 16) | (b[off + 238] << 8) | b[off + 239]) >>> 0;
  if (cookie !== MAGIC_COOKIE) {
    msg.anomaly = 'app.dhcp.bad_cookie';
    return ok(msg, end - off);
  }
  const overload = indexOptions(b, off + 240, end, msg.options);
  if (typeof overload === 'string') msg.anomaly = overload;
  else if (overload !== 0) {
    // RFC 2131 4.1: with overload, the 'file' field is read after the options, then 'sname'.
    const fileFault = overload & 1 ? indexOptions(b, off + 108, off + 236, msg.options) : 0;
    if (typeof fileFault === 'string') msg.anomaly = fileFault;
    else if (overload & 2) {
      const snameFault = indexOptions(b, off + 44, off + 108, msg.options);
      if (typeof snameFault === 'string') msg.anomaly = snameFault;
    }
  }
  for (let i = 0; i < msg.options.length; i++) {
    const o = msg.options[i];
    if (o.code !== 53) continue;
    if (o.len >= 1) msg.messageType = b[o.off];
    break;
  }
  return ok(msg, end - off);
}

/** Text option value; NULs some clients append are dropped. */
export function optionText(b: Uint8Array, o: DhcpOptionRef): string {
  let e = o.off + o.len;
  while (e > o.off && b[e - 1] === 0) e--;
  return optionTexts.text(b, o.off, e);
}

/** A list of IPv4 addresses (options 3, 6, ...); a length not a multiple of 4 is invalid. */
export function optionAddresses(b: Uint8Array, o: DhcpOptionRef): Parsed<string[]> {
  if (o.len === 0 || o.len % 4 !== 0) return invalid('app.dhcp.bad_option');
  const out: string[] = [];
  for (let i = 0; i < o.len; i += 4) out.push(ipv4At(b, o.off + i));
  return ok(out, o.len);
}

export function optionU32(b: Uint8Array, o: DhcpOptionRef): Parsed<number> {
  if (o.len !== 4) return invalid('app.dhcp.bad_option');
  return ok(((b[o.off] << 24) | (b[o.off + 1] << 16) | (b[o.off + 2] << 8) | b[o.off + 3]) >>> 0, 4);
}

/** Option 81 (RFC 4702): flags, two rcodes, then the name, in DNS wire format when the E flag is set. */
export function optionFqdn(b: Uint8Array, o: DhcpOptionRef): Parsed<string> {
  if (o.len < 3) return invalid('app.dhcp.bad_option');
  const flags = b[o.off];
  const start = o.off + 3;
  const end = o.off + o.len;
  if ((flags & 0x04) === 0) return ok(optionText(b, { code: 81, off: start, len: end - start }), o.len);
  const labels: string[] = [];
  let p = start;
  while (p < end && b[p] !== 0) {
    const n = b[p];
    if (n > 63 || p + 1 + n > end) return invalid('app.dhcp.bad_option');
    labels.push(utf8.decode(b.subarray(p + 1, p + 1 + n)));
    p += 1 + n;
  }
  return ok(labels.join('.'), o.len);
}

/** Message type names (option 53 values 1-8) as used in event names. */
export const messageTypeNames: Readonly<Record<number, string>> = {
  1: 'discover', 2: 'offer', 3: 'request', 4: 'decline', 5: 'ack', 6: 'nak', 7: 'release', 8: 'inform',
};
