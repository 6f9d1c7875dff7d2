/**
 * Telnet command parsing (RFC 854/855): IAC sequences (option verbs, subnegotiation, single commands) and
 * the subnegotiation payloads worth keeping as facts (TTYPE, NAWS, TSPEED, XDISPLOC, NEW-ENVIRON).
 * Pure functions over an offset pair of the stream; never throw.
 * @module
 */
import { incomplete, invalid, ok } from '../types.ts';
import type { Parsed } from '../types.ts';
import { latin1 as latin1Text } from '../text.ts';

export const IAC = 0xff;
export const DONT = 0xfe;
export const DO = 0xfd;
export const WONT = 0xfc;
export const WILL = 0xfb;
export const SB = 0xfa;
export const SE = 0xf0;

export const Option = {
  BINARY: 0, ECHO: 1, SGA: 3, STATUS: 5, TIMING_MARK: 6, TTYPE: 24, NAWS: 31, TSPEED: 32, LFLOW: 33,
  LINEMODE: 34, XDISPLOC: 35, ENVIRON: 36, AUTHENTICATION: 37, ENCRYPT: 38, NEW_ENVIRON: 39,
} as const;

const optionNames: Record<number, string> = {
  0: 'BINARY', 1: 'ECHO', 3: 'SGA', 5: 'STATUS', 6: 'TIMING-MARK', 24: 'TTYPE', 31: 'NAWS', 32: 'TSPEED',
  33: 'LFLOW', 34: 'LINEMODE', 35: 'XDISPLOC', 36: 'ENVIRON', 37: 'AUTHENTICATION', 38: 'ENCRYPT',
  39: 'NEW-ENVIRON', 44: 'COM-PORT', 255: 'EXOPL',
};

/** Display name of an option code ('TTYPE', ...) or its number. */
export function optionName(code: number): string {
  return optionNames[code] ?? String(code);
}

export type TelnetCommand =
  /** WILL / WONT / DO / DONT `option`. */
  | { kind: 'option'; verb: number; option: number }
  /** SB option ... IAC SE; data in [dataStart, dataEnd) with IAC IAC still doubled. */
  | { kind: 'subneg'; option: number; dataStart: number; dataEnd: number }
  /** IAC IAC: one data byte 0xff. */
  | { kind: 'data255' }
  /** Any other two-byte command (NOP, AYT, IP, GA, ...). */
  | { kind: 'command'; code: number };

/**
 * The IAC sequence starting at `off` (b[off] must be IAC). A subnegotiation longer than `maxSubneg`
 * bytes without IAC SE is invalid (bounded buffering); so is IAC followed by a non-command byte.
 */
export function parseIacCommand(b: Uint8Array, off: number, end: number, maxSubneg = 512): Parsed<TelnetCommand> {
  if (end - off < 2) return incomplete(2);
  const cmd = b[off + 1];
  if (cmd === IAC) return ok({ kind: 'data255' }, 2);
  if (cmd >= WILL) {
    if (end - off < 3) return incomplete(3);
    return ok({ kind: 'option', verb: cmd, option: b[off + 2] }, 3);
  }
  if (cmd === SB) {
    if (end - off < 3) return incomplete(3);
    const dataStart = off + 3;
    const limit = Math.min(end, dataStart + maxSubneg + 2);
    for (let i = dataStart; i < limit; i++) {
      if (b[i] !== IAC) continue;
      if (i + 1 >= end) return incomplete();
      const next = b[i + 1];
      if (next === SE) return ok({ kind: 'subneg', option: b[off + 2], dataStart, dataEnd: i }, i + 2 - off);
      if (next !== IAC) return invalid('app.telnet.bad_subneg');
      i++;
    }
    return limit < dataStart + maxSubneg + 2 ? incomplete() : invalid('app.telnet.bad_subneg');
  }
  if (cmd < SE) return invalid('app.telnet.bad_command');
  return ok({ kind: 'command', code: cmd }, 2);
}

/** Subnegotiation data with IAC IAC undoubled (a copy; bounded by the subnegotiation cap). */
export function subnegData(b: Uint8Array, start: number, end: number): Uint8Array {
  const out = new Uint8Array(end - start);
  let n = 0;
  for (let i = start; i < end; i++) {
    out[n++] = b[i];
    if (b[i] === IAC && i + 1 < end && b[i + 1] === IAC) i++;
  }
  return out.subarray(0, n);
}

const latin1 = latin1Text;
const SUB_IS = 0;

/** TTYPE / TSPEED / XDISPLOC "IS <text>" (RFC 1091, 1079, 1096): the text, or undefined for SEND. */
export function parseIsText(data: Uint8Array): string | undefined {
  if (data.length < 1 || data[0] !== SUB_IS) return undefined;
  return latin1.decode(data.subarray(1));
}

/** NAWS (RFC 1073): width and height, 16 bits each. */
export function parseNaws(data: Uint8Array): Parsed<{ width: number; height: number }> {
  if (data.length !== 4) return invalid('app.telnet.bad_subneg');
  return ok({ width: (data[0] << 8) | data[1], height: (data[2] << 8) | data[3] }, 4);
}

/** Variables per NEW-ENVIRON message kept (bounded). */
export const MAX_ENVIRON = 8;

/**
 * NEW-ENVIRON / ENVIRON "IS" or "INFO" (RFC 1572): "NAME=value" strings (VAR 0 / USERVAR 3 name, VALUE 1,
 * ESC 2 quoting the next byte). SEND requests (1) carry no values and return [].
 */
export function parseEnviron(data: Uint8Array): string[] {
  const out: string[] = [];
  if (data.length < 1 || (data[0] !== 0 && data[0] !== 2)) return out;
  let name = '';
  let value: string | undefined;
  let inValue = false;
  let started = false;
  const flush = () => {
    if (started && out.length < MAX_ENVIRON) out.push(value === undefined ? name : `${name}=${value}`);
    name = '';
    value = undefined;
    inValue = false;
  };
  for (let i = 1; i < data.length; i++) {
    const c = data[i];
    if (c === 0 || c === 3) {
      flush();
      started = true;
    } else if (c === 1) {
      inValue = true;
      value = '';
    } else {
      const ch = String.fromCharCode(c === 2 && i + 1 < data.length ? data[++i] : c);
      if (inValue) value += ch;
      else name += ch;
    }
  }
  flush();
  return out;
}
