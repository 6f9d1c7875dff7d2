/**
 * ICMP and ICMPv6 headers, including ICMPv6 neighbour discovery (RS, RA, NS, NA, redirect): target address
 * and the first source/target link-layer address option.
 * @module
 */
import type { PacketView } from './packet-view.ts';
import { A } from './anomalies.ts';
import { u16 } from './bytes.ts';

const ICMP_HLEN = 8;

export const Icmp6Type = { ECHO_REQUEST: 128, ECHO_REPLY: 129, RS: 133, RA: 134, NS: 135, NA: 136, REDIRECT: 137 } as const;

/** ICMPv4 types whose bytes 4..5 are an identifier (echo, timestamp, information, address mask). */
function icmp4HasId(type: number): boolean {
  return type === 0 || type === 8 || (type >= 13 && type <= 18);
}

export function decodeIcmp(view: PacketView, off: number, declaredEnd: number, capEnd: number): void {
  if (declaredEnd - off < ICMP_HLEN) {
    view.anomaly(A.icmpTruncated);
    return;
  }
  if (capEnd - off < ICMP_HLEN) return;
  const d = view.data;
  setIcmpCommon(view, off, capEnd);
  if (icmp4HasId(view.icmpType)) view.icmpId = u16(d, off + 4);
}

export function decodeIcmpv6(view: PacketView, off: number, declaredEnd: number, capEnd: number): void {
  // Every ICMPv6 message has at least 4 bytes of header plus 4 of body (RFC 4443).
  if (declaredEnd - off < ICMP_HLEN) {
    view.anomaly(A.icmpv6Truncated);
    return;
  }
  if (capEnd - off < ICMP_HLEN) return;
  const d = view.data;
  setIcmpCommon(view, off, capEnd);
  const type = view.icmpType;
  if (type === Icmp6Type.ECHO_REQUEST || type === Icmp6Type.ECHO_REPLY) {
    view.icmpId = u16(d, off + 4);
    return;
  }
  if (type < Icmp6Type.RS || type > Icmp6Type.REDIRECT) return;
  const optStart = ndOptionsStart(type, off);
  if (optStart > capEnd) {
    if (optStart > declaredEnd) view.anomaly(A.icmpv6Truncated);
    return;
  }
  if (type === Icmp6Type.NS || type === Icmp6Type.NA || type === Icmp6Type.REDIRECT) view.ndTargetOff = off + 8;
  decodeNdOptions(view, d, optStart, capEnd);
}

function setIcmpCommon(view: PacketView, off: number, capEnd: number): void {
  view.l4Off = off;
  view.l4HeaderLen = ICMP_HLEN;
  view.icmpType = view.data[off];
  view.icmpCode = view.data[off + 1];
  view.payloadOff = off + ICMP_HLEN;
  view.payloadLen = capEnd - off - ICMP_HLEN;
}

/** Where the options begin (RFC 4861 section 4). */
function ndOptionsStart(type: number, off: number): number {
  switch (type) {
    case Icmp6Type.RS:
      return off + 8;
    case Icmp6Type.RA:
      return off + 16;
    case Icmp6Type.REDIRECT:
      return off + 40;
    default:
      return off + 24; // NS, NA: 4 reserved/flags + 16 target
  }
}

/** Options are whole multiples of 8 bytes, so the walk is bounded by the message length / 8. */
function decodeNdOptions(view: PacketView, d: Uint8Array, o: number, end: number): void {
  while (o + 2 <= end) {
    const type = d[o];
    const len = d[o + 1] * 8;
    if (len === 0 || o + len > end) {
      view.anomaly(A.icmpv6BadNdOption);
      return;
    }
    if ((type === 1 || type === 2) && view.ndLlAddrOff < 0 && len >= 8) {
      view.ndLlAddrOff = o + 2;
      view.ndLlOptType = type;
    }
    o += len;
  }
}
