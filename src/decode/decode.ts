/**
 * Packet decoding: link → network → transport into the reused PacketView. No allocation on the normal path
 * (only a completed IP fragment allocates its reassembled buffer).
 * @module
 */
import type { PacketRecord } from '../capture/types.ts';
import type { PacketView } from './packet-view.ts';
import type { Defragmenter } from './defrag.ts';
import type { IpContext } from './ip-context.ts';
import { decodeLink, EtherType } from './link.ts';
import { decodeArp } from './arp.ts';
import { decodeIpv4 } from './ipv4.ts';
import { decodeIpv6 } from './ipv6.ts';

const ctx: IpContext = { defrag: null, ts: 0, snapped: false, headroom: 0, out: undefined };

/** Decode `rec` into `view` (reset first). `ts`: packet time in seconds, for fragment timeouts. Never throws. */
export function decodePacket(rec: PacketRecord, view: PacketView, defrag: Defragmenter, ts: number): void {
  view.reset();
  const data = rec.data;
  const start = rec.offset;
  let end = start + rec.caplen;
  if (end > data.length) end = data.length;
  view.data = data;
  view.end = end;
  view.linkType = rec.linkType;
  const l3Off = decodeLink(view, rec.linkType, start, end);
  if (l3Off < 0) return;
  ctx.defrag = defrag;
  ctx.ts = ts;
  ctx.snapped = rec.caplen < rec.origLen;
  ctx.headroom = l3Off - start;
  ctx.out = undefined;
  const et = view.etherType;
  if (et === EtherType.IPV4) {
    if (decodeIpv4(view, l3Off, end, ctx)) decodeReassembled(view, 4, start, l3Off);
  } else if (et === EtherType.IPV6) {
    if (decodeIpv6(view, l3Off, end, ctx)) decodeReassembled(view, 6, start, l3Off);
  } else if (et === EtherType.ARP) {
    decodeArp(view, l3Off, end);
  }
  ctx.defrag = null;
  ctx.out = undefined;
}

/**
 * Switch the view to the reassembled datagram: the link header of the completing fragment is copied in front,
 * so link offsets (MACs) stay valid after shifting by `linkStart`.
 */
function decodeReassembled(view: PacketView, version: 4 | 6, linkStart: number, l3Off: number): void {
  const buf = ctx.out as Uint8Array;
  buf.set(view.data.subarray(linkStart, l3Off), 0);
  if (view.ethOff >= 0) view.ethOff -= linkStart;
  if (view.srcMacOff >= 0) view.srcMacOff -= linkStart;
  if (view.dstMacOff >= 0) view.dstMacOff -= linkStart;
  view.data = buf;
  view.end = buf.length;
  view.isFragment = false;
  view.reassembled = true;
  ctx.defrag = null;
  ctx.snapped = false;
  ctx.out = undefined;
  const off = l3Off - linkStart;
  if (version === 4) decodeIpv4(view, off, buf.length, ctx);
  else decodeIpv6(view, off, buf.length, ctx);
}
