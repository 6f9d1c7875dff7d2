/**
 * Capture stage contract: a source yields packet records, knows nothing of what is above it.
 * @module
 */

/** Link-layer header types (tcpdump.org LINKTYPE_* values) that Bulwark decodes. */
export const LinkType = {
  NULL: 0, // BSD loopback, host-order 4-byte family
  ETHERNET: 1,
  RAW: 101, // raw IPv4 or IPv6, version from the first nibble
  LOOP: 108, // OpenBSD loopback, network-order 4-byte family
  LINUX_SLL: 113,
  IPV4: 228,
  IPV6: 229,
  LINUX_SLL2: 276,
} as const;

/**
 * One captured packet. The object is reused for every packet of a run: consumers copy what they keep.
 * `data[offset .. offset + caplen)` are the captured bytes; they stay valid only during the callback.
 */
export interface PacketRecord {
  /** LINKTYPE_* of the interface the packet was captured on. */
  linkType: number;
  /** Seconds since the Unix epoch. */
  tsSec: number;
  /** Nanoseconds within the second, 0..999_999_999. */
  tsNsec: number;
  caplen: number;
  origLen: number;
  data: Uint8Array;
  offset: number;
  /** Byte offset of this record's header in the (decompressed) capture file. */
  fileOffset: number;
  /** pcapng interface id (0 for classic pcap). */
  interfaceId: number;
  /** 1-based packet number within its file, as Wireshark numbers frames. */
  packetNo: number;
}

/** What a source reports when it has finished (or stopped at a fault). */
export interface CaptureSummary {
  file: string;
  format: 'pcap' | 'pcapng';
  gzip: boolean;
  packets: number;
  /** Sum of caplen. */
  capturedBytes: number;
  /** Blocks a reader skipped because it does not know them (pcapng), by block type. */
  skippedBlocks: number;
  /** Records whose caplen exceeds their original length: tolerated and delivered, but counted. */
  caplenOverOrigLen?: number;
  /**
   * Interface statistics (pcapng ISB, written by dumpcap when a live capture stops), summed over interfaces:
   * packets received, dropped by the OS/capture buffer, dropped by the interface.
   */
  interfaceStats?: { received?: number; dropped_kernel?: number; dropped_interface?: number };
  /** Records longer than the header's / interface's snaplen: read as tshark reads them (up to 256 KiB), counted. */
  caplenOverSnaplen?: number;
  /** Set when the file is truncated or corrupt: everything before `error.offset` was delivered. */
  error?: CaptureError;
}

/** A bad file: names the file and the byte offset of the fault. Never thrown for bad traffic. */
export class CaptureError extends Error {
  readonly file: string;
  readonly offset: number;
  readonly reason: string;
  constructor(file: string, offset: number, reason: string) {
    super(`${file}: ${reason} at byte offset ${offset}`);
    this.name = 'CaptureError';
    this.file = file;
    this.offset = offset;
    this.reason = reason;
  }
}

/** Progress of a read, for a progress bar: compressed bytes consumed of the file's size. */
export interface CaptureProgress {
  bytesRead: number;
  totalBytes: number;
}

/**
 * A capture source (file, gzip file, pipe). `read` pushes every packet to `onPacket` synchronously within
 * each chunk it reads, so no promise is created per packet. It resolves (never rejects for bad input)
 * with a summary; a corrupt or truncated input sets `summary.error`.
 */
export interface CaptureSource {
  readonly name: string;
  read(onPacket: (rec: PacketRecord) => void, onProgress?: (p: CaptureProgress) => void): Promise<CaptureSummary>;
}
