/**
 * A bounded on-disk ring of recent packets for live capture: packets are appended to pcapng segment files;
 * when the ring is full the oldest segment is deleted, unless it holds a packet an open finding needs
 * (pinned), so an evidence package can still be cut after the capture has moved on. Pinned segments are
 * bounded too: past `maxPinnedSegments` the oldest pinned one goes, and that is counted.
 *
 * Segments describe themselves, so another process can cut packets from them after the capture stopped
 * (`readRing`): each interface block names its source (`if_name`, e.g. 'interface:eth0') and each packet
 * block carries the packet's number in its source (`epb_packetid`, 16 bytes a packet).
 * Memory: 4 bytes per packet in the ring (its offset), nothing per byte.
 * @module
 */
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, readSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { PacketRecord } from '../../capture/types.ts';
import type { EvidencePacket } from './pcapng-writer.ts';

export interface RingOptions {
  /** A segment is closed once it reaches this size. */
  segmentBytes: number;
  /** Unpinned segments kept (the current one included). */
  maxSegments: number;
  /** Pinned segments kept beyond those. */
  maxPinnedSegments: number;
}

export const defaultRingOptions: RingOptions = { segmentBytes: 16 << 20, maxSegments: 8, maxPinnedSegments: 32 };

export interface RingStats {
  packets: number;
  bytes: number;
  segments_written: number;
  segments_deleted: number;
  /** Pinned segments deleted because more were pinned than `maxPinnedSegments`. */
  pinned_evicted: number;
  /** Pins asked for packets already gone. */
  pins_missed: number;
}

interface SourceRun {
  first: number;
  /** Byte offset of each packet's block in the segment, by packet number - first. */
  offsets: Uint32Array;
  count: number;
}

interface Segment {
  seq: number;
  path: string;
  size: number;
  /** Who needs a packet of this segment (open findings): it is kept past rotation while any does. */
  pins: Set<string>;
  runs: Map<string, SourceRun>;
  /** Interface id by source and link type ('source\0linktype'). */
  interfaces: Map<string, { id: number; linkType: number }>;
}

const flushAt = 1 << 20;

export class PacketRing {
  readonly dir: string;
  readonly stats: RingStats = { packets: 0, bytes: 0, segments_written: 0, segments_deleted: 0, pinned_evicted: 0, pins_missed: 0 };
  private readonly opts: RingOptions;
  private readonly segments: Segment[] = [];
  private current: Segment | undefined;
  private fd = -1;
  /** Blocks not yet written: packets are encoded straight into it (nothing allocated per packet). */
  private readonly pending = Buffer.allocUnsafe(flushAt + (1 << 20));
  private pendingBytes = 0;
  /** The previous packet's segment, source, link type and interface id (the common case: the same). */
  private lastSeg: Segment | undefined;
  private lastSource = '';
  private lastLinkType = -1;
  private lastIface = 0;
  private seq = 0;

  constructor(dir: string, options: Partial<RingOptions> = {}) {
    this.dir = dir;
    this.opts = { ...defaultRingOptions, ...options };
    mkdirSync(dir, { recursive: true });
    // Segments of an earlier run stay readable (their findings may still be exported) until this run's
    // rotation has filled the ring; numbering goes on after them.
    for (const name of ringFiles(dir)) {
      const seq = Number(/^ring-(\d+)\.pcapng$/.exec(name)?.[1]);
      this.seq = Math.max(this.seq, seq);
      this.segments.push({ seq, path: join(dir, name), size: 0, pins: new Set(), runs: new Map(), interfaces: new Map() });
    }
  }

  /** Bytes of the ring's segments at most (unpinned and pinned, each at most a packet past its size). */
  get boundBytes(): number {
    return (this.opts.maxSegments + this.opts.maxPinnedSegments) * this.opts.segmentBytes;
  }

  /** Append one packet of `source` (its record is copied: the caller's buffer may be reused). */
  record(source: string, rec: PacketRecord): void {
    let seg = this.current;
    if (seg === undefined || seg.size >= this.opts.segmentBytes) seg = this.rotate();
    let iface: number;
    if (seg === this.lastSeg && source === this.lastSource && rec.linkType === this.lastLinkType) iface = this.lastIface;
    else {
      // Not the previous packet's interface: look it up (a key string only then, not per packet).
      const ifaceKey = `${source}\0${rec.linkType}`;
      const known = seg.interfaces.get(ifaceKey)?.id;
      if (known === undefined) {
        iface = seg.interfaces.size;
        seg.interfaces.set(ifaceKey, { id: iface, linkType: rec.linkType });
        this.write(seg, idb(rec.linkType, source));
      } else iface = known;
      this.lastSeg = seg;
      this.lastSource = source;
      this.lastLinkType = rec.linkType;
      this.lastIface = iface;
    }
    let run = seg.runs.get(source);
    if (run === undefined || rec.packetNo !== run.first + run.count) {
      // A new source, or numbering restarted (a new file of the same name): a fresh run replaces the old.
      run = { first: rec.packetNo, offsets: new Uint32Array(1024), count: 0 };
      seg.runs.set(source, run);
    }
    if (run.count === run.offsets.length) {
      const grown = new Uint32Array(run.offsets.length * 2);
      grown.set(run.offsets);
      run.offsets = grown;
    }
    run.offsets[run.count++] = seg.size;
    const need = epbSize(rec.caplen);
    if (this.pendingBytes + need > this.pending.length) this.flush();
    if (need > this.pending.length) this.write(seg, epb(iface, rec, Buffer.alloc(need), 0));
    else {
      epb(iface, rec, this.pending, this.pendingBytes);
      this.pendingBytes += need;
      seg.size += need;
      if (this.pendingBytes >= flushAt) this.flush();
    }
    this.stats.packets++;
    this.stats.bytes += rec.caplen;
  }

  /**
   * Keep the segment holding this packet past rotation while `owner` (e.g. a finding id) needs it.
   * False when the packet is no longer in the ring.
   */
  pin(source: string, packetNo: number, owner = ''): boolean {
    const seg = this.find(source, packetNo)?.seg;
    if (seg === undefined) {
      this.stats.pins_missed++;
      return false;
    }
    seg.pins.add(owner);
    return true;
  }

  /** `owner` no longer needs its packets (its finding closed): its segments rotate out as usual. */
  release(owner: string): void {
    for (const seg of this.segments) seg.pins.delete(owner);
  }

  /** One packet back, or undefined when it has left the ring. */
  read(source: string, packetNo: number): EvidencePacket | undefined {
    const hit = this.find(source, packetNo);
    if (hit === undefined) return undefined;
    this.flush();
    const fd = openSync(hit.seg.path, 'r');
    try {
      const head = Buffer.alloc(28);
      readSync(fd, head, 0, 28, hit.offset);
      const total = head.readUInt32LE(4);
      const block = Buffer.alloc(total);
      readSync(fd, block, 0, total, hit.offset);
      const ifaceId = block.readUInt32LE(8);
      const ts = (BigInt(block.readUInt32LE(12)) << 32n) | BigInt(block.readUInt32LE(16));
      const caplen = block.readUInt32LE(20);
      const linkType = [...hit.seg.interfaces.values()].find((i) => i.id === ifaceId)?.linkType ?? 0;
      return {
        linkType, tsSec: Number(ts / 1_000_000_000n), tsNsec: Number(ts % 1_000_000_000n), origLen: block.readUInt32LE(24),
        data: Uint8Array.prototype.slice.call(block, 28, 28 + caplen), comment: '',
      };
    } finally {
      closeSync(fd);
    }
  }

  /** Segment files now on disk, oldest first. */
  files(): string[] {
    return this.segments.map((s) => s.path);
  }

  close(): void {
    this.flush();
    if (this.fd >= 0) closeSync(this.fd);
    this.fd = -1;
  }

  private find(source: string, packetNo: number): { seg: Segment; offset: number } | undefined {
    for (let i = this.segments.length - 1; i >= 0; i--) {
      const run = this.segments[i].runs.get(source);
      if (run && packetNo >= run.first && packetNo < run.first + run.count) return { seg: this.segments[i], offset: run.offsets[packetNo - run.first] };
    }
    return undefined;
  }

  private rotate(): Segment {
    this.close();
    const seg: Segment = { seq: ++this.seq, path: join(this.dir, `ring-${String(this.seq).padStart(8, '0')}.pcapng`), size: 0, pins: new Set(), runs: new Map(), interfaces: new Map() };
    this.fd = openSync(seg.path, 'w');
    this.segments.push(seg);
    this.current = seg;
    this.stats.segments_written++;
    this.write(seg, shb());
    this.evict();
    return seg;
  }

  /** Drop the oldest unpinned segments beyond maxSegments, then the oldest pinned beyond their budget. */
  private evict(): void {
    const unpinned = this.segments.filter((s) => s.pins.size === 0);
    for (let i = 0; i < unpinned.length - this.opts.maxSegments; i++) this.remove(unpinned[i]);
    const pinned = this.segments.filter((s) => s.pins.size > 0);
    for (let i = 0; i < pinned.length - this.opts.maxPinnedSegments; i++) {
      this.remove(pinned[i]);
      this.stats.pinned_evicted++;
    }
  }

  private remove(seg: Segment): void {
    this.segments.splice(this.segments.indexOf(seg), 1);
    if (existsSync(seg.path)) unlinkSync(seg.path);
    this.stats.segments_deleted++;
  }

  private write(seg: Segment, b: Buffer): void {
    if (this.pendingBytes + b.length > this.pending.length) this.flush();
    if (b.length > this.pending.length) {
      if (this.fd >= 0) writeSync(this.fd, b);
      seg.size += b.length;
      return;
    }
    b.copy(this.pending, this.pendingBytes);
    this.pendingBytes += b.length;
    seg.size += b.length;
    if (this.pendingBytes >= flushAt) this.flush();
  }

  /** Write what is buffered, so that another process reading the ring sees every packet recorded so far. */
  flush(): void {
    if (this.pendingBytes === 0 || this.fd < 0) return;
    writeSync(this.fd, this.pending, 0, this.pendingBytes);
    this.pendingBytes = 0;
  }
}

function block(type: number, body: Buffer): Buffer {
  const total = 12 + body.length;
  const b = Buffer.alloc(total);
  b.writeUInt32LE(type, 0);
  b.writeUInt32LE(total, 4);
  body.copy(b, 8);
  b.writeUInt32LE(total, total - 4);
  return b;
}

function shb(): Buffer {
  const body = Buffer.alloc(16);
  body.writeUInt32LE(0x1a2b3c4d, 0);
  body.writeUInt16LE(1, 4);
  body.writeBigInt64LE(-1n, 8);
  return block(0x0a0d0d0a, body);
}

function idb(linkType: number, source: string): Buffer {
  // if_name = the source, if_tsresol = 9 (nanoseconds), then end of options.
  const name = Buffer.from(source, 'utf8').subarray(0, 0xffff);
  const namePadded = (name.length + 3) & ~3;
  const body = Buffer.alloc(8 + 4 + namePadded + 8 + 4);
  body.writeUInt16LE(linkType, 0);
  body.writeUInt16LE(2, 8);
  body.writeUInt16LE(name.length, 10);
  name.copy(body, 12);
  const o = 12 + namePadded;
  body.writeUInt16LE(9, o);
  body.writeUInt16LE(1, o + 2);
  body.writeUInt8(9, o + 4);
  return block(1, body);
}

/** Buffer's copy on any Uint8Array source: no view object per packet (a subarray would be one). */
const copyBytes = (src: Uint8Array, dst: Buffer, at: number, start: number, end: number): number =>
  Buffer.prototype.copy.call(src, dst, at, start, end);

/** Bytes of an Enhanced Packet Block of `caplen` bytes with its packet id option. */
function epbSize(caplen: number): number {
  return 12 + 20 + ((caplen + 3) & ~3) + 12 + 4;
}

/** Encode an Enhanced Packet Block into `out` at `at` (epb_packetid: the packet's number in its source). */
function epb(iface: number, rec: PacketRecord, out: Buffer, at: number): Buffer {
  const total = epbSize(rec.caplen);
  const padded = (rec.caplen + 3) & ~3;
  out.writeUInt32LE(6, at);
  out.writeUInt32LE(total, at + 4);
  out.writeUInt32LE(iface, at + 8);
  // Nanoseconds since the epoch as two 32-bit halves, in exact number arithmetic (no BigInt per packet).
  const b = Math.floor(rec.tsSec / 65536) * 1e9;
  const low = (b % 65536) * 65536 + (rec.tsSec % 65536) * 1e9 + rec.tsNsec;
  out.writeUInt32LE(Math.floor(b / 65536) + Math.floor(low / 4294967296), at + 12);
  out.writeUInt32LE(low % 4294967296, at + 16);
  out.writeUInt32LE(rec.caplen, at + 20);
  out.writeUInt32LE(rec.origLen, at + 24);
  copyBytes(rec.data, out, at + 28, rec.offset, rec.offset + rec.caplen);
  out.fill(0, at + 28 + rec.caplen, at + 28 + padded);
  const o = at + 28 + padded;
  out.writeUInt16LE(5, o);
  out.writeUInt16LE(8, o + 2);
  out.writeUInt32LE(rec.packetNo % 4294967296, o + 4);
  out.writeUInt32LE(Math.floor(rec.packetNo / 4294967296), o + 8);
  out.writeUInt32LE(0, o + 12);
  out.writeUInt32LE(total, at + total - 4);
  return out;
}

/** Segment files of a ring directory, oldest first. */
function ringFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).filter((n) => /^ring-\d+\.pcapng$/.test(n)).sort();
}

/** Packets found in a ring directory, and the segment files they came from. */
export interface RingCut {
  packets: Map<string, Map<number, EvidencePacket>>;
  segments: string[];
}

/**
 * Read the wanted packets (by source and packet number) from the segment files of a ring directory,
 * written by this process or another (a stopped `analyze --interface`, a running `serve`). A segment cut
 * short (the one being written) yields the packets before the cut. Packets of an earlier run with the same
 * numbers are superseded by the newest segment holding them.
 */
export function readRing(dir: string, wanted: ReadonlyMap<string, ReadonlySet<number>>): RingCut {
  const packets = new Map<string, Map<number, EvidencePacket>>();
  const segments: string[] = [];
  for (const name of ringFiles(dir)) {
    const path = join(dir, name);
    let bytes: Buffer;
    try {
      bytes = readFileSync(path);
    } catch {
      continue; // rotated away meanwhile
    }
    if (scanSegment(bytes, wanted, packets)) segments.push(path);
  }
  return { packets, segments };
}

/** One segment's blocks (this module's own layout, little-endian); true when it held a wanted packet. */
function scanSegment(b: Buffer, wanted: ReadonlyMap<string, ReadonlySet<number>>, out: Map<string, Map<number, EvidencePacket>>): boolean {
  const ifaces: { source: string; linkType: number }[] = [];
  let used = false;
  for (let off = 0; off + 12 <= b.length;) {
    const type = b.readUInt32LE(off);
    const total = b.readUInt32LE(off + 4);
    if (total < 12 || total % 4 !== 0 || off + total > b.length) break;
    if (type === 1) {
      ifaces.push({ linkType: b.readUInt16LE(off + 8), source: idbName(b, off + 16, off + total - 4) });
    } else if (type === 6 && total >= 32) {
      const iface = ifaces[b.readUInt32LE(off + 8)];
      const caplen = b.readUInt32LE(off + 20);
      const opts = off + 28 + ((caplen + 3) & ~3);
      if (iface && opts + 12 <= off + total - 4 && b.readUInt16LE(opts) === 5) {
        const packetNo = Number(b.readBigUInt64LE(opts + 4));
        if (wanted.get(iface.source)?.has(packetNo)) {
          const ts = (BigInt(b.readUInt32LE(off + 12)) << 32n) | BigInt(b.readUInt32LE(off + 16));
          let perSource = out.get(iface.source);
          if (!perSource) out.set(iface.source, (perSource = new Map()));
          perSource.set(packetNo, {
            linkType: iface.linkType, tsSec: Number(ts / 1_000_000_000n), tsNsec: Number(ts % 1_000_000_000n),
            origLen: b.readUInt32LE(off + 24), data: Uint8Array.prototype.slice.call(b, off + 28, off + 28 + caplen), comment: '',
          });
          used = true;
        }
      }
    }
    off += total;
  }
  return used;
}

function idbName(b: Buffer, start: number, end: number): string {
  for (let o = start; o + 4 <= end;) {
    const code = b.readUInt16LE(o);
    const len = b.readUInt16LE(o + 2);
    if (code === 0) break;
    if (code === 2) return b.toString('utf8', o + 4, Math.min(end, o + 4 + len));
    o += 4 + ((len + 3) & ~3);
  }
  return '';
}
