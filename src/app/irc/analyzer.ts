/**
 * IRC analyzer (any port): frames message lines per direction and reports registration, channel,
 * messaging and keep-alive commands and numeric replies as irc.message events.
 * @module
 */
import { StreamBuffer } from '../stream-buffer.ts';
import type { AppContext, AppProtocol, Dir, ProbeInfo } from '../types.ts';
import { anomalies, events } from './events.ts';
import type { IrcMessageEvent } from './events.ts';
import { isReported, parseMessage } from './parser.ts';
import type { IrcMessage } from './parser.ts';

export interface IrcOptions {
  /** Longest line accepted (bytes); the RFC allows 512, longer ones up to this are kept and flagged. */
  maxLine: number;
}

export const defaultIrcOptions: IrcOptions = { maxLine: 4096 };

interface Direction {
  buf: StreamBuffer;
  /** Skipping the rest of an over-cap line. */
  discard: boolean;
}

export interface IrcState {
  dirs: [Direction, Direction];
}

const clientFirst = /^(?:NICK [^\s]+|USER [^\s]+ [^\s]+ [^\s]+ :|CAP LS)/;
const clientMaybe = /^(?:PASS [^\s]+\r?\n(?:NICK|USER|CAP) |PASS |JOIN #)/;
const serverFirst = /^(?::[^\s]+ (?:NOTICE [^\s]+ :|\d{3} [^\s]+ )|NOTICE AUTH :|PING :)/;

/** 'yes' on a registration line (NICK, USER with real name, CAP LS) or a server notice/numeric/PING. */
export function probeIrc(bytes: Uint8Array, dir: Dir, _info?: ProbeInfo): 'yes' | 'no' | 'maybe' {
  const head = Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.length, 512)).toString('latin1');
  if (dir === 0) {
    if (clientFirst.test(head) || /^PASS [^\s]+\r?\n(?:NICK|USER) /.test(head)) return 'yes';
    return clientMaybe.test(head) ? 'maybe' : 'no';
  }
  return serverFirst.test(head) ? 'yes' : 'no';
}

/** Build the IRC analyzer with an explicit line cap (tests use a small one). */
export function createIrc(opts: IrcOptions = defaultIrcOptions): AppProtocol<IrcState> {
  function message(dir: Dir, m: IrcMessage, ctx: AppContext): void {
    if (m.overLong) ctx.anomaly('app.irc.line_too_long');
    if (!isReported(m.command) || !ctx.wants('irc.message')) return;
    const ev: IrcMessageEvent = { command: m.command, params: m.params, from_client: dir === 0 };
    if (m.prefix !== undefined) ev.prefix = m.prefix;
    if (m.trailing !== undefined) ev.trailing = m.trailing;
    ctx.emit('irc.message', { ...ev });
  }

  function frame(d: Direction, dir: Dir, b: Uint8Array, off: number, end: number, ctx: AppContext): number {
    while (off < end) {
      if (d.discard) {
        const lf = b.indexOf(0x0a, off);
        if (lf < 0 || lf >= end) return end;
        d.discard = false;
        off = lf + 1;
        continue;
      }
      const p = parseMessage(b, off, end, opts.maxLine);
      if (p.status === 'incomplete') return off;
      if (p.status === 'ok') {
        message(dir, p.value, ctx);
        off += p.length;
        continue;
      }
      ctx.anomaly(p.anomaly);
      d.discard = true;
    }
    return off;
  }

  const newDirection = (): Direction => ({ buf: new StreamBuffer(opts.maxLine + 4, 512), discard: false });

  return {
    name: 'irc',
    transports: ['tcp'],
    ports: [6660, 6661, 6662, 6663, 6664, 6665, 6666, 6667, 6668, 6669, 6697, 7000],
    probe: probeIrc,
    newState: () => ({ dirs: [newDirection(), newDirection()] }),
    data(s, dir, bytes, ctx) {
      const d = s.dirs[dir];
      let pos = 0;
      while (pos < bytes.length) {
        if (d.buf.length === 0) {
          pos = frame(d, dir, bytes, pos, bytes.length, ctx);
          if (pos < bytes.length) d.buf.append(bytes.subarray(pos));
          return;
        }
        const n = Math.min(bytes.length - pos, d.buf.cap - d.buf.length);
        d.buf.append(bytes.subarray(pos, pos + n));
        pos += n;
        const view = d.buf.view();
        const used = frame(d, dir, view, 0, view.length, ctx);
        d.buf.consume(used);
        if (used === 0 && d.buf.length === d.buf.cap) {
          // Defensive: parseMessage rejects lines longer than the cap, so this is unreachable.
          d.buf.clear();
          d.discard = true;
        }
      }
    },
    gap(s, dir) {
      s.dirs[dir].buf.clear();
      s.dirs[dir].discard = true;
    },
    events,
    anomalies,
  };
}

export const irc: AppProtocol<IrcState> = createIrc();
