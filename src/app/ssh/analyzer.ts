/**
 * SSH analyzer: the identification line of each side (servers may send other lines first, RFC 4253
 * §4.2; clients must not). 'done' once both sides identified themselves: the rest is binary packets.
 * @module
 */
import { StreamBuffer } from '../stream-buffer.ts';
import type { AppContext, AppProtocol, DataResult, Dir } from '../types.ts';
import { MAX_LINE, parseBanner, parseLine, probeSsh } from './parser.ts';
import { anomalies, events } from './events.ts';

export interface SshOptions {
  /** Lines accepted before the server's identification string. */
  maxPreLines: number;
}

interface Side {
  buf: StreamBuffer;
  /** Lines seen so far; -1 once identified or given up. */
  lines: number;
}

export interface SshState {
  sides: [Side, Side];
}

const startsWithSsh = (b: Uint8Array, s: number, e: number): boolean =>
  e - s >= 4 && b[s] === 0x53 && b[s + 1] === 0x53 && b[s + 2] === 0x48 && b[s + 3] === 0x2d;

export function createSsh(opts: SshOptions = { maxPreLines: 16 }): AppProtocol<SshState> {
  const finish = (side: Side, ctx: AppContext, anomaly?: string): void => {
    if (anomaly) ctx.anomaly(anomaly);
    side.lines = -1;
    side.buf.clear();
  };

  const feed = (side: Side, bytes: Uint8Array, ctx: AppContext): void => {
    let pos = 0;
    while (pos < bytes.length && side.lines >= 0) {
      const take = Math.min(bytes.length - pos, side.buf.cap - side.buf.length);
      side.buf.append(bytes.subarray(pos, pos + take));
      pos += take;
      for (;;) {
        const view = side.buf.view();
        const line = parseLine(view, 0);
        if (line.status === 'incomplete') break;
        if (line.status === 'invalid') return finish(side, ctx, line.anomaly);
        const end = line.value;
        if (startsWithSsh(view, 0, end)) {
          const banner = parseBanner(view, 0, end);
          if (banner.status !== 'ok') return finish(side, ctx, banner.status === 'invalid' ? banner.anomaly : 'app.ssh.bad_banner');
          if (ctx.wants('ssh.banner')) ctx.emit('ssh.banner', { ...banner.value });
          return finish(side, ctx);
        }
        if (++side.lines > opts.maxPreLines) return finish(side, ctx, 'app.ssh.too_many_lines');
        side.buf.consume(line.length);
      }
    }
  };

  const done = (s: SshState): boolean => s.sides[0].lines < 0 && s.sides[1].lines < 0;

  return {
    name: 'ssh',
    transports: ['tcp'],
    ports: [22, 2222],
    probe: (bytes) => probeSsh(bytes),
    newState: () => ({ sides: [{ buf: new StreamBuffer(MAX_LINE, 64), lines: 0 }, { buf: new StreamBuffer(MAX_LINE, 64), lines: 0 }] }),
    data(state: SshState, dir: Dir, bytes: Uint8Array, ctx: AppContext): DataResult {
      feed(state.sides[dir], bytes, ctx);
      return done(state) ? 'done' : undefined;
    },
    gap(state: SshState, dir: Dir): DataResult {
      const side = state.sides[dir];
      side.lines = -1;
      side.buf.clear();
      return done(state) ? 'done' : undefined;
    },
    events,
    anomalies,
  };
}

export const ssh: AppProtocol<SshState> = createSsh();
