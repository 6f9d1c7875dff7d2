/**
 * Test helpers of the flow stage (imported by tests only): address parsing, hand-filled packet views and tshark
 * field extraction.
 * @module
 */
import { execFileSync } from 'node:child_process';
import { ipv4FromString, ipv6FromString } from '../decode/address.ts';
import { L3, PacketView } from '../decode/packet-view.ts';

/** Bytes of a dotted-quad or IPv6 text address (test input: throws on bad text). */
export function parseIp(text: string): Uint8Array {
  if (text.includes(':')) {
    const b = ipv6FromString(text);
    if (!b) throw new Error(`bad IPv6 ${text}`);
    return b;
  }
  const n = ipv4FromString(text);
  if (n === undefined) throw new Error(`bad IPv4 ${text}`);
  return Uint8Array.of(n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255);
}

/** Big-endian u32 of 4 address bytes at `off`. */
export function u32At(b: Uint8Array, off: number): number {
  return ((b[off] << 24) | (b[off + 1] << 16) | (b[off + 2] << 8) | b[off + 3]) >>> 0;
}

/** Run tshark and return stdout lines (empty lines dropped). */
export function tshark(args: string[]): string[] {
  const out = execFileSync('tshark', args, { encoding: 'utf8', maxBuffer: 256 << 20, stdio: ['ignore', 'pipe', 'ignore'] });
  return out.split('\n').filter((l) => l.length > 0);
}

/** A packet described for a hand-filled view (test input). */
export interface Pkt {
  src: string; dst: string; proto?: number; sp?: number; dp?: number; flags?: number; payload?: number; seq?: number;
  icmpType?: number; icmpCode?: number; icmpId?: number; vlan?: number[]; srcMac?: number[]; dstMac?: number[];
}

/** A view filled by hand the way decode fills it (addresses, ports, flags, payload length). */
export function view(p: Pkt): PacketView {
  const v = new PacketView();
  v.reset();
  const data = new Uint8Array(64);
  v.data = data;
  v.end = data.length;
  if (p.srcMac && p.dstMac) { data.set(p.dstMac, 0); data.set(p.srcMac, 6); v.dstMacOff = 0; v.srcMacOff = 6; }
  if (p.vlan) { v.vlanCount = p.vlan.length; p.vlan.forEach((id, i) => { v.vlanIds[i] = id; }); }
  const s = parseIp(p.src), d = parseIp(p.dst);
  if (s.length === 4) { v.l3 = L3.IPV4; v.src4 = u32At(s, 0); v.dst4 = u32At(d, 0); }
  else { v.l3 = L3.IPV6; data.set(s, 16); data.set(d, 32); v.src6Off = 16; v.dst6Off = 32; }
  v.ipProto = p.proto ?? 6;
  if (v.ipProto === 1 || v.ipProto === 58) {
    v.icmpType = p.icmpType ?? 8; v.icmpCode = p.icmpCode ?? 0; v.icmpId = p.icmpId ?? 0; v.l4Off = 48;
  } else if (v.ipProto === 6 || v.ipProto === 17 || v.ipProto === 132) {
    v.l4Off = 48; v.srcPort = p.sp ?? 0; v.dstPort = p.dp ?? 0; v.tcpFlags = p.flags ?? 0; v.seq = p.seq ?? 0;
  }
  v.payloadLen = p.payload ?? 0;
  return v;
}

/** An ARP view filled by hand. */
export function arpView(op: number, sender: string, target: string): PacketView {
  const v = new PacketView();
  v.reset();
  v.l3 = L3.ARP; v.arpOp = op; v.arpSenderIp = u32At(parseIp(sender), 0); v.arpTargetIp = u32At(parseIp(target), 0);
  return v;
}
