/**
 * TCP stream reassembly: in-order delivery of each direction's payload, for the flows the caller feeds
 * (state is created lazily per (slot, dir) on the first segment; call `release(slot)` when the flow ends,
 * before the slot is reused).
 *
 * - Start: the ISN from the handshake (data begins at ISN+1: the flow table keeps each direction's SYN / SYN-ACK
 *   sequence number, passed as `isn`, or a SYN fed here); so a first segment that arrives late is buffered, and
 *   one never seen is a gap. Without a handshake, the first data segment's sequence number (midstream). Data
 *   older than the start is treated as retransmission; data before ISN+1 (a forged or confused ISN) makes the
 *   direction start midstream there instead (counted as isnMismatches).
 * - Sequence numbers are mapped to 53-bit stream offsets relative to the next expected byte (signed 32-bit
 *   distance), so wraparound needs no special case.
 * - Overlap policy (as Suricata's stream engine names them): 'first' (default; BSD and most targets keep the
 *   bytes they received first) or 'last' (a later copy replaces buffered bytes not yet delivered). Bytes
 *   already delivered are never taken back under either policy. Retransmitted and overlapping bytes are
 *   trimmed and counted; overlapping bytes that differ from the buffered copy are counted as conflicts (an
 *   evasion attempt or a broken stack; delivered bytes are not kept, so overlaps with them count only as
 *   retransmission).
 * - Out-of-order segments are copied and buffered; when a direction buffers more than maxOooBytesPerDir (or
 *   maxOooSegmentsPerDir segments), or all directions together more than maxBufferedBytes, the first hole is
 *   declared lost: gap(dir, length) is called and delivery resumes after it.
 * - At most maxDepthPerDir bytes are delivered per direction; then the direction stops (counted).
 * - RST segments' payload and segments of a direction before its start is known are ignored (counted).
 * @module
 */
import { TcpFlag } from '../decode/packet-view.ts';

/** Which copy of overlapping, not yet delivered bytes is kept. */
export type OverlapPolicy = 'first' | 'last';

export interface ReassemblyOptions {
  overlapPolicy: OverlapPolicy;
  maxOooBytesPerDir: number;
  maxOooSegmentsPerDir: number;
  maxDepthPerDir: number;
  maxBufferedBytes: number;
}

export const defaultReassemblyOptions: ReassemblyOptions = {
  overlapPolicy: 'first',
  maxOooBytesPerDir: 64 * 1024,
  maxOooSegmentsPerDir: 1024,
  maxDepthPerDir: 1024 * 1024,
  maxBufferedBytes: 64 * 1024 * 1024,
};

export interface ReassemblyStats {
  segments: number;
  deliveredBytes: number;
  /** Segments that arrived ahead of the next expected byte and were buffered. */
  outOfOrderSegments: number;
  /** Bytes trimmed as retransmitted or overlapping. */
  overlapBytes: number;
  /** Overlapping bytes that differed from the buffered copy. */
  conflictBytes: number;
  gaps: number;
  gapBytes: number;
  /** Gaps forced by the global buffer cap (also counted in gaps). */
  globalCapGaps: number;
  /** Directions that reached maxDepthPerDir. */
  depthReached: number;
  /** RST payloads. */
  ignoredSegments: number;
  /** Directions whose first data lay before ISN+1 of the handshake (started midstream instead). */
  isnMismatches: number;
  bufferedBytes: number;
  maxBufferedBytes: number;
  /** Directions with state. */
  liveDirections: number;
}

export type Deliver = (dir: number, bytes: Uint8Array) => void;
export type Gap = (dir: number, length: number) => void;

interface Seg { start: number; data: Uint8Array }

interface DirState {
  /** Sequence number of the next expected byte (u32) and its stream offset. */
  nextSeq: number;
  base: number;
  delivered: number;
  done: boolean;
  segs: Seg[];
  buffered: number;
  /** Stream offset of the FIN (the end of the data), -1 until one is seen: bytes missing before it are a gap. */
  finAt: number;
}

/** The segment list of a direction with none buffered (shared, never changed: add() gives a direction its own). */
const NO_SEGS: Seg[] = [];
/** Released direction states kept for reuse (a flood of short connections makes and drops two per flow). */
const SPARE_STATES_MAX = 4096;

export class TcpReassembler {
  private readonly opts: ReassemblyOptions;
  /** State by slot * 2 + dir (undefined: none); grows with the slots fed, so bounded by the flow table's. */
  private readonly dirs: (DirState | undefined)[] = [];
  private live = 0;
  private readonly spare: DirState[] = [];
  private readonly st: ReassemblyStats = {
    segments: 0, deliveredBytes: 0, outOfOrderSegments: 0, overlapBytes: 0, conflictBytes: 0, gaps: 0, gapBytes: 0,
    globalCapGaps: 0, depthReached: 0, ignoredSegments: 0, isnMismatches: 0, bufferedBytes: 0, maxBufferedBytes: 0, liveDirections: 0,
  };

  constructor(options: Partial<ReassemblyOptions> = {}) {
    this.opts = { ...defaultReassemblyOptions, ...options };
  }

  get stats(): ReassemblyStats {
    this.st.liveDirections = this.live;
    return this.st;
  }

  /**
   * Feed one segment of flow `slot`, direction `dir` (payload `data[off .. off+len)`). `isn`: the direction's
   * initial sequence number from the handshake when known (-1 when not), used when the direction starts.
   */
  segment(slot: number, dir: number, seq: number, flags: number, data: Uint8Array, off: number, len: number,
    deliver: Deliver, gap: Gap, isn = -1): void {
    this.st.segments++;
    const key = slot * 2 + (dir & 1);
    let st = key < this.dirs.length ? this.dirs[key] : undefined;
    seq >>>= 0;
    if (flags & TcpFlag.SYN) {
      // A SYN (re)sets the start while nothing was delivered; its payload (TCP Fast Open) follows the ISN.
      if (!st) st = this.newState(key, (seq + 1) >>> 0);
      else if (st.delivered === 0 && st.segs.length === 0 && st.base === 0) st.nextSeq = (seq + 1) >>> 0;
      seq = (seq + 1) >>> 0;
    }
    if (len <= 0 || off < 0 || off + len > data.length) len = 0;
    if (flags & TcpFlag.RST) { if (len > 0) this.st.ignoredSegments++; return; }
    if (len === 0 && (!(flags & TcpFlag.FIN) || (!st && isn < 0))) return;
    if (!st) {
      let start = seq;
      if (isn >= 0) {
        if (((seq - ((isn + 1) >>> 0)) | 0) >= 0) start = (isn + 1) >>> 0;
        else this.st.isnMismatches++;
      }
      st = this.newState(key, start);
    }
    if (st.done) return;
    let start = st.base + ((seq - st.nextSeq) | 0);
    const end = start + len;
    // The FIN's sequence number marks the end of the data: a last segment that never came is then a gap too.
    if ((flags & TcpFlag.FIN) && st.finAt < 0 && end >= st.base) st.finAt = end;
    if (len === 0) return;
    if (end <= st.base) { this.st.overlapBytes += len; return; }
    if (start < st.base) {
      const cut = st.base - start;
      this.st.overlapBytes += cut;
      off += cut;
      start = st.base;
    }
    if (start === st.base) {
      // In order: deliver straight from the packet up to the first buffered segment.
      const limit = st.segs.length > 0 ? Math.min(end, st.segs[0].start) : end;
      this.emit(st, dir, data.subarray(off, off + (limit - start)), deliver);
      off += limit - start;
      start = limit;
      if (st.done || start === end) { this.drain(st, dir, deliver); return; }
    } else {
      this.st.outOfOrderSegments++;
    }
    this.insert(st, data, off, start, end);
    this.drain(st, dir, deliver);
    this.enforceCaps(st, dir, deliver, gap);
  }

  /** Declare the remaining holes of both directions as gaps and deliver what was buffered (at flow end). */
  flush(slot: number, deliver: Deliver, gap: Gap): void {
    for (let dir = 0; dir < 2; dir++) {
      const st = this.stateOf(slot * 2 + dir);
      if (!st) continue;
      while (!st.done && st.segs.length > 0) this.skipHole(st, dir, deliver, gap);
      if (!st.done && st.finAt > st.base) this.declareGap(st, dir, st.finAt - st.base, gap);
    }
  }

  /** Forget a flow's state (both directions). */
  release(slot: number): void {
    for (let dir = 0; dir < 2; dir++) {
      const key = slot * 2 + dir;
      const st = this.stateOf(key);
      if (!st) continue;
      this.freeBuffers(st);
      this.dirs[key] = undefined;
      this.live--;
      if (this.spare.length < SPARE_STATES_MAX) this.spare.push(st);
    }
  }

  /** Bytes delivered so far in one direction (-1 when the direction has no state). */
  deliveredBytes(slot: number, dir: number): number {
    const st = this.stateOf(slot * 2 + dir);
    return st ? st.delivered : -1;
  }

  private stateOf(key: number): DirState | undefined {
    return key < this.dirs.length ? this.dirs[key] : undefined;
  }

  /** A fresh state for direction `key` (a released one reused when there is one). */
  private newState(key: number, nextSeq: number): DirState {
    let st = this.spare.pop();
    if (st === undefined) {
      st = { nextSeq, base: 0, delivered: 0, done: false, segs: NO_SEGS, buffered: 0, finAt: -1 };
    } else {
      st.nextSeq = nextSeq;
      st.base = 0;
      st.delivered = 0;
      st.done = false;
      st.segs = NO_SEGS;
      st.buffered = 0;
      st.finAt = -1;
    }
    const dirs = this.dirs;
    while (dirs.length <= key) dirs.push(undefined);
    dirs[key] = st;
    this.live++;
    return st;
  }

  private emit(st: DirState, dir: number, bytes: Uint8Array, deliver: Deliver): void {
    let n = bytes.length;
    const room = this.opts.maxDepthPerDir - st.delivered;
    if (n > room) n = room;
    if (n > 0) {
      deliver(dir, n === bytes.length ? bytes : bytes.subarray(0, n));
      st.delivered += n;
      this.st.deliveredBytes += n;
    }
    st.base += bytes.length;
    st.nextSeq = (st.nextSeq + bytes.length) >>> 0;
    if (st.delivered >= this.opts.maxDepthPerDir) {
      st.done = true;
      this.st.depthReached++;
      this.freeBuffers(st);
    }
  }

  /** Buffer the parts of [start, end) not already buffered; count overlaps and conflicting bytes. */
  private insert(st: DirState, data: Uint8Array, off: number, start: number, end: number): void {
    const segs = st.segs;
    let i = this.firstEndingAfter(segs, start);
    let cursor = start;
    while (i < segs.length && segs[i].start < end && cursor < end) {
      const s = segs[i];
      const sEnd = s.start + s.data.length;
      if (s.start > cursor) {
        this.add(st, i, cursor, data.slice(off + cursor - start, off + s.start - start));
        i++;
      }
      const ovStart = Math.max(cursor, s.start), ovEnd = Math.min(end, sEnd);
      if (ovEnd > ovStart) {
        this.st.overlapBytes += ovEnd - ovStart;
        const last = this.opts.overlapPolicy === 'last';
        for (let p = ovStart; p < ovEnd; p++) {
          if (data[off + p - start] === s.data[p - s.start]) continue;
          this.st.conflictBytes++;
          if (last) s.data[p - s.start] = data[off + p - start];
        }
      }
      if (sEnd > cursor) cursor = sEnd;
      i++;
    }
    if (cursor < end) this.add(st, i, cursor, data.slice(off + cursor - start, off + end - start));
  }

  private add(st: DirState, at: number, start: number, bytes: Uint8Array): void {
    if (st.segs === NO_SEGS) st.segs = [];
    st.segs.splice(at, 0, { start, data: bytes });
    st.buffered += bytes.length;
    this.st.bufferedBytes += bytes.length;
    if (this.st.bufferedBytes > this.st.maxBufferedBytes) this.st.maxBufferedBytes = this.st.bufferedBytes;
  }

  /** Index of the first buffered segment ending after `pos` (binary search). */
  private firstEndingAfter(segs: Seg[], pos: number): number {
    let lo = 0, hi = segs.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (segs[mid].start + segs[mid].data.length <= pos) lo = mid + 1; else hi = mid;
    }
    return lo;
  }

  /** Deliver buffered segments that became contiguous. */
  private drain(st: DirState, dir: number, deliver: Deliver): void {
    while (!st.done && st.segs.length > 0 && st.segs[0].start <= st.base) {
      const s = st.segs.shift() as Seg;
      st.buffered -= s.data.length;
      this.st.bufferedBytes -= s.data.length;
      const skip = st.base - s.start;
      if (skip >= s.data.length) { this.st.overlapBytes += s.data.length; continue; }
      if (skip > 0) this.st.overlapBytes += skip;
      this.emit(st, dir, skip > 0 ? s.data.subarray(skip) : s.data, deliver);
    }
  }

  private skipHole(st: DirState, dir: number, deliver: Deliver, gap: Gap): void {
    const len = st.segs[0].start - st.base;
    if (len > 0) this.declareGap(st, dir, len, gap);
    this.drain(st, dir, deliver);
  }

  private declareGap(st: DirState, dir: number, len: number, gap: Gap): void {
    gap(dir, len);
    this.st.gaps++;
    this.st.gapBytes += len;
    st.base += len;
    st.nextSeq = (st.nextSeq + len) >>> 0;
  }

  private enforceCaps(st: DirState, dir: number, deliver: Deliver, gap: Gap): void {
    const o = this.opts;
    while (!st.done && st.segs.length > 0 && (st.buffered > o.maxOooBytesPerDir || st.segs.length > o.maxOooSegmentsPerDir)) {
      this.skipHole(st, dir, deliver, gap);
    }
    while (!st.done && st.segs.length > 0 && this.st.bufferedBytes > o.maxBufferedBytes) {
      this.st.globalCapGaps++;
      this.skipHole(st, dir, deliver, gap);
    }
  }

  private freeBuffers(st: DirState): void {
    this.st.bufferedBytes -= st.buffered;
    st.buffered = 0;
    st.segs = NO_SEGS;
  }
}
