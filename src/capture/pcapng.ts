/**
 * pcapng: sections (SHB, each with its own byte order and interface list), interfaces (IDB with
 * if_tsresol / if_tsoffset), packets (EPB, SPB, obsolete OPB). Every other block is skipped and counted.
 * @module
 */
import { u16, u32, u32le } from './bytes.ts';
import { newPacketRecord } from './format-parser.ts';
import type { Fault, FormatParser, PacketSink } from './format-parser.ts';
import { MAX_CAPLEN, MAX_INTERFACES, MAX_PARSED_BLOCK } from './limits.ts';
import { setTimestamp, timeUnit } from './pcapng-time.ts';
import type { TimeUnit } from './pcapng-time.ts';

export const BlockType = { SHB: 0x0a0d0d0a, IDB: 1, OPB: 2, SPB: 3, NRB: 4, ISB: 5, EPB: 6, DSB: 0x0a } as const;
const BYTE_ORDER_MAGIC = 0x1a2b3c4d;
const BYTE_ORDER_MAGIC_SWAPPED = 0x4d3c2b1a;
/** Smallest legal total length per parsed block type (header, fixed fields, trailer). */
const MIN_LEN: Record<number, number> = { [BlockType.SHB]: 28, [BlockType.IDB]: 20, [BlockType.EPB]: 32, [BlockType.OPB]: 32, [BlockType.SPB]: 16, [BlockType.ISB]: 24 };
/** Interface statistics options (64-bit counters): received, dropped by the interface, dropped by the OS. */
const OPT_ISB_IFRECV = 4;
const OPT_ISB_IFDROP = 5;
const OPT_ISB_OSDROP = 7;
const OPT_END = 0;
const OPT_IF_TSRESOL = 9;
const OPT_IF_TSOFFSET = 14;

function isParsed(type: number): boolean {
  return type === BlockType.EPB || type === BlockType.SPB || type === BlockType.IDB || type === BlockType.SHB || type === BlockType.OPB ||
    type === BlockType.ISB;
}

export class PcapngParser implements FormatParser {
  readonly format = 'pcapng';
  packets = 0;
  capturedBytes = 0;
  skippedBlocks = 0;
  caplenOverOrigLen = 0;
  caplenOverSnaplen = 0;
  fault: Fault | null = null;
  sections = 0;
  private le = true;
  /** Interface tables of the current section, indexed by interface id. */
  private readonly ifLinkType: number[] = [];
  private readonly ifSnaplen: number[] = [];
  private readonly ifTime: TimeUnit[] = [];
  /** A block too long to buffer, discarded as it streams: its header offset and length, body bytes left. */
  private skipStart = 0;
  private skipLen = 0;
  private skipLeft = 0;
  /** Latest interface statistics per (section, interface): a live capture's drop counters. */
  private readonly ifStats = new Map<string, { received?: number; dropped_kernel?: number; dropped_interface?: number }>();
  private readonly rec = newPacketRecord();
  private readonly sink: PacketSink;

  constructor(sink: PacketSink) {
    this.sink = sink;
  }

  parse(buf: Uint8Array, start: number, end: number, base: number): number {
    if (this.fault) return start;
    let pos = start;
    this.rec.data = buf;
    for (;;) {
      if (this.skipLen !== 0) {
        const n = Math.min(this.skipLeft, end - pos);
        pos += n;
        this.skipLeft -= n;
        if (this.skipLeft > 0 || end - pos < 4) return pos;
        if (u32(buf, pos, this.le) !== this.skipLen) {
          this.fault = { offset: this.skipStart, reason: `trailing block length does not match ${this.skipLen}` };
          return pos;
        }
        pos += 4;
        this.skipLen = 0;
        this.skippedBlocks++;
      }
      const avail = end - pos;
      if (avail < 12) return pos;
      const type = u32(buf, pos, this.le);
      let le = this.le;
      if (type === BlockType.SHB) {
        // The byte order of a section is known only from its own header.
        const bom = u32le(buf, pos + 8);
        if (bom === BYTE_ORDER_MAGIC) le = true;
        else if (bom === BYTE_ORDER_MAGIC_SWAPPED) le = false;
        else return this.fail(base, pos, 'bad section byte-order magic');
      }
      const len = u32(buf, pos + 4, le);
      if (len < 12 || (len & 3) !== 0) return this.fail(base, pos, `block total length ${len} is not a multiple of 4 of at least 12`);
      if (!isParsed(type)) {
        if (avail >= len) {
          if (u32(buf, pos + len - 4, le) !== len) return this.fail(base, pos, `trailing block length does not match ${len}`);
          this.skippedBlocks++;
          pos += len;
          continue;
        }
        if (len <= MAX_PARSED_BLOCK || avail > len - 4) return pos;
        this.skipStart = base + pos;
        this.skipLen = len;
        this.skipLeft = len - 4 - avail;
        return end;
      }
      if (len > MAX_PARSED_BLOCK) return this.fail(base, pos, `block total length ${len} exceeds ${MAX_PARSED_BLOCK} bytes`);
      if (len < MIN_LEN[type]) return this.fail(base, pos, `block total length ${len} too short for block type ${type}`);
      if (avail < len) return pos;
      if (u32(buf, pos + len - 4, le) !== len) return this.fail(base, pos, `trailing block length does not match ${len}`);
      const ok =
        type === BlockType.EPB
          ? this.packet(buf, pos, len, base, u32(buf, pos + 8, le))
          : type === BlockType.SPB
            ? this.simplePacket(buf, pos, len, base)
            : type === BlockType.OPB
              ? this.packet(buf, pos, len, base, u16(buf, pos + 8, le))
              : type === BlockType.IDB
                ? this.interface(buf, pos, len, base)
                : type === BlockType.ISB
                  ? this.statistics(buf, pos, len)
                  : this.section(buf, pos, base, le);
      if (!ok) return pos;
      pos += len;
    }
  }

  atEnd(_buf: Uint8Array, start: number, end: number, base: number): Fault | null {
    if (this.fault) return this.fault;
    if (this.skipLen !== 0) return { offset: this.skipStart, reason: `block runs past end of file (total length ${this.skipLen})` };
    const left = end - start;
    if (left === 0) return null;
    if (left < 12) return { offset: base + start, reason: `truncated block header (${left} of 12 bytes)` };
    return { offset: base + start, reason: `block runs past end of file (${left} bytes present)` };
  }

  private fail(base: number, pos: number, reason: string): number {
    this.fault = { offset: base + pos, reason };
    return pos;
  }

  private section(buf: Uint8Array, pos: number, base: number, le: boolean): boolean {
    const major = u16(buf, pos + 12, le);
    if (major !== 1) {
      this.fail(base, pos, `unsupported pcapng major version ${major}`);
      return false;
    }
    this.le = le;
    this.sections++;
    this.ifLinkType.length = 0;
    this.ifSnaplen.length = 0;
    this.ifTime.length = 0;
    return true;
  }

  private interface(buf: Uint8Array, pos: number, len: number, base: number): boolean {
    const le = this.le;
    if (this.ifLinkType.length >= MAX_INTERFACES) {
      this.fail(base, pos, `more than ${MAX_INTERFACES} interfaces in a section`);
      return false;
    }
    let tsresol: number | undefined;
    let offsetSec = 0;
    const optEnd = pos + len - 4;
    for (let o = pos + 16; o + 4 <= optEnd; ) {
      const code = u16(buf, o, le);
      const olen = u16(buf, o + 2, le);
      if (code === OPT_END) break;
      if (o + 4 + olen > optEnd) {
        this.fail(base, pos, `interface option ${code} runs past the block end`);
        return false;
      }
      if (code === OPT_IF_TSRESOL && olen >= 1) tsresol = buf[o + 4];
      else if (code === OPT_IF_TSOFFSET && olen === 8) {
        const lo = u32(buf, le ? o + 4 : o + 8, le);
        const hi = u32(buf, le ? o + 8 : o + 4, le) | 0;
        offsetSec = hi * 4294967296 + lo;
      }
      o += 4 + ((olen + 3) & ~3);
    }
    const unit = timeUnit(tsresol, offsetSec);
    if (unit === null) {
      this.fail(base, pos, `unsupported if_tsresol 0x${(tsresol ?? 0).toString(16)}`);
      return false;
    }
    this.ifLinkType.push(u16(buf, pos + 8, le));
    this.ifSnaplen.push(u32(buf, pos + 12, le));
    this.ifTime.push(unit);
    return true;
  }

  /** Interface statistics summed over every interface of every section (absent when no ISB was seen). */
  get interfaceStats(): { received?: number; dropped_kernel?: number; dropped_interface?: number } | undefined {
    if (this.ifStats.size === 0) return undefined;
    const out: { received?: number; dropped_kernel?: number; dropped_interface?: number } = {};
    for (const st of this.ifStats.values()) {
      for (const k of ['received', 'dropped_kernel', 'dropped_interface'] as const) {
        const v = st[k];
        if (v !== undefined) out[k] = (out[k] ?? 0) + v;
      }
    }
    return out;
  }

  /** ISB: counters of one interface; a malformed option list ends the scan (statistics are advisory). */
  private statistics(buf: Uint8Array, pos: number, len: number): boolean {
    const le = this.le;
    const ifId = u32(buf, pos + 8, le);
    const st: { received?: number; dropped_kernel?: number; dropped_interface?: number } = {};
    const optEnd = pos + len - 4;
    for (let o = pos + 20; o + 4 <= optEnd; ) {
      const code = u16(buf, o, le);
      const olen = u16(buf, o + 2, le);
      if (code === OPT_END || o + 4 + olen > optEnd) break;
      if (olen === 8 && (code === OPT_ISB_IFRECV || code === OPT_ISB_IFDROP || code === OPT_ISB_OSDROP)) {
        const lo = u32(buf, le ? o + 4 : o + 8, le);
        const hi = u32(buf, le ? o + 8 : o + 4, le);
        const v = hi * 4294967296 + lo;
        if (code === OPT_ISB_IFRECV) st.received = v;
        else if (code === OPT_ISB_IFDROP) st.dropped_interface = v;
        else st.dropped_kernel = v;
      }
      o += 4 + ((olen + 3) & ~3);
    }
    this.ifStats.set(`${this.sections}/${ifId}`, st);
    return true;
  }

  /** EPB and OPB: same layout after the interface id (32-bit in EPB, 16-bit + drop count in OPB). */
  private packet(buf: Uint8Array, pos: number, len: number, base: number, ifId: number): boolean {
    const le = this.le;
    if (ifId >= this.ifLinkType.length) {
      this.fail(base, pos, `packet references unknown interface ${ifId}`);
      return false;
    }
    const caplen = u32(buf, pos + 20, le);
    const snaplen = this.ifSnaplen[ifId];
    if (caplen > MAX_CAPLEN) {
      this.fail(base, pos, `caplen ${caplen} exceeds ${MAX_CAPLEN} bytes`);
      return false;
    }
    // Read as tshark reads it (the block says how long the data is); counted.
    if (snaplen !== 0 && caplen > snaplen) this.caplenOverSnaplen++;
    if (32 + caplen > len) {
      this.fail(base, pos, `caplen ${caplen} runs past the block end`);
      return false;
    }
    const rec = this.rec;
    setTimestamp(rec, u32(buf, pos + 12, le), u32(buf, pos + 16, le), this.ifTime[ifId]);
    this.deliver(pos, base, ifId, caplen, u32(buf, pos + 24, le), pos + 28);
    return true;
  }

  /** SPB: interface 0, no timestamp (the previous packet's time is kept), caplen from the block size. */
  private simplePacket(buf: Uint8Array, pos: number, len: number, base: number): boolean {
    if (this.ifLinkType.length === 0) {
      this.fail(base, pos, 'simple packet block before any interface');
      return false;
    }
    const origLen = u32(buf, pos + 8, this.le);
    const snaplen = this.ifSnaplen[0];
    let caplen = Math.min(len - 16, origLen);
    if (snaplen !== 0 && caplen > snaplen) caplen = snaplen;
    if (caplen > MAX_CAPLEN) {
      this.fail(base, pos, `caplen ${caplen} exceeds ${MAX_CAPLEN} bytes`);
      return false;
    }
    this.deliver(pos, base, 0, caplen, origLen, pos + 12);
    return true;
  }

  private deliver(pos: number, base: number, ifId: number, caplen: number, origLen: number, dataAt: number): void {
    const rec = this.rec;
    if (caplen > origLen) this.caplenOverOrigLen++;
    rec.linkType = this.ifLinkType[ifId];
    rec.interfaceId = ifId;
    rec.caplen = caplen;
    rec.origLen = origLen;
    rec.offset = dataAt;
    rec.fileOffset = base + pos;
    rec.packetNo = ++this.packets;
    this.capturedBytes += caplen;
    this.sink(rec);
  }
}
