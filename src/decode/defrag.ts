/**
 * IPv4 and IPv6 fragment reassembly, keyed by (version, src, dst, protocol, id).
 *
 * Policy: FIRST WINS. Bytes already received for a datagram are kept; an overlapping fragment only fills
 * gaps. Every overlap is counted (`decode.frag.overlap`) and overlaps whose bytes differ are reported again as
 * `decode.frag.overlap_conflict` (the evasion case: a sensor and the target host may resolve them differently).
 * Received data is tracked in 8-byte blocks (fragment offsets are multiples of 8), so the work per fragment is
 * linear in its length and the state per datagram is bounded by `maxDatagramBytes`.
 *
 * The IPv6 datagram is rebuilt from the fixed header of the offset-0 fragment with its next header set to the
 * fragment header's: extension headers before the fragment header (hop-by-hop, routing) are not kept.
 * Time is packet time: datagrams older than `timeoutS` since their first fragment are dropped when a later
 * fragment arrives (or on `expire(ts)`).
 * @module
 */
import type { PacketView } from './packet-view.ts';
import { A } from './anomalies.ts';

export interface DefragOptions {
  /** Datagrams in reassembly at once; the oldest is evicted beyond it. */
  maxDatagrams: number;
  /** Largest reassembled datagram (IP header included for IPv4, fixed header excluded for IPv6). */
  maxDatagramBytes: number;
  /** Memory for all datagrams in reassembly (buffers and block maps). */
  maxTotalBytes: number;
  /** Seconds of packet time from a datagram's first fragment until it is dropped. */
  timeoutS: number;
  /** Fragments accepted per datagram. */
  maxFragmentsPerDatagram: number;
}

export const defaultDefragOptions: DefragOptions = {
  maxDatagrams: 4096,
  maxDatagramBytes: 65535,
  maxTotalBytes: 32 * 1024 * 1024,
  timeoutS: 30,
  maxFragmentsPerDatagram: 1024,
};

export interface DefragStats {
  /** Fragments offered to `add`. */
  fragments: number;
  /** Datagrams completed. */
  reassembled: number;
  overlaps: number;
  overlapConflicts: number;
  /** Datagrams evicted because `maxDatagrams` was reached. */
  evictedTooMany: number;
  /** Datagrams evicted because `maxTotalBytes` was reached. */
  evictedMemory: number;
  timeouts: number;
  tooLarge: number;
  tooManyFragments: number;
  badLength: number;
  inconsistentEnd: number;
  /** Datagrams in reassembly now, and bytes they hold. */
  inProgress: number;
  bytesInUse: number;
}

const KEY_LEN = 1 + 16 + 16 + 1 + 4;

class Datagram {
  readonly key = new Uint8Array(KEY_LEN);
  hash = 0;
  firstTs = 0;
  /** Fragmentable payload received so far; grown on demand. */
  buf = new Uint8Array(0);
  /** One byte per 8-byte block of `buf`: 1 when received. */
  blocks = new Uint8Array(0);
  blocksReceived = 0;
  /** Payload length, known once the last fragment (more = false) arrived; -1 before. */
  totalLen = -1;
  maxEnd = 0;
  fragments = 0;
  /** Header of the offset-0 fragment (IPv4 with options; IPv6 fixed header), or null. */
  header: Uint8Array | null = null;
  version = 4;
  // oldest-first list and hash bucket chain
  older: Datagram | null = null;
  newer: Datagram | null = null;
  nextInBucket: Datagram | null = null;
}

export class Defragmenter {
  readonly options: DefragOptions;
  readonly stats: DefragStats = {
    fragments: 0, reassembled: 0, overlaps: 0, overlapConflicts: 0, evictedTooMany: 0, evictedMemory: 0,
    timeouts: 0, tooLarge: 0, tooManyFragments: 0, badLength: 0, inconsistentEnd: 0, inProgress: 0, bytesInUse: 0,
  };
  private readonly buckets = new Map<number, Datagram>();
  private oldest: Datagram | null = null;
  private newest: Datagram | null = null;
  private readonly scratchKey = new Uint8Array(KEY_LEN);

  constructor(options: Partial<DefragOptions> = {}) {
    this.options = { ...defaultDefragOptions, ...options };
  }

  /**
   * Add the fragment described by `view` (addresses, `ipProto` = upper protocol, `ipId`) whose fragmentable
   * data is `view.data[dataOff .. dataOff + dataLen)` at byte offset `fragOffset`, and whose IP header is
   * `view.data[hdrOff .. hdrOff + hdrLen)`. Returns the complete datagram (IP header + payload) written at
   * `headroom` in a new buffer when this fragment completes it, else undefined. Anomalies go to `view`.
   */
  add(
    view: PacketView, version: 4 | 6, fragOffset: number, more: boolean, dataOff: number, dataLen: number,
    hdrOff: number, hdrLen: number, ts: number, headroom: number,
  ): Uint8Array | undefined {
    const st = this.stats;
    const opt = this.options;
    st.fragments++;
    this.expire(ts, view);
    if (more && (dataLen === 0 || dataLen % 8 !== 0)) {
      st.badLength++;
      view.anomaly(A.fragBadLength);
      return undefined;
    }
    const fragEnd = fragOffset + dataLen;
    const key = this.scratchKey;
    const hash = fillKey(key, view, version);
    let dg = this.find(hash, key);
    if (fragEnd + (version === 4 ? hdrLen : 0) > opt.maxDatagramBytes) {
      st.tooLarge++;
      view.anomaly(A.fragTooLarge);
      if (dg) this.remove(dg);
      return undefined;
    }
    if (!dg) {
      if (this.stats.inProgress >= opt.maxDatagrams && this.oldest) {
        st.evictedTooMany++;
        view.anomaly(A.fragTooMany);
        this.remove(this.oldest);
      }
      dg = this.insert(hash, key, version, ts);
    }
    if ((dg.totalLen >= 0 && (fragEnd > dg.totalLen || (!more && fragEnd !== dg.totalLen))) || (!more && dg.maxEnd > fragEnd)) {
      st.inconsistentEnd++;
      view.anomaly(A.fragInconsistentEnd);
      this.remove(dg);
      return undefined;
    }
    if (++dg.fragments > opt.maxFragmentsPerDatagram) {
      st.tooManyFragments++;
      view.anomaly(A.fragTooManyPieces);
      this.remove(dg);
      return undefined;
    }
    if (!this.reserve(dg, fragEnd, view)) return undefined;
    if (!more) dg.totalLen = fragEnd;
    if (fragEnd > dg.maxEnd) dg.maxEnd = fragEnd;
    if (fragOffset === 0 && dg.header === null) dg.header = view.data.slice(hdrOff, hdrOff + hdrLen);
    this.store(dg, view, view.data, dataOff, fragOffset, fragEnd);
    if (dg.totalLen < 0 || dg.header === null || dg.blocksReceived !== (dg.totalLen + 7) >>> 3) return undefined;
    const out = assemble(dg, headroom);
    this.remove(dg);
    st.reassembled++;
    return out;
  }

  /** Drop datagrams whose first fragment is older than the timeout at packet time `ts`; returns how many. */
  expire(ts: number, view?: PacketView): number {
    let n = 0;
    const limit = ts - this.options.timeoutS;
    while (this.oldest && this.oldest.firstTs < limit) {
      this.remove(this.oldest);
      this.stats.timeouts++;
      view?.anomaly(A.fragTimeout);
      n++;
    }
    return n;
  }

  /** Forget everything in reassembly (end of input). Not counted as timeouts. */
  clear(): void {
    while (this.oldest) this.remove(this.oldest);
  }

  /** Copy the fragment's bytes into gaps only (first wins); count overlaps per fragment. */
  private store(dg: Datagram, view: PacketView, d: Uint8Array, dataOff: number, fragOffset: number, fragEnd: number): void {
    let overlap = false;
    let conflict = false;
    const buf = dg.buf;
    const blocks = dg.blocks;
    for (let pos = fragOffset; pos < fragEnd; pos += 8) {
      const blockEnd = pos + 8 < fragEnd ? pos + 8 : fragEnd;
      const src = dataOff + (pos - fragOffset);
      const b = pos >>> 3;
      if (blocks[b] === 1) {
        overlap = true;
        if (!conflict) {
          for (let i = 0; i < blockEnd - pos; i++) {
            if (buf[pos + i] !== d[src + i]) {
              conflict = true;
              break;
            }
          }
        }
        continue;
      }
      for (let i = 0; i < blockEnd - pos; i++) buf[pos + i] = d[src + i];
      blocks[b] = 1;
      dg.blocksReceived++;
    }
    if (overlap) {
      this.stats.overlaps++;
      view.anomaly(A.fragOverlap);
    }
    if (conflict) {
      this.stats.overlapConflicts++;
      view.anomaly(A.fragOverlapConflict);
    }
  }

  /** Grow the datagram's buffer to hold `needed` bytes, evicting the oldest others past the memory limit. */
  private reserve(dg: Datagram, needed: number, view: PacketView): boolean {
    if (needed <= dg.buf.length) return true;
    let cap = dg.buf.length === 0 ? 2048 : dg.buf.length * 2;
    if (cap < needed) cap = needed;
    if (cap > this.options.maxDatagramBytes) cap = this.options.maxDatagramBytes;
    const nBlocks = (cap + 7) >>> 3;
    const growth = cap + nBlocks - dg.buf.length - dg.blocks.length;
    let evicted = false;
    while (this.stats.bytesInUse + growth > this.options.maxTotalBytes && this.oldest && this.oldest !== dg) {
      this.remove(this.oldest);
      this.stats.evictedMemory++;
      evicted = true;
    }
    if (evicted) view.anomaly(A.fragMemory);
    if (this.stats.bytesInUse + growth > this.options.maxTotalBytes) {
      this.stats.evictedMemory++;
      view.anomaly(A.fragMemory);
      this.remove(dg);
      return false;
    }
    const buf = new Uint8Array(cap);
    buf.set(dg.buf);
    const blocks = new Uint8Array(nBlocks);
    blocks.set(dg.blocks);
    dg.buf = buf;
    dg.blocks = blocks;
    this.stats.bytesInUse += growth;
    return true;
  }

  private find(hash: number, key: Uint8Array): Datagram | undefined {
    for (let dg = this.buckets.get(hash); dg; dg = dg.nextInBucket ?? undefined) {
      if (sameKey(dg.key, key)) return dg;
    }
    return undefined;
  }

  private insert(hash: number, key: Uint8Array, version: number, ts: number): Datagram {
    const dg = new Datagram();
    dg.key.set(key);
    dg.hash = hash;
    dg.firstTs = ts;
    dg.version = version;
    dg.nextInBucket = this.buckets.get(hash) ?? null;
    this.buckets.set(hash, dg);
    dg.older = this.newest;
    if (this.newest) this.newest.newer = dg;
    else this.oldest = dg;
    this.newest = dg;
    this.stats.inProgress++;
    return dg;
  }

  private remove(dg: Datagram): void {
    let prev: Datagram | null = null;
    for (let cur = this.buckets.get(dg.hash) ?? null; cur; prev = cur, cur = cur.nextInBucket) {
      if (cur !== dg) continue;
      if (prev) prev.nextInBucket = cur.nextInBucket;
      else if (cur.nextInBucket) this.buckets.set(dg.hash, cur.nextInBucket);
      else this.buckets.delete(dg.hash);
      break;
    }
    if (dg.older) dg.older.newer = dg.newer;
    else this.oldest = dg.newer;
    if (dg.newer) dg.newer.older = dg.older;
    else this.newest = dg.older;
    dg.older = dg.newer = dg.nextInBucket = null;
    this.stats.inProgress--;
    this.stats.bytesInUse -= dg.buf.length + dg.blocks.length;
  }
}

/** Key bytes: version, src, dst (IPv4 in the first 4 of 16), protocol, id. Returns an FNV-1a hash. */
function fillKey(key: Uint8Array, view: PacketView, version: number): number {
  key.fill(0);
  key[0] = version;
  if (version === 4) {
    writeU32(key, 1, view.src4);
    writeU32(key, 17, view.dst4);
  } else {
    key.set(view.data.subarray(view.src6Off, view.src6Off + 16), 1);
    key.set(view.data.subarray(view.dst6Off, view.dst6Off + 16), 17);
  }
  key[33] = view.ipProto;
  writeU32(key, 34, view.ipId);
  let h = 0x811c9dc5;
  for (let i = 0; i < KEY_LEN; i++) h = Math.imul(h ^ key[i], 0x01000193);
  return h >>> 0;
}

function writeU32(b: Uint8Array, o: number, v: number): void {
  b[o] = v >>> 24;
  b[o + 1] = v >>> 16;
  b[o + 2] = v >>> 8;
  b[o + 3] = v;
}

function sameKey(a: Uint8Array, b: Uint8Array): boolean {
  for (let i = 0; i < KEY_LEN; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Build `headroom` spare bytes + IP header (lengths fixed, no fragment fields) + payload. */
function assemble(dg: Datagram, headroom: number): Uint8Array {
  const hdr = dg.header as Uint8Array;
  const len = dg.totalLen;
  const out = new Uint8Array(headroom + hdr.length + len);
  out.set(hdr, headroom);
  out.set(dg.buf.subarray(0, len), headroom + hdr.length);
  const h = headroom;
  if (dg.version === 4) {
    const total = hdr.length + len;
    out[h + 2] = total >>> 8;
    out[h + 3] = total;
    out[h + 6] &= 0x40; // keep DF, clear MF and the offset
    out[h + 7] = 0;
  } else {
    out[h + 4] = len >>> 8;
    out[h + 5] = len;
    out[h + 6] = dg.key[33]; // next header: the fragment header's
  }
  return out;
}
