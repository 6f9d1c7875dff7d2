/**
 * Facts of a flow's first packet, for the `flow.start` event.
 * @module
 */
import { IpProto, L3, type PacketView } from '../decode/packet-view.ts';
import type { EventFields } from '../events/types.ts';
import { tcpFlagsString } from '../flow/tcp-state.ts';

/** TCP flags as letters in the order FSRPAUEC (one string per flag set, built once). */
export function tcpFlagString(flags: number): string {
  return tcpFlagsString(flags);
}

/** p0f-style option layout of a TCP header: M(ss), N(op), W(scale), S(ack ok), T(imestamp), E(ol), ?n. */
export function tcpOptionLayout(view: PacketView): string {
  const d = view.data;
  const end = view.tcpOptOff + view.tcpOptLen;
  let out = '';
  let n = 0;
  // Built as one string (no array and join per flow): at most 16 items, comma-separated.
  for (let i = view.tcpOptOff; i < end && n < 16;) {
    const kind = d[i];
    if (n++ > 0) out += ',';
    if (kind === 0) { out += 'E'; break; }
    if (kind === 1) { out += 'N'; i++; continue; }
    const len = i + 1 < end ? d[i + 1] : 0;
    out += kind === 2 ? 'M' : kind === 3 ? 'W' : kind === 4 ? 'S' : kind === 8 ? 'T' : `?${kind}`;
    if (len < 2) break;
    i += len;
  }
  return out;
}

/** First-packet facts of a new flow (scan and fingerprint detectors rely on them). */
export function flowStartFields(view: PacketView): EventFields {
  const f: EventFields = { ttl: view.ttl, ip_len: view.ipTotalLen, payload_len: view.payloadLen };
  if (view.ipProto === IpProto.TCP && view.l4Off > 0) {
    f.tcp_flags = tcpFlagString(view.tcpFlags);
    f.tcp_seq = view.seq;
    f.tcp_window = view.window;
    f.tcp_options = tcpOptionLayout(view);
    if (view.tcpMss >= 0) f.tcp_mss = view.tcpMss;
    if (view.tcpWscale >= 0) f.tcp_wscale = view.tcpWscale;
  }
  if (view.icmpType >= 0) {
    f.icmp_type = view.icmpType;
    f.icmp_code = view.icmpCode;
  }
  if (view.l3 === L3.IPV4) f.dont_fragment = view.dontFragment;
  return f;
}
