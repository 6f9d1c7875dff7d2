/**
 * Telnet analyzer: strips IAC negotiation (kept as facts), rebuilds the lines the client types, pairs them
 * with the server's login/password prompts and reads the server's answer to decide the outcome.
 * All buffers are fixed-size per flow.
 * @module
 */
import { StreamBuffer } from '../stream-buffer.ts';
import type { AppContext, AppProtocol, Dir, ProbeInfo } from '../types.ts';
import { anomalies, events } from './events.ts';
import type { TelnetBannerEvent, TelnetLoginEvent, TelnetNegotiationEvent } from './events.ts';
import {
  DO, DONT, IAC, Option, SB, SE, WILL, WONT, optionName, parseEnviron, parseIacCommand, parseIsText, parseNaws,
  subnegData,
} from './parser.ts';
import { keptBytes } from './kept-bytes.ts';
import { LineEditor, loginOutcome, mayBePrompt, promptKind, terminalText } from './text.ts';
import type { PromptKind } from './text.ts';

export interface TelnetOptions {
  /** Longest subnegotiation buffered (bytes). */
  maxSubneg: number;
  /** Longest client line kept (bytes). */
  maxLine: number;
  /** Server output kept after a password to decide the outcome (bytes). */
  outcomeWindow: number;
}

export const defaultTelnetOptions: TelnetOptions = { maxSubneg: 512, maxLine: 256, outcomeWindow: 2048 };

const SERVER_TAIL = 256;
/**
 * Node's Buffer#indexOf, which takes any Uint8Array and finds a byte with memchr: a loader's binary output (tens
 * of megabytes in a Mirai capture) is searched for IAC several times faster than by Uint8Array#indexOf.
 */
const findByte = Buffer.prototype.indexOf;
/** Buffer#lastIndexOf (memrchr), for the LF ending a long run of server output. */
const findLastByte = Buffer.prototype.lastIndexOf;
/** Runs at least this long are searched for LF by findLastByte (its call costs what a short loop does). */
const LONG_RUN = 64;
const NO_BYTES = new Uint8Array(0);
const BANNER_LINES = 4;
const BANNER_CHARS = 256;

export interface TelnetState {
  /** Incomplete IAC sequence per direction. */
  pending: [StreamBuffer, StreamBuffer];
  /** Option bitsets: (dir * 4 + verb - WILL) * 32 + option / 8. */
  options: Uint8Array;
  /** Subnegotiation bitsets: dir * 32 + option / 8. */
  subnegs: Uint8Array;
  negotiations: number;
  negotiationEmitted: boolean;
  terminalType?: string;
  terminalSpeed?: string;
  xDisplay?: string;
  windowWidth?: number;
  windowHeight?: number;
  environ: string[];
  /** Tail of the current server line (since the last LF), raw bytes. */
  serverLine: Uint8Array;
  serverLineLength: number;
  /** The server line changed since the last prompt check. */
  serverLineFresh: boolean;
  banner: string[];
  bannerDone: boolean;
  client: LineEditor;
  /** Prompt waiting for the client's next line. */
  prompt: PromptKind | undefined;
  username?: string;
  password?: string;
  /** A password was typed; the server's answer is being read. */
  awaitingOutcome: boolean;
  /** Taken on the first password (most flows, scans and refused logins, never see one). */
  outcome: Uint8Array;
  outcomeLength: number;
  attempts: number;
}

/** 'yes' on an IAC option or subnegotiation opening; 'maybe' on a login prompt or typed text. */
export function probeTelnet(bytes: Uint8Array, dir: Dir, _info?: ProbeInfo): 'yes' | 'no' | 'maybe' {
  if (bytes.length >= 3 && bytes[0] === IAC && bytes[1] >= SB && bytes[1] !== IAC) return 'yes';
  if (bytes.length === 0) return 'no';
  for (let i = 0; i < bytes.length && i < 256; i++) {
    const c = bytes[i];
    if (c < 0x20 && c !== 0x0d && c !== 0x0a && c !== 0x09 && c !== 0x00 && c !== 0x1b) return 'no';
  }
  if (dir === 1) return promptKind(terminalText(bytes, 0, Math.min(bytes.length, 512)).trimStart()) ? 'maybe' : 'no';
  return 'maybe';
}

/** Build the telnet analyzer with explicit caps (tests use small ones). */
export function createTelnet(opts: TelnetOptions = defaultTelnetOptions): AppProtocol<TelnetState> {
  function setBit(bits: Uint8Array, index: number, option: number): void {
    bits[index * 32 + (option >> 3)] |= 1 << (option & 7);
  }
  /** Options of `byte`, the bitset's byte k (options 8k to 8k + 7), onto out in ascending order. */
  function pushOptions(out: number[], byte: number, k: number): void {
    for (let bit = 0; bit < 8; bit++) if (byte & (1 << bit)) out.push(k * 8 + bit);
  }
  // Byte by byte, skipping empty ones: a flow's negotiation sets a handful of the 256 options.
  function list(bits: Uint8Array, index: number): number[] {
    const out: number[] = [];
    for (let k = 0; k < 32; k++) if (bits[index * 32 + k] !== 0) pushOptions(out, bits[index * 32 + k], k);
    return out;
  }

  function emitNegotiation(s: TelnetState, ctx: AppContext): void {
    if (s.negotiationEmitted || s.negotiations === 0) return;
    s.negotiationEmitted = true;
    if (!ctx.wants('telnet.negotiation')) return;
    const v = (dir: number, verb: number) => list(s.options, dir * 4 + verb - WILL);
    const enabled = (dir: number) => {
      const out: number[] = [];
      const will = (dir * 4 + WILL - WILL) * 32;
      const peerDo = ((1 - dir) * 4 + DO - WILL) * 32;
      for (let k = 0; k < 32; k++) {
        const both = s.options[will + k] & s.options[peerDo + k];
        if (both !== 0) pushOptions(out, both, k);
      }
      return out;
    };
    const clientEnabled = enabled(0);
    const serverEnabled = enabled(1);
    const names = (l: number[]) => (l.length ? l.map(optionName).join(' ') : '-');
    const ev: TelnetNegotiationEvent = {
      client_will: v(0, WILL), client_wont: v(0, WONT), client_do: v(0, DO), client_dont: v(0, DONT),
      server_will: v(1, WILL), server_wont: v(1, WONT), server_do: v(1, DO), server_dont: v(1, DONT),
      client_enabled: clientEnabled, server_enabled: serverEnabled,
      client_subneg: list(s.subnegs, 0), server_subneg: list(s.subnegs, 1),
      summary: `client: ${names(clientEnabled)}; server: ${names(serverEnabled)}`,
    };
    if (s.terminalType !== undefined) ev.terminal_type = s.terminalType;
    if (s.terminalSpeed !== undefined) ev.terminal_speed = s.terminalSpeed;
    if (s.xDisplay !== undefined) ev.x_display = s.xDisplay;
    if (s.windowWidth !== undefined) {
      ev.window_width = s.windowWidth;
      ev.window_height = s.windowHeight;
    }
    if (s.environ.length) ev.environ = s.environ;
    ctx.emit('telnet.negotiation', { ...ev });
  }

  function emitBanner(s: TelnetState, ctx: AppContext, prompt?: string, kind?: PromptKind): void {
    if (s.bannerDone) return;
    s.bannerDone = true;
    if ((s.banner.length === 0 && prompt === undefined) || !ctx.wants('telnet.banner')) return;
    const ev: TelnetBannerEvent = { banner: s.banner.join('\n') };
    if (prompt !== undefined) {
      ev.prompt = prompt;
      ev.prompt_kind = kind;
    }
    ctx.emit('telnet.banner', { ...ev });
  }

  function emitLogin(s: TelnetState, ctx: AppContext, success: boolean | undefined): void {
    emitNegotiation(s, ctx);
    s.attempts++;
    if (ctx.wants('telnet.login')) {
      // The usual attempt (user, password and verdict known) as one literal, the rest field by field; handed over
      // as is (the pipeline copies an event's fields: no copy here).
      let ev: TelnetLoginEvent;
      if (s.username !== undefined && s.password !== undefined && success !== undefined) {
        ev = { attempt: s.attempts, username: s.username, password: s.password, success };
      } else {
        ev = { attempt: s.attempts };
        if (s.username !== undefined) ev.username = s.username;
        if (s.password !== undefined) ev.password = s.password;
        if (success !== undefined) ev.success = success;
      }
      ctx.emit('telnet.login', ev, 0);
    }
    s.username = undefined;
    s.password = undefined;
    s.awaitingOutcome = false;
    s.outcomeLength = 0;
  }

  /**
   * The IAC sequence at b[off]: its length, or -1 when it is incomplete. Decided here as parseIacCommand decides
   * it, without its result objects, except subnegotiations: binary output (a loader's 'cat /bin/echo') is full
   * of IAC IAC and IAC + a non-command byte, and every flow negotiates a dozen options.
   */
  function command(s: TelnetState, dir: Dir, b: Uint8Array, off: number, end: number, ctx: AppContext): number {
    if (off + 1 >= end) return -1;
    const next = b[off + 1];
    if (next === IAC) {
      text(s, dir, b, off + 1, off + 2, ctx);
      return 2;
    }
    if (next < SE) {
      ctx.anomaly('app.telnet.bad_command');
      return 2;
    }
    if (next >= WILL) {
      if (off + 2 >= end) return -1;
      s.negotiations++;
      setBit(s.options, dir * 4 + next - WILL, b[off + 2]);
      return 3;
    }
    if (next !== SB) return 2; // NOP, AYT, GA, ...: nothing to keep
    const p = parseIacCommand(b, off, end, opts.maxSubneg);
    if (p.status === 'incomplete') return -1;
    if (p.status === 'invalid') {
      ctx.anomaly(p.anomaly);
      return 2;
    }
    const c = p.value;
    if (c.kind === 'subneg') {
      s.negotiations++;
      setBit(s.subnegs, dir, c.option);
      if (dir === 0) clientSubneg(s, c.option, subnegData(b, c.dataStart, c.dataEnd), ctx);
    }
    return p.length;
  }

  function clientSubneg(s: TelnetState, option: number, data: Uint8Array, ctx: AppContext): void {
    switch (option) {
      case Option.TTYPE: s.terminalType = parseIsText(data) ?? s.terminalType; break;
      case Option.TSPEED: s.terminalSpeed = parseIsText(data) ?? s.terminalSpeed; break;
      case Option.XDISPLOC: s.xDisplay = parseIsText(data) ?? s.xDisplay; break;
      case Option.NAWS: {
        const n = parseNaws(data);
        if (n.status === 'ok') {
          s.windowWidth = n.value.width;
          s.windowHeight = n.value.height;
        } else if (n.status === 'invalid') ctx.anomaly(n.anomaly);
        break;
      }
      case Option.NEW_ENVIRON:
      case Option.ENVIRON:
        for (const v of parseEnviron(data)) if (s.environ.length < 8) s.environ.push(v);
        break;
      default:
        break;
    }
  }

  /** Text bytes of one direction (IAC sequences removed). */
  function text(s: TelnetState, dir: Dir, b: Uint8Array, start: number, end: number, ctx: AppContext): void {
    if (dir === 0) {
      for (let i = start; i < end; i++) {
        const r = s.client.push(b[i]);
        if (r === 'line') clientLine(s, ctx);
        else if (r === 'overflow') ctx.anomaly('app.telnet.line_too_long');
      }
      return;
    }
    if (s.awaitingOutcome) {
      const out = s.outcome;
      let n = s.outcomeLength;
      for (let i = start; i < end && n < out.length; i++) out[n++] = b[i];
      s.outcomeLength = n;
    }
    if (s.bannerDone) noteServerRun(start, end);
    else serverText(s, b, start, end);
  }

  /**
   * Text runs of the server delivery being scanned, once the banner is done: [start, end) pairs in `b`, read
   * back by serverRuns when the scan ends. Shared by every flow: a scan runs to its end before the next one.
   */
  let runs = new Int32Array(64);
  let runsEnd = 0;

  function noteServerRun(start: number, end: number): void {
    if (runsEnd === runs.length) {
      const grown = new Int32Array(runs.length * 2);
      grown.set(runs);
      runs = grown;
    }
    runs[runsEnd++] = start;
    runs[runsEnd++] = end;
  }

  /**
   * The noted runs into the line buffer. Only the text after the delivery's last LF matters (each LF empties
   * the line and the prompt check comes after the delivery), so one backward pass over the runs finds that LF
   * (memrchr in long runs) and counts the bytes kept after it (not CR or NUL, four bytes at a time: keptBytes);
   * only those the line buffer ends up holding are copied.
   * The buffer then holds what appendServerLine's byte-by-byte halving would leave: the last `len` bytes, len
   * being a function of how many went in. Bytes before that LF, in a loader's binary output megabytes split
   * by IAC IAC, are never read.
   */
  function serverRuns(s: TelnetState, b: Uint8Array): void {
    let kept = 0;
    let r = runsEnd;
    let sawLF = false;
    while (r > 0 && !sawLF) {
      r -= 2;
      const end = runs[r + 1];
      const lf = lastLF(b, runs[r], end);
      sawLF = lf >= 0;
      kept += keptBytes(b, sawLF ? lf + 1 : runs[r], end);
    }
    const last = runsEnd;
    runsEnd = 0;
    if (sawLF) lineEnded(s);
    if (kept === 0) return;
    const line = s.serverLine;
    const old = s.serverLineLength;
    const total = old + kept;
    const half = SERVER_TAIL / 2;
    // Past the cap the buffer halves to `half` on each byte that finds it full, then takes that byte.
    const len = total <= SERVER_TAIL ? total : half + 1 + ((total - SERVER_TAIL - 1) % half);
    const fromOld = len - Math.min(kept, len);
    if (fromOld > 0 && fromOld < old) line.copyWithin(0, old - fromOld, old);
    let w = len;
    for (let q = last - 2; w > fromOld; q -= 2) {
      const start = runs[q];
      for (let j = runs[q + 1] - 1; j >= start && w > fromOld; j--) {
        const c = b[j];
        if (c !== 0x0d && c !== 0x00) line[--w] = c;
      }
    }
    s.serverLineLength = len;
    s.serverLineFresh = true;
  }

  /** Index of the last LF in b[start, end), or -1: memrchr for a long run, a loop for the short ones. */
  function lastLF(b: Uint8Array, start: number, end: number): number {
    if (end - start >= LONG_RUN) {
      const at = findLastByte.call(b, 0x0a, end - 1) as number;
      return at >= start ? at : -1;
    }
    for (let i = end - 1; i >= start; i--) if (b[i] === 0x0a) return i;
    return -1;
  }

  /**
   * Server text into the line buffer while the banner is not done: each line may be a banner line (after it,
   * serverRuns reads only the delivery's last line).
   */
  function serverText(s: TelnetState, b: Uint8Array, start: number, end: number): void {
    let from = start;
    for (let i = start; i < end; i++) {
      if (b[i] !== 0x0a) continue;
      appendServerLine(s, b, from, i);
      bannerLine(s);
      lineEnded(s);
      from = i + 1;
    }
    appendServerLine(s, b, from, end);
  }

  function lineEnded(s: TelnetState): void {
    // A prompt is the end of the server's output: a newline after it means it was not one
    // (e.g. "Last login:" seen before the rest of its line arrived).
    s.prompt = undefined;
    s.serverLineLength = 0;
    s.serverLineFresh = true;
  }

  /** Bytes of one server line (no LF in b[start, end)) into its buffer, CR and NUL dropped. */
  function appendServerLine(s: TelnetState, b: Uint8Array, start: number, end: number): void {
    const line = s.serverLine;
    let len = s.serverLineLength;
    let fresh = false;
    for (let i = start; i < end; i++) {
      const c = b[i];
      if (c === 0x0d || c === 0x00) continue;
      if (len === SERVER_TAIL) {
        // Keep the tail: prompts are at the end of the line.
        line.copyWithin(0, SERVER_TAIL / 2);
        len = SERVER_TAIL / 2;
      }
      line[len++] = c;
      fresh = true;
    }
    s.serverLineLength = len;
    if (fresh) s.serverLineFresh = true;
  }

  function bannerLine(s: TelnetState): void {
    const line = terminalText(s.serverLine, 0, s.serverLineLength).trim();
    if (!line || s.banner.length >= BANNER_LINES) return;
    const used = s.banner.reduce((n, l) => n + l.length + 1, 0);
    if (used >= BANNER_CHARS) return;
    s.banner.push(line.slice(0, BANNER_CHARS - used));
  }

  /** A line the client finished: its text is read only as the answer to a login prompt. */
  function clientLine(s: TelnetState, ctx: AppContext): void {
    if (!s.bannerDone) emitBanner(s, ctx);
    if (s.prompt === 'username') {
      s.username = s.client.take();
      s.password = undefined;
    } else if (s.prompt === 'password') {
      s.password = s.client.take();
      if (s.outcome.length === 0) s.outcome = new Uint8Array(opts.outcomeWindow);
      s.awaitingOutcome = true;
      s.outcomeLength = 0;
    } else {
      s.client.discard();
    }
    s.prompt = undefined;
    // The prompt was answered: the same server line must not count as a new prompt.
    s.serverLineFresh = false;
  }

  /** After each server delivery: decide a pending outcome, then look for a new prompt. */
  function serverChecks(s: TelnetState, ctx: AppContext): void {
    if (s.awaitingOutcome) {
      const verdict = loginOutcome(terminalText(s.outcome, 0, s.outcomeLength));
      if (verdict !== undefined) emitLogin(s, ctx, verdict);
      else if (s.outcomeLength === s.outcome.length) emitLogin(s, ctx, undefined);
    }
    if (!s.serverLineFresh) return;
    s.serverLineFresh = false;
    if (!mayBePrompt(s.serverLine, s.serverLineLength)) return;
    const line = terminalText(s.serverLine, 0, s.serverLineLength).trim();
    const kind = promptKind(line);
    if (kind === undefined) return;
    if (!s.bannerDone) emitBanner(s, ctx, line, kind);
    if (kind === 'shell') return;
    // A new login prompt while a username waits for its password: that attempt was refused.
    if (kind === 'username' && s.username && !s.awaitingOutcome) emitLogin(s, ctx, false);
    s.prompt = kind;
  }

  // A flow's option and subnegotiation bitsets, server line tail and client line: views of one buffer (one
  // backing store per flow instead of four; Mirai's thousands of short telnet flows made them a GC cost).
  const OPTIONS_END = 8 * 32;
  const SUBNEGS_END = OPTIONS_END + 2 * 32;
  const SERVER_LINE_END = SUBNEGS_END + SERVER_TAIL;

  function newState(): TelnetState {
    const room = new Uint8Array(SERVER_LINE_END + opts.maxLine);
    return {
      pending: [new StreamBuffer(opts.maxSubneg + 8, 16), new StreamBuffer(opts.maxSubneg + 8, 16)],
      options: room.subarray(0, OPTIONS_END),
      subnegs: room.subarray(OPTIONS_END, SUBNEGS_END),
      negotiations: 0,
      negotiationEmitted: false,
      environ: [],
      serverLine: room.subarray(SUBNEGS_END, SERVER_LINE_END),
      serverLineLength: 0,
      serverLineFresh: false,
      banner: [],
      bannerDone: false,
      client: new LineEditor(room.subarray(SERVER_LINE_END)),
      prompt: undefined,
      awaitingOutcome: false,
      outcome: NO_BYTES,
      outcomeLength: 0,
      attempts: 0,
    };
  }

  /** Split b[off, end) into text runs and IAC sequences; returns where an incomplete sequence starts. */
  function scan(s: TelnetState, dir: Dir, b: Uint8Array, off: number, end: number, ctx: AppContext): number {
    const stop = scanRuns(s, dir, b, off, end, ctx);
    if (runsEnd > 0) serverRuns(s, b);
    return stop;
  }

  function scanRuns(s: TelnetState, dir: Dir, b: Uint8Array, off: number, end: number, ctx: AppContext): number {
    while (off < end) {
      // An IAC right at `off` (negotiations back to back, 0xff runs in binary output) without a call of findByte.
      let iac = b[off] === IAC ? off : findByte.call(b, IAC, off) as number;
      if (iac < 0 || iac >= end) iac = end;
      if (iac > off) text(s, dir, b, off, iac, ctx);
      if (iac === end) return end;
      const used = command(s, dir, b, iac, end, ctx);
      if (used < 0) return iac;
      off = iac + used;
    }
    return off;
  }

  return {
    name: 'telnet',
    transports: ['tcp'],
    ports: [23, 2323],
    probe: probeTelnet,
    newState,
    data(s, dir, bytes, ctx) {
      const pending = s.pending[dir];
      let pos = 0;
      // Complete a buffered IAC sequence first (bounded: the parser gives up past maxSubneg).
      while (pending.length > 0 && pos < bytes.length) {
        const n = Math.min(bytes.length - pos, pending.cap - pending.length);
        if (n === 0) {
          pending.clear();
          break;
        }
        pending.append(bytes.subarray(pos, pos + n));
        pos += n;
        const joined = pending.view().slice();
        pending.clear();
        const stop = scan(s, dir, joined, 0, joined.length, ctx);
        if (stop < joined.length) pending.append(joined.subarray(stop));
      }
      if (pending.length === 0 && pos < bytes.length) {
        const stop = scan(s, dir, bytes, pos, bytes.length, ctx);
        if (stop < bytes.length) pending.append(bytes.subarray(stop));
      }
      if (dir === 1) serverChecks(s, ctx);
    },
    gap(s, dir) {
      s.pending[dir].clear();
    },
    end(s, ctx) {
      if (s.username !== undefined || s.password !== undefined) emitLogin(s, ctx, undefined);
      emitNegotiation(s, ctx);
      emitBanner(s, ctx);
    },
    events,
    anomalies,
  };
}

export const telnet: AppProtocol<TelnetState> = createTelnet();
