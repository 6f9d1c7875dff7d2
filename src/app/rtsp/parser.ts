/**
 * RTSP/1.0 parsing (RFC 2326): same head syntax as HTTP/1.x; requests, responses and interleaved
 * binary frames (`$` channel length).
 * @module
 */
import { incomplete, invalid, ok } from '../types.ts';
import type { Parsed } from '../types.ts';
import { headerNumber, headerText } from '../http/head.ts';
import type { Head } from '../http/head.ts';
import { parseRequestLine, parseStatusLine, startsWithAscii } from '../http/parser.ts';
import type { RequestLine, StatusLine } from '../http/parser.ts';
import { parseAuthorization } from '../http/auth.ts';
import type { RtspRequestEvent, RtspResponseEvent } from './events.ts';

export { parseHead } from '../http/head.ts';

/** HTTP head anomalies renamed into this protocol's namespace. */
export const rtspAnomaly = (id: string): string => id.replace('app.http.', 'app.rtsp.');

export const parseRtspRequestLine = (bytes: Uint8Array, start: number, end: number): Parsed<RequestLine> => {
  const r = parseRequestLine(bytes, start, end, 'RTSP');
  return r.status === 'invalid' ? invalid(rtspAnomaly(r.anomaly)) : r;
};

export const parseRtspStatusLine = (bytes: Uint8Array, start: number, end: number): Parsed<StatusLine> => {
  const r = parseStatusLine(bytes, start, end, 'RTSP');
  return r.status === 'invalid' ? invalid(rtspAnomaly(r.anomaly)) : r;
};

/** Interleaved frame `$ channel length(2)` + data: the channel, and the whole frame's length. */
export function parseInterleaved(bytes: Uint8Array, offset: number): Parsed<number> {
  if (bytes.length - offset < 4) return incomplete(4);
  if (bytes[offset] !== 0x24) return invalid('app.rtsp.bad_interleaved');
  return ok(bytes[offset + 1], 4 + ((bytes[offset + 2] << 8) | bytes[offset + 3]));
}

/** 'yes' for a line ending in RTSP/1.0 or a status line starting with it; 'maybe' for an unfinished line. */
export function probeRtsp(bytes: Uint8Array): 'yes' | 'no' | 'maybe' {
  if (startsWithAscii(bytes, 'RTSP/1.')) return 'yes';
  const limit = Math.min(bytes.length, 4096);
  let eol = 0;
  while (eol < limit && bytes[eol] !== 0x0a) eol++;
  if (eol === limit) {
    for (const m of ['OPTIONS ', 'DESCRIBE ', 'SETUP ', 'PLAY ', 'ANNOUNCE ', 'GET_PARAMETER ', 'SET_PARAMETER ', 'TEARDOWN ', 'PAUSE ', 'RECORD ', 'REDIRECT ']) {
      if (startsWithAscii(bytes, m)) return 'maybe';
    }
    return 'no';
  }
  const end = eol > 0 && bytes[eol - 1] === 0x0d ? eol - 1 : eol;
  return parseRequestLine(bytes, 0, end, 'RTSP').status === 'ok' ? 'yes' : 'no';
}

/** Fields of `rtsp.request`. */
export function rtspRequestFacts(bytes: Uint8Array, head: Head, line: RequestLine): RtspRequestEvent {
  const ev: RtspRequestEvent = { method: line.method, uri: line.uri };
  const cseq = headerNumber(bytes, head, 'cseq');
  if (cseq >= 0) ev.cseq = cseq;
  const ua = headerText(bytes, head, 'user-agent');
  if (ua !== undefined) ev.user_agent = ua;
  const auth = headerText(bytes, head, 'authorization');
  if (auth !== undefined) {
    const facts = parseAuthorization(auth);
    ev.authorization_scheme = facts.scheme;
    if (facts.basic_user !== undefined) {
      ev.basic_user = facts.basic_user;
      ev.basic_password = facts.basic_password;
    }
    if (facts.digest_username !== undefined) ev.digest_username = facts.digest_username;
    if (facts.digest_realm !== undefined) ev.digest_realm = facts.digest_realm;
  }
  return ev;
}

/** Fields of `rtsp.response`. */
export function rtspResponseFacts(bytes: Uint8Array, head: Head, line: StatusLine): RtspResponseEvent {
  const ev: RtspResponseEvent = { status: line.status, reason: line.reason };
  const server = headerText(bytes, head, 'server');
  if (server !== undefined) ev.server = server;
  const cseq = headerNumber(bytes, head, 'cseq');
  if (cseq >= 0) ev.cseq = cseq;
  const www = headerText(bytes, head, 'www-authenticate');
  if (www !== undefined) ev.www_authenticate = www;
  return ev;
}
