/**
 * Test-side helpers for the capture tests: expected frame lists (tshark), a record collector,
 * a classic-pcap byte-order swapper and a small pcapng writer for the variants the Debian tools
 * do not produce (big-endian sections, SPB, OPB, unknown blocks, if_tsresol 2^-n, if_tsoffset).
 * @module
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { PacketRecord } from './types.ts';

export const TRACES = new URL('../../test/traces/capture/', import.meta.url);

export function trace(name: string): Buffer {
  return readFileSync(new URL(name, TRACES));
}

export function tracePath(name: string): string {
  return new URL(name, TRACES).pathname;
}

/** One frame as tshark reports it (see test/traces/capture/PROVENANCE.md). */
export interface Frame {
  tsSec: number;
  tsNsec: number;
  caplen: number;
  origLen: number;
  interfaceId: number;
  md5: string;
}

export function expectedFrames(name: string): Frame[] {
  const text = readFileSync(new URL(`${name}.frames.tsv`, TRACES), 'utf8');
  return text
    .split('\n')
    .filter((l) => l.length > 0)
    .map((line) => {
      const [epoch, cap, len, ifId, md5] = line.split('\t');
      const [sec, frac] = epoch.split('.');
      return { tsSec: Number(sec), tsNsec: Number(frac.padEnd(9, '0')), caplen: Number(cap), origLen: Number(len), interfaceId: Number(ifId || 0), md5 };
    });
}

/** A copy of what a consumer would keep from a record. */
export interface Seen extends Frame {
  linkType: number;
  packetNo: number;
  fileOffset: number;
}

export function collector(): { seen: Seen[]; onPacket: (rec: PacketRecord) => void } {
  const seen: Seen[] = [];
  const onPacket = (r: PacketRecord): void => {
    const md5 = createHash('md5').update(r.data.subarray(r.offset, r.offset + r.caplen)).digest('hex');
    seen.push({ tsSec: r.tsSec, tsNsec: r.tsNsec, caplen: r.caplen, origLen: r.origLen, interfaceId: r.interfaceId, md5, linkType: r.linkType, packetNo: r.packetNo, fileOffset: r.fileOffset });
  };
  return { seen, onPacket };
}

/** The Frame fields of what was seen, for deepEqual against expectedFrames. */
export function asFrames(seen: readonly Seen[]): Frame[] {
  return seen.map(({ tsSec, tsNsec, caplen, origLen, interfaceId, md5 }) => ({ tsSec, tsNsec, caplen, origLen, interfaceId, md5 }));
}

function swap32(b: Buffer, p: number): void {
  b.writeUInt32BE(b.readUInt32LE(p), p);
}

/** A little-endian classic pcap rewritten big-endian (file header and every record header). */
export function swapPcapByteOrder(le: Uint8Array): Buffer {
  const b = Buffer.from(le);
  swap32(b, 0);
  b.writeUInt16BE(b.readUInt16LE(4), 4);
  b.writeUInt16BE(b.readUInt16LE(6), 6);
  for (const p of [8, 12, 16, 20]) swap32(b, p);
  for (let p = 24; p + 16 <= b.length; ) {
    const caplen = b.readUInt32LE(p + 8);
    for (let i = 0; i < 16; i += 4) swap32(b, p + i);
    p += 16 + caplen;
  }
  return b;
}

/** Records of a little-endian classic pcap: header fields and the packet bytes. */
export function pcapRecords(le: Uint8Array): { sec: number; frac: number; origLen: number; data: Buffer }[] {
  const b = Buffer.from(le);
  const out = [];
  for (let p = 24; p + 16 <= b.length; ) {
    const caplen = b.readUInt32LE(p + 8);
    out.push({ sec: b.readUInt32LE(p), frac: b.readUInt32LE(p + 4), origLen: b.readUInt32LE(p + 12), data: b.subarray(p + 16, p + 16 + caplen) });
    p += 16 + caplen;
  }
  return out;
}

export interface IdbOptions {
  tsresol?: number;
  /** if_tsoffset in seconds (signed 64-bit). */
  tsoffset?: bigint;
}

/** Writes pcapng blocks in one byte order per section (the order switches at each `section`). */
export class PcapngWriter {
  private readonly parts: Buffer[] = [];
  private le = true;

  section(littleEndian: boolean, major = 1): this {
    this.le = littleEndian;
    const body = Buffer.alloc(16);
    this.w32(body, 0, 0x1a2b3c4d);
    this.w16(body, 4, major);
    this.w16(body, 6, 0);
    body.fill(0xff, 8, 16); // section length unknown
    return this.block(0x0a0d0d0a, body);
  }

  interface(linkType: number, snaplen: number, opts: IdbOptions = {}): this {
    const options: Buffer[] = [];
    if (opts.tsresol !== undefined) options.push(this.option(9, Buffer.from([opts.tsresol])));
    if (opts.tsoffset !== undefined) {
      const v = Buffer.alloc(8);
      if (this.le) v.writeBigInt64LE(opts.tsoffset);
      else v.writeBigInt64BE(opts.tsoffset);
      options.push(this.option(14, v));
    }
    if (options.length > 0) options.push(this.option(0, Buffer.alloc(0)));
    const fixed = Buffer.alloc(8);
    this.w16(fixed, 0, linkType);
    this.w32(fixed, 4, snaplen);
    return this.block(1, Buffer.concat([fixed, ...options]));
  }

  /** EPB with a 64-bit tick count. */
  enhanced(ifId: number, ticks: bigint, data: Uint8Array, origLen = data.length): this {
    const fixed = Buffer.alloc(20);
    this.w32(fixed, 0, ifId);
    this.w32(fixed, 4, Number(ticks >> 32n));
    this.w32(fixed, 8, Number(ticks & 0xffffffffn));
    this.w32(fixed, 12, data.length);
    this.w32(fixed, 16, origLen);
    return this.block(6, Buffer.concat([fixed, pad4(data)]));
  }

  obsolete(ifId: number, ticks: bigint, data: Uint8Array, origLen = data.length): this {
    const fixed = Buffer.alloc(20);
    this.w16(fixed, 0, ifId);
    this.w16(fixed, 2, 0xffff); // drops count
    this.w32(fixed, 4, Number(ticks >> 32n));
    this.w32(fixed, 8, Number(ticks & 0xffffffffn));
    this.w32(fixed, 12, data.length);
    this.w32(fixed, 16, origLen);
    return this.block(2, Buffer.concat([fixed, pad4(data)]));
  }

  simple(data: Uint8Array, origLen = data.length): this {
    const fixed = Buffer.alloc(4);
    this.w32(fixed, 0, origLen);
    return this.block(3, Buffer.concat([fixed, pad4(data)]));
  }

  /** Any block type with an opaque body (padded to 4). */
  block(type: number, body: Uint8Array): this {
    const padded = pad4(body);
    const len = 12 + padded.length;
    const head = Buffer.alloc(8);
    this.w32(head, 0, type);
    this.w32(head, 4, len);
    const tail = Buffer.alloc(4);
    this.w32(tail, 0, len);
    this.parts.push(head, padded, tail);
    return this;
  }

  bytes(): Buffer {
    return Buffer.concat(this.parts);
  }

  private option(code: number, value: Buffer): Buffer {
    const head = Buffer.alloc(4);
    this.w16(head, 0, code);
    this.w16(head, 2, value.length);
    return Buffer.concat([head, pad4(value)]);
  }

  private w16(b: Buffer, p: number, v: number): void {
    if (this.le) b.writeUInt16LE(v, p);
    else b.writeUInt16BE(v, p);
  }

  private w32(b: Buffer, p: number, v: number): void {
    if (this.le) b.writeUInt32LE(v >>> 0, p);
    else b.writeUInt32BE(v >>> 0, p);
  }
}

function pad4(data: Uint8Array): Buffer {
  const out = Buffer.alloc((data.length + 3) & ~3);
  out.set(data);
  return out;
}

/** Record (or block) layout of a little-endian trace: where each record starts and ends, and which carry packets. */
export interface Layout {
  /** Bytes of the file header (classic pcap) or 0 (pcapng: the SHB is a block). */
  header: number;
  units: { start: number; end: number; packet: boolean }[];
}

/** Walks the trace independently of the readers (classic pcap or pcapng, little-endian). */
export function layout(bytes: Uint8Array): Layout {
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
  const units: Layout['units'] = [];
  if (b.readUInt32LE(0) === 0x0a0d0d0a) {
    for (let p = 0; p + 8 <= b.length; ) {
      const type = b.readUInt32LE(p);
      const len = b.readUInt32LE(p + 4);
      units.push({ start: p, end: p + len, packet: type === 6 || type === 3 || type === 2 });
      p += len;
    }
    return { header: 0, units };
  }
  for (let p = 24; p + 16 <= b.length; ) {
    const end = p + 16 + b.readUInt32LE(p + 8);
    units.push({ start: p, end, packet: true });
    p = end;
  }
  return { header: 24, units };
}

/** What a reader must report for the first `cut` bytes of a trace with this layout. */
export function expectedCut(l: Layout, cut: number): { packets: number; errorOffset: number | undefined } {
  const packets = l.units.filter((u) => u.packet && u.end <= cut).length;
  if (cut === 0 || cut < l.header) return { packets, errorOffset: 0 };
  const inside = l.units.find((u) => u.start < cut && cut < u.end);
  return { packets, errorOffset: inside?.start };
}
