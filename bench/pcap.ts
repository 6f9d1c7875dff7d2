/**
 * Minimal pcap / pcapng reader and classic-pcap writer for building benchmark workloads. Inputs are the trusted,
 * small shared captures (read whole into memory); src/capture is the real, hardened reader.
 * @module
 */
import { closeSync, openSync, readFileSync, writeSync } from 'node:fs';

/** One packet of a loaded capture; `data` is a view into the file's bytes. */
export interface BenchPacket {
  /** Nanoseconds since the Unix epoch (bigint: microsecond pcap times overflow 2^53 ns). */
  tsNs: bigint;
  origLen: number;
  data: Uint8Array;
}

export interface LoadedCapture {
  format: 'pcap' | 'pcapng';
  /** LINKTYPE_* of every packet, or -1 when a pcapng file mixes link types. */
  linkType: number;
  packets: BenchPacket[];
}

const PCAP_USEC = 0xa1b2c3d4;
const PCAP_NSEC = 0xa1b23c4d;
const PCAPNG_SHB = 0x0a0d0d0a;

/** Reads a classic pcap or pcapng file (not gzip). Throws on a malformed file: inputs are known-good captures. */
export function loadCapture(path: string): LoadedCapture {
  const buf = readFileSync(path);
  const bytes = new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magicLE = dv.getUint32(0, true);
  if (magicLE === PCAPNG_SHB) return loadPcapng(path, bytes, dv);
  let little: boolean;
  if (magicLE === PCAP_USEC || magicLE === PCAP_NSEC) little = true;
  else if (dv.getUint32(0, false) === PCAP_USEC || dv.getUint32(0, false) === PCAP_NSEC) little = false;
  else throw new Error(`${path}: not a pcap or pcapng file`);
  const nanos = dv.getUint32(0, little) === PCAP_NSEC;
  const linkType = dv.getUint32(20, little) & 0xffff;
  const packets: BenchPacket[] = [];
  let off = 24;
  while (off + 16 <= bytes.length) {
    const sec = dv.getUint32(off, little);
    const frac = dv.getUint32(off + 4, little);
    const caplen = dv.getUint32(off + 8, little);
    const origLen = dv.getUint32(off + 12, little);
    if (off + 16 + caplen > bytes.length) break; // truncated last record: drop it
    const tsNs = BigInt(sec) * 1_000_000_000n + BigInt(nanos ? frac : frac * 1000);
    packets.push({ tsNs, origLen, data: bytes.subarray(off + 16, off + 16 + caplen) });
    off += 16 + caplen;
  }
  return { format: 'pcap', linkType, packets };
}

function loadPcapng(path: string, bytes: Uint8Array, dv: DataView): LoadedCapture {
  let little = true;
  let ifaces: { linkType: number; nsPerUnit: bigint; unitsPerSec: bigint }[] = [];
  const packets: BenchPacket[] = [];
  const linkTypes = new Set<number>();
  let off = 0;
  while (off + 12 <= bytes.length) {
    let type = dv.getUint32(off, little);
    if (type === PCAPNG_SHB) {
      little = dv.getUint32(off + 8, true) === 0x1a2b3c4d;
      ifaces = []; // interface ids restart per section
      type = PCAPNG_SHB;
    }
    const len = dv.getUint32(off + 4, little);
    if (len < 12 || off + len > bytes.length) break;
    if (type === 1) {
      ifaces.push({ linkType: dv.getUint16(off + 8, little), ...tsResolution(dv, off, len, little) });
    } else if (type === 6 || type === 3) {
      const enhanced = type === 6;
      const ifId = enhanced ? dv.getUint32(off + 8, little) : 0;
      const iface = ifaces[ifId];
      if (!iface) throw new Error(`${path}: packet on undeclared interface ${ifId} at ${off}`);
      linkTypes.add(iface.linkType);
      let tsNs = 0n;
      let caplen: number;
      let origLen: number;
      let dataOff: number;
      if (enhanced) {
        const units = (BigInt(dv.getUint32(off + 12, little)) << 32n) | BigInt(dv.getUint32(off + 16, little));
        tsNs = iface.nsPerUnit > 0n ? units * iface.nsPerUnit : (units * 1_000_000_000n) / iface.unitsPerSec;
        caplen = dv.getUint32(off + 20, little);
        origLen = dv.getUint32(off + 24, little);
        dataOff = off + 28;
      } else {
        origLen = dv.getUint32(off + 8, little);
        caplen = Math.min(origLen, len - 16);
        dataOff = off + 12;
      }
      packets.push({ tsNs, origLen, data: bytes.subarray(dataOff, dataOff + caplen) });
    }
    off += len;
  }
  const linkType = linkTypes.size === 1 ? [...linkTypes][0] : linkTypes.size === 0 ? 1 : -1;
  return { format: 'pcapng', linkType, packets };
}

/** if_tsresol option (code 9) of an IDB: power of 10 or of 2; default microseconds. */
function tsResolution(dv: DataView, off: number, len: number, little: boolean): { nsPerUnit: bigint; unitsPerSec: bigint } {
  let o = off + 16;
  const end = off + len - 4;
  while (o + 4 <= end) {
    const code = dv.getUint16(o, little);
    const olen = dv.getUint16(o + 2, little);
    if (code === 0) break;
    if (code === 9 && olen >= 1) {
      const v = dv.getUint8(o + 4);
      const exp = BigInt(v & 0x7f);
      const unitsPerSec = v & 0x80 ? 2n ** exp : 10n ** exp;
      const nsPerUnit = 1_000_000_000n % unitsPerSec === 0n ? 1_000_000_000n / unitsPerSec : 0n;
      return { nsPerUnit, unitsPerSec };
    }
    o += 4 + ((olen + 3) & ~3);
  }
  return { nsPerUnit: 1000n, unitsPerSec: 1_000_000n };
}

/** Buffered writer of a classic little-endian, microsecond pcap file. */
export class PcapWriter {
  private readonly fd: number;
  private readonly buf = new Uint8Array(8 << 20);
  private readonly dv = new DataView(this.buf.buffer);
  private used = 0;
  packets = 0;
  bytes = 0;

  constructor(path: string, linkType: number, snaplen = 262144) {
    this.fd = openSync(path, 'w');
    const dv = this.dv;
    dv.setUint32(0, PCAP_USEC, true);
    dv.setUint16(4, 2, true);
    dv.setUint16(6, 4, true);
    dv.setUint32(16, snaplen, true);
    dv.setUint32(20, linkType, true);
    this.used = 24;
    this.bytes = 24;
  }

  /** Appends one packet: `data[offset .. offset + caplen)` with the given time (seconds, microseconds). */
  write(tsSec: number, tsUsec: number, origLen: number, data: Uint8Array, offset = 0, caplen = data.length - offset): void {
    if (this.used + 16 + caplen > this.buf.length) this.flush();
    const o = this.used;
    this.dv.setUint32(o, tsSec, true);
    this.dv.setUint32(o + 4, tsUsec, true);
    this.dv.setUint32(o + 8, caplen, true);
    this.dv.setUint32(o + 12, origLen, true);
    this.buf.set(data.subarray(offset, offset + caplen), o + 16);
    this.used += 16 + caplen;
    this.packets++;
    this.bytes += 16 + caplen;
  }

  private flush(): void {
    let done = 0;
    while (done < this.used) done += writeSync(this.fd, this.buf, done, this.used - done);
    this.used = 0;
  }

  close(): void {
    this.flush();
    closeSync(this.fd);
  }
}
