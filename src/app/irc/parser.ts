/**
 * IRC message parsing (RFC 1459 §2.3.1, RFC 2812 §2.3.1): [":" prefix SPACE] command *14(SPACE middle)
 * [SPACE ":" trailing] CRLF. Lines end at LF (CR optional). Pure; never throws.
 * @module
 */
import { incomplete, invalid, ok } from '../types.ts';
import type { Parsed } from '../types.ts';
import { utf8 as utf8Text } from '../text.ts';

/** RFC limit for a message including CRLF. Longer lines are accepted up to the caller's cap, flagged. */
export const RFC_MAX_LINE = 512;
/** RFC 2812: at most 15 parameters (14 middle + trailing). */
export const MAX_PARAMS = 15;

const utf8 = utf8Text;

export interface IrcMessage {
  prefix?: string;
  /** Command upper-cased, or a three-digit numeric reply. Empty for a blank line. */
  command: string;
  /** Middle parameters (the trailing one is separate). */
  params: string[];
  trailing?: string;
  /** Longer than the RFC's 512 bytes (accepted up to the cap). */
  overLong: boolean;
}

const commandPattern = /^(?:[A-Za-z]+|\d{3})$/;

/** One message line at `off`. A line longer than `maxLine` bytes is invalid (the caller skips it). */
export function parseMessage(b: Uint8Array, off: number, end: number, maxLine = 4096): Parsed<IrcMessage> {
  const limit = Math.min(end, off + maxLine + 2);
  const lf = b.indexOf(0x0a, off);
  if (lf < 0 || lf >= limit) return limit < off + maxLine + 2 ? incomplete() : invalid('app.irc.line_too_long');
  const stop = lf > off && b[lf - 1] === 0x0d ? lf - 1 : lf;
  const length = lf + 1 - off;
  const line = utf8.decode(b.subarray(off, stop));
  const msg: IrcMessage = { command: '', params: [], overLong: length > RFC_MAX_LINE };
  let rest = line;
  if (rest.startsWith(':')) {
    const sp = rest.indexOf(' ');
    if (sp < 0) return invalid('app.irc.bad_message');
    msg.prefix = rest.slice(1, sp);
    rest = rest.slice(sp + 1);
  }
  rest = rest.replace(/^ +/, '');
  if (rest === '') return msg.prefix === undefined ? ok(msg, length) : invalid('app.irc.bad_message');
  const sp = rest.indexOf(' ');
  const command = sp < 0 ? rest : rest.slice(0, sp);
  if (!commandPattern.test(command)) return invalid('app.irc.bad_message');
  msg.command = command.toUpperCase();
  rest = sp < 0 ? '' : rest.slice(sp + 1);
  while (rest !== '') {
    if (rest.startsWith(':') || msg.params.length === MAX_PARAMS - 1) {
      msg.trailing = rest.startsWith(':') ? rest.slice(1) : rest;
      break;
    }
    const next = rest.indexOf(' ');
    if (next < 0) {
      msg.params.push(rest);
      break;
    }
    if (next > 0) msg.params.push(rest.slice(0, next));
    rest = rest.slice(next + 1);
  }
  return ok(msg, length);
}

/** Commands reported as events (besides numeric replies). */
export const reportedCommands: ReadonlySet<string> = new Set([
  'NICK', 'USER', 'PASS', 'JOIN', 'PART', 'PRIVMSG', 'NOTICE', 'PING', 'PONG', 'MODE', 'TOPIC', 'QUIT', 'KICK',
  'INVITE', 'OPER', 'CAP',
]);

/** True for commands worth an irc.message event: the set above and every numeric reply. */
export function isReported(command: string): boolean {
  return reportedCommands.has(command) || (command.length === 3 && command >= '000' && command <= '999');
}
