/**
 * Flow facts the flood, reflection, beaconing and P2P detectors share.
 * @module
 */
import type { FlowRecord } from '../../flow/types.ts';
import { ipv4ToUint } from './net.ts';
import { IpProto } from '../../decode/packet-view.ts';
import { TcpFlag, type FirstPacket } from '../../pipeline/first-packet.ts';

/** Attack vector of one flow, from its first packets' flags (flow.end keeps the union per direction). */
export function floodVector(f: FlowRecord): string {
  if (f.transport === 'tcp') {
    if (f.orig_pkts === 0 && f.resp_tcp_flags?.includes('S') && f.resp_tcp_flags.includes('A')) return 'syn-ack';
    const flags = f.orig_tcp_flags ?? '';
    if (flags.includes('S')) return f.orig_payload_bytes > 0 ? 'tcp-connect' : 'syn';
    if (flags.includes('A')) return 'ack';
    if (flags.includes('R')) return 'rst';
    return 'tcp';
  }
  if (f.transport === 'ip-47') return 'gre';
  return f.transport;
}

/**
 * Attack vector of a flow from its first packet (`flow.start`), as floodVector names it at the flow's end but
 * for one case: a SYN whose connection later carries data is a 'syn' now and a 'tcp-connect' at the end.
 * `fromOrig` false: the first packet went toward the flow's inferred originator (an unsolicited SYN-ACK).
 */
export function startVector(transport: unknown, tcpFlags: unknown, fromOrig = true): string {
  if (transport === 'tcp') {
    const flags = typeof tcpFlags === 'string' ? tcpFlags : '';
    if (!fromOrig) return flags.includes('S') && flags.includes('A') ? 'syn-ack' : 'tcp';
    if (flags.includes('S')) return 'syn';
    if (flags.includes('A')) return 'ack';
    if (flags.includes('R')) return 'rst';
    return 'tcp';
  }
  if (transport === 'ip-47') return 'gre';
  return String(transport);
}

/** `startVector` of a first packet as numbers (no flags string). */
export function startVectorOf(p: FirstPacket): string {
  if (p.ipVersion !== 0 && p.proto === IpProto.TCP) {
    const flags = p.tcpFlags < 0 ? 0 : p.tcpFlags;
    if (!p.fromOrig) return (flags & TcpFlag.SYN) !== 0 && (flags & TcpFlag.ACK) !== 0 ? 'syn-ack' : 'tcp';
    if (flags & TcpFlag.SYN) return 'syn';
    if (flags & TcpFlag.ACK) return 'ack';
    if (flags & TcpFlag.RST) return 'rst';
    return 'tcp';
  }
  if (p.ipVersion !== 0 && p.proto === IpProto.GRE) return 'gre';
  return p.transport;
}

/** The vector startVector gave a flow at its first packet, from its record (see floodVector). */
export function firstVector(f: FlowRecord): string {
  if (f.transport === 'tcp' && f.orig_pkts === 0) return floodVector(f);
  return startVector(f.transport, f.orig_tcp_flags?.includes('S') ? 'S' : f.orig_tcp_flags);
}

/**
 * Whether a flow's end renames the vector its first packet was counted under (`firstVector(f) !== floodVector(f)`):
 * only for a SYN whose connection then carried data, 'syn' at its start and 'tcp-connect' at its end. Numbers
 * first, so a flood's flows (no payload) are told without reading their flags (three string searches per flow
 * otherwise).
 */
export function synBecameConnect(f: FlowRecord): boolean {
  return f.orig_payload_bytes > 0 && f.orig_pkts > 0 && f.transport === 'tcp' && f.orig_tcp_flags !== undefined && f.orig_tcp_flags.includes('S');
}

/** `isGroupAddress` of an IPv4 address as its unsigned 32-bit value. */
export function isGroupV4(n: number): boolean {
  return n >= 0xe0000000 || n === 0 || (n & 0xff) === 255;
}

/** `isGroupAddress` of an address known both ways: its IPv4 value when known (`FlowBound.respV4`), else -1 and its text. */
export function isGroupAddr(v4: number, ip: string): boolean {
  return v4 >= 0 ? isGroupV4(v4) : isGroupAddress(ip);
}

/** Multicast, broadcast or unspecified: never a flood victim or P2P peer. */
export function isGroupAddress(ip: string): boolean {
  // A dotted quad as a number (no substring per flow): first octet >= 224, or last octet 255.
  const n = ipv4ToUint(ip);
  if (n >= 0) return n >= 0xe0000000 || ip === '0.0.0.0' || (n & 0xff) === 255;
  if (ip.includes(':')) return ip.toLowerCase().startsWith('ff') || ip === '::';
  const first = Number(ip.slice(0, ip.indexOf('.')));
  return first >= 224 || ip === '0.0.0.0' || ip.endsWith('.255');
}
