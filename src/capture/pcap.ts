/**
 * Classic libpcap format: 24-byte file header, 16-byte record headers. Both byte orders,
 * microsecond and nanosecond magic.
 * @module
 */
import { u32 } from './bytes.ts';
import { newPacketRecord } from './format-parser.ts';
import type { Fault, FormatParser, PacketSink } from './format-parser.ts';
import { MAX_CAPLEN } from './limits.ts';

const FILE_HEADER = 24;
const RECORD_HEADER = 16;

/** Magic numbers as read little-endian from the first four bytes. */
export const PCAP_MAGIC = { usLE: 0xa1b2c3d4, nsLE: 0xa1b23c4d, usBE: 0xd4c3b2a1, nsBE: 0x4d3cb2a1 } as const;

export function isPcapMagic(magicLE: number): boolean {
  return magicLE === PCAP_MAGIC.usLE || magicLE === PCAP_MAGIC.nsLE || magicLE === PCAP_MAGIC.usBE || magicLE === PCAP_MAGIC.nsBE;
}

export class PcapParser implements FormatParser {
  readonly format = 'pcap';
  packets = 0;
  capturedBytes = 0;
  skippedBlocks = 0;
  caplenOverOrigLen = 0;
  caplenOverSnaplen = 0;
  fault: Fault | null = null;
  /** From the file header. */
  snaplen = 0;
  linkType = 0;
  nanosecond = false;
  littleEndian = true;
  private headerDone = false;
  private readonly rec = newPacketRecord();
  private readonly sink: PacketSink;

  constructor(sink: PacketSink) {
    this.sink = sink;
  }

  parse(buf: Uint8Array, start: number, end: number, base: number): number {
    if (this.fault) return start;
    let pos = start;
    if (!this.headerDone) {
      if (end - pos < FILE_HEADER) return pos;
      if (!this.parseHeader(buf, pos, base)) return pos;
      pos += FILE_HEADER;
    }
    const rec = this.rec;
    const le = this.littleEndian;
    const snaplen = this.snaplen;
    const fracPerSec = this.nanosecond ? 1e9 : 1e6;
    const nsPerFrac = this.nanosecond ? 1 : 1000;
    rec.data = buf;
    while (end - pos >= RECORD_HEADER) {
      const caplen = u32(buf, pos + 8, le);
      if (caplen > MAX_CAPLEN) {
        this.fault = { offset: base + pos, reason: `caplen ${caplen} exceeds ${MAX_CAPLEN} bytes` };
        return pos;
      }
      if (end - pos - RECORD_HEADER < caplen) break;
      let sec = u32(buf, pos, le);
      let frac = u32(buf, pos + 4, le);
      if (frac >= fracPerSec) {
        // Some writers overflow the fraction; carry it into seconds so tsNsec stays in range.
        sec += Math.floor(frac / fracPerSec);
        frac %= fracPerSec;
      }
      const origLen = u32(buf, pos + 12, le);
      if (caplen > origLen) this.caplenOverOrigLen++;
      // Writers that truncate or pad differently exceed the snaplen they declared; tshark reads such records.
      if (snaplen !== 0 && caplen > snaplen) this.caplenOverSnaplen++;
      rec.tsSec = sec;
      rec.tsNsec = frac * nsPerFrac;
      rec.caplen = caplen;
      rec.origLen = origLen;
      rec.offset = pos + RECORD_HEADER;
      rec.fileOffset = base + pos;
      rec.packetNo = ++this.packets;
      this.capturedBytes += caplen;
      pos += RECORD_HEADER + caplen;
      this.sink(rec);
    }
    return pos;
  }

  atEnd(buf: Uint8Array, start: number, end: number, base: number): Fault | null {
    if (this.fault) return this.fault;
    const left = end - start;
    if (!this.headerDone) return { offset: base + start, reason: `truncated file header (${left} of ${FILE_HEADER} bytes)` };
    if (left === 0) return null;
    if (left < RECORD_HEADER) return { offset: base + start, reason: `truncated record header (${left} of ${RECORD_HEADER} bytes)` };
    return { offset: base + start, reason: `record runs past end of file (${left - RECORD_HEADER} of ${u32(buf, start + 8, this.littleEndian)} captured bytes present)` };
  }

  private parseHeader(buf: Uint8Array, pos: number, base: number): boolean {
    const magic = u32(buf, pos, true);
    this.littleEndian = magic === PCAP_MAGIC.usLE || magic === PCAP_MAGIC.nsLE;
    this.nanosecond = magic === PCAP_MAGIC.nsLE || magic === PCAP_MAGIC.nsBE;
    if (!isPcapMagic(magic)) {
      this.fault = { offset: base + pos, reason: 'bad pcap magic' };
      return false;
    }
    this.snaplen = u32(buf, pos + 16, this.littleEndian);
    // Upper bits of the link-type field carry FCS information, not the type.
    this.linkType = u32(buf, pos + 20, this.littleEndian) & 0xffff;
    this.rec.linkType = this.linkType;
    this.rec.interfaceId = 0;
    this.headerDone = true;
    return true;
  }
}
