/**
 * Transport dispatch (TCP, UDP, ICMP, ICMPv6) and the UDP header.
 * @module
 */
import { IpProto, type PacketView } from './packet-view.ts';
import { A } from './anomalies.ts';
import { u16 } from './bytes.ts';
import { decodeTcp } from './tcp.ts';
import { decodeIcmp, decodeIcmpv6 } from './icmp.ts';

const UDP_HLEN = 8;

/**
 * Decode the upper-layer header at `off`. `declaredEnd` is the datagram end per the IP header, `capEnd` the
 * end of captured bytes (both already clamped: capEnd <= declaredEnd).
 */
export function decodeTransport(view: PacketView, proto: number, off: number, declaredEnd: number, capEnd: number): void {
  switch (proto) {
    case IpProto.TCP:
      decodeTcp(view, off, declaredEnd, capEnd);
      return;
    case IpProto.UDP:
      decodeUdp(view, off, declaredEnd, capEnd);
      return;
    case IpProto.ICMP:
      decodeIcmp(view, off, declaredEnd, capEnd);
      return;
    case IpProto.ICMPV6:
      decodeIcmpv6(view, off, declaredEnd, capEnd);
      return;
  }
}

export function decodeUdp(view: PacketView, off: number, declaredEnd: number, capEnd: number): void {
  if (declaredEnd - off < UDP_HLEN) {
    view.anomaly(A.udpTruncated);
    return;
  }
  if (capEnd - off < UDP_HLEN) return;
  const d = view.data;
  view.l4Off = off;
  view.l4HeaderLen = UDP_HLEN;
  view.srcPort = u16(d, off);
  view.dstPort = u16(d, off + 2);
  const udpLen = u16(d, off + 4);
  let end = declaredEnd;
  if (udpLen < UDP_HLEN || off + udpLen > declaredEnd) view.anomaly(A.udpBadLength);
  else end = off + udpLen;
  if (end > capEnd) end = capEnd;
  view.payloadOff = off + UDP_HLEN;
  view.payloadLen = end - off - UDP_HLEN;
}
