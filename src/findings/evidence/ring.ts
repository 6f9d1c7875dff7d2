/**
 * A bounded on-disk ring of recent packets for live capture: packets are appended to pcapng segment files;
 * when the ring is full the oldest segment is deleted, unless it holds a packet an open finding needs
 * (pinned), so an evidence package can still be cut after the capture has moved on. Pinned segments are
 * bounded too: past `maxPinnedSegments` the oldest pinned one goes, and that is counted.
 * Memory: 4 bytes per packet in the ring (its offset), nothing per byte.
 * @module
 */
import { closeSync, existsSync, mkdirSync, openSync, readSync, unlinkSync, writeSync } from 'node:fs';
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
  pinned: boolean;
  runs: Map<string, SourceRun>;
  interfaces: Map<number, number>;
}

const flushAt = 1 << 20;

export class PacketRing {
  readonly dir: string;
  readonly stats: RingStats = { packets: 0, bytes: 0, segments_written: 0, segments_deleted: 0, pinned_evicted: 0, pins_missed: 0 };
  private readonly opts: RingOptions;
  private readonly segments: Segment[] = [];
  private current: Segment | undefined;
  private fd = -1;
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private seq = 0;

  constructor(dir: string, options: Partial<RingOptions> = {}) {
    this.dir = dir;
    this.opts = { ...defaultRingOptions, ...options };
    mkdirSync(dir, { recursive: true });
  }

  /** Append one packet of `source` (its record is copied: the caller's buffer may be reused). */
  record(source: string, rec: PacketRecord): void {
    let seg = this.current;
    if (seg === undefined || seg.size >= this.opts.segmentBytes) seg = this.rotate();
    let iface = seg.interfaces.get(rec.linkType);
    if (iface === undefined) {
      iface = seg.interfaces.size;
      seg.interfaces.set(rec.linkType, iface);
      this.write(seg, idb(rec.linkType));
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
    this.write(seg, epb(iface, rec));
    this.stats.packets++;
    this.stats.bytes += rec.caplen;
  }

  /** Keep the segment holding this packet past rotation. False when the packet is no longer in the ring. */
  pin(source: string, packetNo: number): boolean {
    const seg = this.find(source, packetNo)?.seg;
    if (seg === undefined) {
      this.stats.pins_missed++;
      return false;
    }
    seg.pinned = true;
    return true;
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
      const linkType = [...hit.seg.interfaces].find(([, id]) => id === ifaceId)?.[0] ?? 0;
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
    const seg: Segment = { seq: ++this.seq, path: join(this.dir, `ring-${String(this.seq).padStart(8, '0')}.pcapng`), size: 0, pinned: false, runs: new Map(), interfaces: new Map() };
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
    const unpinned = this.segments.filter((s) => !s.pinned);
    for (let i = 0; i < unpinned.length - this.opts.maxSegments; i++) this.remove(unpinned[i]);
    const pinned = this.segments.filter((s) => s.pinned);
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
    this.pending.push(b);
    this.pendingBytes += b.length;
    seg.size += b.length;
    if (this.pendingBytes >= flushAt) this.flush();
  }

  private flush(): void {
    if (this.pendingBytes === 0 || this.fd < 0) return;
    writeSync(this.fd, Buffer.concat(this.pending, this.pendingBytes));
    this.pending = [];
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

function idb(linkType: number): Buffer {
  // if_tsresol = 9 (nanoseconds), then end of options.
  const body = Buffer.alloc(8 + 8 + 4);
  body.writeUInt16LE(linkType, 0);
  body.writeUInt16LE(9, 8);
  body.writeUInt16LE(1, 10);
  body.writeUInt8(9, 12);
  return block(1, body);
}

function epb(iface: number, rec: PacketRecord): Buffer {
  const padded = (rec.caplen + 3) & ~3;
  const body = Buffer.alloc(20 + padded);
  const ts = BigInt(rec.tsSec) * 1_000_000_000n + BigInt(rec.tsNsec);
  body.writeUInt32LE(iface, 0);
  body.writeUInt32LE(Number(ts >> 32n), 4);
  body.writeUInt32LE(Number(ts & 0xffffffffn), 8);
  body.writeUInt32LE(rec.caplen, 12);
  body.writeUInt32LE(rec.origLen, 16);
  body.set(rec.data.subarray(rec.offset, rec.offset + rec.caplen), 20);
  return block(6, body);
}
