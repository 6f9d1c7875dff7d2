/**
 * An exporter's record becomes the same flow fact the packet path produces (src/flow/types.ts FlowRecord),
 * with its provenance and only what a flow record can give: no application protocol, payload bytes
 * estimated from header sizes, TCP state inferred from the flags union.
 * @module
 */
import { communityId, icmpCounterpart } from '../flow/community-id.ts';
import { tcpFlagsString } from '../flow/tcp-state.ts';
import type { FlowEndReason, FlowRecord, TcpState } from '../flow/types.ts';
import type { ExportedFlow } from './types.ts';

const SYN = 0x02, FIN = 0x01, RST = 0x04, PSH = 0x08, ACK = 0x10;

const transportNames: Record<number, string> = { 1: 'icmp', 6: 'tcp', 17: 'udp', 58: 'icmp6', 132: 'sctp' };

export function transportName(proto: number): string {
  return transportNames[proto] ?? `ip-${proto}`;
}

/**
 * Community ID v1 of an exported record's tuple, from the address bytes in the datagram. ICMP: type and code,
 * mapped through the spec's counterpart table (as the packet path does).
 */
export function exportedCommunityId(src: Uint8Array, dst: Uint8Array, proto: number, srcPort: number, dstPort: number, icmpType: number, icmpCode: number): string {
  if (proto === 1 || proto === 58) return communityId(src, dst, proto, Math.max(0, icmpType), Math.max(0, icmpCode));
  return communityId(src, dst, proto, srcPort, dstPort);
}

/** TCP state from the flags each side sent (Zeek-like names, as src/flow/tcp-state.ts). */
export function tcpStateFromFlags(orig: number, resp: number, respPkts: number): TcpState {
  if (!(orig & SYN)) return 'midstream';
  if (respPkts === 0 || resp === 0) return orig & (ACK | FIN | PSH) ? 'established' : 'unanswered_syn';
  if (resp & RST && !(resp & SYN)) return 'rejected';
  if (!(resp & SYN)) return 'midstream';
  if ((orig | resp) & RST) return 'reset';
  if (orig & FIN && resp & FIN) return 'closed';
  return orig & ACK ? 'established' : 'half_open';
}

/**
 * Payload bytes estimated from the IP bytes: minimum IP and transport headers per packet. A TCP direction
 * that never set PSH and whose packets average no more than headers with options carried none.
 */
export function estimatePayload(proto: number, ipVersion: 4 | 6, packets: number, bytes: number, tcpFlags: number, hasFlags: boolean): number {
  if (packets <= 0) return 0;
  const ip = ipVersion === 6 ? 40 : 20;
  const l4 = proto === 6 ? 20 : proto === 17 || proto === 1 || proto === 58 ? 8 : 0;
  if (proto === 6 && hasFlags && !(tcpFlags & PSH) && bytes / packets <= ip + 60) return 0;
  return Math.max(0, bytes - packets * (ip + l4));
}

/** The ICMP "ports" the packet path uses: type, and the counterpart type (or the code for one-way types). */
function icmpPorts(f: ExportedFlow): [number, number] {
  const type = Math.max(0, f.icmpType);
  const counter = icmpCounterpart(f.proto, type);
  return [type, counter >= 0 ? counter : Math.max(0, f.icmpCode)];
}

/** Build the flow record of one exported record (`rev`: the other direction's record, when stitched). */
export function toFlowRecord(orig: ExportedFlow, rev: ExportedFlow | undefined, flowId: number): FlowRecord {
  const icmp = orig.proto === 1 || orig.proto === 58;
  const [origPort, respPort] = icmp ? icmpPorts(orig) : [orig.srcPort, orig.dstPort];
  const respPkts = rev ? rev.packets : orig.revPackets;
  const respBytes = rev ? rev.bytes : orig.revBytes;
  const respFlags = rev ? rev.tcpFlags : orig.revTcpFlags;
  const hasFlags = orig.hasTcpFlags || (rev?.hasTcpFlags ?? false);
  const startMs = Math.min(orig.startMs, rev?.startMs ?? Infinity);
  const endMs = Math.max(orig.endMs, rev?.endMs ?? -Infinity);
  const estimated = ['orig_bytes', 'resp_bytes', 'orig_payload_bytes', 'resp_payload_bytes', 'end_reason'];
  const rec: FlowRecord = {
    type: 'flow',
    flow_id: flowId,
    community_id: orig.communityId,
    transport: transportName(orig.proto),
    ip_version: orig.ipVersion,
    orig_ip: orig.srcIp,
    orig_port: origPort,
    resp_ip: orig.dstIp,
    resp_port: respPort,
    first_ts: startMs / 1000,
    last_ts: endMs / 1000,
    duration: (endMs - startMs) / 1000,
    orig_pkts: orig.packets,
    orig_bytes: orig.bytes,
    resp_pkts: respPkts,
    resp_bytes: respBytes,
    orig_payload_bytes: estimatePayload(orig.proto, orig.ipVersion, orig.packets, orig.bytes, orig.tcpFlags, hasFlags),
    resp_payload_bytes: estimatePayload(orig.proto, orig.ipVersion, respPkts, respBytes, respFlags, hasFlags),
    end_reason: endReason(orig.proto, orig.tcpFlags | respFlags),
    file: orig.file,
    first_packet: orig.packet,
    last_packet: rev ? rev.packet : orig.packet,
    provenance: {
      protocol: orig.protocol,
      exporter: orig.exporter,
      domain: orig.domain,
      sampling: Math.max(orig.sampling, rev?.sampling ?? 1),
      direction: rev ? 'stitched' : orig.biflow ? 'biflow' : 'one-way',
      estimated,
    },
  };
  const origMac = orig.srcMac ?? rev?.dstMac;
  const respMac = orig.dstMac ?? rev?.srcMac;
  if (origMac) rec.orig_mac = origMac;
  if (respMac) rec.resp_mac = respMac;
  if (orig.vlan !== undefined) rec.vlan = [orig.vlan];
  if (orig.proto === 6 && hasFlags) {
    rec.tcp_state = tcpStateFromFlags(orig.tcpFlags, respFlags, respPkts);
    rec.orig_tcp_flags = tcpFlagsString(orig.tcpFlags);
    rec.resp_tcp_flags = tcpFlagsString(respFlags);
    estimated.push('tcp_state');
  }
  return rec;
}

function endReason(proto: number, flags: number): FlowEndReason {
  if (proto !== 6) return 'idle';
  if (flags & RST) return 'tcp_reset';
  if (flags & FIN) return 'tcp_closed';
  return 'idle';
}
