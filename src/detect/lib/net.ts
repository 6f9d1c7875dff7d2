/**
 * Address helpers for detectors: IPv4 as a number, local (private) address space, who is client and server.
 * @module
 */
import { Site } from '../../pipeline/site.ts';
import type { EventRecord } from '../../pipeline/analyze.ts';

/** Dotted IPv4 to its unsigned 32-bit value (network order), -1 when not a dotted quad: the site model's parser. */
export { ipv4Number as ipv4ToUint } from '../../pipeline/netset.ts';

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
 * The last two addresses asked about and their answers. One event reaches up to six detectors, and most ask
 * about its source and its destination: the same two string objects, which compare equal at once, where
 * parsing the dotted quad again costs several times more. Emptied when the site changes.
 */
let memoIp0 = '';
let memoLocal0 = false;
let memoIp1 = '';
let memoLocal1 = false;
let memoNext = 0;

/** Make `site` the one `isLocalIp` consults (called by the detection engine around detector calls). */
export function useSite(site: Site): void {
  if (site === activeSite) return;
  activeSite = site;
  memoIp0 = memoIp1 = '';
}

/** An address of this site's local networks (default: private, shared/CGNAT, link-local, loopback). */
export function isLocalIp(ip: string): boolean {
  if (ip === memoIp0 && ip !== '') return memoLocal0;
  if (ip === memoIp1 && ip !== '') return memoLocal1;
  const local = activeSite.isLocal(ip);
  if (memoNext === 0) {
    memoIp0 = ip;
    memoLocal0 = local;
    memoNext = 1;
  } else {
    memoIp1 = ip;
    memoLocal1 = local;
    memoNext = 0;
  }
  return local;
}

/** `isLocalIp` of an IPv4 address as its unsigned 32-bit value (what `isLocalIp(uintToIpv4(v))` answers). */
export function isLocalIpv4(v: number): boolean {
  return activeSite.isLocalV4(v >>> 0);
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
