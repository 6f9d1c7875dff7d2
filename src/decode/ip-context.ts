/**
 * State the IP decoders share for one packet (one module-level instance, reused: no per-packet object).
 * @module
 */
import type { Defragmenter } from './defrag.ts';

export interface IpContext {
  /** Null inside a reassembled datagram: fragments there are not reassembled again. */
  defrag: Defragmenter | null;
  /** Packet time, float seconds. */
  ts: number;
  /** True when the capture cut the packet (caplen < original length): missing bytes are not an anomaly. */
  snapped: boolean;
  /** Bytes before the IP header (link header) to reserve in a reassembled buffer. */
  headroom: number;
  /** Set by an IP decoder when a fragment completed its datagram. */
  out: Uint8Array | undefined;
}
