/**
 * Bounds of the capture stage: what a record may claim before it is called corrupt.
 * @module
 */

/** Read size and the reused buffer's size. */
export const CHUNK_BYTES = 8 * 1024 * 1024;
/** A captured length above this is a corrupt record, whatever the snaplen says (libpcap uses 256 KiB too). */
export const MAX_CAPLEN = 256 * 1024;
/** A pcapng block that must be parsed whole (SHB, IDB, packet blocks) may not be longer than this. */
export const MAX_PARSED_BLOCK = 1024 * 1024;
/**
 * Decompression bombs: a gzip capture stops being read (a fault, everything before it analysed) past
 * MAX_DECOMPRESSED_BYTES, or past MAX_GZIP_RATIO times the compressed bytes read once GZIP_RATIO_FLOOR bytes came
 * out. Real captures compress 2-20 times; DEFLATE's limit is about 1,032 times (1 MB becoming 1 GiB). The
 * server sets both (--max-decompressed-mb); see README, Reliability.
 */
export const MAX_DECOMPRESSED_BYTES = 16 * 1024 ** 3;
export const MAX_GZIP_RATIO = 200;
export const GZIP_RATIO_FLOOR = 64 * 1024 * 1024;
/** Interfaces per pcapng section: more is corrupt (bounds the per-interface tables). */
export const MAX_INTERFACES = 65536;
