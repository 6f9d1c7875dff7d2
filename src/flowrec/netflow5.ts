/**
 * NetFlow v5 (fixed format, Cisco): a 24-byte header and up to 30 records of 48 bytes. Pure parsers.
 * @module
 */
import { u16, u32 } from '../decode/bytes.ts';
import { FA } from './anomalies.ts';
import { invalid, ok, type Parsed } from './types.ts';

export const V5_HEADER = 24;
export const V5_RECORD = 48;
export const V5_MAX_RECORDS = 30;

export interface V5Header {
  count: number;
  sysUptimeMs: number;
  unixSecs: number;
  unixNsecs: number;
  /** Sequence number of the first record of this datagram (total flows seen by the exporter). */
  sequence: number;
  engineType: number;
  engineId: number;
  /** Packet sampling interval (low 14 bits), 0 when unsampled; mode in the top 2 bits. */
  samplingInterval: number;
  samplingMode: number;
  /** Records actually present (fewer than count when truncated). */
  present: number;
  truncated: boolean;
}

export function parseV5Header(d: Uint8Array, off: number, len: number): Parsed<V5Header> {
  if (len < V5_HEADER) return invalid(FA.tooShort);
  const count = u16(d, off + 2);
  if (count === 0 || count > V5_MAX_RECORDS) return invalid(FA.v5BadCount);
  const present = Math.min(count, Math.floor((len - V5_HEADER) / V5_RECORD));
  const sampling = u16(d, off + 22);
  return ok({
    count,
    sysUptimeMs: u32(d, off + 4),
    unixSecs: u32(d, off + 8),
    unixNsecs: u32(d, off + 12),
    sequence: u32(d, off + 16),
    engineType: d[off + 20],
    engineId: d[off + 21],
    samplingInterval: sampling & 0x3fff,
    samplingMode: sampling >> 14,
    present,
    truncated: present < count,
  }, V5_HEADER + present * V5_RECORD);
}

export interface V5Record {
  src: string;
  dst: string;
  nextHop: string;
  input: number;
  output: number;
  packets: number;
  bytes: number;
  /** SysUptime (ms) at the first and last packet. */
  first: number;
  last: number;
  srcPort: number;
  dstPort: number;
  tcpFlags: number;
  proto: number;
  tos: number;
  srcAs: number;
  dstAs: number;
  srcMask: number;
  dstMask: number;
}

function ipv4(d: Uint8Array, o: number): string {
  return `${d[o]}.${d[o + 1]}.${d[o + 2]}.${d[o + 3]}`;
}

/** One 48-byte record at `off` (the caller checked it is present). */
export function parseV5Record(d: Uint8Array, off: number): V5Record {
  return {
    src: ipv4(d, off),
    dst: ipv4(d, off + 4),
    nextHop: ipv4(d, off + 8),
    input: u16(d, off + 12),
    output: u16(d, off + 14),
    packets: u32(d, off + 16),
    bytes: u32(d, off + 20),
    first: u32(d, off + 24),
    last: u32(d, off + 28),
    srcPort: u16(d, off + 32),
    dstPort: u16(d, off + 34),
    tcpFlags: d[off + 37],
    proto: d[off + 38],
    tos: d[off + 39],
    srcAs: u16(d, off + 40),
    dstAs: u16(d, off + 42),
    srcMask: d[off + 44],
    dstMask: d[off + 45],
  };
}
