/**
 * RTSP/1.0 analyzer: requests and responses in either direction (servers may send requests too),
 * bodies (Content-Length) and interleaved RTP frames skipped. Session stays open: RTSP keeps its
 * control connection for the whole stream.
 * @module
 */
import { StreamBuffer } from '../stream-buffer.ts';
import type { AppContext, AppProtocol, DataResult, Dir } from '../types.ts';
import { defaultHeadLimits, headerNumber, parseHead } from '../http/head.ts';
import type { HeadLimits } from '../http/head.ts';
import { parseInterleaved, parseRtspRequestLine, parseRtspStatusLine, probeRtsp, rtspAnomaly, rtspRequestFacts, rtspResponseFacts } from './parser.ts';
import { anomalies, events } from './events.ts';

const HEAD = 0;
const BODY = 1;
const STOP = 2;

interface Side {
  mode: number;
  remaining: number;
  buf: StreamBuffer;
}

export interface RtspState {
  sides: [Side, Side];
}

export function createRtsp(limits: HeadLimits = defaultHeadLimits): AppProtocol<RtspState> {
  /** Bytes used by one message or interleaved frame header at `at`; 0 = need more; -1 = stopped. */
  const parseUnit = (side: Side, bytes: Uint8Array, at: number, ctx: AppContext): number => {
    if (bytes[at] === 0x24) {
      const r = parseInterleaved(bytes, at);
      if (r.status !== 'ok') return 0;
      side.mode = BODY;
      side.remaining = r.length - 4;
      return 4;
    }
    const h = parseHead(bytes, at, limits);
    if (h.status === 'incomplete') return 0;
    if (h.status === 'invalid') {
      ctx.anomaly(rtspAnomaly(h.anomaly));
      side.mode = STOP;
      return -1;
    }
    const head = h.value;
    if (head.dropped > 0) ctx.anomaly('app.rtsp.too_many_headers');
    const cl = headerNumber(bytes, head, 'content-length');
    if (cl === -2) ctx.anomaly('app.rtsp.bad_content_length');
    side.mode = cl > 0 ? BODY : HEAD;
    side.remaining = Math.max(cl, 0);
    const isResponse = bytes[at] === 0x52 && bytes[at + 1] === 0x54 && bytes[at + 2] === 0x53 && bytes[at + 3] === 0x50 && bytes[at + 4] === 0x2f;
    if (isResponse) {
      const line = parseRtspStatusLine(bytes, head.start, head.lineEnd);
      if (line.status !== 'ok') ctx.anomaly(line.status === 'invalid' ? line.anomaly : 'app.rtsp.bad_status_line');
      else if (ctx.wants('rtsp.response')) ctx.emit('rtsp.response', rtspResponseFacts(bytes, head, line.value) as unknown as Record<string, unknown>);
    } else {
      const line = parseRtspRequestLine(bytes, head.start, head.lineEnd);
      if (line.status !== 'ok') ctx.anomaly(line.status === 'invalid' ? line.anomaly : 'app.rtsp.bad_request_line');
      else if (ctx.wants('rtsp.request')) ctx.emit('rtsp.request', rtspRequestFacts(bytes, head, line.value) as unknown as Record<string, unknown>);
    }
    return h.length;
  };

  const feed = (side: Side, bytes: Uint8Array, ctx: AppContext): void => {
    let pos = 0;
    for (let guard = 0; pos < bytes.length && guard < bytes.length + 64; guard++) {
      if (side.mode === STOP) return;
      if (side.mode === BODY) {
        const n = Math.min(side.remaining, bytes.length - pos);
        pos += n;
        side.remaining -= n;
        if (side.remaining === 0) side.mode = HEAD;
        continue;
      }
      if (side.buf.length === 0) {
        const used = parseUnit(side, bytes, pos, ctx);
        if (used < 0) return;
        if (used > 0) {
          pos += used;
          continue;
        }
        side.buf.append(bytes.subarray(pos, pos + side.buf.cap));
        pos = Math.min(bytes.length, pos + side.buf.cap);
        continue;
      }
      const before = side.buf.length;
      const take = Math.min(bytes.length - pos, side.buf.cap - before);
      side.buf.append(bytes.subarray(pos, pos + take));
      pos += take;
      const used = parseUnit(side, side.buf.view(), 0, ctx);
      if (used !== 0) {
        if (used > 0) pos -= before + take - used;
        side.buf.clear();
      } else if (side.buf.length >= side.buf.cap) {
        ctx.anomaly('app.rtsp.header_too_long');
        side.mode = STOP;
        side.buf.clear();
      }
    }
  };

  const bothStopped = (s: RtspState): boolean => s.sides[0].mode === STOP && s.sides[1].mode === STOP;

  return {
    name: 'rtsp',
    transports: ['tcp'],
    ports: [554, 8554],
    probe: (bytes) => probeRtsp(bytes),
    newState: () => ({
      sides: [
        { mode: HEAD, remaining: 0, buf: new StreamBuffer(limits.maxHeadBytes) },
        { mode: HEAD, remaining: 0, buf: new StreamBuffer(limits.maxHeadBytes) },
      ],
    }),
    data(state: RtspState, dir: Dir, bytes: Uint8Array, ctx: AppContext): DataResult {
      feed(state.sides[dir], bytes, ctx);
      return bothStopped(state) ? 'done' : undefined;
    },
    gap(state: RtspState, dir: Dir, length: number): DataResult {
      const side = state.sides[dir];
      if (side.mode === BODY && side.remaining >= length) {
        side.remaining -= length;
        if (side.remaining === 0) side.mode = HEAD;
      } else {
        side.mode = STOP;
        side.buf.clear();
      }
      return bothStopped(state) ? 'done' : undefined;
    },
    events,
    anomalies,
  };
}

export const rtsp: AppProtocol<RtspState> = createRtsp();
