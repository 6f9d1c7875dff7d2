/**
 * TCP header and options (MSS, window scale, SACK permitted, timestamps). Checksums are not verified:
 * captures taken on the sending host carry offloaded (unfilled) checksums.
 * @module
 */
import type { PacketView } from './packet-view.ts';
import { A } from './anomalies.ts';
import { u16, u32 } from './bytes.ts';

const TCP_MIN = 20;

/**
 * `declaredEnd`: end of the segment per the IP header; `capEnd`: end of captured bytes (<= declaredEnd).
 */
export function decodeTcp(view: PacketView, off: number, declaredEnd: number, capEnd: number): void {
  const d = view.data;
  if (declaredEnd - off < TCP_MIN) {
    view.anomaly(A.tcpTruncated);
    return;
  }
  if (capEnd - off < TCP_MIN) return; // cut by the snap length: nothing to decode, nothing wrong
  view.l4Off = off;
  view.srcPort = u16(d, off);
  view.dstPort = u16(d, off + 2);
  view.seq = u32(d, off + 4);
  view.ack = u32(d, off + 8);
  const hdrLen = (d[off + 12] >> 4) * 4;
  view.tcpFlags = d[off + 13];
  view.window = u16(d, off + 14);
  if (hdrLen < TCP_MIN || off + hdrLen > declaredEnd) {
    view.anomaly(A.tcpBadDataOffset);
    view.l4HeaderLen = TCP_MIN;
    return;
  }
  view.l4HeaderLen = hdrLen;
  const optEnd = off + hdrLen;
  if (hdrLen > TCP_MIN) {
    view.tcpOptOff = off + TCP_MIN;
    view.tcpOptLen = hdrLen - TCP_MIN;
    decodeTcpOptions(view, d, off + TCP_MIN, optEnd < capEnd ? optEnd : capEnd);
  }
  // Header cut by the snap length: empty payload at the end of the captured bytes.
  view.payloadOff = optEnd < capEnd ? optEnd : capEnd;
  view.payloadLen = capEnd - view.payloadOff;
}

/** Walks at most 40 bytes; stops at end-of-list or the first malformed option. */
function decodeTcpOptions(view: PacketView, d: Uint8Array, o: number, end: number): void {
  while (o < end) {
    const kind = d[o];
    if (kind === 0) return;
    if (kind === 1) {
      o++;
      continue;
    }
    if (o + 2 > end) {
      view.anomaly(A.tcpBadOption);
      return;
    }
    const len = d[o + 1];
    if (len < 2 || o + len > end) {
      view.anomaly(A.tcpBadOption);
      return;
    }
    switch (kind) {
      case 2:
        if (len !== 4) return badOption(view);
        view.tcpMss = u16(d, o + 2);
        break;
      case 3:
        if (len !== 3) return badOption(view);
        view.tcpWscale = d[o + 2];
        break;
      case 4:
        if (len !== 2) return badOption(view);
        view.tcpSackOk = true;
        break;
      case 5:
        if ((len - 2) % 8 !== 0) return badOption(view);
        break;
      case 8:
        if (len !== 10) return badOption(view);
        view.tcpTimestamp = true;
        view.tcpTsVal = u32(d, o + 2);
        view.tcpTsEcr = u32(d, o + 6);
        break;
    }
    o += len;
  }
}

function badOption(view: PacketView): void {
  view.anomaly(A.tcpBadOption);
}
