/**
 * DHCPv6 parser (RFC 8415): client/server messages, relay messages (unwrapped through option 9 with a
 * bounded depth), an option index, and decoders for DUIDs, ORO, FQDN (RFC 4704), vendor and user class.
 * @module
 */
import { type Parsed, invalid, ok } from '../types.ts';
import { utf8 as utf8Text } from '../text.ts';

export const MAX_OPTIONS = 64;
/** RFC 8415 HOP_COUNT_LIMIT: relays nest at most this deep. */
export const MAX_RELAY_DEPTH = 8;

export const msgTypeNames: readonly string[] = [
  '', 'solicit', 'advertise', 'request', 'confirm', 'renew', 'rebind', 'reply', 'release', 'decline', 'reconfigure',
  'information_request', 'relay_forw', 'relay_repl',
];

export interface Dhcp6OptionRef {
  code: number;
  off: number;
  len: number;
}

export interface Dhcp6Message {
  msgType: number;
  /** 24-bit transaction id (0 for relay messages, which have none). */
  transactionId: number;
  options: Dhcp6OptionRef[];
  /** Relay wrappers removed to reach this message. */
  relayHops: number;
}

const u16 = (b: Uint8Array, o: number) => (b[o] << 8) | b[o + 1];

export function indexOptions(b: Uint8Array, start: number, end: number, into: Dhcp6OptionRef[]): string | undefined {
  let p = start;
  while (p < end) {
    if (p + 4 > end) return 'app.dhcp6.bad_option';
    const code = u16(b, p);
    const len = u16(b, p + 2);
    if (p + 4 + len > end) return 'app.dhcp6.bad_option';
    if (into.length >= MAX_OPTIONS) return 'app.dhcp6.too_many_options';
    into.push({ code, off: p + 4, len });
    p += 4 + len;
  }
  return undefined;
}

/** A message in b[off, end); relay messages are unwrapped to the client/server message they carry. */
export function parseMessage(b: Uint8Array, off: number, end: number): Parsed<Dhcp6Message> {
  let start = off;
  let stop = end;
  for (let hops = 0; hops <= MAX_RELAY_DEPTH; hops++) {
    if (stop - start < 4) return invalid('app.dhcp6.truncated');
    const msgType = b[start];
    if (msgType < 1 || msgType >= msgTypeNames.length) return invalid('app.dhcp6.unknown_message_type');
    if (msgType !== 12 && msgType !== 13) {
      const options: Dhcp6OptionRef[] = [];
      const bad = indexOptions(b, start + 4, stop, options);
      if (bad) return invalid(bad);
      return ok({ msgType, transactionId: (b[start + 1] << 16) | (b[start + 2] << 8) | b[start + 3], options, relayHops: hops }, end - off);
    }
    // Relay: type, hop count, link address, peer address (34 bytes), then options with one Relay Message (9).
    if (stop - start < 34) return invalid('app.dhcp6.truncated');
    const options: Dhcp6OptionRef[] = [];
    const bad = indexOptions(b, start + 34, stop, options);
    if (bad) return invalid(bad);
    const inner = options.find((o) => o.code === 9);
    if (!inner) return ok({ msgType, transactionId: 0, options, relayHops: hops }, end - off);
    start = inner.off;
    stop = inner.off + inner.len;
  }
  return invalid('app.dhcp6.relay_too_deep');
}

export function hexOf(b: Uint8Array, off: number, len: number): string {
  let s = '';
  for (let i = off; i < off + len; i++) s += b[i].toString(16).padStart(2, '0');
  return s;
}

/** Option Request Option: a list of 16-bit option codes. */
export function oro(b: Uint8Array, o: Dhcp6OptionRef): Parsed<number[]> {
  if (o.len % 2 !== 0) return invalid('app.dhcp6.bad_option');
  const out: number[] = [];
  for (let i = 0; i < o.len; i += 2) out.push(u16(b, o.off + i));
  return ok(out, o.len);
}

const utf8 = utf8Text;

/** A list of 16-bit-length-prefixed opaque strings (user class data, vendor class data). */
export function lengthPrefixedStrings(b: Uint8Array, start: number, end: number): Parsed<string[]> {
  const out: string[] = [];
  let p = start;
  while (p < end) {
    if (p + 2 > end) return invalid('app.dhcp6.bad_option');
    const n = u16(b, p);
    if (p + 2 + n > end) return invalid('app.dhcp6.bad_option');
    if (out.length < 16) out.push(utf8.decode(b.subarray(p + 2, p + 2 + n)));
    p += 2 + n;
  }
  return ok(out, end - start);
}

/** Vendor Class (16): enterprise number then data strings. */
export function vendorClass(b: Uint8Array, o: Dhcp6OptionRef): Parsed<{ enterprise: number; data: string[] }> {
  if (o.len < 4) return invalid('app.dhcp6.bad_option');
  const enterprise = ((b[o.off] << 24) | (b[o.off + 1] << 16) | (b[o.off + 2] << 8) | b[o.off + 3]) >>> 0;
  const data = lengthPrefixedStrings(b, o.off + 4, o.off + o.len);
  return data.status === 'ok' ? ok({ enterprise, data: data.value }, o.len) : data;
}

/** Client FQDN (39): flags byte then a DNS wire-format name (uncompressed, possibly partial). */
export function fqdn(b: Uint8Array, o: Dhcp6OptionRef): Parsed<string> {
  if (o.len < 1) return invalid('app.dhcp6.bad_option');
  const labels: string[] = [];
  const end = o.off + o.len;
  let p = o.off + 1;
  while (p < end && b[p] !== 0) {
    const n = b[p];
    if (n > 63 || p + 1 + n > end) return invalid('app.dhcp6.bad_option');
    labels.push(utf8.decode(b.subarray(p + 1, p + 1 + n)));
    p += 1 + n;
  }
  return ok(labels.join('.'), o.len);
}
