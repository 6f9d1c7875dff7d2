/**
 * The decoded view of one packet: offsets and numbers, overwritten for every packet (no per-packet objects).
 * Decoders fill it; the flow engine and the pipeline read it. Nothing here is kept past the packet.
 * @module
 */

/** Network layer found in the packet. */
export const L3 = { NONE: 0, IPV4: 4, IPV6: 6, ARP: 1 } as const;

/** IP protocol numbers the decoders understand. */
export const IpProto = { ICMP: 1, IGMP: 2, TCP: 6, UDP: 17, GRE: 47, ICMPV6: 58, SCTP: 132 } as const;

/** TCP flag bits as in the header's flags byte (plus ECE/CWR). */
export const TcpFlag = { FIN: 0x01, SYN: 0x02, RST: 0x04, PSH: 0x08, ACK: 0x10, URG: 0x20, ECE: 0x40, CWR: 0x80 } as const;

export const MAX_ANOMALIES_PER_PACKET = 8;
export const MAX_VLAN_TAGS = 2;

export class PacketView {
  /** Bytes being decoded: the capture record's buffer, or a reassembled datagram after IP defragmentation. */
  data: Uint8Array = new Uint8Array(0);
  /** End of captured bytes in `data` (exclusive). */
  end = 0;
  linkType = 0;

  // --- link layer ---
  /** Offset of the Ethernet header, or -1 when the link has none (raw IP, SLL has a pseudo header). */
  ethOff = -1;
  /** Offsets of 6-byte source/destination MACs in `data`, or -1 when the link gives none. */
  srcMacOff = -1;
  dstMacOff = -1;
  /** EtherType after VLAN tags (0 when none). */
  etherType = 0;
  vlanCount = 0;
  /** Outer-first VLAN ids (12 bits). */
  readonly vlanIds = new Uint16Array(MAX_VLAN_TAGS);

  // --- network layer ---
  /** One of L3. */
  l3 = 0;
  l3Off = 0;
  /** Header length including options / extension headers. */
  l3HeaderLen = 0;
  ttl = 0;
  /** IP protocol (IPv6: the upper-layer protocol after extension headers). */
  ipProto = 0;
  /** IPv4 addresses as unsigned 32-bit numbers. */
  src4 = 0;
  dst4 = 0;
  /** IPv4 identification, DF flag; IPv6 fragment id. */
  ipId = 0;
  dontFragment = false;
  /** True when this packet is a fragment not (yet) reassembled: no L4 decode was done. */
  isFragment = false;
  /** True when this view holds a datagram reassembled from fragments. */
  reassembled = false;
  /** IPv6 addresses: offsets of 16 bytes in `data` (valid when l3 === IPV6). */
  src6Off = 0;
  dst6Off = 0;
  ipv6FlowLabel = 0;
  /** Length of the IP datagram per its header (IPv4 total length, IPv6 40 + payload length). */
  ipTotalLen = 0;
  /** Fragment offset in bytes and more-fragments flag of this packet (IPv4 header or IPv6 fragment header). */
  fragOffset = 0;
  moreFragments = false;

  // --- ARP (l3 === ARP) ---
  arpOp = 0;
  arpSenderMacOff = 0;
  arpSenderIp = 0;
  arpTargetMacOff = 0;
  arpTargetIp = 0;

  // --- transport layer ---
  /** Offset of the transport header, 0 when not decoded. */
  l4Off = 0;
  l4HeaderLen = 0;
  srcPort = 0;
  dstPort = 0;
  /** TCP */
  tcpFlags = 0;
  seq = 0;
  ack = 0;
  window = 0;
  /** Offset and length of TCP options in `data` (for SYN signatures). */
  tcpOptOff = 0;
  tcpOptLen = 0;
  /** MSS, window scale, SACK permitted, timestamps option present (-1 when absent). */
  tcpMss = -1;
  tcpWscale = -1;
  tcpSackOk = false;
  tcpTimestamp = false;
  /** TCP timestamp option values (unsigned 32-bit), valid when tcpTimestamp. */
  tcpTsVal = 0;
  tcpTsEcr = 0;
  /** ICMP / ICMPv6 type and code; -1 when not ICMP. */
  icmpType = -1;
  icmpCode = -1;
  /** ICMP echo identifier (used as the pseudo-port of ICMP flows). */
  icmpId = 0;

  // --- ICMPv6 neighbour discovery (RS 133, RA 134, NS 135, NA 136) ---
  /** Offset of the 16-byte target address (NS/NA), -1 when none. */
  ndTargetOff = -1;
  /** Offset of the 6-byte link-layer address of the first source/target link-layer address option, -1 when none. */
  ndLlAddrOff = -1;
  /** ND option type that carried it: 1 source link-layer address, 2 target link-layer address; 0 when none. */
  ndLlOptType = 0;

  // --- payload ---
  /** Application payload bounds in `data` (TCP/UDP payload, trimmed to captured bytes). */
  payloadOff = 0;
  payloadLen = 0;

  // --- anomalies ---
  /** Ids of anomalies found while decoding this packet (see the anomaly catalogue). */
  readonly anomalies: string[] = [];

  /** Reset before decoding the next packet. */
  reset(): void {
    this.ethOff = -1;
    this.srcMacOff = -1;
    this.dstMacOff = -1;
    this.etherType = 0;
    this.vlanCount = 0;
    this.l3 = 0;
    this.l3Off = 0;
    this.l3HeaderLen = 0;
    this.ttl = 0;
    this.ipProto = 0;
    this.src4 = 0;
    this.dst4 = 0;
    this.ipId = 0;
    this.dontFragment = false;
    this.isFragment = false;
    this.reassembled = false;
    this.ipTotalLen = 0;
    this.fragOffset = 0;
    this.moreFragments = false;
    this.src6Off = 0;
    this.dst6Off = 0;
    this.ipv6FlowLabel = 0;
    this.arpOp = 0;
    this.arpSenderMacOff = 0;
    this.arpSenderIp = 0;
    this.arpTargetMacOff = 0;
    this.arpTargetIp = 0;
    this.l4Off = 0;
    this.l4HeaderLen = 0;
    this.srcPort = 0;
    this.dstPort = 0;
    this.tcpFlags = 0;
    this.seq = 0;
    this.ack = 0;
    this.window = 0;
    this.tcpOptOff = 0;
    this.tcpOptLen = 0;
    this.tcpMss = -1;
    this.tcpWscale = -1;
    this.tcpSackOk = false;
    this.tcpTimestamp = false;
    this.tcpTsVal = 0;
    this.tcpTsEcr = 0;
    this.icmpType = -1;
    this.icmpCode = -1;
    this.icmpId = 0;
    this.ndTargetOff = -1;
    this.ndLlAddrOff = -1;
    this.ndLlOptType = 0;
    this.payloadOff = 0;
    this.payloadLen = 0;
    if (this.anomalies.length !== 0) this.anomalies.length = 0; // setting length is slow even when 0
  }

  /** Record an anomaly (bounded per packet). */
  anomaly(id: string): void {
    if (this.anomalies.length < MAX_ANOMALIES_PER_PACKET) this.anomalies.push(id);
  }
}
