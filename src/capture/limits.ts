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
/** Interfaces per pcapng section: more is corrupt (bounds the per-interface tables). */
export const MAX_INTERFACES = 65536;
