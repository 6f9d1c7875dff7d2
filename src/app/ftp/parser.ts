/**
 * FTP control-connection parsing (RFC 959 §4, §5.4): command lines and replies, including multi-line
 * replies ("123-first ... 123 last"). Pure functions over an offset pair; lines end at LF (CR optional).
 * @module
 */
import { incomplete, invalid, ok } from '../types.ts';
import type { Parsed } from '../types.ts';
import { utf8 as utf8Text } from '../text.ts';

const utf8 = utf8Text;

/** End of the line starting at `off`: index of its LF (exclusive end of text is before any CR). */
export function lineEnd(b: Uint8Array, off: number, end: number, maxLine: number): Parsed<number> {
  const limit = Math.min(end, off + maxLine + 2);
  const lf = b.indexOf(0x0a, off);
  if (lf >= 0 && lf < limit) return ok(lf, lf + 1 - off);
  return limit < off + maxLine + 2 ? incomplete() : invalid('app.ftp.line_too_long');
}

/** Text of b[off, lf) without a trailing CR. */
function lineText(b: Uint8Array, off: number, lf: number): string {
  const stop = lf > off && b[lf - 1] === 0x0d ? lf - 1 : lf;
  return utf8.decode(b.subarray(off, stop));
}

export interface FtpCommand {
  /** Command verb, upper-cased (RFC 959 commands are case-insensitive). */
  command: string;
  /** Argument after the first space, when present. */
  arg?: string;
}

/** One command line "VERB[ arg]" CRLF. Verbs are 3-4 letters (RFC 959); longer or non-letter ones are invalid. */
export function parseCommand(b: Uint8Array, off: number, end: number, maxLine = 2048): Parsed<FtpCommand> {
  const le = lineEnd(b, off, end, maxLine);
  if (le.status !== 'ok') return le;
  const lf = le.value;
  // ABOR may be preceded by telnet IP / Synch (IAC 0xf4, IAC 0xf2; RFC 959 §4.1.3): skip those bytes.
  let start = off;
  while (start < lf && b[start] >= 0xf0) start++;
  const line = lineText(b, start, lf);
  const sp = line.indexOf(' ');
  const verb = (sp < 0 ? line : line.slice(0, sp)).toUpperCase();
  if (!/^[A-Z]{3,4}$/.test(verb)) return invalid('app.ftp.bad_command');
  const cmd: FtpCommand = { command: verb };
  if (sp >= 0) cmd.arg = line.slice(sp + 1);
  return ok(cmd, le.length);
}

export interface FtpReply {
  code: number;
  /** Text of the first line after the code. */
  firstLine: string;
  /** Whole reply text: first line, continuation lines, last line's text, joined by LF (bounded). */
  text: string;
  lineCount: number;
}

/** Characters of reply text kept. */
export const MAX_REPLY_TEXT = 1024;

function replyCode(b: Uint8Array, off: number, lf: number): number {
  if (lf - off < 3) return -1;
  const d0 = b[off] - 0x30;
  const d1 = b[off + 1] - 0x30;
  const d2 = b[off + 2] - 0x30;
  if (d0 < 1 || d0 > 6 || d1 < 0 || d1 > 9 || d2 < 0 || d2 > 9) return -1;
  return d0 * 100 + d1 * 10 + d2;
}

/**
 * One reply at `off`. A multi-line reply ("ddd-") runs to the first line starting with the same code and a
 * space; it must fit in `maxReply` bytes.
 */
export function parseReply(b: Uint8Array, off: number, end: number, maxLine = 2048, maxReply = 16384): Parsed<FtpReply> {
  const first = lineEnd(b, off, end, maxLine);
  if (first.status !== 'ok') return first;
  const lf = first.value;
  const code = replyCode(b, off, lf);
  const sep = lf - off > 3 ? b[off + 3] : 0x20;
  if (code < 0 || (sep !== 0x20 && sep !== 0x2d && sep !== 0x0d)) return invalid('app.ftp.bad_reply');
  const firstLine = lf - off > 4 ? lineText(b, off + 4, lf) : '';
  if (sep !== 0x2d) return ok({ code, firstLine, text: firstLine, lineCount: 1 }, lf + 1 - off);
  let text = firstLine;
  let lines = 1;
  let at = lf + 1;
  while (true) {
    if (at - off > maxReply) return invalid('app.ftp.reply_too_long');
    const capEnd = off + maxReply + 1;
    const le = lineEnd(b, at, Math.min(end, capEnd), maxLine);
    if (le.status === 'invalid') return le;
    if (le.status === 'incomplete') return end >= capEnd ? invalid('app.ftp.reply_too_long') : incomplete();
    const next = le.value;
    lines++;
    const last = replyCode(b, at, next) === code && (next - at === 3 || b[at + 3] === 0x20 || b[at + 3] === 0x0d);
    const piece = last ? (next - at > 4 ? lineText(b, at + 4, next) : '') : lineText(b, at, next);
    if (text.length < MAX_REPLY_TEXT) text = (text + '\n' + piece).slice(0, MAX_REPLY_TEXT);
    at = next + 1;
    if (last) return ok({ code, firstLine, text, lineCount: lines }, at - off);
  }
}
