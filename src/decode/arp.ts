/**
 * ARP (RFC 826) for Ethernet / IPv4: operation, sender and target hardware and protocol addresses.
 * @module
 */
import { L3, type PacketView } from './packet-view.ts';
import { A } from './anomalies.ts';
import { u16, u32 } from './bytes.ts';

const ARP_FIXED = 8;
const ARP_ETH_IPV4_LEN = 28;

export function decodeArp(view: PacketView, off: number, end: number): void {
  const d = view.data;
  view.l3 = L3.ARP;
  view.l3Off = off;
  if (end - off < ARP_FIXED) {
    view.anomaly(A.arpTruncated);
    return;
  }
  const htype = u16(d, off);
  const ptype = u16(d, off + 2);
  const hlen = d[off + 4];
  const plen = d[off + 5];
  view.arpOp = u16(d, off + 6);
  if (end - off < ARP_FIXED + 2 * (hlen + plen)) {
    view.anomaly(A.arpTruncated);
    return;
  }
  // Hardware type 1 (Ethernet) or 6 (IEEE 802): both carry 6-byte MACs.
  if ((htype !== 1 && htype !== 6) || ptype !== 0x0800 || hlen !== 6 || plen !== 4) {
    view.anomaly(A.arpUnsupported);
    return;
  }
  view.l3HeaderLen = ARP_ETH_IPV4_LEN;
  view.arpSenderMacOff = off + 8;
  view.arpSenderIp = u32(d, off + 14);
  view.arpTargetMacOff = off + 18;
  view.arpTargetIp = u32(d, off + 24);
}
