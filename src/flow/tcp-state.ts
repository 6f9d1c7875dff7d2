/**
 * TCP connection state as a set of event bits per flow (one Uint16 per slot), and the TcpState derived from them.
 * Bits record what was seen, relative to the flow's originator; the state is computed only when asked.
 * @module
 */
import { TcpFlag } from '../decode/packet-view.ts';
import type { TcpState } from './types.ts';

export const TcpBit = {
  /** SYN without ACK from the originator. */
  SYN_ORIG: 0x001,
  /** SYN+ACK from the responder. */
  SYNACK_RESP: 0x002,
  /** ACK from the originator after the responder's SYN+ACK: handshake complete. */
  HANDSHAKE_DONE: 0x004,
  FIN_ORIG: 0x008,
  FIN_RESP: 0x010,
  RST_ORIG: 0x020,
  RST_RESP: 0x040,
  /** SYN without ACK from the responder (simultaneous open, or odd traffic). */
  SYN_RESP: 0x080,
  /** SYN+ACK from the originator (odd: the orig rule makes a first SYN+ACK's receiver the originator). */
  SYNACK_ORIG: 0x100,
  /** Both FINs were seen before any RST. */
  CLOSED_CLEAN: 0x200,
} as const;

const FIN_BOTH = TcpBit.FIN_ORIG | TcpBit.FIN_RESP;
const RST_ANY = TcpBit.RST_ORIG | TcpBit.RST_RESP;

/** New bits after a segment with `flags` from `dir` (0 = originator). */
export function tcpBitsUpdate(bits: number, dir: number, flags: number): number {
  let b = bits;
  if (flags & TcpFlag.RST) b |= dir === 0 ? TcpBit.RST_ORIG : TcpBit.RST_RESP;
  if (flags & TcpFlag.SYN) {
    if (flags & TcpFlag.ACK) b |= dir === 0 ? TcpBit.SYNACK_ORIG : TcpBit.SYNACK_RESP;
    else b |= dir === 0 ? TcpBit.SYN_ORIG : TcpBit.SYN_RESP;
  } else if ((flags & TcpFlag.ACK) && dir === 0 && (b & TcpBit.SYNACK_RESP)) {
    b |= TcpBit.HANDSHAKE_DONE;
  }
  if (flags & TcpFlag.FIN) b |= dir === 0 ? TcpBit.FIN_ORIG : TcpBit.FIN_RESP;
  if ((b & FIN_BOTH) === FIN_BOTH && !(b & RST_ANY)) b |= TcpBit.CLOSED_CLEAN;
  return b;
}

/** True once the connection is over (both FINs or a RST): the flow then ends after the linger time. */
export function tcpIsClosing(bits: number): boolean {
  return (bits & RST_ANY) !== 0 || (bits & FIN_BOTH) === FIN_BOTH;
}

/** True when a RST (not a clean FIN exchange) ended the connection. */
export function tcpWasReset(bits: number): boolean {
  return (bits & RST_ANY) !== 0 && !(bits & TcpBit.CLOSED_CLEAN);
}

/** The state names of types.ts, derived from the bits. */
export function tcpStateOf(bits: number): TcpState {
  const syn = (bits & TcpBit.SYN_ORIG) !== 0;
  const synAck = (bits & TcpBit.SYNACK_RESP) !== 0;
  if (!syn && !synAck) return 'midstream';
  if (!synAck) return bits & TcpBit.RST_RESP ? 'rejected' : 'unanswered_syn';
  if (bits & TcpBit.CLOSED_CLEAN) return bits & TcpBit.HANDSHAKE_DONE ? 'closed' : 'half_open';
  if (bits & RST_ANY) return 'reset';
  return bits & TcpBit.HANDSHAKE_DONE ? 'established' : 'half_open';
}

/** The letters of each of the 256 flag unions, built once: a flow record names two, no string is built per record. */
const flagsTexts: readonly string[] = Array.from({ length: 256 }, (_, flags) => {
  const letters = 'FSRPAUEC';
  let s = '';
  for (let i = 0; i < 8; i++) if (flags & (1 << i)) s += letters[i];
  return s;
});

/** "FSRPAUEC"-ordered letters of a TCP flags union. */
export function tcpFlagsString(flags: number): string {
  return flagsTexts[flags & 0xff];
}
