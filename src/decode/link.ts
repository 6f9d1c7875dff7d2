/**
 * Link-layer decoders: Ethernet (+ 802.1Q / 802.1ad tags), Linux cooked SLL / SLL2, BSD NULL / LOOP, raw IP.
 * Each returns the offset of the network header and sets `view.etherType` (or -1: nothing more to decode).
 * @module
 */
import { LinkType } from '../capture/types.ts';
import { MAX_VLAN_TAGS, type PacketView } from './packet-view.ts';
import { A } from './anomalies.ts';
import { u16, u32, u32le } from './bytes.ts';

export const EtherType = { IPV4: 0x0800, ARP: 0x0806, IPV6: 0x86dd, VLAN: 0x8100, QINQ: 0x88a8, QINQ_OLD: 0x9100 } as const;

const ETH_HLEN = 14;
const SLL_HLEN = 16;
const SLL2_HLEN = 20;
const ARPHRD_NETLINK = 824;

/** Decode the link header at `off`; returns the network-layer offset or -1. */
export function decodeLink(view: PacketView, linkType: number, off: number, end: number): number {
  switch (linkType) {
    case LinkType.ETHERNET:
      return decodeEthernet(view, off, end);
    case LinkType.LINUX_SLL:
      return decodeSll(view, off, end);
    case LinkType.LINUX_SLL2:
      return decodeSll2(view, off, end);
    case LinkType.NULL:
    case LinkType.LOOP:
      return decodeLoopback(view, linkType, off, end);
    case LinkType.RAW:
      return decodeRaw(view, off, end);
    case LinkType.IPV4:
      view.etherType = EtherType.IPV4;
      return off;
    case LinkType.IPV6:
      view.etherType = EtherType.IPV6;
      return off;
    default:
      view.anomaly(A.linkUnsupported);
      return -1;
  }
}

function decodeEthernet(view: PacketView, off: number, end: number): number {
  if (end - off < ETH_HLEN) {
    view.anomaly(A.ethTruncated);
    return -1;
  }
  view.ethOff = off;
  view.dstMacOff = off;
  view.srcMacOff = off + 6;
  return skipVlanTags(view, u16(view.data, off + 12), off + ETH_HLEN, end);
}

/** Walk up to MAX_VLAN_TAGS stacked tags starting with `type`; sets view.etherType. */
function skipVlanTags(view: PacketView, type: number, off: number, end: number): number {
  const d = view.data;
  while (type === EtherType.VLAN || type === EtherType.QINQ || type === EtherType.QINQ_OLD) {
    if (view.vlanCount === MAX_VLAN_TAGS) {
      view.anomaly(A.vlanTooManyTags);
      return -1;
    }
    if (end - off < 4) {
      view.anomaly(A.vlanTruncated);
      return -1;
    }
    view.vlanIds[view.vlanCount++] = u16(d, off) & 0x0fff;
    type = u16(d, off + 2);
    off += 4;
  }
  view.etherType = type;
  return off;
}

function decodeSll(view: PacketView, off: number, end: number): number {
  if (end - off < SLL_HLEN) {
    view.anomaly(A.linkTruncated);
    return -1;
  }
  const d = view.data;
  if (u16(d, off + 4) === 6) view.srcMacOff = off + 6;
  if (u16(d, off + 2) === ARPHRD_NETLINK) return -1;
  return skipVlanTags(view, u16(d, off + 14), off + SLL_HLEN, end);
}

function decodeSll2(view: PacketView, off: number, end: number): number {
  if (end - off < SLL2_HLEN) {
    view.anomaly(A.linkTruncated);
    return -1;
  }
  const d = view.data;
  if (d[off + 11] === 6) view.srcMacOff = off + 12;
  if (u16(d, off + 8) === ARPHRD_NETLINK) return -1;
  return skipVlanTags(view, u16(d, off), off + SLL2_HLEN, end);
}

/** NULL: family in the writer's byte order (either accepted); LOOP: network order. */
function decodeLoopback(view: PacketView, linkType: number, off: number, end: number): number {
  if (end - off < 4) {
    view.anomaly(A.linkTruncated);
    return -1;
  }
  let family = linkType === LinkType.LOOP ? u32(view.data, off) : u32le(view.data, off);
  if (family > 0xffff) family = u32(view.data, off);
  if (family === 2) view.etherType = EtherType.IPV4;
  else if (family === 24 || family === 28 || family === 30) view.etherType = EtherType.IPV6;
  else {
    view.anomaly(A.loopUnknownFamily);
    return -1;
  }
  return off + 4;
}

function decodeRaw(view: PacketView, off: number, end: number): number {
  if (end <= off) {
    view.anomaly(A.linkTruncated);
    return -1;
  }
  const version = view.data[off] >> 4;
  if (version === 4) view.etherType = EtherType.IPV4;
  else if (version === 6) view.etherType = EtherType.IPV6;
  else {
    view.anomaly(A.rawBadVersion);
    return -1;
  }
  return off;
}
