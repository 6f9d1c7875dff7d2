/**
 * A rotating spool of received export datagrams, the way nfcapd rotates its files: every interval the
 * datagrams received so far are closed into one pcap file (raw IP link type, each datagram wrapped in the
 * IP/UDP header it arrived with) and handed on, e.g. to the dashboard's ingest queue. The files are the
 * evidence: a finding's packet number is the datagram's frame number in its spool file.
 * @module
 */
import { closeSync, mkdirSync, openSync, renameSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { ipv4FromString, ipv6FromString } from '../decode/address.ts';
import type { DatagramMeta } from './types.ts';

const LINKTYPE_RAW = 101;

export interface SpoolOptions {
  dir: string;
  /** Seconds per file (arrival time). */
  intervalS: number;
  /** Address and port the collector listens on (the datagrams' destination in the files). */
  localAddress: string;
  localPort: number;
}

export class DatagramSpool {
  readonly options: SpoolOptions;
  private readonly onFile: (path: string, datagrams: number) => void;
  private fd = -1;
  private tmpPath = '';
  private finalPath = '';
  private openedAt = 0;
  private count = 0;
  files = 0;

  constructor(options: SpoolOptions, onFile: (path: string, datagrams: number) => void) {
    this.options = options;
    this.onFile = onFile;
    mkdirSync(options.dir, { recursive: true });
  }

  datagram(d: Uint8Array, off: number, len: number, meta: DatagramMeta & { exporterPort?: number }): void {
    if (this.fd < 0) this.open(meta.ts);
    const v6 = meta.exporter.includes(':');
    const ipLen = v6 ? 40 : 20;
    const total = ipLen + 8 + len;
    const rec = Buffer.alloc(16 + ipLen + 8);
    const sec = Math.floor(meta.ts);
    rec.writeUInt32LE(sec, 0);
    rec.writeUInt32LE(Math.floor((meta.ts - sec) * 1e6), 4);
    rec.writeUInt32LE(total, 8);
    rec.writeUInt32LE(total, 12);
    let o = 16;
    if (v6) {
      rec[o] = 0x60;
      rec.writeUInt16BE(8 + len, o + 4);
      rec[o + 6] = 17;
      rec[o + 7] = 64;
      rec.set(ipv6FromString(meta.exporter) ?? new Uint8Array(16), o + 8);
      rec.set(ipv6FromString(this.options.localAddress.includes(':') ? this.options.localAddress : '::1') ?? new Uint8Array(16), o + 24);
    } else {
      rec[o] = 0x45;
      rec.writeUInt16BE(total, o + 2);
      rec[o + 8] = 64;
      rec[o + 9] = 17;
      rec.writeUInt32BE(ipv4FromString(meta.exporter) ?? 0, o + 12);
      rec.writeUInt32BE(ipv4FromString(this.options.localAddress) ?? 0x7f000001, o + 16);
      rec.writeUInt16BE(ipv4Checksum(rec, o), o + 10);
    }
    o += ipLen;
    rec.writeUInt16BE(meta.exporterPort ?? 0, o);
    rec.writeUInt16BE(this.options.localPort, o + 2);
    rec.writeUInt16BE(8 + len, o + 4);
    writeSync(this.fd, rec);
    writeSync(this.fd, d, off, len);
    this.count++;
  }

  /** Arrival clock: close the file once its interval is over. */
  tick(now: number): void {
    if (this.fd >= 0 && now - this.openedAt >= this.options.intervalS) this.rotate();
  }

  /** Close the current file (if it holds datagrams) and hand it on. */
  rotate(): void {
    if (this.fd < 0) return;
    closeSync(this.fd);
    this.fd = -1;
    // Written under a temporary name: a watcher never sees a half-written file.
    renameSync(this.tmpPath, this.finalPath);
    this.files++;
    this.onFile(this.finalPath, this.count);
  }

  private open(ts: number): void {
    const stamp = new Date(ts * 1000).toISOString().replace(/[:]/g, '').replace(/\.\d+Z$/, 'Z');
    this.finalPath = join(this.options.dir, `netflow-${stamp}-${this.files}.pcap`);
    this.tmpPath = this.finalPath + '.part';
    this.fd = openSync(this.tmpPath, 'w');
    const h = Buffer.alloc(24);
    h.writeUInt32LE(0xa1b2c3d4, 0);
    h.writeUInt16LE(2, 4);
    h.writeUInt16LE(4, 6);
    h.writeUInt32LE(262144, 16);
    h.writeUInt32LE(LINKTYPE_RAW, 20);
    writeSync(this.fd, h);
    this.openedAt = ts;
    this.count = 0;
  }
}

function ipv4Checksum(b: Buffer, o: number): number {
  let sum = 0;
  for (let i = 0; i < 20; i += 2) if (i !== 10) sum += b.readUInt16BE(o + i);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}
