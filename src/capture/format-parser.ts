/**
 * What the chunk driver needs from a file-format parser (classic pcap, pcapng).
 * @module
 */
import type { PacketRecord } from './types.ts';

/** Where and why a capture stops being readable. */
export interface Fault {
  /** Offset of the bad record or block header in the (decompressed) byte stream. */
  offset: number;
  reason: string;
}

export type PacketSink = (rec: PacketRecord) => void;

export interface FormatParser {
  readonly format: 'pcap' | 'pcapng';
  packets: number;
  capturedBytes: number;
  skippedBlocks: number;
  /** Records whose caplen exceeds their original length (tolerated). */
  caplenOverOrigLen: number;
  caplenOverSnaplen: number;
  /** Set once the input is corrupt; parse then consumes nothing more. */
  fault: Fault | null;
  /**
   * Deliver every complete record in `buf[start, end)`; `base` is the stream offset of `buf[0]`.
   * Returns the index of the first byte not consumed (the start of an incomplete record).
   */
  parse(buf: Uint8Array, start: number, end: number, base: number): number;
  /** Input ended with `buf[start, end)` unconsumed: the truncation fault, or null if it ended cleanly. */
  atEnd(buf: Uint8Array, start: number, end: number, base: number): Fault | null;
}

/** The one record object a parser reuses for every packet. */
export function newPacketRecord(): PacketRecord {
  return { linkType: 0, tsSec: 0, tsNsec: 0, caplen: 0, origLen: 0, data: new Uint8Array(0), offset: 0, fileOffset: 0, interfaceId: 0, packetNo: 0 };
}
