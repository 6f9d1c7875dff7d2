/**
 * IPv6 fixed header and extension header chain (hop-by-hop, routing, destination options, fragment, AH,
 * mobility, HIP, shim6); ESP and no-next-header stop the walk. At most 8 extension headers.
 * @module
 */
import { L3, type PacketView } from './packet-view.ts';
import { A } from './anomalies.ts';
import { u16, u32 } from './bytes.ts';
import { decodeTransport } from './transport.ts';
import type { IpContext } from './ip-context.ts';

const IPV6_HLEN = 40;
const MAX_EXT_HEADERS = 8;

const NH = { HOP_BY_HOP: 0, ROUTING: 43, FRAGMENT: 44, AH: 51, DEST_OPTS: 60, MOBILITY: 135, HIP: 139, SHIM6: 140 } as const;

/** Returns true when a fragment completed a datagram (in `ctx.out`): the caller decodes that instead. */
export function decodeIpv6(view: PacketView, off: number, end: number, ctx: IpContext): boolean {
  const d = view.data;
  if (end - off < 1 || d[off] >> 4 !== 6) {
    view.anomaly(end - off < 1 ? A.ipv6Truncated : A.ipv6BadVersion);
    return false;
  }
  if (end - off < IPV6_HLEN) {
    if (!ctx.snapped) view.anomaly(A.ipv6Truncated);
    return false;
  }
  view.l3 = L3.IPV6;
  view.l3Off = off;
  view.ipv6FlowLabel = u32(d, off) & 0xfffff;
  const payloadLen = u16(d, off + 4);
  let nh = d[off + 6];
  view.ttl = d[off + 7];
  view.src6Off = off + 8;
  view.dst6Off = off + 24;
  view.ipTotalLen = IPV6_HLEN + payloadLen;
  // Jumbogram (RFC 2675): payload length 0 with a hop-by-hop header; take what was captured.
  const declaredEnd = payloadLen === 0 && nh === NH.HOP_BY_HOP ? end : off + IPV6_HLEN + payloadLen;
  let capEnd = declaredEnd;
  if (declaredEnd > end) {
    if (!ctx.snapped) view.anomaly(A.ipv6Truncated);
    capEnd = end;
  }
  let o = off + IPV6_HLEN;
  for (let count = 0; ; count++) {
    let len: number;
    if (nh === NH.HOP_BY_HOP || nh === NH.ROUTING || nh === NH.DEST_OPTS || nh === NH.MOBILITY || nh === NH.HIP || nh === NH.SHIM6) {
      if (nh === NH.HOP_BY_HOP && count > 0) view.anomaly(A.ipv6HopByHopNotFirst);
      if (o + 2 > capEnd) return extCut(view, o + 2, declaredEnd);
      len = (d[o + 1] + 1) * 8;
    } else if (nh === NH.AH) {
      if (o + 2 > capEnd) return extCut(view, o + 2, declaredEnd);
      len = (d[o + 1] + 2) * 4;
    } else if (nh === NH.FRAGMENT) {
      if (o + 8 > capEnd) return extCut(view, o + 8, declaredEnd);
      const field = u16(d, o + 2);
      const fragOffset = field & 0xfff8;
      const more = (field & 1) !== 0;
      if (fragOffset !== 0 || more) return fragment(view, d, off, o, declaredEnd, capEnd, fragOffset, more, ctx);
      len = 8; // atomic fragment (RFC 6946): process as if unfragmented
    } else {
      break;
    }
    if (count >= MAX_EXT_HEADERS) {
      view.anomaly(A.ipv6ExtChainTooLong);
      return false;
    }
    if (o + len > declaredEnd) return extCut(view, o + len, declaredEnd);
    nh = d[o];
    o += len;
  }
  view.ipProto = nh;
  view.l3HeaderLen = o - off;
  if (o <= capEnd) decodeTransport(view, nh, o, declaredEnd, capEnd);
  return false;
}

/** The chain runs past the captured bytes: an anomaly only when it also runs past the datagram. */
function extCut(view: PacketView, needed: number, declaredEnd: number): boolean {
  if (needed > declaredEnd) view.anomaly(A.ipv6ExtTruncated);
  return false;
}

function fragment(
  view: PacketView, d: Uint8Array, off: number, o: number, declaredEnd: number, capEnd: number,
  fragOffset: number, more: boolean, ctx: IpContext,
): boolean {
  view.ipProto = d[o];
  view.ipId = u32(d, o + 4);
  view.l3HeaderLen = o + 8 - off;
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
  const dataOff = o + 8;
  ctx.out = ctx.defrag.add(view, 6, fragOffset, more, dataOff, declaredEnd - dataOff, off, IPV6_HLEN, ctx.ts, ctx.headroom);
  return ctx.out !== undefined;
}
