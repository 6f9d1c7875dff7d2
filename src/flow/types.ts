/**
 * Flow stage contract: the JSON form of a flow record and the reasons a flow ends.
 * @module
 */

export type FlowEndReason = 'idle' | 'active' | 'tcp_closed' | 'tcp_reset' | 'evicted' | 'end_of_input';

/**
 * TCP connection state at flow end (Zeek-like, spelled out):
 * - `unanswered_syn`: SYN(s) from the originator, nothing back (Zeek S0)
 * - `rejected`: SYN answered by RST (REJ)
 * - `half_open`: SYN and SYN-ACK seen, the handshake's final ACK never came (S1 without data)
 * - `established`: three-way handshake completed, not closed
 * - `closed`: established and then FIN from both sides (SF)
 * - `reset`: established (or half open) and then a RST
 * - `midstream`: no SYN seen (capture started inside the connection, or a non-SYN flood/scan)
 */
export type TcpState = 'unanswered_syn' | 'rejected' | 'half_open' | 'established' | 'closed' | 'reset' | 'midstream';

/** JSON form of a flow (`type: "flow"` lines in flows.jsonl). */
export interface FlowRecord {
  type: 'flow';
  flow_id: number;
  /** Unique across runs and sensors (Zeek's `uid` idea); set by the pipeline from its site model. */
  uid?: string;
  community_id: string;
  /** 'tcp' | 'udp' | 'icmp' | 'icmp6' | 'arp' | 'ip-<n>' */
  transport: string;
  ip_version: 4 | 6 | 0;
  orig_ip: string;
  orig_port: number;
  resp_ip: string;
  resp_port: number;
  orig_mac?: string;
  resp_mac?: string;
  vlan?: number[];
  /** Application protocol recognised on the flow ('dns', 'tls', ...), absent when none. */
  app?: string;
  first_ts: number;
  last_ts: number;
  duration: number;
  /** Packets and on-wire frame bytes (original length, as tshark counts) per direction. */
  orig_pkts: number;
  orig_bytes: number;
  resp_pkts: number;
  resp_bytes: number;
  /** Transport payload bytes per direction. */
  orig_payload_bytes: number;
  resp_payload_bytes: number;
  tcp_state?: TcpState;
  /** Union of TCP flags seen from each side, e.g. "SA" / "FPA" (order FSRPAUEC). */
  orig_tcp_flags?: string;
  resp_tcp_flags?: string;
  end_reason: FlowEndReason;
  file: string;
  first_packet: number;
  last_packet: number;
  /**
   * Set when the flow came from an exporter's flow record (NetFlow/IPFIX) instead of packets: who exported
   * it and what the record could not carry. `file`/`first_packet`/`last_packet` then name the export datagrams.
   */
  provenance?: FlowProvenance;
}

/** Where an exported flow came from (src/flowrec). */
export interface FlowProvenance {
  protocol: 'netflow5' | 'netflow9' | 'ipfix';
  /** Exporter address (router, softflowd, pflow). */
  exporter: string;
  /** IPFIX observation domain, v9 source id, v5 engine type << 8 | engine id. */
  domain: number;
  /** Packet sampling interval the counters were multiplied by (1 = every packet counted). */
  sampling: number;
  /** One bidirectional record, two one-way records stitched together, or one direction only. */
  direction: 'biflow' | 'stitched' | 'one-way';
  /**
   * Fields a flow record cannot observe, so they were estimated or left at a default: always
   * `orig_payload_bytes`/`resp_payload_bytes` (from header sizes) and the byte counts (IP bytes, no link
   * header); `tcp_state` (from the TCP flags union), `end_reason` when the exporter gave none.
   */
  estimated: string[];
}
