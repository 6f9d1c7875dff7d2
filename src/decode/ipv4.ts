/**
 * IPv4 header: checks (version, IHL, total length, options), fragments handed to the defragmenter,
 * otherwise the transport header.
 * @module
 */
import { L3, type PacketView } from './packet-view.ts';
import { A } from './anomalies.ts';
import { u16, u32 } from './bytes.ts';
import { decodeTransport } from './transport.ts';
import type { IpContext } from './ip-context.ts';

const IPV4_MIN = 20;

/** Returns true when a fragment completed a datagram (in `ctx.out`): the caller decodes that instead. */
export function decodeIpv4(view: PacketView, off: number, end: number, ctx: IpContext): boolean {
  const d = view.data;
  if (end - off < 1) {
    if (!ctx.snapped) view.anomaly(A.ipv4Truncated);
    return false;
  }
  if (d[off] >> 4 !== 4) {
    view.anomaly(A.ipv4BadVersion);
    return false;
  }
  const ihl = (d[off] & 0x0f) * 4;
  if (ihl < IPV4_MIN) {
    view.anomaly(A.ipv4BadIhl);
    return false;
  }
  if (end - off < ihl) {
    if (!ctx.snapped) view.anomaly(A.ipv4Truncated);
    return false;
  }
  view.l3 = L3.IPV4;
  view.l3Off = off;
  view.l3HeaderLen = ihl;
  const totalLen = u16(d, off + 2);
  view.ipTotalLen = totalLen;
  view.ipId = u16(d, off + 4);
  const flags = u16(d, off + 6);
  view.dontFragment = (flags & 0x4000) !== 0;
  view.ttl = d[off + 8];
  view.ipProto = d[off + 9];
  view.src4 = u32(d, off + 12);
  view.dst4 = u32(d, off + 16);
  if (ihl > IPV4_MIN) checkOptions(view, d, off + IPV4_MIN, off + ihl);
  if (totalLen < ihl) {
    view.anomaly(A.ipv4TotalLenTooSmall);
    return false;
  }
  const declaredEnd = off + totalLen;
  let capEnd = declaredEnd;
  if (declaredEnd > end) {
    if (!ctx.snapped) view.anomaly(A.ipv4Truncated);
    capEnd = end;
  }
  const fragOffset = (flags & 0x1fff) * 8;
  const more = (flags & 0x2000) !== 0;
  if (fragOffset !== 0 || more) {
    view.isFragment = true;
    view.fragOffset = fragOffset;
    view.moreFragments = more;
    if (ctx.defrag === null) {
      view.anomaly(A.fragNested);
      return false;
    }
    if (capEnd < declaredEnd) {
      view.anomaly(A.fragTruncated);
      return false;
    }
    ctx.out = ctx.defrag.add(view, 4, fragOffset, more, off + ihl, totalLen - ihl, off, ihl, ctx.ts, ctx.headroom);
    return ctx.out !== undefined;
  }
  decodeTransport(view, view.ipProto, off + ihl, declaredEnd, capEnd);
  return false;
}

/** Options are skipped, but their lengths must stay inside the header (bounded: each step advances). */
function checkOptions(view: PacketView, d: Uint8Array, o: number, end: number): void {
  while (o < end) {
    const type = d[o];
    if (type === 0) return;
    if (type === 1) {
      o++;
      continue;
    }
    if (o + 2 > end || d[o + 1] < 2 || o + d[o + 1] > end) {
      view.anomaly(A.ipv4BadOption);
      return;
    }
    o += d[o + 1];
  }
}
