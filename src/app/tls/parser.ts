/**
 * TLS parsing (RFC 5246 / 8446 / 6101): record headers, handshake headers, ClientHello (also the
 * SSLv2-compatible form), ServerHello, the Certificate list, Alert. Pure; lengths checked before reads.
 * @module
 */
import { incomplete, invalid, ok } from '../types.ts';
import type { Parsed } from '../types.ts';
import { latin1 as latin1Text, utf8 as utf8Text } from '../text.ts';

/** Largest TLSCiphertext fragment: 2^14 + 2048. */
export const MAX_RECORD_PAYLOAD = 16384 + 2048;

export const ContentType = { CHANGE_CIPHER_SPEC: 20, ALERT: 21, HANDSHAKE: 22, APPLICATION_DATA: 23, HEARTBEAT: 24 } as const;
export const HandshakeType = { CLIENT_HELLO: 1, SERVER_HELLO: 2, NEW_SESSION_TICKET: 4, CERTIFICATE: 11, SERVER_KEY_EXCHANGE: 12, SERVER_HELLO_DONE: 14, CLIENT_KEY_EXCHANGE: 16, FINISHED: 20 } as const;
export const Ext = { SERVER_NAME: 0, SUPPORTED_GROUPS: 10, EC_POINT_FORMATS: 11, SIGNATURE_ALGORITHMS: 13, ALPN: 16, SUPPORTED_VERSIONS: 43 } as const;

export interface RecordHeader {
  type: number;
  version: number;
  /** Payload length (after the 5-byte header). */
  length: number;
}

/** 5-byte record header at `offset`; value length is the whole record (header + payload). */
export function parseRecordHeader(bytes: Uint8Array, offset: number): Parsed<RecordHeader> {
  if (bytes.length - offset < 5) return incomplete(5);
  const type = bytes[offset];
  const version = (bytes[offset + 1] << 8) | bytes[offset + 2];
  const length = (bytes[offset + 3] << 8) | bytes[offset + 4];
  if (type < 20 || type > 24 || bytes[offset + 1] !== 3 || bytes[offset + 2] > 4) return invalid('app.tls.bad_record_type');
  if (length > MAX_RECORD_PAYLOAD || (length === 0 && type !== ContentType.APPLICATION_DATA)) return invalid('app.tls.bad_record_length');
  if (bytes.length - offset < 5 + length) return incomplete(5 + length);
  return ok({ type, version, length }, 5 + length);
}

/** Handshake header (type, 24-bit length) at `offset`; ok when the whole message is present. */
export function parseHandshakeHeader(bytes: Uint8Array, offset: number, maxLength: number): Parsed<{ type: number; length: number }> {
  if (bytes.length - offset < 4) return incomplete(4);
  const length = (bytes[offset + 1] << 16) | (bytes[offset + 2] << 8) | bytes[offset + 3];
  if (length > maxLength) return invalid('app.tls.handshake_too_long');
  if (bytes.length - offset < 4 + length) return incomplete(4 + length);
  return ok({ type: bytes[offset], length }, 4 + length);
}

export interface ClientHello {
  /** Record-layer version (0x0002 for an SSLv2-compatible hello). */
  recordVersion: number;
  clientVersion: number;
  sessionIdLength: number;
  /** Cipher suites; for an SSLv2 hello the 24-bit cipher specs. */
  cipherSuites: number[];
  compressionMethods: number[];
  /** Extension types in order. */
  extensions: number[];
  sni?: string;
  alpn: string[];
  /** First ALPN protocol as raw bytes (JA4 uses its first and last byte). */
  alpnFirst?: Uint8Array;
  supportedVersions: number[];
  supportedGroups: number[];
  ecPointFormats: number[];
  signatureAlgorithms: number[];
  sslv2: boolean;
}

export interface ServerHello {
  version: number;
  sessionIdLength: number;
  cipherSuite: number;
  compressionMethod: number;
  extensions: number[];
  /** supported_versions extension (TLS 1.3), else undefined. */
  selectedVersion?: number;
  alpn?: string;
}

/** Bounded reader over [pos, end): every read checks the bound; `bad` records any overrun. */
class Reader {
  bytes: Uint8Array;
  pos: number;
  end: number;
  bad = false;
  constructor(bytes: Uint8Array, pos: number, end: number) {
    this.bytes = bytes;
    this.pos = pos;
    this.end = end;
  }
  has(n: number): boolean {
    if (this.end - this.pos < n) this.bad = true;
    return !this.bad;
  }
  u8(): number {
    return this.has(1) ? this.bytes[this.pos++] : 0;
  }
  u16(): number {
    if (!this.has(2)) return 0;
    const v = (this.bytes[this.pos] << 8) | this.bytes[this.pos + 1];
    this.pos += 2;
    return v;
  }
  /** Returns the start of an n-byte field and skips it (or -1). */
  skip(n: number): number {
    if (!this.has(n)) return -1;
    const at = this.pos;
    this.pos += n;
    return at;
  }
}

/** Parse a list of 16-bit values `[s, e)` (bounded by the field). */
function u16List(bytes: Uint8Array, s: number, e: number): number[] {
  const out: number[] = [];
  for (let p = s; p + 1 < e; p += 2) out.push((bytes[p] << 8) | bytes[p + 1]);
  return out;
}

const latin1 = latin1Text;
const utf8 = utf8Text;

/** Parse the extensions block [s, e) into `hello`'s fields; false when malformed. */
function parseClientExtensions(bytes: Uint8Array, s: number, e: number, hello: ClientHello): boolean {
  const r = new Reader(bytes, s, e);
  while (r.pos < e) {
    const type = r.u16();
    const len = r.u16();
    const at = r.skip(len);
    if (r.bad) return false;
    hello.extensions.push(type);
    const x = new Reader(bytes, at, at + len);
    if (type === Ext.SERVER_NAME) {
      const listEnd = x.u16() + x.pos;
      while (!x.bad && x.pos < Math.min(listEnd, x.end)) {
        const nameType = x.u8();
        const nameLen = x.u16();
        const nameAt = x.skip(nameLen);
        if (!x.bad && nameType === 0 && hello.sni === undefined) hello.sni = utf8.decode(bytes.subarray(nameAt, nameAt + nameLen));
      }
    } else if (type === Ext.ALPN) {
      const listLen = x.u16();
      const listEnd = Math.min(x.pos + listLen, x.end);
      while (!x.bad && x.pos < listEnd) {
        const l = x.u8();
        const pAt = x.skip(l);
        if (x.bad) break;
        const proto = bytes.subarray(pAt, pAt + l);
        if (hello.alpnFirst === undefined) hello.alpnFirst = proto.slice();
        if (hello.alpn.length < 16) hello.alpn.push(latin1.decode(proto));
      }
    } else if (type === Ext.SUPPORTED_VERSIONS) {
      const l = x.u8();
      if (x.has(l)) hello.supportedVersions = u16List(bytes, x.pos, x.pos + l);
    } else if (type === Ext.SUPPORTED_GROUPS) {
      const l = x.u16();
      if (x.has(l)) hello.supportedGroups = u16List(bytes, x.pos, x.pos + l);
    } else if (type === Ext.EC_POINT_FORMATS) {
      const l = x.u8();
      if (x.has(l)) hello.ecPointFormats = Array.from(bytes.subarray(x.pos, x.pos + l));
    } else if (type === Ext.SIGNATURE_ALGORITHMS) {
      const l = x.u16();
      if (x.has(l)) hello.signatureAlgorithms = u16List(bytes, x.pos, x.pos + l);
    }
  }
  return true;
}

/** ClientHello body [offset, offset+length) (after the 4-byte handshake header). */
export function parseClientHello(bytes: Uint8Array, offset: number, length: number, recordVersion: number): Parsed<ClientHello> {
  const end = Math.min(offset + length, bytes.length);
  const r = new Reader(bytes, offset, end);
  const hello: ClientHello = {
    recordVersion, clientVersion: r.u16(), sessionIdLength: 0, cipherSuites: [], compressionMethods: [], extensions: [],
    alpn: [], supportedVersions: [], supportedGroups: [], ecPointFormats: [], signatureAlgorithms: [], sslv2: false,
  };
  r.skip(32);
  hello.sessionIdLength = r.u8();
  r.skip(hello.sessionIdLength);
  const cLen = r.u16();
  const cAt = r.skip(cLen);
  const mLen = r.u8();
  const mAt = r.skip(mLen);
  if (r.bad || cLen % 2 !== 0) return invalid('app.tls.bad_handshake');
  hello.cipherSuites = u16List(bytes, cAt, cAt + cLen);
  hello.compressionMethods = Array.from(bytes.subarray(mAt, mAt + mLen));
  if (r.pos < end) {
    const eLen = r.u16();
    const eAt = r.skip(eLen);
    if (r.bad || !parseClientExtensions(bytes, eAt, eAt + eLen, hello)) return invalid('app.tls.bad_handshake');
  }
  return ok(hello, end - offset);
}

/** ServerHello body [offset, offset+length). */
export function parseServerHello(bytes: Uint8Array, offset: number, length: number): Parsed<ServerHello> {
  const end = Math.min(offset + length, bytes.length);
  const r = new Reader(bytes, offset, end);
  const version = r.u16();
  r.skip(32);
  const sessionIdLength = r.u8();
  r.skip(sessionIdLength);
  const hello: ServerHello = { version, sessionIdLength, cipherSuite: r.u16(), compressionMethod: r.u8(), extensions: [] };
  if (r.bad) return invalid('app.tls.bad_handshake');
  if (r.pos < end) {
    const eLen = r.u16();
    const eAt = r.skip(eLen);
    const x = new Reader(bytes, eAt, eAt + eLen);
    while (!r.bad && !x.bad && x.pos < x.end) {
      const type = x.u16();
      const len = x.u16();
      const at = x.skip(len);
      if (x.bad) break;
      hello.extensions.push(type);
      if (type === Ext.SUPPORTED_VERSIONS && len === 2) hello.selectedVersion = (bytes[at] << 8) | bytes[at + 1];
      if (type === Ext.ALPN && len >= 3 && bytes[at + 2] <= len - 3) hello.alpn = latin1.decode(bytes.subarray(at + 3, at + 3 + bytes[at + 2]));
    }
    if (r.bad || x.bad) return invalid('app.tls.bad_handshake');
  }
  return ok(hello, end - offset);
}

/** Certificate message body (TLS <= 1.2): [start, end) offsets of each DER certificate, at most `max`. */
export function parseCertificateList(bytes: Uint8Array, offset: number, length: number, max: number): Parsed<{ certs: number[]; total: number }> {
  const end = Math.min(offset + length, bytes.length);
  if (end - offset < 3) return invalid('app.tls.bad_handshake');
  const listLen = (bytes[offset] << 16) | (bytes[offset + 1] << 8) | bytes[offset + 2];
  if (listLen + 3 > end - offset) return invalid('app.tls.bad_handshake');
  const certs: number[] = [];
  let total = 0;
  let p = offset + 3;
  const listEnd = p + listLen;
  while (p < listEnd) {
    if (listEnd - p < 3) return invalid('app.tls.bad_handshake');
    const l = (bytes[p] << 16) | (bytes[p + 1] << 8) | bytes[p + 2];
    p += 3;
    if (l > listEnd - p) return invalid('app.tls.bad_handshake');
    if (certs.length < max * 2) certs.push(p, p + l);
    total++;
    p += l;
  }
  return ok({ certs, total }, end - offset);
}

/**
 * SSLv2-compatible ClientHello (RFC 6101 appendix E / RFC 5246 E.2): 2-byte header with the high bit set,
 * msg type 1, version, cipher-spec/session-id/challenge lengths, 3-byte cipher specs.
 */
export function parseSslv2ClientHello(bytes: Uint8Array, offset: number): Parsed<ClientHello> {
  if (bytes.length - offset < 2) return incomplete(2);
  if ((bytes[offset] & 0x80) === 0) return invalid('app.tls.bad_sslv2_hello');
  const recLen = ((bytes[offset] & 0x7f) << 8) | bytes[offset + 1];
  if (recLen < 9) return invalid('app.tls.bad_sslv2_hello');
  if (bytes.length - offset < 2 + recLen) return incomplete(2 + recLen);
  const p = offset + 2;
  if (bytes[p] !== 1) return invalid('app.tls.bad_sslv2_hello');
  const version = (bytes[p + 1] << 8) | bytes[p + 2];
  const specLen = (bytes[p + 3] << 8) | bytes[p + 4];
  const sidLen = (bytes[p + 5] << 8) | bytes[p + 6];
  const chLen = (bytes[p + 7] << 8) | bytes[p + 8];
  if (specLen % 3 !== 0 || 9 + specLen + sidLen + chLen > recLen) return invalid('app.tls.bad_sslv2_hello');
  const cipherSuites: number[] = [];
  for (let k = p + 9; k < p + 9 + specLen; k += 3) cipherSuites.push((bytes[k] << 16) | (bytes[k + 1] << 8) | bytes[k + 2]);
  return ok({
    recordVersion: 0x0002, clientVersion: version, sessionIdLength: sidLen, cipherSuites, compressionMethods: [], extensions: [],
    alpn: [], supportedVersions: [], supportedGroups: [], ecPointFormats: [], signatureAlgorithms: [], sslv2: true,
  }, 2 + recLen);
}

/** True when `bytes` look like the start of an SSLv2-compatible ClientHello. */
export function looksLikeSslv2Hello(bytes: Uint8Array, offset = 0): boolean {
  return bytes.length - offset >= 5 && (bytes[offset] & 0x80) !== 0 && bytes[offset + 2] === 1 &&
    (bytes[offset + 3] === 0x03 || (bytes[offset + 3] === 0x00 && bytes[offset + 4] === 0x02));
}

/** Alert record payload: level and description. */
export function parseAlert(bytes: Uint8Array, offset: number, length: number): Parsed<{ level: number; description: number }> {
  if (length !== 2 || bytes.length - offset < 2) return invalid('app.tls.bad_alert');
  return ok({ level: bytes[offset], description: bytes[offset + 1] }, 2);
}

/** ServerHello.random of a TLS 1.3 HelloRetryRequest: SHA-256("HelloRetryRequest") (RFC 8446 §4.1.3). */
const hrrRandom = Buffer.from('cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c', 'hex');

/** True when the ServerHello body at `offset` carries the HelloRetryRequest random. */
export function isHelloRetryRequest(bytes: Uint8Array, offset: number): boolean {
  if (bytes.length - offset < 34) return false;
  for (let k = 0; k < 32; k++) if (bytes[offset + 2 + k] !== hrrRandom[k]) return false;
  return true;
}

/** Content check: a handshake record carrying a ClientHello/ServerHello (or an SSLv2 hello) is unmistakable. */
export function probeTls(bytes: Uint8Array, dir: 0 | 1): 'yes' | 'no' | 'maybe' {
  if (dir === 0 && looksLikeSslv2Hello(bytes)) return 'yes';
  if (bytes.length < 3 || bytes[1] !== 3 || bytes[2] > 4 || bytes[0] < 20 || bytes[0] > 23) return 'no';
  if (bytes.length >= 5 && ((bytes[3] << 8) | bytes[4]) > MAX_RECORD_PAYLOAD) return 'no';
  if (bytes[0] === ContentType.HANDSHAKE && bytes.length >= 6 && bytes[5] === (dir === 0 ? HandshakeType.CLIENT_HELLO : HandshakeType.SERVER_HELLO)) return 'yes';
  return 'maybe';
}
