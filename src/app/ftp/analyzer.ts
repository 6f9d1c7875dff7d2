/**
 * FTP control-connection analyzer: commands, replies (multi-line as one), USER/PASS pairing with the
 * outcome from the answering reply, AUTH TLS (stops at 234: the rest is encrypted).
 * @module
 */
import { StreamBuffer } from '../stream-buffer.ts';
import type { AppContext, AppProtocol, DataResult, Dir, ProbeInfo } from '../types.ts';
import { anomalies, events } from './events.ts';
import type { FtpAuthTlsEvent, FtpCommandEvent, FtpLoginEvent, FtpReplyEvent } from './events.ts';
import { parseCommand, parseReply } from './parser.ts';
import type { FtpCommand, FtpReply } from './parser.ts';

export interface FtpOptions {
  /** Longest command or reply line (bytes). */
  maxLine: number;
  /** Longest multi-line reply (bytes). */
  maxReply: number;
}

export const defaultFtpOptions: FtpOptions = { maxLine: 2048, maxReply: 16384 };

/** Commands awaiting their final reply (pipelined clients); the oldest is dropped past this. */
const MAX_PENDING_COMMANDS = 32;

const Skip = { NONE: 0, TO_LINE_END: 1, TO_REPLY_END: 2 } as const;

interface Direction {
  buf: StreamBuffer;
  /** Skipping after an over-long line (to its end) or reply (to its last line, code `skipCode`). */
  discard: number;
  skipCode: number;
}

export interface FtpState {
  dirs: [Direction, Direction];
  /** Verbs of commands sent and not yet answered by a final (>= 200) reply. */
  pending: string[];
  authMechanism?: string;
  username?: string;
  password?: string;
  sawReply: boolean;
  done: boolean;
}

const ftpBanner = /^[12]\d\d[ -][^\n]*ftp/i;
const smtpLike = /smtp/i;
const firstCommand = /^(USER|PASS|AUTH|FEAT|SYST|OPTS|ACCT) /i;

/** 'yes' on a greeting naming FTP (not SMTP); 'maybe' on a bare 220 greeting or a login command. */
export function probeFtp(bytes: Uint8Array, dir: Dir, _info?: ProbeInfo): 'yes' | 'no' | 'maybe' {
  const head = Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.length, 256)).toString('latin1');
  if (dir === 1) {
    if (ftpBanner.test(head) && !smtpLike.test(head.split('\n')[0])) return 'yes';
    return /^220[ -]/.test(head) ? 'maybe' : 'no';
  }
  return firstCommand.test(head) ? 'maybe' : 'no';
}

/** Build the FTP analyzer with explicit caps (tests use small ones). */
export function createFtp(opts: FtpOptions = defaultFtpOptions): AppProtocol<FtpState> {
  function emitLogin(s: FtpState, ctx: AppContext, success: boolean | undefined, code: number | undefined): void {
    if (s.username === undefined && s.password === undefined) return;
    if (ctx.wants('ftp.login')) {
      const ev: FtpLoginEvent = {};
      if (s.username !== undefined) ev.username = s.username;
      if (s.password !== undefined) ev.password = s.password;
      if (success !== undefined) ev.success = success;
      if (code !== undefined) ev.reply_code = code;
      ctx.emit('ftp.login', { ...ev }, 0);
    }
    s.username = undefined;
    s.password = undefined;
  }

  function command(s: FtpState, c: FtpCommand, ctx: AppContext): void {
    if (s.pending.length === MAX_PENDING_COMMANDS) s.pending.shift();
    s.pending.push(c.command);
    if (c.command === 'USER') {
      s.username = c.arg ?? '';
      s.password = undefined;
    } else if (c.command === 'PASS') {
      s.password = c.arg ?? '';
    } else if (c.command === 'AUTH') {
      s.authMechanism = c.arg ?? '';
    }
    if (!ctx.wants('ftp.command')) return;
    const ev: FtpCommandEvent = { command: c.command };
    if (c.arg !== undefined && c.command !== 'PASS') ev.arg = c.arg;
    ctx.emit('ftp.command', { ...ev });
  }

  function reply(s: FtpState, r: FtpReply, ctx: AppContext): void {
    const final = r.code >= 200;
    const answered = final ? s.pending.shift() : s.pending[0];
    const banner = !s.sawReply && answered === undefined;
    s.sawReply = true;
    if (ctx.wants('ftp.reply')) {
      const ev: FtpReplyEvent = { code: r.code, text: r.text, first_line: r.firstLine, line_count: r.lineCount };
      if (banner) ev.banner = true;
      ctx.emit('ftp.reply', { ...ev });
    }
    if (!final) return;
    const klass = Math.floor(r.code / 100);
    if (answered === 'USER' || answered === 'PASS' || answered === 'ACCT') {
      // 3xx asks for the next credential: the outcome is still to come.
      if (klass === 2) emitLogin(s, ctx, true, r.code);
      else if (klass === 4 || klass === 5) emitLogin(s, ctx, false, r.code);
    } else if (answered === 'AUTH') {
      if (ctx.wants('ftp.auth_tls')) {
        const ev: FtpAuthTlsEvent = { mechanism: s.authMechanism ?? '', accepted: r.code === 234, reply_code: r.code };
        ctx.emit('ftp.auth_tls', { ...ev });
      }
      if (r.code === 234) s.done = true;
    }
  }

  /** Skip per the direction's discard mode; returns the new offset, or -1 when the line end is not here yet. */
  function skip(d: Direction, b: Uint8Array, off: number, end: number): number {
    while (d.discard !== Skip.NONE) {
      const lf = b.indexOf(0x0a, off);
      if (lf < 0 || lf >= end) return -1;
      if (d.discard === Skip.TO_LINE_END) {
        d.discard = Skip.NONE;
      } else {
        const c = d.skipCode;
        const isLast = lf - off >= 3 && b[off] === 0x30 + Math.floor(c / 100) && b[off + 1] === 0x30 + (Math.floor(c / 10) % 10)
          && b[off + 2] === 0x30 + (c % 10) && (lf - off === 3 || b[off + 3] === 0x20 || b[off + 3] === 0x0d);
        if (isLast) d.discard = Skip.NONE;
      }
      off = lf + 1;
    }
    return off;
  }

  function frame(s: FtpState, dir: Dir, b: Uint8Array, off: number, end: number, ctx: AppContext): number {
    const d = s.dirs[dir];
    while (off < end && !s.done) {
      if (d.discard !== Skip.NONE) {
        const next = skip(d, b, off, end);
        if (next < 0) return end;
        off = next;
        continue;
      }
      if (dir === 0) {
        const p = parseCommand(b, off, end, opts.maxLine);
        if (p.status === 'incomplete') return off;
        if (p.status === 'ok') {
          command(s, p.value, ctx);
          off += p.length;
          continue;
        }
        ctx.anomaly(p.anomaly);
        d.discard = Skip.TO_LINE_END;
        continue;
      }
      const p = parseReply(b, off, end, opts.maxLine, opts.maxReply);
      if (p.status === 'incomplete') return off;
      if (p.status === 'ok') {
        reply(s, p.value, ctx);
        off += p.length;
        continue;
      }
      ctx.anomaly(p.anomaly);
      if (p.anomaly === 'app.ftp.reply_too_long') {
        d.skipCode = (b[off] - 0x30) * 100 + (b[off + 1] - 0x30) * 10 + (b[off + 2] - 0x30);
        // Skip the first line, then every line up to "<code> ".
        d.discard = Skip.TO_LINE_END;
        const next = skip(d, b, off, end);
        d.discard = Skip.TO_REPLY_END;
        if (next < 0) return end;
        off = next;
      } else {
        d.discard = Skip.TO_LINE_END;
      }
    }
    return off;
  }

  const newDirection = (cap: number): Direction => ({ buf: new StreamBuffer(cap, 512), discard: Skip.NONE, skipCode: 0 });

  return {
    name: 'ftp',
    transports: ['tcp'],
    ports: [21, 2121],
    probe: probeFtp,
    newState: () => ({
      dirs: [newDirection(opts.maxLine + 4), newDirection(opts.maxReply + opts.maxLine + 4)],
      pending: [],
      sawReply: false,
      done: false,
    }),
    data(s, dir, bytes, ctx): DataResult {
      const d = s.dirs[dir];
      let pos = 0;
      while (pos < bytes.length && !s.done) {
        if (d.buf.length === 0) {
          pos = frame(s, dir, bytes, pos, bytes.length, ctx);
          if (pos < bytes.length && !s.done) d.buf.append(bytes.subarray(pos));
          break;
        }
        const n = Math.min(bytes.length - pos, d.buf.cap - d.buf.length);
        d.buf.append(bytes.subarray(pos, pos + n));
        pos += n;
        const view = d.buf.view();
        const used = frame(s, dir, view, 0, view.length, ctx);
        d.buf.consume(used);
        if (used === 0 && d.buf.length === d.buf.cap) {
          // Defensive: the parsers' caps are below the buffer's, so this means a framing bug; resynchronise.
          d.buf.clear();
          d.discard = Skip.TO_LINE_END;
        }
      }
      return s.done ? 'done' : undefined;
    },
    gap(s, dir) {
      // Resynchronise at the next line.
      s.dirs[dir].buf.clear();
      s.dirs[dir].discard = Skip.TO_LINE_END;
    },
    end(s, ctx) {
      emitLogin(s, ctx, undefined, undefined);
    },
    events,
    anomalies,
  };
}

export const ftp: AppProtocol<FtpState> = createFtp();
