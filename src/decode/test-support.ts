/**
 * Test helpers for the decode stage: a minimal classic-pcap reader (tests must not depend on the capture
 * stage's reader), tshark field extraction, link-header wrappers and fragment cutters for real IP packets.
 * @module
 */
import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import type { PacketRecord } from '../capture/types.ts';

export const TRACES = new URL('../../test/traces/decode/', import.meta.url).pathname;

/** Records of a classic pcap file (either byte order, micro- or nanosecond), each with its own `data` view. */
export function readPcap(path: string): PacketRecord[] {
  const buf = new Uint8Array(readFileSync(path));
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const magic = dv.getUint32(0, true);
  const le = magic === 0xa1b2c3d4 || magic === 0xa1b23c4d;
  const nano = magic === 0xa1b23c4d || magic === 0x4d3cb2a1;
  const linkType = dv.getUint32(20, le) & 0x0fffffff;
  const out: PacketRecord[] = [];
  for (let o = 24, n = 1; o + 16 <= buf.length; n++) {
    const caplen = dv.getUint32(o + 8, le);
    out.push({
      linkType,
      tsSec: dv.getUint32(o, le),
      tsNsec: dv.getUint32(o + 4, le) * (nano ? 1 : 1000),
      caplen,
      origLen: dv.getUint32(o + 12, le),
      data: buf,
      offset: o + 16,
      fileOffset: o,
      interfaceId: 0,
      packetNo: n,
    });
    o += 16 + caplen;
  }
  return out;
}

/** Bytes of one record (a copy). */
export function recordBytes(rec: PacketRecord): Uint8Array {
  return rec.data.slice(rec.offset, rec.offset + rec.caplen);
}

/** A record holding `bytes` (caplen = origLen = length). */
export function makeRecord(linkType: number, bytes: Uint8Array, packetNo = 1, origLen = bytes.length): PacketRecord {
  return { linkType, tsSec: 0, tsNsec: 0, caplen: bytes.length, origLen, data: bytes, offset: 0, fileOffset: 0, interfaceId: 0, packetNo };
}

/**
 * tshark fields for every frame of `path`, one object per frame (all occurrences, comma-separated as
 * tshark prints them). Requires tshark.
 */
export function tsharkFields(path: string, fields: readonly string[]): Record<string, string>[] {
  const args = ['-r', path, '-n', '-T', 'fields', '-E', 'separator=\t', '-E', 'occurrence=a'];
  for (const f of fields) args.push('-e', f);
  const text = execFileSync('tshark', args, { encoding: 'utf8', maxBuffer: 64 << 20, stdio: ['ignore', 'pipe', 'ignore'] });
  return text.split('\n').filter((l) => l !== '').map((line) => {
    const vals = line.split('\t');
    const row: Record<string, string> = {};
    fields.forEach((f, i) => (row[f] = vals[i] ?? ''));
    return row;
  });
}

export function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

export function hex(s: string): Uint8Array {
  return new Uint8Array(Buffer.from(s.replace(/[^0-9a-f]/gi, ''), 'hex'));
}

const u16be = (v: number): Uint8Array => new Uint8Array([v >> 8, v & 0xff]);

/** Ethernet frame around an IP packet: `tags` are [tpid, vid] pairs outer first. */
export function wrapEthernet(ip: Uint8Array, etherType: number, tags: [number, number][] = []): Uint8Array {
  const macs = hex('02 00 00 00 00 02  02 00 00 00 00 01');
  const tagBytes = tags.map(([tpid, vid]) => concat(u16be(tpid), u16be(vid)));
  return concat(macs, ...tagBytes, u16be(etherType), ip);
}

/** Linux cooked v1: packet type 0 (to us), ARPHRD_ETHER, 6-byte source MAC 02:00:00:00:00:01. */
export function wrapSll(ip: Uint8Array, protocol: number): Uint8Array {
  return concat(hex('0000 0001 0006 020000000001 0000'), u16be(protocol), ip);
}

/** Linux cooked v2: protocol, reserved, ifindex 3, ARPHRD_ETHER, packet type 0, address length 6, address. */
export function wrapSll2(ip: Uint8Array, protocol: number): Uint8Array {
  return concat(u16be(protocol), hex('0000 00000003 0001 00 06 020000000001 0000'), ip);
}

/** BSD loopback family header: little- or big-endian 32-bit family. */
export function wrapLoopback(ip: Uint8Array, family: number, littleEndian: boolean): Uint8Array {
  const h = new Uint8Array(4);
  new DataView(h.buffer).setUint32(0, family, littleEndian);
  return concat(h, ip);
}

/**
 * Cut an IPv4 packet (header + payload, no link layer) into fragments carrying payload ranges `ranges`
 * ([start, end) byte offsets, starts multiples of 8). The last range's end decides the MF flag.
 */
export function ipv4Fragments(ip: Uint8Array, ranges: [number, number][], id = 0x4242): Uint8Array[] {
  const ihl = (ip[0] & 15) * 4;
  const total = (ip[2] << 8) | ip[3];
  const payload = ip.subarray(ihl, total);
  return ranges.map(([s, e]) => {
    const hdr = ip.slice(0, ihl);
    const len = ihl + (e - s);
    hdr[2] = len >> 8;
    hdr[3] = len & 0xff;
    hdr[4] = id >> 8;
    hdr[5] = id & 0xff;
    const field = (s / 8) | (e < payload.length ? 0x2000 : 0);
    hdr[6] = field >> 8;
    hdr[7] = field & 0xff;
    return concat(hdr, payload.subarray(s, e));
  });
}

/** Same for IPv6 (no extension headers in `ip`): a fragment header is inserted after the fixed header. */
export function ipv6Fragments(ip: Uint8Array, ranges: [number, number][], id = 0x01020304): Uint8Array[] {
  const payloadLen = (ip[4] << 8) | ip[5];
  const payload = ip.subarray(40, 40 + payloadLen);
  const nh = ip[6];
  return ranges.map(([s, e]) => {
    const hdr = ip.slice(0, 40);
    const plen = 8 + (e - s);
    hdr[4] = plen >> 8;
    hdr[5] = plen & 0xff;
    hdr[6] = 44;
    const field = s | (e < payload.length ? 1 : 0);
    const frag = new Uint8Array([nh, 0, field >> 8, field & 0xff, id >>> 24, (id >>> 16) & 0xff, (id >>> 8) & 0xff, id & 0xff]);
    return concat(hdr, frag, payload.subarray(s, e));
  });
}
