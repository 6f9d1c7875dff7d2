/**
 * What counts as a scan probe: a TCP connection attempt whose originator sent a SYN and then no data
 * (unanswered, refused, or answered and dropped). Real connections carry data, so busy benign clients
 * do not look like scanners.
 * @module
 */
import type { FlowRecord } from '../../flow/types.ts';
import type { EvidenceRef } from '../types.ts';
import type { EventRecord } from '../../pipeline/analyze.ts';
import { TcpFlag, type FirstPacket } from '../../pipeline/first-packet.ts';

export function isTcpProbe(f: FlowRecord): boolean {
  return f.transport === 'tcp' && f.orig_payload_bytes === 0 && f.tcp_state !== 'midstream' &&
    f.orig_tcp_flags !== undefined && f.orig_tcp_flags.includes('S');
}

/**
 * A TCP connection attempt as it starts: the flow's first packet is a bare SYN (flags exactly SYN). Scans are
 * judged on these, in arrival order, so probes that end late (unanswered, at the idle timeout) count with the
 * ones refused at once.
 */
export function isSynPacket(p: FirstPacket): boolean {
  return p.tcpFlags === TcpFlag.SYN && p.isTcp;
}

/** A flow's first packet is a SYN without ACK (ECN bits allowed): the originator opens a connection. */
export function opensWithSynPacket(p: FirstPacket): boolean {
  return (p.tcpFlags & (TcpFlag.SYN | TcpFlag.ACK)) === TcpFlag.SYN && p.isTcp;
}

/**
 * A connection attempt in a flow record from an exporter (NetFlow/IPFIX): there are no packets, so no
 * `flow.start` to judge it by when it starts; the record is judged when it arrives, as the attempt it shows.
 */
export function exportedAttempt(f: FlowRecord): EventRecord | undefined {
  if (f.provenance === undefined || !isTcpProbe(f)) return undefined;
  return {
    type: 'flow.start', ts: f.first_ts, file: f.file, packet: f.first_packet, community_id: f.community_id, transport: 'tcp',
    src_ip: f.orig_ip, src_port: f.orig_port, dst_ip: f.resp_ip, dst_port: f.resp_port, from_orig: true, tcp_flags: 'S',
  } as EventRecord;
}

/**
 * A TCP flow record whose originator opened it with a SYN (its attempt was judged at `flow.start` by a
 * detector that judges attempts as they start; see `opensWithSynPacket`).
 */
export function startedWithSyn(f: FlowRecord): boolean {
  return f.transport === 'tcp' && f.tcp_state !== 'midstream' && f.orig_tcp_flags !== undefined && f.orig_tcp_flags.includes('S');
}

/** An attempt that turned out to be a real connection: its originator sent data. */
export function carriedData(f: FlowRecord): boolean {
  return f.transport === 'tcp' && f.orig_payload_bytes > 0;
}

export function flowEvidence(f: FlowRecord): EvidenceRef {
  return { file: f.file, packet: f.first_packet, ts: f.first_ts, community_id: f.community_id };
}

/** Ports IoT malware and scanners are known to sweep, with what listens there (for explanations). */
export const notablePorts: Record<number, string> = {
  22: 'SSH', 23: 'telnet (Mirai and its variants brute-force it)', 2323: 'alternate telnet (Mirai)',
  80: 'HTTP (router/camera web interfaces)', 81: 'HTTP (cameras)', 443: 'HTTPS', 8080: 'HTTP alternate (camera/DVR web interfaces)',
  7547: 'TR-069 CWMP (router management, exploited by Mirai variants)', 5555: 'Android Debug Bridge (ADB.Miner)',
  37215: 'Huawei HG532 UPnP (Satori, CVE-2017-17215)', 52869: 'Realtek miniigd UPnP (CVE-2014-8361)',
  8443: 'HTTPS alternate', 1433: 'MS SQL', 3389: 'RDP', 5900: 'VNC', 6379: 'Redis', 1883: 'MQTT', 554: 'RTSP (cameras)',
};
