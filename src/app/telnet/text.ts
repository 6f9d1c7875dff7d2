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

/**
 * Printable text of terminal output in b[start, end): ANSI CSI / OSC / two-byte escapes removed, CR and
 * other control bytes dropped, LF kept, TAB as a space.
 */
export function terminalText(b: Uint8Array, start: number, end: number): string {
  if (scratch.length < end - start) scratch = new Uint8Array(Math.max(end - start, scratch.length * 2));
  const out = scratch; // decoded before the next call: one buffer for every call

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
    else if (c >= 0x20 && c !== 0x7f) out[n++] = c;
  }
  return utf8.decode(out.subarray(0, n));
}

export type PromptKind = 'username' | 'password' | 'shell';

const usernamePrompt = /(?:login|username|user name)\s*:\s*$/i;
const passwordPrompt = /(?:password|passcode)\s*:\s*$/i;
/** Shell prompts end in $, #, > or % (optionally one space), after something (user@host, path, router name). */
const shellPrompt = /\S[$#>%] ?$/;

const promptEnds = new Uint8Array(256);
for (const c of ':$#>%') promptEnds[c.charCodeAt(0)] = 1;

/**
 * False when `promptKind(terminalText(b, 0, length).trim())` is surely undefined, read from the bytes without
 * decoding: every prompt ends in ':' or one of $#>% before trailing whitespace. An ASCII byte decodes to itself
 * (also after invalid UTF-8), so the last printable ASCII byte is the line's last character; escape sequences
 * (which can hide bytes) and non-ASCII last characters (which may be Unicode whitespace) are left to the full check.
 */
export function mayBePrompt(b: Uint8Array, length: number): boolean {
  if (length === 0) return false;
  if (b.lastIndexOf(ESC, length - 1) >= 0) return true;
  for (let i = length - 1; i >= 0; i--) {
    const c = b[i];
    if (c <= 0x20 || c === 0x7f) continue; // control bytes are dropped, spaces (and TAB, LF) trimmed
    if (c >= 0x80) return true;
    return promptEnds[c] === 1;
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

  constructor(cap: number) {
    this.buf = new Uint8Array(cap);
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
    const text = utf8.decode(this.buf.subarray(0, this.len));
    this.len = 0;
    this.overflowed = false;
    return text;
  }

  get length(): number {
    return this.len;
  }
}
