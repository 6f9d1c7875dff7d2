/**
 * Terminal text heuristics for telnet logins: cleaning server output (ANSI escapes, control bytes),
 * recognising login / password / shell prompts and the server's verdict after a password.
 * Pure functions on bounded inputs.
 * @module
 */

const utf8 = new TextDecoder('utf-8');
const ESC = 0x1b;
const BEL = 0x07;
let scratch = new Uint8Array(4096);
/** Set by terminalBytes: every byte it wrote is ASCII. */
let scratchAscii = true;

/**
 * Node's Buffer#latin1Slice, which takes any Uint8Array: the string of b[start, end) with no view made. Of ASCII
 * bytes it is exactly what TextDecoder('utf-8') gives.
 */
const latin1Slice = (Buffer.prototype as unknown as { latin1Slice(this: Uint8Array, start: number, end: number): string }).latin1Slice;

/**
 * The UTF-8 text of b[0, n), as TextDecoder('utf-8') decodes it. `ascii`: the caller knows every byte is below
 * 0x80. Terminal prompts, verdicts and typed credentials are short ASCII: a char-code loop for the shortest
 * (user names, passwords) and latin1Slice otherwise, without a subarray per call, cost about half of
 * TextDecoder#decode on its view (which was 2 % of the Mirai benchmark's time).
 */
function decodeHead(b: Uint8Array, n: number, ascii: boolean): string {
  if (!ascii) return utf8.decode(b.subarray(0, n));
  if (n > 8) return latin1Slice.call(b, 0, n);
  let s = '';
  for (let i = 0; i < n; i++) s += String.fromCharCode(b[i]);
  return s;
}

/**
 * Printable text of terminal output in b[start, end): ANSI CSI / OSC / two-byte escapes removed, CR and
 * other control bytes dropped, LF kept, TAB as a space.
 */
export function terminalText(b: Uint8Array, start: number, end: number): string {
  const n = terminalBytes(b, start, end);
  return decodeHead(scratch, n, scratchAscii);
}

/** terminalText's bytes, before decoding: written to `scratch`, their count returned (scratchAscii set). */
function terminalBytes(b: Uint8Array, start: number, end: number): number {
  if (scratch.length < end - start) scratch = new Uint8Array(Math.max(end - start, scratch.length * 2));
  const out = scratch; // read before the next call: one buffer for every call

  let high = 0;
  let n = 0;
  for (let i = start; i < end; i++) {
    const c = b[i];
    if (c === ESC) {
      const kind = i + 1 < end ? b[i + 1] : 0;
      if (kind === 0x5b) {
        // CSI: parameters then one final byte 0x40..0x7e.
        i += 2;
        while (i < end && (b[i] < 0x40 || b[i] > 0x7e)) i++;
      } else if (kind === 0x5d) {
        // OSC: up to BEL or ESC '\'.
        i += 2;
        while (i < end && b[i] !== BEL && !(b[i] === ESC && i + 1 < end && b[i + 1] === 0x5c)) i++;
        if (i < end && b[i] === ESC) i++;
      } else {
        i++;
      }
      continue;
    }
    if (c === 0x0a) out[n++] = c;
    else if (c === 0x09) out[n++] = 0x20;
    else if (c >= 0x20 && c !== 0x7f) {
      out[n++] = c;
      high |= c;
    }
  }
  scratchAscii = high < 0x80;
  return n;
}

export type PromptKind = 'username' | 'password' | 'shell';

const usernamePrompt = /(?:login|username|user name)\s*:\s*$/i;
const passwordPrompt = /(?:password|passcode)\s*:\s*$/i;
/** Shell prompts end in $, #, > or % (optionally one space), after something (user@host, path, router name). */
const shellPrompt = /\S[$#>%] ?$/;

const promptEnds = new Uint8Array(256);
for (const c of ':$#>%') promptEnds[c.charCodeAt(0)] = 1;
/**
 * Last bytes of the UTF-8 forms of the non-ASCII characters String.prototype.trim removes (U+00A0, U+1680,
 * U+2000–200A, U+2028, U+2029, U+202F, U+205F, U+3000, U+FEFF).
 */
const unicodeSpaceEnds = new Uint8Array(256);
for (const c of [0xa0, 0x80, 0x81, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88, 0x89, 0x8a, 0xa8, 0xa9, 0xaf, 0x9f, 0xbf]) unicodeSpaceEnds[c] = 1;

/**
 * False when `promptKind(terminalText(b, 0, length).trim())` is surely undefined, read from the bytes without
 * decoding: every prompt ends in ':' or one of $#>% before trailing whitespace. An ASCII byte decodes to itself
 * (also after invalid UTF-8), so the last printable byte, when ASCII, is the trimmed line's last character; a
 * non-ASCII one ends a character (or U+FFFD) that can only be trimmed away if it ends a Unicode space, the one
 * case left to the full check (with a prompt character).
 */
export function mayBePrompt(b: Uint8Array, length: number): boolean {
  if (length === 0) return false;
  let bytes = b;
  let n = length;
  // Escape sequences hide the bytes they span: strip them first (still no decoding).
  if (b.lastIndexOf(ESC, length - 1) >= 0) {
    n = terminalBytes(b, 0, length);
    bytes = scratch;
  }
  for (let i = n - 1; i >= 0; i--) {
    const c = bytes[i];
    if (c <= 0x20 || c === 0x7f) continue; // control bytes are dropped, spaces (and TAB, LF) trimmed
    return c >= 0x80 ? unicodeSpaceEnds[c] === 1 : promptEnds[c] === 1;
  }
  return false;
}

/** Kind of prompt the last line of server output is, if any. */
export function promptKind(line: string): PromptKind | undefined {
  if (usernamePrompt.test(line)) return /last\s+login\s*:\s*$/i.test(line) ? undefined : 'username';
  if (passwordPrompt.test(line)) return 'password';
  if (shellPrompt.test(line) || /^[$#>%] ?$/.test(line)) return 'shell';
  return undefined;
}

const failureWords = /incorrect|failed|failure|invalid|denied|bad password|not allowed/i;
const successWords = /last login|welcome|busybox|built-in shell/i;

/**
 * Verdict of the server output that follows a password: false when it reports a failure (first) or asks
 * for credentials again, true on a login banner or a shell prompt, undefined while undecided.
 */
export function loginOutcome(text: string): boolean | undefined {
  const fail = text.search(failureWords);
  const good = text.search(successWords);
  if (fail >= 0 && (good < 0 || fail < good)) return false;
  if (good >= 0) return true;
  const nl = text.lastIndexOf('\n');
  const last = text.slice(nl + 1);
  const kind = promptKind(last);
  if (kind === 'username' || kind === 'password') return false;
  if (kind === 'shell') return true;
  return undefined;
}

/** Lines typed by a client: bounded, with terminal editing applied (BS/DEL, ^U, ^W). */
export class LineEditor {
  private readonly buf: Uint8Array;
  private len = 0;
  /** The current line went past the cap (reported once per line). */
  overflowed = false;
  /** The previous byte was CR: a following NUL or LF belongs to the same line end. */
  private afterCR = false;

  /** `room`: the cap, or the buffer to keep the line in (its length is the cap: a view of a flow's state buffer). */
  constructor(room: number | Uint8Array) {
    this.buf = typeof room === 'number' ? new Uint8Array(room) : room;
  }

  /**
   * Feed one byte. Returns 'line' when a line ended (read it with `take()`), 'overflow' the first time
   * the line exceeds the cap, otherwise undefined.
   */
  push(c: number): 'line' | 'overflow' | undefined {
    if (this.afterCR) {
      this.afterCR = false;
      if (c === 0x00 || c === 0x0a) return undefined;
    }
    if (c === 0x0d) {
      this.afterCR = true;
      return 'line';
    }
    if (c === 0x0a) return 'line';
    if (c === 0x08 || c === 0x7f) {
      if (this.len > 0) this.len--;
      return undefined;
    }
    if (c === 0x15 || c === 0x03) {
      // ^U kills the line; ^C abandons it.
      this.len = 0;
      return undefined;
    }
    if (c === 0x17) {
      // ^W: delete the previous word.
      while (this.len > 0 && this.buf[this.len - 1] === 0x20) this.len--;
      while (this.len > 0 && this.buf[this.len - 1] !== 0x20) this.len--;
      return undefined;
    }
    if (c < 0x20) return undefined;
    if (this.len >= this.buf.length) {
      if (this.overflowed) return undefined;
      this.overflowed = true;
      return 'overflow';
    }
    this.buf[this.len++] = c;
    return undefined;
  }

  /** The finished line's text; resets the editor for the next line. */
  take(): string {
    let high = 0;
    for (let i = 0; i < this.len; i++) high |= this.buf[i];
    const text = decodeHead(this.buf, this.len, high < 0x80);
    this.len = 0;
    this.overflowed = false;
    return text;
  }

  /** Drop the finished line unread (take() without its text). */
  discard(): void {
    this.len = 0;
    this.overflowed = false;
  }

  get length(): number {
    return this.len;
  }
}
