/**
 * Flow-export stage contract: one flow record as an exporter (router, softflowd, pflow) described it,
 * before it becomes a FlowRecord, and the outcome type of the stage's pure parsers.
 * @module
 */

export type ExportProtocol = 'netflow5' | 'netflow9' | 'ipfix';

/** Outcome of a parser: a value and the bytes it used, more bytes needed, or invalid with a named anomaly. */
export type Parsed<T> =
  | { status: 'ok'; value: T; length: number }
  | { status: 'incomplete'; needed?: number }
  | { status: 'invalid'; anomaly: string };

export const ok = <T>(value: T, length: number): Parsed<T> => ({ status: 'ok', value, length });
export const invalid = <T>(anomaly: string): Parsed<T> => ({ status: 'invalid', anomaly });

/** Where an export datagram came from and when it arrived (capture frame or live socket). */
export interface DatagramMeta {
  /** Exporter address (the datagram's source IP). */
  exporter: string;
  /** Arrival time, seconds since the Unix epoch (capture timestamp, or receive time for a live socket). */
  ts: number;
  /** Capture file or listening address the datagram came from. */
  file: string;
  /** 1-based frame number in the capture, or datagram number on a socket: the evidence reference. */
  packet: number;
}

/** One decoded flow record: one direction, or both for bidirectional (RFC 5103, NSEL) records. */
export interface ExportedFlow {
  protocol: ExportProtocol;
  exporter: string;
  /** IPFIX observation domain, v9 source id, v5 engine type << 8 | engine id. */
  domain: number;
  /** Template the record was decoded with (0 for v5). */
  templateId: number;
  ipVersion: 4 | 6;
  srcIp: string;
  dstIp: string;
  srcPort: number;
  dstPort: number;
  /** IP protocol number. */
  proto: number;
  /** ICMP type and code (when the exporter gave them), -1 otherwise. */
  icmpType: number;
  icmpCode: number;
  /** Counters as exported, then multiplied by `sampling`. */
  packets: number;
  bytes: number;
  /** Reverse-direction counters of a bidirectional record (0 for one-way records). */
  revPackets: number;
  revBytes: number;
  biflow: boolean;
  /** Union of TCP flags (FSRPAUEC bits), 0 when not exported. */
  tcpFlags: number;
  revTcpFlags: number;
  /** Whether the template carried TCP flags at all (absent flags are unknown, not "none"). */
  hasTcpFlags: boolean;
  /** First and last packet time, milliseconds since the Unix epoch. */
  startMs: number;
  endMs: number;
  /** Packet sampling interval applied to the counters (1 = unsampled). */
  sampling: number;
  /** Community ID v1 of the 5-tuple (direction-independent, so stitching keeps it). */
  communityId: string;
  srcMac?: string;
  dstMac?: string;
  vlan?: number;
  file: string;
  packet: number;
  /** Arrival time of the datagram, seconds. */
  ts: number;
}
