/**
 * Events and anomalies of the capture and flow stages (the protocol analyzers list their own).
 * @module
 */
import type { AnomalySpec, EventSpec } from './types.ts';

export const captureAnomalies: readonly AnomalySpec[] = [
  { id: 'capture.time.out_of_range', description: 'A packet time outside what a date can hold (pcapng if_tsoffset / if_tsresol or a raw count beyond ±275,000 years): the packet keeps the time of the packet before it.' },
  { id: 'capture.pcapng.unknown_block', description: 'A pcapng block of a type the reader does not use was skipped (name resolution, statistics, custom, ...).' },
];

// `optional` stays a literal type so the TypeScript type of each event (src/events/map.ts) knows it.
const n = <O extends boolean = false>(description: string, optional?: O) => ({ type: 'number' as const, description, optional: (optional ?? false) as O });
const s = <O extends boolean = false>(description: string, optional?: O) => ({ type: 'string' as const, description, optional: (optional ?? false) as O });

export const flowEvents = [
  {
    type: 'flow.start',
    description: 'A new flow: facts of its first packet (TCP SYN layout for scan detection and SYN fingerprints). Built only for subscribers of the event itself (events written, `*`): the detectors and the inventory read each first packet as numbers, so a run that writes no events builds none and its summary counts none.',
    fields: {
      ttl: n('IP TTL / hop limit of the first packet (0 for ARP).'),
      ip_len: n('IP total length of the first packet.'),
      payload_len: n('Transport payload bytes of the first packet.'),
      tcp_flags: s('TCP flags of the first packet, in the order FSRPAUEC.', true),
      tcp_seq: n('TCP sequence number (raw, unsigned).', true),
      tcp_window: n('TCP window (unscaled).', true),
      tcp_options: s("TCP option layout, p0f style: 'M,N,W,N,N,T,S,E' (M mss, N nop, W wscale, S sack ok, T timestamp, E eol, ?k other).", true),
      tcp_mss: n('TCP MSS option value.', true),
      tcp_wscale: n('TCP window scale option value.', true),
      icmp_type: n('ICMP/ICMPv6 type.', true),
      icmp_code: n('ICMP/ICMPv6 code.', true),
      dont_fragment: { type: 'boolean', description: 'IPv4 DF bit.', optional: true },
    },
  },
  {
    type: 'flow.end',
    description: 'A flow ended (timeout, TCP close/reset, eviction or end of input). Its fields are the flow record, the same as a line of flows.jsonl.',
    fields: {
      flow_id: n('Run-unique flow number.'),
      community_id: s('Community ID v1 (for ARP pseudo-flows: computed over the IP pair with protocol 0, a Bulwark extension).'),
      transport: s("'tcp', 'udp', 'icmp', 'icmp6', 'arp', 'sctp' or 'ip-<n>'."),
      ip_version: n('4, 6, or 0 for ARP.'),
      orig_ip: s('Originator (the side that sent first, or the SYN sender).'),
      orig_port: n('Originator port (ICMP: type; 0 when the transport has none).'),
      resp_ip: s('Responder.'),
      resp_port: n('Responder port (ICMP: code).'),
      orig_mac: s('Ethernet source address of the originator, when the link has one.', true),
      resp_mac: s('Ethernet source address of the responder, when seen.', true),
      vlan: { type: 'number[]', description: 'VLAN ids, outer first.', optional: true },
      app: s('Application protocol recognised by content.', true),
      first_ts: n('Time of the first packet, epoch seconds.'),
      last_ts: n('Time of the last packet, epoch seconds.'),
      duration: n('last_ts - first_ts, seconds.'),
      orig_pkts: n('Packets from the originator.'),
      orig_bytes: n('On-wire frame bytes from the originator (original length, as tshark counts).'),
      resp_pkts: n('Packets from the responder.'),
      resp_bytes: n('On-wire frame bytes from the responder.'),
      orig_payload_bytes: n('Transport payload bytes from the originator.'),
      resp_payload_bytes: n('Transport payload bytes from the responder.'),
      tcp_state: s('TCP: unanswered_syn, rejected, half_open, established, closed, reset or midstream.', true),
      orig_tcp_flags: s('TCP flags seen from the originator, in the order FSRPAUEC.', true),
      resp_tcp_flags: s('TCP flags seen from the responder.', true),
      end_reason: s('idle, active, tcp_closed, tcp_reset, evicted or end_of_input.'),
      first_packet: n('Packet number of the first packet in its file.'),
      last_packet: n('Packet number of the last packet in its file.'),
    },
  },
] as const satisfies readonly EventSpec[];

export const flowAnomalies: readonly AnomalySpec[] = [];
