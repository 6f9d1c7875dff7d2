/**
 * A small classic-pcap writer for GENERATED test traffic (Ethernet / IPv4 / TCP, UDP or GRE), used by
 * generate.ts in this folder. Nothing is ever sent: frames go to a byte array.
 * @module
 */

export interface Frame {
  ts: number;
  bytes: Uint8Array;
}

/** Deterministic pseudo-random numbers (mulberry32), so generated files are byte-stable. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function ip(text: string): number[] {
  return text.split('.').map(Number);
}

function checksum(bytes: Uint8Array, initial = 0): number {
  let sum = initial;
  for (let i = 0; i < bytes.length; i += 2) sum += (bytes[i] << 8) | (i + 1 < bytes.length ? bytes[i + 1] : 0);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

function l4Checksum(src: number[], dst: number[], proto: number, segment: Uint8Array): number {
  const pseudo = new Uint8Array(12 + segment.length);
  pseudo.set(src, 0);
  pseudo.set(dst, 4);
  pseudo[9] = proto;
  new DataView(pseudo.buffer).setUint16(10, segment.length);
  pseudo.set(segment, 12);
  return checksum(pseudo);
}

export function ipv4(src: number[], dst: number[], proto: number, payload: Uint8Array, id: number, ttl = 64, df = false): Uint8Array {
  const out = new Uint8Array(20 + payload.length);
  const v = new DataView(out.buffer);
  out[0] = 0x45;
  v.setUint16(2, out.length);
  v.setUint16(4, id & 0xffff);
  v.setUint16(6, df ? 0x4000 : 0);
  out[8] = ttl;
  out[9] = proto;
  out.set(src, 12);
  out.set(dst, 16);
  v.setUint16(10, checksum(out.subarray(0, 20)));
  out.set(payload, 20);
  return out;
}

export interface TcpSpec {
  sport: number;
  dport: number;
  seq: number;
  ack: number;
  /** Flag bits: FIN 1, SYN 2, RST 4, PSH 8, ACK 16. */
  flags: number;
  payload?: Uint8Array;
  window?: number;
}

export function tcp(src: number[], dst: number[], s: TcpSpec): Uint8Array {
  const payload = s.payload ?? new Uint8Array(0);
  const seg = new Uint8Array(20 + payload.length);
  const v = new DataView(seg.buffer);
  v.setUint16(0, s.sport);
  v.setUint16(2, s.dport);
  v.setUint32(4, s.seq >>> 0);
  v.setUint32(8, s.ack >>> 0);
  seg[12] = 5 << 4;
  seg[13] = s.flags;
  v.setUint16(14, s.window ?? 64240);
  seg.set(payload, 20);
  v.setUint16(16, l4Checksum(src, dst, 6, seg));
  return seg;
}

export function udp(src: number[], dst: number[], sport: number, dport: number, payload: Uint8Array): Uint8Array {
  const seg = new Uint8Array(8 + payload.length);
  const v = new DataView(seg.buffer);
  v.setUint16(0, sport);
  v.setUint16(2, dport);
  v.setUint16(4, seg.length);
  seg.set(payload, 8);
  v.setUint16(6, l4Checksum(src, dst, 17, seg) || 0xffff);
  return seg;
}

/** GRE (RFC 2784, no options) carrying `inner` with the given EtherType (0x0800 IPv4, 0x6558 Ethernet). */
export function gre(protocol: number, inner: Uint8Array): Uint8Array {
  const out = new Uint8Array(4 + inner.length);
  new DataView(out.buffer).setUint16(2, protocol);
  out.set(inner, 4);
  return out;
}

export function ethernet(srcMac: number[], dstMac: number[], ipPacket: Uint8Array): Uint8Array {
  const out = new Uint8Array(14 + ipPacket.length);
  out.set(dstMac, 0);
  out.set(srcMac, 6);
  out[12] = 0x08;
  out.set(ipPacket, 14);
  return out;
}

/** Classic pcap (little endian, microseconds, LINKTYPE_ETHERNET). */
export function pcapFile(frames: Frame[]): Uint8Array {
  const total = 24 + frames.reduce((n, f) => n + 16 + f.bytes.length, 0);
  const out = new Uint8Array(total);
  const v = new DataView(out.buffer);
  v.setUint32(0, 0xa1b2c3d4, true);
  v.setUint16(4, 2, true);
  v.setUint16(6, 4, true);
  v.setUint32(16, 65535, true);
  v.setUint32(20, 1, true);
  let at = 24;
  for (const f of frames) {
    const us = Math.round(f.ts * 1e6);
    v.setUint32(at, Math.floor(us / 1e6), true);
    v.setUint32(at + 4, us % 1e6, true);
    v.setUint32(at + 8, f.bytes.length, true);
    v.setUint32(at + 12, f.bytes.length, true);
    out.set(f.bytes, at + 16);
    at += 16 + f.bytes.length;
  }
  return out;
}
