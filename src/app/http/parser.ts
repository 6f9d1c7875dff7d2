/**
 * HTTP/1.x parsing: start lines, chunk-size lines, and the facts of request and response heads.
 * Pure functions over offsets; no exceptions.
 * @module
 */
import { incomplete, invalid, ok } from '../types.ts';
import type { Parsed } from '../types.ts';
import { headerText, text } from './head.ts';
import type { Head } from './head.ts';
import { parseAuthorization } from './auth.ts';
import { cookieNames, parseUrlEncoded, queryOf } from './params.ts';
import type { NameValue, ParamLimits } from './params.ts';
import type { HttpRequestEvent, HttpResponseEvent, NameValuePair } from './events.ts';

export { parseHead, defaultHeadLimits } from './head.ts';
export type { Head, HeadLimits } from './head.ts';

export interface RequestLine {
  method: string;
  uri: string;
  /** "HTTP/1.1", "RTSP/1.0". */
  version: string;
}

export interface StatusLine {
  version: string;
  status: number;
  reason: string;
}

const isTokenChar = (b: number): boolean =>
  (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a) || (b >= 0x30 && b <= 0x39) || b === 0x2d || b === 0x5f;

/** Offset just past `PROTO/d.d` at `at` (proto given in upper case), or -1. */
function versionEnd(bytes: Uint8Array, at: number, end: number, proto: string): number {
  const n = proto.length;
  if (end - at !== n + 4) return -1;
  for (let k = 0; k < n; k++) if (bytes[at + k] !== proto.charCodeAt(k)) return -1;
  const d1 = bytes[at + n + 1];
  const d2 = bytes[at + n + 3];
  if (bytes[at + n] !== 0x2f || bytes[at + n + 2] !== 0x2e) return -1;
  if (d1 < 0x30 || d1 > 0x39 || d2 < 0x30 || d2 > 0x39) return -1;
  return at + n + 4;
}

/** `METHOD SP target SP PROTO/x.y` between `start` and `end` (the start line without CRLF). */
export function parseRequestLine(bytes: Uint8Array, start: number, end: number, proto = 'HTTP'): Parsed<RequestLine> {
  let p = start;
  while (p < end && p - start < 32 && isTokenChar(bytes[p])) p++;
  if (p === start || p >= end || bytes[p] !== 0x20) return invalid('app.http.bad_request_line');
  const methodEnd = p;
  let ve = end;
  while (ve > methodEnd && bytes[ve - 1] !== 0x20) ve--;
  if (ve <= methodEnd + 1) return invalid('app.http.bad_request_line');
  if (versionEnd(bytes, ve, end, proto) < 0) return invalid('app.http.bad_version');
  let us = methodEnd + 1;
  while (us < ve && bytes[us] === 0x20) us++;
  let ue = ve - 1;
  while (ue > us && bytes[ue - 1] === 0x20) ue--;
  if (ue <= us) return invalid('app.http.bad_request_line');
  return ok({ method: text(bytes, start, methodEnd), uri: text(bytes, us, ue), version: text(bytes, ve, end) }, end - start);
}

/** `PROTO/x.y SP 3DIGIT [SP reason]`. */
export function parseStatusLine(bytes: Uint8Array, start: number, end: number, proto = 'HTTP'): Parsed<StatusLine> {
  const n = proto.length + 4;
  if (end - start < n + 4 || versionEnd(bytes, start, start + n, proto) < 0) return invalid('app.http.bad_status_line');
  if (bytes[start + n] !== 0x20) return invalid('app.http.bad_status_line');
  let status = 0;
  for (let k = 1; k <= 3; k++) {
    const d = bytes[start + n + k] - 0x30;
    if (d < 0 || d > 9) return invalid('app.http.bad_status_line');
    status = status * 10 + d;
  }
  const after = start + n + 4;
  if (after < end && bytes[after] !== 0x20) return invalid('app.http.bad_status_line');
  return ok({ version: text(bytes, start, start + n), status, reason: after < end ? text(bytes, after + 1, end) : '' }, end - start);
}

/** A chunk-size line `hex[;ext]CRLF` at `offset`: the size, and the line's length. */
export function parseChunkSize(bytes: Uint8Array, offset: number, maxLine = 1024): Parsed<number> {
  const limit = Math.min(bytes.length, offset + maxLine);
  let p = offset;
  let size = 0;
  let digits = 0;
  for (; p < limit; p++) {
    const b = bytes[p] | 0x20;
    const d = b >= 0x30 && b <= 0x39 ? b - 0x30 : b >= 0x61 && b <= 0x66 ? b - 0x57 : -1;
    if (d < 0) break;
    if (++digits > 12) return invalid('app.http.bad_chunk_size');
    size = size * 16 + d;
  }
  if (p === limit) return limit - offset >= maxLine ? invalid('app.http.bad_chunk_size') : incomplete();
  if (digits === 0) return invalid('app.http.bad_chunk_size');
  while (p < limit && bytes[p] !== 0x0a) p++;
  if (p === limit) return limit - offset >= maxLine ? invalid('app.http.bad_chunk_size') : incomplete();
  return ok(size, p + 1 - offset);
}

/**
 * An empty line or a trailer block ending in an empty line, at `offset` (after the last chunk).
 * Returns its length.
 */
export function parseTrailer(bytes: Uint8Array, offset: number, maxBytes = 8192): Parsed<null> {
  const limit = Math.min(bytes.length, offset + maxBytes);
  let lineStart = offset;
  for (let p = offset; p < limit; p++) {
    if (bytes[p] !== 0x0a) continue;
    const empty = p === lineStart || (p === lineStart + 1 && bytes[lineStart] === 0x0d);
    if (empty) return ok(null, p + 1 - offset);
    lineStart = p + 1;
  }
  return limit - offset >= maxBytes ? invalid('app.http.header_too_long') : incomplete();
}

const methodsHttp = ['GET', 'POST', 'HEAD', 'PUT', 'DELETE', 'OPTIONS', 'PATCH', 'CONNECT', 'TRACE', 'PROPFIND', 'PROPPATCH',
  'MKCOL', 'COPY', 'MOVE', 'LOCK', 'UNLOCK', 'SEARCH', 'NOTIFY', 'SUBSCRIBE', 'UNSUBSCRIBE', 'M-SEARCH', 'REPORT'];

/** True when `bytes` begin with `s` (ASCII). */
export function startsWithAscii(bytes: Uint8Array, s: string, at = 0): boolean {
  if (bytes.length - at < s.length) return false;
  for (let k = 0; k < s.length; k++) if (bytes[at + k] !== s.charCodeAt(k)) return false;
  return true;
}

/**
 * Content recognition: 'yes' for a full request line ending in HTTP/1.x or a status line,
 * 'maybe' for a known method followed by a space whose line is not complete yet.
 */
export function probeHttp(bytes: Uint8Array): 'yes' | 'no' | 'maybe' {
  if (startsWithAscii(bytes, 'HTTP/1.')) return bytes.length < 12 || bytes[8] === 0x20 ? 'yes' : 'no';
  for (const m of methodsHttp) {
    if (!startsWithAscii(bytes, m) || bytes[m.length] !== 0x20) continue;
    const limit = Math.min(bytes.length, 8192);
    let eol = m.length;
    while (eol < limit && bytes[eol] !== 0x0a) eol++;
    if (eol === limit) return 'maybe';
    const end = eol > 0 && bytes[eol - 1] === 0x0d ? eol - 1 : eol;
    return parseRequestLine(bytes, 0, end).status === 'ok' ? 'yes' : 'no';
  }
  return 'no';
}

const maxSecretHeaderLength = 1024;
/** Header names that carry a secret besides Authorization (X-Auth-Token, X-Api-Key, X-Session-Id, ...). */
const tokenHeaderName = /token|api-?key|^x-.*auth|session|secret|passw/;

/**
 * Per header name as sent, the name tokenHeaders reports (lower case, at most 64 characters), or null for a header
 * it skips: every request repeats the same few names, which were lowered and matched against tokenHeaderName
 * one by one (0.4 % of the mixed workload's CPU). Bounded: cleared when full.
 */
const tokenHeaderNames = new Map<string, string | null>();

function tokenHeaderKey(sent: string): string | null {
  let key = tokenHeaderNames.get(sent);
  if (key === undefined) {
    const name = sent.toLowerCase();
    key = name === 'authorization' || name === 'proxy-authorization' || name === 'cookie' || !tokenHeaderName.test(name) ? null : name.slice(0, 64);
    if (tokenHeaderNames.size >= 1024) tokenHeaderNames.clear();
    tokenHeaderNames.set(sent, key);
  }
  return key;
}

/** Headers other than (Proxy-)Authorization and Cookie whose name says they carry a secret. */
function tokenHeaders(bytes: Uint8Array, head: Head, max: number): NameValuePair[] {
  const out: NameValuePair[] = [];
  const f = head.fields;
  for (let i = 0; i + 3 < f.length && out.length < max; i += 4) {
    const name = tokenHeaderKey(text(bytes, f[i], f[i + 1]));
    if (name === null) continue;
    out.push({ name, value: text(bytes, f[i + 2], f[i + 3]).slice(0, maxSecretHeaderLength) });
  }
  return out;
}

/** Fields of `http.request` from a parsed head (form_params added later by the analyzer). */
export function requestFacts(bytes: Uint8Array, head: Head, line: RequestLine, contentLength: number, limits: ParamLimits): { event: HttpRequestEvent; truncated: boolean } {
  const event: HttpRequestEvent = { method: line.method, uri: line.uri, version: line.version };
  const host = headerText(bytes, head, 'host');
  if (host !== undefined) event.host = host;
  const ua = headerText(bytes, head, 'user-agent');
  if (ua !== undefined) event.user_agent = ua;
  const referer = headerText(bytes, head, 'referer');
  if (referer !== undefined) event.referer = referer;
  const ctype = headerText(bytes, head, 'content-type');
  if (ctype !== undefined) event.content_type = ctype;
  if (contentLength >= 0) event.content_length = contentLength;
  const auth = headerText(bytes, head, 'authorization') ?? headerText(bytes, head, 'proxy-authorization');
  if (auth !== undefined) {
    const facts = parseAuthorization(auth);
    event.authorization_scheme = facts.scheme;
    if (facts.basic_user !== undefined) {
      event.basic_user = facts.basic_user;
      event.basic_password = facts.basic_password;
    }
    if (facts.credentials !== undefined) event.authorization_credentials = facts.credentials.slice(0, maxSecretHeaderLength);
  }
  const tokens = tokenHeaders(bytes, head, limits.maxParams);
  if (tokens.length > 0) event.token_headers = tokens;
  let truncated = false;
  const query = queryOf(line.uri);
  if (query !== undefined) {
    const q = parseUrlEncoded(query, limits);
    event.query_params = q.params;
    truncated = q.truncated;
  }
  const cookie = headerText(bytes, head, 'cookie');
  if (cookie !== undefined) event.cookie_names = cookieNames(cookie, limits.maxParams);
  return { event, truncated };
}

/** Fields of `http.response` from a parsed head; request_method/uri are filled by the analyzer. */
export function responseFacts(bytes: Uint8Array, head: Head, line: StatusLine, contentLength: number): HttpResponseEvent {
  const event: HttpResponseEvent = { status: line.status, reason: line.reason, version: line.version };
  const server = headerText(bytes, head, 'server');
  if (server !== undefined) event.server = server;
  const ctype = headerText(bytes, head, 'content-type');
  if (ctype !== undefined) event.content_type = ctype;
  if (contentLength >= 0) event.content_length = contentLength;
  const wwwAuth = headerText(bytes, head, 'www-authenticate') ?? headerText(bytes, head, 'proxy-authenticate');
  if (wwwAuth !== undefined) event.www_authenticate = wwwAuth;
  const location = headerText(bytes, head, 'location');
  if (location !== undefined) event.location = location;
  return event;
}

/** Parse the collected start of a form body. */
export function formFacts(body: Uint8Array, limits: ParamLimits): { params: NameValue[]; truncated: boolean } {
  return parseUrlEncoded(text(body, 0, body.length), limits);
}
