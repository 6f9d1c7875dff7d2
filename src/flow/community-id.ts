/**
 * Community ID v1 (https://github.com/corelight/community-id-spec): a flow hash shared by Zeek, Suricata,
 * Wireshark. SHA-1 over seed (2 bytes, big-endian) + source address + destination address + protocol (1 byte)
 * + zero pad (1 byte) + source port + destination port (2 bytes each, only for TCP, UDP, SCTP, ICMP, ICMPv6),
 * with the endpoints ordered so both directions hash alike; base64 of the digest, prefixed "1:".
 * Computed at most once per flow (the flow table keeps the digest), never per packet.
 * @module
 */
import { sha1Short } from './sha1.ts';

const ICMP = 1;
const TCP = 6;
const UDP = 17;
const ICMPV6 = 58;
const SCTP = 132;

// The spec's request/reply table (mirrors Zeek's ICMP4_counterpart / ICMP6_counterpart). A type not listed is
// one-way: its "ports" are type and code, and its endpoints keep their order.
const ICMP4_COUNTERPART = new Int16Array(256).fill(-1);
const ICMP6_COUNTERPART = new Int16Array(256).fill(-1);
for (const [a, b] of [[8, 0], [0, 8], [13, 14], [14, 13], [15, 16], [16, 15], [10, 9], [17, 18], [18, 17]]) {
  ICMP4_COUNTERPART[a] = b;
}
for (const [a, b] of [[128, 129], [129, 128], [133, 134], [134, 133], [135, 136], [136, 135], [130, 131], [131, 130],
  [139, 140], [140, 139], [144, 145], [145, 144]]) {
  ICMP6_COUNTERPART[a] = b;
}

/** Counterpart ICMP(v6) type of `type` per the spec's table, or -1 when the type is one-way. */
export function icmpCounterpart(proto: number, type: number): number {
  if (type < 0 || type > 255) return -1;
  return proto === ICMPV6 ? ICMP6_COUNTERPART[type] : ICMP4_COUNTERPART[type];
}

/** True when `proto` contributes ports to the hash. */
export function hasPorts(proto: number): boolean {
  return proto === TCP || proto === UDP || proto === SCTP || proto === ICMP || proto === ICMPV6;
}

/** Unsigned byte-wise comparison of two addresses of equal length; <0, 0, >0. */
function compareAddr(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return 0;
}

const scratch = Buffer.alloc(40);
const digestOut = Buffer.alloc(20);

/**
 * Community ID of a tuple whose ports are already the spec's port equivalents (for ICMP: type and counterpart
 * type, or type and code when `oneWay`). `src`/`dst` are 4 or 16 address bytes (network order).
 */
export function communityIdFromPorts(src: Uint8Array, dst: Uint8Array, proto: number, srcPort: number, dstPort: number,
  oneWay: boolean, seed = 0, base64 = true): string {
  const n = hashInput(src, dst, proto, srcPort, dstPort, oneWay, seed);
  sha1Short(scratch, n, digestOut, 0);
  return '1:' + digestOut.toString(base64 ? 'base64' : 'hex');
}


/**
 * The 20-byte SHA-1 digest behind a Community ID (see communityIdFromPorts), for callers that keep it as
 * bytes: written into `out` at `off` (no allocation; the input is at most 40 bytes, one SHA-1 block).
 */
export function communityIdDigest(src: Uint8Array, dst: Uint8Array, proto: number, srcPort: number, dstPort: number,
  oneWay: boolean, seed: number, out: Uint8Array, off: number): void {
  const n = hashInput(src, dst, proto, srcPort, dstPort, oneWay, seed);
  sha1Short(scratch, n, out, off);
}

const digestScratch = Buffer.alloc(20);
const tupleDigest = new Uint8Array(20);
// Address bytes of a tuple held as 32-bit words (hashInput copies them into its own buffer before hashing).
const tupleSrc4 = new Uint8Array(4), tupleDst4 = new Uint8Array(4), tupleSrc16 = new Uint8Array(16), tupleDst16 = new Uint8Array(16);

/**
 * Community ID of a flow tuple as the flow table keeps it: the originator's address in words[off..off+3] and the
 * responder's in words[off+4..off+7] (big-endian words; IPv4 and ARP in the first word of each), ports already
 * the spec's port equivalents (ICMP: type and counterpart type, or type and code for a one-way type). `ipVersion`
 * 0 is an ARP pseudo-flow: its IPv4 pair with protocol 0 (a Bulwark extension).
 */
export function communityIdOfWords(ipVersion: number, proto: number, origPort: number, respPort: number,
  words: Uint32Array, off: number, seed = 0): string {
  if (ipVersion !== 6) return recentV4(ipVersion, proto, origPort, respPort, words[off] | 0, words[off + 4] | 0, seed);
  return computeOfWords(ipVersion, proto, origPort, respPort, words, off, seed);
}

/**
 * Community IDs of recent IPv4 (and ARP) tuples, direct-mapped by a hash of the tuple. Why: a flow's id is asked
 * for by its events and again by its flow record (lazy records compute it when read: src/flow/lazy-record.ts),
 * with other flows' in between; SHA-1 and base64 cost many times this lookup. The same tuple always gives the
 * same id, so a hit returns exactly what computing it would.
 */
const recentSlots = 1024;
const recentOrig = new Int32Array(recentSlots);
const recentResp = new Int32Array(recentSlots);
const recentPorts = new Int32Array(recentSlots);
/** ipVersion << 24 | proto << 16 | seed (16 bits), or -1 for an empty slot. */
const recentMeta = new Int32Array(recentSlots).fill(-1);
const recentIds: string[] = new Array<string>(recentSlots).fill('');
const recentWords = new Uint32Array(8);

function recentV4(ipVersion: number, proto: number, origPort: number, respPort: number, orig: number, resp: number, seed: number): string {
  // Only what a slot keeps exactly (IPv4 or ARP, 16-bit ports and seed, 8-bit protocol) is cached; the rest is computed.
  const cacheable = (ipVersion === 4 || ipVersion === 0) && origPort === (origPort & 0xffff) && respPort === (respPort & 0xffff)
    && seed === (seed & 0xffff) && proto === (proto & 0xff);
  const ports = (origPort << 16) | respPort;
  const meta = (ipVersion << 24) | (proto << 16) | seed;
  let h = Math.imul(orig ^ Math.imul(resp, 0x9e3779b1), 0x85ebca6b) ^ Math.imul(ports ^ meta, 0xc2b2ae35);
  h ^= h >>> 15;
  const i = h & (recentSlots - 1);
  if (cacheable && recentMeta[i] === meta && recentOrig[i] === orig && recentResp[i] === resp && recentPorts[i] === ports) return recentIds[i];
  recentWords[0] = orig;
  recentWords[4] = resp;
  const id = computeOfWords(ipVersion, proto, origPort, respPort, recentWords, 0, seed);
  if (cacheable) {
    recentMeta[i] = meta;
    recentOrig[i] = orig;
    recentResp[i] = resp;
    recentPorts[i] = ports;
    recentIds[i] = id;
  }
  return id;
}

function computeOfWords(ipVersion: number, proto: number, origPort: number, respPort: number,
  words: Uint32Array, off: number, seed: number): string {
  const n = ipVersion === 6 ? 16 : 4;
  const src = n === 16 ? tupleSrc16 : tupleSrc4, dst = n === 16 ? tupleDst16 : tupleDst4;
  for (let i = 0; i < n; i++) {
    const sh = 24 - 8 * (i & 3);
    src[i] = words[off + (i >> 2)] >>> sh;
    dst[i] = words[off + 4 + (i >> 2)] >>> sh;
  }
  const oneWay = (proto === ICMP || proto === ICMPV6) && icmpCounterpart(proto, origPort) < 0;
  communityIdDigest(src, dst, proto, origPort, respPort, oneWay, seed, tupleDigest, 0);
  return communityIdOfDigest(tupleDigest, 0);
}

/** The Community ID string of a digest kept as 20 bytes at `off` of `bytes`. */
export function communityIdOfDigest(bytes: Uint8Array, off: number): string {
  for (let i = 0; i < 20; i++) digestScratch[i] = bytes[off + i];
  return '1:' + digestScratch.toString('base64');
}

/** Fill the scratch buffer with the hash input; returns its length. */
function hashInput(src: Uint8Array, dst: Uint8Array, proto: number, srcPort: number, dstPort: number, oneWay: boolean, seed: number): number {
  let a = src, b = dst, pa = srcPort, pb = dstPort;
  if (!oneWay) {
    const c = compareAddr(src, dst);
    if (c > 0 || (c === 0 && srcPort > dstPort)) {
      a = dst; b = src; pa = dstPort; pb = srcPort;
    }
  }
  let o = 0;
  scratch.writeUInt16BE(seed & 0xffff, o); o += 2;
  scratch.set(a, o); o += a.length;
  scratch.set(b, o); o += b.length;
  scratch[o++] = proto & 0xff;
  scratch[o++] = 0;
  if (hasPorts(proto)) {
    scratch.writeUInt16BE(pa & 0xffff, o); o += 2;
    scratch.writeUInt16BE(pb & 0xffff, o); o += 2;
  }
  return o;
}

/**
 * Community ID of one packet's tuple. For ICMP/ICMPv6 pass the type as `srcPort` and the code as `dstPort`:
 * they are mapped through the spec's table here.
 */
export function communityId(src: Uint8Array, dst: Uint8Array, proto: number, srcPort: number, dstPort: number,
  seed = 0, base64 = true): string {
  if (proto === ICMP || proto === ICMPV6) {
    const counter = icmpCounterpart(proto, srcPort);
    if (counter < 0) return communityIdFromPorts(src, dst, proto, srcPort, dstPort, true, seed, base64);
    return communityIdFromPorts(src, dst, proto, srcPort, counter, false, seed, base64);
  }
  return communityIdFromPorts(src, dst, proto, srcPort, dstPort, false, seed, base64);
}
