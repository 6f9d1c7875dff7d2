/**
 * DNS / mDNS message parser (RFC 1035, RFC 6762): header, questions and resource records with name
 * compression. Pure functions over (bytes, message start, message end, offset); offsets are absolute in
 * `bytes`, compression pointers are relative to the message start.
 * @module
 */
import { type Parsed, invalid, ok } from '../types.ts';
import { readName } from './name.ts';
import { type RecordData, parseRdata } from './rdata.ts';

export { readName };

export const DNS_HEADER_LEN = 12;

export interface DnsHeader {
  id: number;
  qr: boolean;
  opcode: number;
  aa: boolean;
  tc: boolean;
  rd: boolean;
  ra: boolean;
  rcode: number;
  qdcount: number;
  ancount: number;
  nscount: number;
  arcount: number;
}

export interface DnsQuestion {
  name: string;
  type: number;
  /** Class without the mDNS unicast-response bit. */
  qclass: number;
  /** mDNS: top bit of the class asks for a unicast response (RFC 6762 5.4). */
  unicastResponse: boolean;
}

export interface DnsRecord extends RecordData {
  name: string;
  type: number;
  rrclass: number;
  /** mDNS: top bit of the class is the cache-flush flag (RFC 6762 10.2). */
  cacheFlush: boolean;
  ttl: number;
}

export function parseHeader(b: Uint8Array, off: number, end: number): Parsed<DnsHeader> {
  if (end - off < DNS_HEADER_LEN) return invalid('app.dns.truncated');
  const flags = (b[off + 2] << 8) | b[off + 3];
  return ok(
    {
      id: (b[off] << 8) | b[off + 1],
      qr: (flags & 0x8000) !== 0,
      opcode: (flags >> 11) & 0xf,
      aa: (flags & 0x0400) !== 0,
      tc: (flags & 0x0200) !== 0,
      rd: (flags & 0x0100) !== 0,
      ra: (flags & 0x0080) !== 0,
      rcode: flags & 0xf,
      qdcount: (b[off + 4] << 8) | b[off + 5],
      ancount: (b[off + 6] << 8) | b[off + 7],
      nscount: (b[off + 8] << 8) | b[off + 9],
      arcount: (b[off + 10] << 8) | b[off + 11],
    },
    DNS_HEADER_LEN,
  );
}

export function parseQuestion(b: Uint8Array, msgStart: number, msgEnd: number, off: number): Parsed<DnsQuestion> {
  const name = readName(b, msgStart, msgEnd, off);
  if (name.status !== 'ok') return name;
  const p = off + name.length;
  if (p + 4 > msgEnd) return invalid('app.dns.truncated');
  const cls = (b[p + 2] << 8) | b[p + 3];
  return ok(
    { name: name.value, type: (b[p] << 8) | b[p + 1], qclass: cls & 0x7fff, unicastResponse: (cls & 0x8000) !== 0 },
    name.length + 4,
  );
}

export function parseRecord(b: Uint8Array, msgStart: number, msgEnd: number, off: number): Parsed<DnsRecord> {
  const name = readName(b, msgStart, msgEnd, off);
  if (name.status !== 'ok') return name;
  const p = off + name.length;
  if (p + 10 > msgEnd) return invalid('app.dns.truncated');
  const type = (b[p] << 8) | b[p + 1];
  const cls = (b[p + 2] << 8) | b[p + 3];
  const ttl = ((b[p + 4] << 24) | (b[p + 5] << 16) | (b[p + 6] << 8) | b[p + 7]) >>> 0;
  const rdlen = (b[p + 8] << 8) | b[p + 9];
  const rdStart = p + 10;
  if (rdStart + rdlen > msgEnd) return invalid('app.dns.truncated');
  const data = parseRdata(b, msgStart, msgEnd, type, rdStart, rdlen);
  if (data.status !== 'ok') return data;
  // The data's fields set one by one, not spread: a spread copies through the generic path (per record of
  // every message).
  const d = data.value;
  const rec: DnsRecord = { name: name.value, type, rrclass: cls & 0x7fff, cacheFlush: (cls & 0x8000) !== 0, ttl, data: d.data };
  if (d.txt !== undefined) rec.txt = d.txt;
  if (d.srv !== undefined) rec.srv = d.srv;
  return ok(rec, name.length + 10 + rdlen);
}

export interface DnsLimits {
  /** Questions and records kept per section; more are counted as `app.dns.too_many_records`. */
  maxPerSection: number;
}

export const defaultDnsLimits: DnsLimits = { maxPerSection: 32 };

export interface DnsMessage {
  header: DnsHeader;
  questions: DnsQuestion[];
  answers: DnsRecord[];
  authority: DnsRecord[];
  additional: DnsRecord[];
  /**
   * Set when the message was cut short or malformed after the header: the sections parsed before the
   * fault are kept (a snapped or hostile response still tells what it could), the rest dropped.
   */
  anomaly?: string;
}

/** Parse records of one section into `into`; returns the next offset, or an anomaly id. */
function parseSection(
  b: Uint8Array, msgStart: number, msgEnd: number, off: number, count: number, into: DnsRecord[], max: number,
): number | string {
  let p = off;
  for (let i = 0; i < count; i++) {
    if (i >= max) return 'app.dns.too_many_records';
    const r = parseRecord(b, msgStart, msgEnd, p);
    if (r.status === 'ok') {
      into.push(r.value);
      p += r.length;
    } else return r.status === 'invalid' ? r.anomaly : 'app.dns.truncated';
  }
  return p;
}

/**
 * A whole DNS message occupying b[off, end). Invalid only when the header itself is unusable; `length` is
 * where parsing stopped (short of `end` when the message has trailing bytes or a fault).
 */
export function parseMessage(b: Uint8Array, off: number, end: number, limits: DnsLimits = defaultDnsLimits): Parsed<DnsMessage> {
  const h = parseHeader(b, off, end);
  if (h.status !== 'ok') return h;
  const header = h.value;
  const msg: DnsMessage = { header, questions: [], answers: [], authority: [], additional: [] };
  let p = off + DNS_HEADER_LEN;
  for (let i = 0; i < header.qdcount; i++) {
    if (i >= limits.maxPerSection) {
      msg.anomaly = 'app.dns.too_many_records';
      return ok(msg, p - off);
    }
    const q = parseQuestion(b, off, end, p);
    if (q.status !== 'ok') {
      msg.anomaly = q.status === 'invalid' ? q.anomaly : 'app.dns.truncated';
      return ok(msg, p - off);
    }
    msg.questions.push(q.value);
    p += q.length;
  }
  // The three sections one call each (a list of [count, into] pairs and its destructuring iteration was 0.5 % of
  // the mixed workload's CPU).
  let next = parseSection(b, off, end, p, header.ancount, msg.answers, limits.maxPerSection);
  if (typeof next === 'number') next = parseSection(b, off, end, p = next, header.nscount, msg.authority, limits.maxPerSection);
  if (typeof next === 'number') next = parseSection(b, off, end, p = next, header.arcount, msg.additional, limits.maxPerSection);
  if (typeof next === 'string') msg.anomaly = next;
  else p = next;
  return ok(msg, p - off);
}

/** Record type names for display; others are shown as TYPE<n> (RFC 3597). */
export const rrTypeNames: Readonly<Record<number, string>> = {
  1: 'A', 2: 'NS', 5: 'CNAME', 6: 'SOA', 12: 'PTR', 13: 'HINFO', 15: 'MX', 16: 'TXT', 28: 'AAAA', 33: 'SRV',
  41: 'OPT', 47: 'NSEC', 64: 'SVCB', 65: 'HTTPS', 255: 'ANY',
};
