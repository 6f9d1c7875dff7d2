/**
 * A sensor's bounded on-disk queue of messages for the central service. Every message goes through it
 * (write-ahead): appended and fsynced at the batch boundary, then published from it in order, then
 * released. So a sensor that loses NATS, the central service or its own process loses nothing it had
 * appended, and a restarted sensor continues its numbering after the last seq on disk. A new spool (no cursor,
 * no segment) numbers on from `firstSeq`: the sensor gives its clock, so a sensor whose spool was lost (a wiped
 * disk, a fresh container, another user's home) still numbers above everything it sent before, and the central
 * store, which skips numbers it has applied, does not take its new batches for old ones.
 *
 * Layout of the folder:
 *   <seq, 16 digits>.spool   append-only segment files named by their first record's seq; a record is
 *                            [u32 LE payload length][u32 LE CRC-32 of the payload][f64 LE prev][f64 LE seq]
 *                            [u32 LE kind: 0 batch, 1 status]
 *                            followed by the payload (an encoded message)
 *   cursor                   the last seq published (acknowledged by JetStream), replaced atomically
 *   first                    the number before the spool's first message (`firstSeq`), when given
 *
 * Bound: the bytes of unpublished segments. A message that would pass it is not kept and is counted
 * (`overflow`, reported in status messages and summary.json), never silently dropped. A torn last record
 * (power cut mid-write) is cut off at open and counted (`torn`).
 * @module
 */
import { closeSync, fsyncSync, ftruncateSync, mkdirSync, openSync, readFileSync, readSync, readdirSync, renameSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';

/** node:zlib's CRC-32, loaded on use: every analyze run loads this module, few spool. */
const crc32 = (data: Uint8Array): number => process.getBuiltinModule('node:zlib').crc32(data);

const HEADER = 28;
const kinds = ['batch', 'status'] as const;
const SUFFIX = '.spool';
/** Largest record accepted when reading back (a length past it means a damaged file). */
const MAX_RECORD = 64 << 20;

export interface SpoolOptions {
  dir: string;
  /** Bound on unpublished bytes on disk (default 256 MiB). */
  maxBytes?: number;
  /** A segment file is closed and a new one started past this size (default 8 MiB). */
  segmentBytes?: number;
  /** For a new spool: the number before its first message (default 0, so messages are 1, 2, …). */
  firstSeq?: number;
}

export interface SpoolRecord {
  seq: number;
  prev: number;
  kind: (typeof kinds)[number];
  data: Uint8Array;
}

export interface SpoolStats {
  /** Messages waiting to be published, and their bytes on disk. */
  pending: number;
  pending_bytes: number;
  max_bytes: number;
  /** Messages not kept because the spool was full. */
  overflow: number;
  overflow_bytes: number;
  /** Damaged records cut off when the spool was opened. */
  torn: number;
  /** The number before this spool's first message (its messages are first_seq + 1 …), last seq appended, last published. */
  first_seq: number;
  last_seq: number;
  published_seq: number;
}

interface Segment {
  first: number;
  path: string;
  bytes: number;
  /** Records in file order (offset of each header), filled when read or appended. */
  records: { seq: number; prev: number; kind: SpoolRecord['kind']; offset: number; length: number }[];
}

export class Spool {
  readonly dir: string;
  private readonly maxBytes: number;
  private readonly segmentBytes: number;
  private segments: Segment[] = [];
  private fd: number | undefined;
  private lastSeq = 0;
  /** Last seq handed out, kept or not (a message lost to overflow uses its number up). */
  private usedSeq = 0;
  private publishedSeq = 0;
  /** The number before this spool's first message (0 for a spool numbered from 1). */
  private readonly firstSeq: number;
  private overflow = 0;
  private overflowBytes = 0;
  private torn = 0;
  /** Bytes (headers included) and count of records after the cursor. */
  private pending = { bytes: 0, records: 0 };

  constructor(options: SpoolOptions) {
    this.dir = options.dir;
    this.maxBytes = options.maxBytes ?? 256 << 20;
    this.segmentBytes = options.segmentBytes ?? 8 << 20;
    mkdirSync(this.dir, { recursive: true });
    this.publishedSeq = readCursor(join(this.dir, 'cursor'));
    this.lastSeq = this.publishedSeq;
    for (const name of readdirSync(this.dir).filter((n) => /^\d{16}\.spool$/.test(n)).sort()) {
      const segment = this.load(join(this.dir, name), Number(name.slice(0, 16)));
      const last = segment.records.at(-1);
      if (!last || last.seq <= this.publishedSeq) {
        rmSync(segment.path, { force: true });
        continue;
      }
      this.segments.push(segment);
      this.lastSeq = Math.max(this.lastSeq, last.seq);
      for (const r of segment.records) if (r.seq > this.publishedSeq) this.count(r.length, 1);
    }
    const fresh = this.publishedSeq === 0 && this.segments.length === 0;
    if (fresh && options.firstSeq !== undefined && Number.isSafeInteger(options.firstSeq) && options.firstSeq > 0) {
      this.publishedSeq = this.lastSeq = this.usedSeq = options.firstSeq;
      // Kept on disk at once: a restart before the first message must not pick another number.
      writeCursor(join(this.dir, 'first'), options.firstSeq);
      writeCursor(join(this.dir, 'cursor'), options.firstSeq);
    }
    this.firstSeq = readCursor(join(this.dir, 'first'));
  }

  /** The seq the next message gets. */
  get nextSeq(): number {
    return Math.max(this.usedSeq, this.lastSeq) + 1;
  }
  /** The last seq kept: the next message's prev. */
  get last(): number {
    return this.lastSeq;
  }

  /**
   * Keep one message durably (fsync) and return true; false when the bound would be passed: then it is
   * counted as overflow and its seq is still used up (the next message names the last kept one as prev).
   */
  append(record: SpoolRecord): boolean {
    if (record.seq < this.nextSeq) throw new Error(`spool: seq ${record.seq} is not after ${this.nextSeq - 1}`);
    this.usedSeq = record.seq;
    const size = HEADER + record.data.length;
    if (this.pendingBytes() + size > this.maxBytes) {
      this.overflow++;
      this.overflowBytes += size;
      return false;
    }
    let segment = this.segments.at(-1);
    if (!segment || this.fd === undefined || segment.bytes + size > this.segmentBytes) {
      this.closeFile();
      const path = join(this.dir, `${String(record.seq).padStart(16, '0')}${SUFFIX}`);
      segment = { first: record.seq, path, bytes: 0, records: [] };
      this.segments.push(segment);
      this.fd = openSync(path, 'a');
      fsyncDir(this.dir);
    }
    const header = Buffer.alloc(HEADER);
    header.writeUInt32LE(record.data.length, 0);
    header.writeUInt32LE(crc32(record.data), 4);
    header.writeDoubleLE(record.prev, 8);
    header.writeDoubleLE(record.seq, 16);
    header.writeUInt32LE(kinds.indexOf(record.kind), 24);
    writeSync(this.fd, header);
    writeSync(this.fd, record.data);
    fsyncSync(this.fd);
    segment.records.push({ seq: record.seq, prev: record.prev, kind: record.kind, offset: segment.bytes, length: record.data.length });
    segment.bytes += size;
    this.count(record.data.length, 1);
    this.lastSeq = record.seq;
    return true;
  }

  /** Up to `max` unpublished records in seq order, read from disk. */
  peek(max: number): SpoolRecord[] {
    const out: SpoolRecord[] = [];
    for (const segment of this.segments) {
      let fd: number | undefined;
      try {
        for (const r of segment.records) {
          if (r.seq <= this.publishedSeq) continue;
          fd ??= openSync(segment.path, 'r');
          const data = Buffer.alloc(r.length);
          readAt(fd, data, r.offset + HEADER);
          out.push({ seq: r.seq, prev: r.prev, kind: r.kind, data });
          if (out.length >= max) return out;
        }
      } finally {
        if (fd !== undefined) closeSync(fd);
      }
    }
    return out;
  }

  /** JetStream acknowledged everything up to `seq`: move the cursor, delete segments wholly published. */
  published(seq: number): void {
    if (seq <= this.publishedSeq) return;
    outer: for (const segment of this.segments) {
      for (const r of segment.records) {
        if (r.seq > seq) break outer;
        if (r.seq > this.publishedSeq) this.count(r.length, -1);
      }
    }
    this.publishedSeq = seq;
    writeCursor(join(this.dir, 'cursor'), seq);
    while (this.segments.length > 0) {
      const first = this.segments[0];
      const last = first.records.at(-1);
      const open = first === this.segments.at(-1) && this.fd !== undefined;
      if (!last || last.seq > seq) break;
      if (open) {
        // The file being appended to: start a new one with the next message.
        this.closeFile();
      }
      rmSync(first.path, { force: true });
      this.segments.shift();
    }
  }

  stats(): SpoolStats {
    return {
      pending: this.pending.records,
      pending_bytes: this.pending.bytes,
      max_bytes: this.maxBytes,
      overflow: this.overflow,
      overflow_bytes: this.overflowBytes,
      torn: this.torn,
      first_seq: this.firstSeq,
      last_seq: this.lastSeq,
      published_seq: this.publishedSeq,
    };
  }

  close(): void {
    this.closeFile();
  }

  private pendingBytes(): number {
    return this.pending.bytes;
  }

  private count(length: number, sign: 1 | -1): void {
    this.pending.bytes += sign * (HEADER + length);
    this.pending.records += sign;
  }

  private closeFile(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }

  /** Read a segment's record index; cut off a damaged tail (a torn write) and count it. */
  private load(path: string, first: number): Segment {
    const bytes = readFileSync(path);
    const records: Segment['records'] = [];
    let offset = 0;
    while (offset + HEADER <= bytes.length) {
      const length = bytes.readUInt32LE(offset);
      const sum = bytes.readUInt32LE(offset + 4);
      const prev = bytes.readDoubleLE(offset + 8);
      const seq = bytes.readDoubleLE(offset + 16);
      const kind = kinds[bytes.readUInt32LE(offset + 24)];
      if (length > MAX_RECORD || offset + HEADER + length > bytes.length) break;
      if (crc32(bytes.subarray(offset + HEADER, offset + HEADER + length)) !== sum || !Number.isSafeInteger(seq) || seq < 1 || !Number.isSafeInteger(prev) || prev >= seq || kind === undefined) break;
      if (records.length > 0 && seq <= records.at(-1)!.seq) break;
      records.push({ seq, prev, kind, offset, length });
      offset += HEADER + length;
    }
    if (offset < bytes.length) {
      this.torn++;
      const fd = openSync(path, 'r+');
      try {
        ftruncateSync(fd, offset);
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
    }
    return { first, path, bytes: offset, records };
  }
}

function readAt(fd: number, into: Buffer, position: number): void {
  let done = 0;
  while (done < into.length) {
    const n = readSync(fd, into, done, into.length - done, position + done);
    if (n === 0) throw new Error('spool: record shorter than its header says');
    done += n;
  }
}


function readCursor(path: string): number {
  try {
    const n = Number(readFileSync(path, 'utf8').trim());
    return Number.isSafeInteger(n) && n >= 0 ? n : 0;
  } catch {
    return 0;
  }
}

/** Replace the cursor atomically (a crash leaves the old or the new one, never half of one). */
function writeCursor(path: string, seq: number): void {
  const tmp = `${path}.tmp`;
  writeFileSync(tmp, `${seq}\n`);
  renameSync(tmp, path);
}

function fsyncDir(dir: string): void {
  try {
    const fd = openSync(dir, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // Some file systems refuse fsync on a directory; the file's own fsync still holds its data.
  }
}

export function spoolSize(dir: string): number {
  let n = 0;
  for (const name of readdirSync(dir)) if (name.endsWith(SUFFIX)) n += statSync(join(dir, name)).size;
  return n;
}
