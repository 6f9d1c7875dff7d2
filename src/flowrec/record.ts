/**
 * Data records of NetFlow v9 and IPFIX decoded through a compiled template into a reused scratch object.
 * Only the information elements a flow fact needs are read; every other field (and every enterprise-specific
 * one) is skipped by its length. Element ids are IANA's IPFIX registry (v9 field types share them).
 * @module
 */
import { ipv6ToString, macToString } from '../decode/address.ts';
import { u16 } from '../decode/bytes.ts';
import { REVERSE, VARLEN, type Template } from './template.ts';

/** Unsigned big-endian integer of 1..8 bytes (reduced-size encoding, RFC 7011 section 6.2). */
export function uint(d: Uint8Array, o: number, n: number): number {
  let v = 0;
  for (let i = 0; i < n; i++) v = v * 256 + d[o + i];
  return v;
}

const ntpEpochOffsetS = 2208988800;

/** dateTimeMicroseconds / dateTimeNanoseconds: NTP-format seconds since 1900 and a binary fraction → Unix ms. */
function ntpMs(d: Uint8Array, o: number): number {
  const sec = uint(d, o, 4);
  const frac = uint(d, o + 4, 4);
  return (sec - ntpEpochOffsetS) * 1000 + (frac / 4294967296) * 1000;
}

/** One record's fields (-1 / undefined = not in the record). Reset before each record. */
export class RecordScratch {
  bytes = -1; packets = -1; bytesTotal = -1; packetsTotal = -1; postBytes = -1; postPackets = -1;
  initBytes = -1; respBytes = -1; initPackets = -1; respPackets = -1;
  revBytes = -1; revPackets = -1; revBytesTotal = -1; revPacketsTotal = -1;
  proto = -1; tcpFlags = -1; revTcpFlags = -1; srcPort = -1; dstPort = -1; ipVersion = -1;
  src?: string; dst?: string; srcMac?: string; dstMac?: string;
  /** The record's bytes and where its addresses are in them (for the Community ID, without reparsing text). */
  buf: Uint8Array = new Uint8Array(0); srcOff = -1; dstOff = -1; addrLen = 0;
  icmpTypeCode = -1; icmpType = -1; icmpCode = -1; vlan = -1;
  startUptime = -1; endUptime = -1; startMs = -1; endMs = -1; startDeltaUs = -1; endDeltaUs = -1;
  systemInitMs = -1; samplingInterval = -1; samplingAlgorithm = -1; samplerId = -1; samplerRandomInterval = -1;
  selectorId = -1; samplingPacketInterval = -1; samplingPacketSpace = -1; samplingSize = -1; samplingPopulation = -1;

  reset(): void {
    this.bytes = this.packets = this.bytesTotal = this.packetsTotal = this.postBytes = this.postPackets = -1;
    this.initBytes = this.respBytes = this.initPackets = this.respPackets = -1;
    this.revBytes = this.revPackets = this.revBytesTotal = this.revPacketsTotal = -1;
    this.proto = this.tcpFlags = this.revTcpFlags = this.srcPort = this.dstPort = this.ipVersion = -1;
    this.src = this.dst = this.srcMac = this.dstMac = undefined;
    this.srcOff = this.dstOff = -1;
    this.icmpTypeCode = this.icmpType = this.icmpCode = this.vlan = -1;
    this.startUptime = this.endUptime = this.startMs = this.endMs = this.startDeltaUs = this.endDeltaUs = -1;
    this.systemInitMs = this.samplingInterval = this.samplingAlgorithm = this.samplerId = this.samplerRandomInterval = -1;
    this.selectorId = this.samplingPacketInterval = this.samplingPacketSpace = this.samplingSize = this.samplingPopulation = -1;
  }
}

function ipv4(d: Uint8Array, o: number): string {
  return `${d[o]}.${d[o + 1]}.${d[o + 2]}.${d[o + 3]}`;
}

/** Read one field into the scratch. Fields of an unexpected length are ignored (never misread). */
function field(id: number, d: Uint8Array, o: number, n: number, s: RecordScratch): void {
  switch (id) {
    case 1: if (n <= 8) s.bytes = uint(d, o, n); break;
    case 2: if (n <= 8) s.packets = uint(d, o, n); break;
    case 4: if (n === 1) s.proto = d[o]; break;
    case 6: if (n <= 2) s.tcpFlags = d[o + n - 1]; break; // the low byte holds FSRPAUEC
    case 7: if (n === 2) s.srcPort = u16(d, o); break;
    case 8: if (n === 4) { s.src = ipv4(d, o); s.srcOff = o; s.addrLen = 4; if (s.ipVersion < 0) s.ipVersion = 4; } break;
    case 11: if (n === 2) s.dstPort = u16(d, o); break;
    case 12: if (n === 4) { s.dst = ipv4(d, o); s.dstOff = o; if (s.ipVersion < 0) s.ipVersion = 4; } break;
    case 21: if (n === 4) s.endUptime = uint(d, o, 4); break;
    case 22: if (n === 4) s.startUptime = uint(d, o, 4); break;
    case 23: if (n <= 8) s.postBytes = uint(d, o, n); break;
    case 24: if (n <= 8) s.postPackets = uint(d, o, n); break;
    case 27: if (n === 16) { s.src = ipv6ToString(d, o); s.srcOff = o; s.addrLen = 16; s.ipVersion = 6; } break;
    case 28: if (n === 16) { s.dst = ipv6ToString(d, o); s.dstOff = o; s.ipVersion = 6; } break;
    case 32: case 139: if (n === 2) s.icmpTypeCode = u16(d, o); break;
    case 34: if (n <= 4) s.samplingInterval = uint(d, o, n); break;
    case 35: if (n === 1) s.samplingAlgorithm = d[o]; break;
    case 48: if (n <= 2) s.samplerId = uint(d, o, n); break;
    case 50: if (n <= 4) s.samplerRandomInterval = uint(d, o, n); break;
    case 56: if (n === 6) s.srcMac = macToString(d, o); break;
    case 58: if (n === 2) s.vlan = u16(d, o) & 0xfff; break;
    case 60: if (n === 1) s.ipVersion = d[o]; break;
    case 80: if (n === 6) s.dstMac = macToString(d, o); break;
    case 85: if (n <= 8) s.bytesTotal = uint(d, o, n); break;
    case 86: if (n <= 8) s.packetsTotal = uint(d, o, n); break;
    case 150: if (n === 4) s.startMs = uint(d, o, 4) * 1000; break;
    case 151: if (n === 4) s.endMs = uint(d, o, 4) * 1000; break;
    case 152: if (n === 8) s.startMs = uint(d, o, 8); break;
    case 153: if (n === 8) s.endMs = uint(d, o, 8); break;
    case 154: case 156: if (n === 8) s.startMs = ntpMs(d, o); break;
    case 155: case 157: if (n === 8) s.endMs = ntpMs(d, o); break;
    case 158: if (n === 4) s.startDeltaUs = uint(d, o, 4); break;
    case 159: if (n === 4) s.endDeltaUs = uint(d, o, 4); break;
    case 160: if (n === 8) s.systemInitMs = uint(d, o, 8); break;
    case 176: case 178: if (n === 1) s.icmpType = d[o]; break;
    case 177: case 179: if (n === 1) s.icmpCode = d[o]; break;
    case 231: if (n <= 8) s.initBytes = uint(d, o, n); break;
    case 232: if (n <= 8) s.respBytes = uint(d, o, n); break;
    case 298: if (n <= 8) s.initPackets = uint(d, o, n); break;
    case 299: if (n <= 8) s.respPackets = uint(d, o, n); break;
    case 302: if (n <= 8) s.selectorId = uint(d, o, n); break;
    case 305: if (n <= 4) s.samplingPacketInterval = uint(d, o, n); break;
    case 306: if (n <= 4) s.samplingPacketSpace = uint(d, o, n); break;
    case 309: if (n <= 4) s.samplingSize = uint(d, o, n); break;
    case 310: if (n <= 4) s.samplingPopulation = uint(d, o, n); break;
    case REVERSE | 1: if (n <= 8) s.revBytes = uint(d, o, n); break;
    case REVERSE | 2: if (n <= 8) s.revPackets = uint(d, o, n); break;
    case REVERSE | 6: if (n <= 2) s.revTcpFlags = d[o + n - 1]; break;
    case REVERSE | 85: if (n <= 8) s.revBytesTotal = uint(d, o, n); break;
    case REVERSE | 86: if (n <= 8) s.revPacketsTotal = uint(d, o, n); break;
    default: break;
  }
}

/**
 * Decode one record at `off` (not past `end`) into `s`. Returns the record length, or -1 when a variable-length
 * field runs past `end` (RFC 7011 section 7: 1-byte length, or 255 followed by a 2-byte length).
 */
export function decodeRecord(d: Uint8Array, off: number, end: number, t: Template, s: RecordScratch): number {
  s.reset();
  s.buf = d;
  let o = off;
  const ids = t.ids;
  const lens = t.lens;
  for (let i = 0; i < ids.length; i++) {
    let n = lens[i];
    if (n === VARLEN) {
      if (o + 1 > end) return -1;
      n = d[o++];
      if (n === 255) {
        if (o + 2 > end) return -1;
        n = u16(d, o);
        o += 2;
      }
    }
    if (o + n > end) return -1;
    if (ids[i] >= 0) field(ids[i], d, o, n, s);
    o += n;
  }
  return o - off;
}
