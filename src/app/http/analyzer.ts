/**
 * HTTP/1.x analyzer: frames heads and skips bodies (Content-Length, chunked, until close) per direction,
 * matches responses to pipelined requests in order, and reads the first 4 KiB of URL-encoded form bodies.
 * @module
 */
import { StreamBuffer } from '../stream-buffer.ts';
import type { AppContext, AppProtocol, DataResult, Dir } from '../types.ts';
import { defaultHeadLimits, findHeader, headerHasToken, headerNumber, parseHead } from './head.ts';
import type { Head, HeadLimits } from './head.ts';
import { defaultParamLimits } from './params.ts';
import type { ParamLimits } from './params.ts';
import { formFacts, parseChunkSize, parseRequestLine, parseStatusLine, parseTrailer, probeHttp, requestFacts, responseFacts } from './parser.ts';
import { anomalies, events } from './events.ts';
import type { HttpRequestEvent } from './events.ts';

export interface HttpOptions extends HeadLimits, ParamLimits {
  /** Bytes of an application/x-www-form-urlencoded request body parsed into form_params. */
  maxFormBytes: number;
  /** Unanswered pipelined requests remembered for matching. */
  maxPending: number;
}

export const defaultHttpOptions: HttpOptions = { ...defaultHeadLimits, ...defaultParamLimits, maxFormBytes: 4096, maxPending: 32 };

const HEAD = 0;
const BODY = 1;
const CHUNK_SIZE = 2;
const CHUNK_DATA = 3;
const CHUNK_END = 4;
const TRAILER = 5;
const UNTIL_CLOSE = 6;
const FORM = 7;
const STOP = 8;

interface Side {
  mode: number;
  /** Bytes left of a body or chunk (BODY, CHUNK_DATA, FORM: the whole body), or of a line (CHUNK_END). */
  remaining: number;
  buf: StreamBuffer;
}

interface Pending {
  method: string;
  uri: string;
}

export interface HttpState {
  sides: [Side, Side];
  pending: Pending[];
  /** Request event waiting for its form body (FORM mode of the client side). */
  formEvent: HttpRequestEvent | undefined;
  formWanted: number;
}

function newSide(cap: number): Side {
  return { mode: HEAD, remaining: 0, buf: new StreamBuffer(cap) };
}

/** Build the analyzer with its caps. */
export function createHttp(opts: HttpOptions = defaultHttpOptions): AppProtocol<HttpState> {
  const headLimits: HeadLimits = { maxHeadBytes: opts.maxHeadBytes, maxHeaders: opts.maxHeaders };

  const stopBoth = (s: HttpState): void => {
    s.sides[0].mode = STOP;
    s.sides[1].mode = STOP;
  };

  const flushForm = (s: HttpState, ctx: AppContext): void => {
    const ev = s.formEvent;
    if (!ev) return;
    s.formEvent = undefined;
    const side = s.sides[0];
    const form = formFacts(side.buf.view(), opts);
    if (form.truncated) ctx.anomaly('app.http.too_many_params');
    ev.form_params = form.params;
    side.buf.clear();
    ctx.emit('http.request', ev as unknown as Record<string, unknown>);
  };

  /** After a request head: set up body framing of the client side. */
  const onRequest = (s: HttpState, bytes: Uint8Array, head: Head, ctx: AppContext): void => {
    const side = s.sides[0];
    const line = parseRequestLine(bytes, head.start, head.lineEnd);
    if (line.status !== 'ok') {
      ctx.anomaly(line.status === 'invalid' ? line.anomaly : 'app.http.bad_request_line');
      side.mode = STOP;
      return;
    }
    if (head.dropped > 0) ctx.anomaly('app.http.too_many_headers');
    const req = line.value;
    if (s.pending.length >= opts.maxPending) {
      ctx.anomaly('app.http.too_many_pending');
      s.pending.shift();
    }
    s.pending.push({ method: req.method, uri: req.uri });
    const chunked = headerHasToken(bytes, head, 'transfer-encoding', 'chunked');
    let cl = chunked ? -1 : headerNumber(bytes, head, 'content-length');
    if (cl === -2) {
      ctx.anomaly('app.http.bad_content_length');
      side.mode = STOP;
      cl = -1;
    } else if (chunked) side.mode = CHUNK_SIZE;
    else if (cl > 0) {
      side.mode = BODY;
      side.remaining = cl;
    } else side.mode = HEAD;

    if (!ctx.wants('http.request')) return;
    const facts = requestFacts(bytes, head, req, cl, opts);
    if (facts.truncated) ctx.anomaly('app.http.too_many_params');
    const cookie = findHeader(bytes, head, 'cookie');
    if (cookie >= 0 && (facts.event.cookie_names?.length ?? 0) >= opts.maxParams) ctx.anomaly('app.http.too_many_params');
    const isForm = side.mode === BODY && headerHasToken(bytes, head, 'content-type', 'application/x-www-form-urlencoded');
    if (isForm) {
      side.mode = FORM;
      s.formEvent = facts.event;
      s.formWanted = Math.min(cl, opts.maxFormBytes);
      return;
    }
    ctx.emit('http.request', facts.event as unknown as Record<string, unknown>, 0);
  };

  /** After a response head: match the request, set up body framing of the server side. */
  const onResponse = (s: HttpState, bytes: Uint8Array, head: Head, ctx: AppContext): void => {
    const side = s.sides[1];
    const line = parseStatusLine(bytes, head.start, head.lineEnd);
    if (line.status !== 'ok') {
      ctx.anomaly(line.status === 'invalid' ? line.anomaly : 'app.http.bad_status_line');
      side.mode = STOP;
      return;
    }
    if (head.dropped > 0) ctx.anomaly('app.http.too_many_headers');
    const status = line.value.status;
    const interim = status >= 100 && status < 200 && status !== 101;
    const req = interim ? s.pending[0] : s.pending.shift();
    if (!req && !interim) ctx.anomaly('app.http.unsolicited_response');
    const chunked = headerHasToken(bytes, head, 'transfer-encoding', 'chunked');
    let cl = chunked ? -1 : headerNumber(bytes, head, 'content-length');
    if (cl === -2) {
      ctx.anomaly('app.http.bad_content_length');
      cl = -1;
    }
    const method = req?.method;
    if (status === 101 || (method === 'CONNECT' && status >= 200 && status < 300)) stopBoth(s);
    else if (interim || status === 204 || status === 304 || method === 'HEAD') side.mode = HEAD;
    else if (chunked) side.mode = CHUNK_SIZE;
    else if (cl >= 0) {
      side.mode = cl > 0 ? BODY : HEAD;
      side.remaining = cl;
    } else side.mode = UNTIL_CLOSE;

    if (!ctx.wants('http.response')) return;
    const ev = responseFacts(bytes, head, line.value, cl);
    if (req) {
      ev.request_method = req.method;
      ev.request_uri = req.uri;
    }
    ctx.emit('http.response', ev as unknown as Record<string, unknown>);
  };

  /**
   * Parse one buffered unit (head, chunk-size line, trailer) from `bytes` at `at`.
   * Returns bytes used, 0 when more are needed, -1 when the side stopped.
   */
  const parseUnit = (s: HttpState, dir: Dir, bytes: Uint8Array, at: number, ctx: AppContext): number => {
    const side = s.sides[dir];
    if (side.mode === HEAD) {
      const r = parseHead(bytes, at, headLimits);
      if (r.status === 'incomplete') return 0;
      if (r.status === 'invalid') {
        ctx.anomaly(r.anomaly);
        side.mode = STOP;
        return -1;
      }
      if (dir === 0) onRequest(s, bytes, r.value, ctx);
      else onResponse(s, bytes, r.value, ctx);
      return r.length;
    }
    if (side.mode === CHUNK_SIZE) {
      const r = parseChunkSize(bytes, at);
      if (r.status === 'incomplete') return 0;
      if (r.status === 'invalid') {
        ctx.anomaly(r.anomaly);
        side.mode = STOP;
        return -1;
      }
      side.mode = r.value === 0 ? TRAILER : CHUNK_DATA;
      side.remaining = r.value;
      return r.length;
    }
    const r = parseTrailer(bytes, at);
    if (r.status === 'incomplete') return 0;
    if (r.status === 'invalid') {
      ctx.anomaly(r.anomaly);
      side.mode = STOP;
      return -1;
    }
    side.mode = HEAD;
    return r.length;
  };

  const feed = (s: HttpState, dir: Dir, bytes: Uint8Array, ctx: AppContext): void => {
    const side = s.sides[dir];
    let pos = 0;
    // Every pass consumes bytes or moves to a mode that will; the guard only bounds bugs.
    for (let guard = 0; pos < bytes.length && guard < bytes.length + 64; guard++) {
      const mode = side.mode;
      if (mode === STOP) return;
      if (mode === UNTIL_CLOSE) return;
      if (mode === BODY || mode === CHUNK_DATA) {
        const n = Math.min(side.remaining, bytes.length - pos);
        pos += n;
        side.remaining -= n;
        if (side.remaining === 0) side.mode = mode === BODY ? HEAD : CHUNK_END;
        continue;
      }
      if (mode === CHUNK_END) {
        // CRLF after chunk data: skip through the next LF (bounded).
        const b = bytes[pos++];
        if (b === 0x0a) side.mode = CHUNK_SIZE;
        else if (++side.remaining > 1024) {
          ctx.anomaly('app.http.bad_chunk_size');
          side.mode = STOP;
        }
        continue;
      }
      if (mode === FORM) {
        const want = s.formWanted - side.buf.length;
        const n = Math.min(want, bytes.length - pos);
        side.buf.append(bytes.subarray(pos, pos + n));
        pos += n;
        side.remaining -= n;
        if (side.buf.length >= s.formWanted) {
          flushForm(s, ctx);
          side.mode = side.remaining > 0 ? BODY : HEAD;
        }
        continue;
      }
      // Buffered unit: parse straight from the input when nothing is pending, else through the buffer.
      if (side.buf.length === 0) {
        const used = parseUnit(s, dir, bytes, pos, ctx);
        if (used < 0) return;
        if (used > 0) {
          pos += used;
          continue;
        }
        const rest = bytes.subarray(pos);
        if (!side.buf.append(rest.subarray(0, side.buf.cap))) return;
        pos += Math.min(rest.length, side.buf.cap);
        if (side.buf.length === side.buf.cap) parseBuffered(s, dir, ctx);
        continue;
      }
      const before = side.buf.length;
      const take = Math.min(bytes.length - pos, side.buf.cap - before);
      side.buf.append(bytes.subarray(pos, pos + take));
      pos += take;
      const used = parseBuffered(s, dir, ctx);
      if (used > 0) {
        // Bytes after the unit go back to the input; the buffer only ever holds one unfinished unit.
        pos -= before + take - used;
        side.buf.clear();
      }
    }
  };

  /** Parse the unit held in a side's buffer; returns bytes used (0: need more, -1: stopped). */
  const parseBuffered = (s: HttpState, dir: Dir, ctx: AppContext): number => {
    const side = s.sides[dir];
    const used = parseUnit(s, dir, side.buf.view(), 0, ctx);
    if (used < 0) side.buf.clear();
    else if (used === 0 && side.buf.length >= side.buf.cap) {
      // Cannot happen for heads (parseHead reports header_too_long at the cap); kept as a bound.
      ctx.anomaly('app.http.header_too_long');
      side.mode = STOP;
      side.buf.clear();
    }
    return used;
  };

  const bothStopped = (s: HttpState): boolean =>
    s.sides[0].mode === STOP && s.sides[1].mode === STOP;

  return {
    name: 'http',
    transports: ['tcp'],
    ports: [80, 8000, 8008, 8080, 8081, 8088, 8888, 3128],
    probe: (bytes) => probeHttp(bytes),
    newState: () => ({ sides: [newSide(opts.maxHeadBytes), newSide(opts.maxHeadBytes)], pending: [], formEvent: undefined, formWanted: 0 }),
    data(state: HttpState, dir: Dir, bytes: Uint8Array, ctx: AppContext): DataResult {
      feed(state, dir, bytes, ctx);
      return bothStopped(state) ? 'done' : undefined;
    },
    gap(state: HttpState, dir: Dir, length: number, ctx: AppContext): DataResult {
      const side = state.sides[dir];
      if ((side.mode === BODY || side.mode === CHUNK_DATA) && side.remaining >= length) {
        side.remaining -= length;
        if (side.remaining === 0) side.mode = side.mode === BODY ? HEAD : CHUNK_END;
      } else if (side.mode !== UNTIL_CLOSE) {
        if (dir === 0) flushForm(state, ctx);
        side.mode = STOP;
        side.buf.clear();
      }
      return bothStopped(state) ? 'done' : undefined;
    },
    end(state: HttpState, ctx: AppContext): void {
      flushForm(state, ctx);
    },
    events,
    anomalies,
  };
}

export const http: AppProtocol<HttpState> = createHttp();
