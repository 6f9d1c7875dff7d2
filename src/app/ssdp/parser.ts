/**
 * SSDP parser (UPnP Device Architecture 1.1 section 1: HTTP over UDP): start line and headers of NOTIFY,
 * M-SEARCH and search responses. Header names are case-insensitive; lines and headers are bounded.
 * @module
 */
import { type Parsed, invalid, ok } from '../types.ts';
import { latin1 as latin1Text } from '../text.ts';
import { TextCache } from '../text-cache.ts';

export interface SsdpLimits {
  maxHeaders: number;
  maxLineLength: number;
}

export const defaultSsdpLimits: SsdpLimits = { maxHeaders: 32, maxLineLength: 1024 };

export type SsdpKind = 'notify' | 'msearch' | 'response';

export interface SsdpMessage {
  kind: SsdpKind;
  /** Response status code (200); 0 for requests. */
  status: number;
  /** Header names lowercased, values trimmed, in order. */
  headers: [string, string][];
  /** Set when a cap was hit: the headers before it are kept. */
  anomaly?: string;
}

const latin1 = latin1Text;

/** End of the line starting at `p` (index of CR or LF, or `end`). */
function lineEnd(b: Uint8Array, p: number, end: number): number {
  while (p < end && b[p] !== 0x0d && b[p] !== 0x0a) p++;
  return p;
}

/** Past the line terminator at `e` (CRLF, or a bare LF some stacks send). */
function nextLine(b: Uint8Array, e: number, end: number): number {
  if (e < end && b[e] === 0x0d) e++;
  if (e < end && b[e] === 0x0a) e++;
  return e;
}

function startsWith(b: Uint8Array, p: number, end: number, s: string): boolean {
  if (end - p < s.length) return false;
  for (let i = 0; i < s.length; i++) if ((b[p + i] | 0x20) !== (s.charCodeAt(i) | 0x20)) return false;
  return true;
}

/** Kind and status from the first line: "NOTIFY * HTTP/1.1", "M-SEARCH * HTTP/1.1", "HTTP/1.1 200 OK". */
export function parseStartLine(b: Uint8Array, off: number, end: number): Parsed<{ kind: SsdpKind; status: number }> {
  const e = lineEnd(b, off, end);
  if (startsWith(b, off, e, 'NOTIFY * HTTP/1.')) return ok({ kind: 'notify', status: 0 }, e - off);
  if (startsWith(b, off, e, 'M-SEARCH * HTTP/1.')) return ok({ kind: 'msearch', status: 0 }, e - off);
  if (startsWith(b, off, e, 'HTTP/1.') && e - off >= 12 && b[off + 8] === 0x20) {
    let status = 0;
    for (let i = off + 9; i < off + 12; i++) {
      const d = b[i] - 0x30;
      if (d < 0 || d > 9) return invalid('app.ssdp.bad_start_line');
      status = status * 10 + d;
    }
    return ok({ kind: 'response', status }, e - off);
  }
  return invalid('app.ssdp.bad_start_line');
}

/** Announcements repeat every header of the last one: names and values come from caches by their bytes. */
const headerNames = new TextCache((b, start, end) => latin1.decode(b.subarray(start, end)).trim().toLowerCase(), 256, 64);
const headerValues = new TextCache((b, start, end) => latin1.decode(b.subarray(start, end)).trim(), 1024, 256);

export function parseMessage(b: Uint8Array, off: number, end: number, limits: SsdpLimits = defaultSsdpLimits): Parsed<SsdpMessage> {
  const start = parseStartLine(b, off, end);
  if (start.status !== 'ok') return start;
  const msg: SsdpMessage = { ...start.value, headers: [] };
  let p = nextLine(b, off + start.length, end);
  while (p < end) {
    const e = lineEnd(b, p, end);
    if (e === p) break; // blank line: end of headers
    if (e - p > limits.maxLineLength) {
      msg.anomaly = 'app.ssdp.line_too_long';
      break;
    }
    if (msg.headers.length >= limits.maxHeaders) {
      msg.anomaly = 'app.ssdp.too_many_headers';
      break;
    }
    let colon = p;
    while (colon < e && b[colon] !== 0x3a) colon++;
    if (colon === e || colon === p) msg.anomaly ??= 'app.ssdp.bad_header';
    else {
      const name = headerNames.text(b, p, colon);
      const value = headerValues.text(b, colon + 1, e);
      msg.headers.push([name, value]);
    }
    p = nextLine(b, e, end);
  }
  return ok(msg, end - off);
}

/** First value of header `name` (lowercase). */
export function header(msg: SsdpMessage, name: string): string | undefined {
  const headers = msg.headers;
  for (let i = 0; i < headers.length; i++) if (headers[i][0] === name) return headers[i][1];
  return undefined;
}
