/**
 * Address helpers for detectors: IPv4 as a number, local (private) address space, who is client and server.
 * @module
 */
import { Site } from '../../pipeline/site.ts';
import type { EventRecord } from '../../pipeline/analyze.ts';
import { ipv4Number } from '../../pipeline/netset.ts';

/** Unsigned 32-bit value to dotted IPv4. */
export function uintToIpv4(v: number): string {
  return `${(v >>> 24) & 0xff}.${(v >>> 16) & 0xff}.${(v >>> 8) & 0xff}.${v & 0xff}`;
}

/**
 * The site whose local networks `isLocalIp` answers for. The detection engine sets it while it runs its
 * detectors (they run synchronously inside the engine's calls), so every detector shares the site model
 * of the run without being handed it.
 */
let activeSite: Site = new Site({ sensor: '' });

/**
 * The last two addresses asked about, with their IPv4 value and (once asked) whether they are local. One
 * event reaches up to six detectors, and most ask about its source and destination: the same two string
 * objects, which compare equal at once, where parsing the dotted quad again costs several times more.
 * `local` is -1 until asked (and again after the site changes), then 0 or 1.
 */
let ip0 = '';
let num0 = -1;
let local0 = -1;
let ip1 = '';
let num1 = -1;
let local1 = -1;
let nextSlot = 0;

/** Make `site` the one `isLocalIp` consults (called by the detection engine around detector calls). */
export function useSite(site: Site): void {
  if (site === activeSite) return;
  activeSite = site;
  local0 = local1 = -1;
  v4Blocks = undefined;
}

/**
 * The active site's IPv4 local networks per /16 block: 0 no address of the block is local, 1 every one is, 2 some
 * are (the site answers). Made at the first IPv4 question after the site changes. Why: the flood and scan
 * detectors ask about the source of every new flow, most of them spoofed, non-local addresses, for which the site
 * tries each of its networks in turn; one table read answers them.
 */
let v4Blocks: Uint8Array | undefined;

function blocksOf(site: Site): Uint8Array {
  const blocks = new Uint8Array(65536);
  for (const cidr of site.localNetworks) {
    if (cidr.includes(':')) continue;
    const [addr, bits] = cidr.split('/');
    const prefix = bits === undefined ? 32 : Number(bits);
    const n = ipv4Number(addr);
    // Not as the site parsed it: every block asks the site.
    if (n < 0 || !Number.isInteger(prefix) || prefix < 0 || prefix > 32) return blocks.fill(2);
    const first = n >>> 16;
    if (prefix <= 16) {
      const start = first & ~((1 << (16 - prefix)) - 1) & 0xffff;
      blocks.fill(1, start, start + (1 << (16 - prefix)));
    } else if (blocks[first] === 0) {
      blocks[first] = 2;
    }
  }
  return blocks;
}

/** Put `ip` into the older slot; returns the slot. */
function remember(ip: string): number {
  const n = ipv4Number(ip);
  if (nextSlot === 0) {
    ip0 = ip;
    num0 = n;
    local0 = -1;
    nextSlot = 1;
    return 0;
  }
  ip1 = ip;
  num1 = n;
  local1 = -1;
  nextSlot = 0;
  return 1;
}

/** Dotted IPv4 to its unsigned 32-bit value (network order), -1 when not a dotted quad: the site model's parser. */
export function ipv4ToUint(ip: string): number {
  if (ip === ip0) return num0;
  if (ip === ip1) return num1;
  return remember(ip) === 0 ? num0 : num1;
}

/** An address of this site's local networks (default: private, shared/CGNAT, link-local, loopback). */
export function isLocalIp(ip: string): boolean {
  const slot = ip === ip0 ? 0 : ip === ip1 ? 1 : remember(ip);
  if (slot === 0) {
    if (local0 < 0) local0 = (num0 >= 0 ? activeSite.isLocalV4(num0) : activeSite.isLocal(ip)) ? 1 : 0;
    return local0 === 1;
  }
  if (local1 < 0) local1 = (num1 >= 0 ? activeSite.isLocalV4(num1) : activeSite.isLocal(ip)) ? 1 : 0;
  return local1 === 1;
}

/** `isLocalIp` of an IPv4 address as its unsigned 32-bit value (what `isLocalIp(uintToIpv4(v))` answers). */
export function isLocalIpv4(v: number): boolean {
  const block = (v4Blocks ??= blocksOf(activeSite))[v >>> 16];
  return block === 2 ? activeSite.isLocalV4(v >>> 0) : block === 1;
}

/**
 * `isLocalIp` of an address known both ways: its IPv4 value when the caller has it (`FlowBound.origV4` of a
 * flow record: no text parsed), else -1 and its text. Gives exactly `isLocalIp(ip)` when `v4` is the value
 * of `ip` (a flow record's addresses are dotted quads of its tuple's numbers).
 */
export function isLocalAddr(v4: number, ip: string): boolean {
  return v4 >= 0 ? isLocalIpv4(v4) : isLocalIp(ip);
}

/** Client and server of the flow an event belongs to (the flow originator is the client). */
export function clientServer(ev: EventRecord): { client: string; server: string; serverPort: number } {
  const src = String(ev.src_ip ?? '');
  const dst = String(ev.dst_ip ?? '');
  if (ev.from_orig === false) return { client: dst, server: src, serverPort: Number(ev.src_port ?? 0) };
  return { client: src, server: dst, serverPort: Number(ev.dst_port ?? 0) };
}

/** Evidence reference of an event's packet. */
export function evidenceOf(ev: EventRecord): { file: string; packet: number; ts: number; community_id?: string; flow_id?: number } {
  const cid = ev.community_id, flowId = ev.flow_id;
  // The usual case as one literal: fields added after creation cost a second allocation (the property store).
  if (typeof cid === 'string' && typeof flowId === 'number') return { file: ev.file, packet: ev.packet, ts: ev.ts, community_id: cid, flow_id: flowId };
  const ref: { file: string; packet: number; ts: number; community_id?: string; flow_id?: number } = { file: ev.file, packet: ev.packet, ts: ev.ts };
  if (typeof cid === 'string') ref.community_id = cid;
  if (typeof flowId === 'number') ref.flow_id = flowId;
  return ref;
}
