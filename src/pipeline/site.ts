/**
 * The site a sensor watches: its name and which networks are "local" (this network rather than the
 * Internet). One model shared by the pipeline (flow uids carry the sensor), the inventory (which addresses
 * become devices), the detectors (inbound or outbound) and the store.
 * @module
 */
import { hostname } from 'node:os';
import { ipv4Number, NetSet } from './netset.ts';
import { sha1 } from '../flow/sha1.ts';

/**
 * Default local networks: RFC 1918, shared address space (RFC 6598, CGNAT: inside an ISP's network),
 * IPv4 link-local and loopback, IPv6 ULA, link-local and loopback.
 */
export const defaultLocalNetworks: readonly string[] = [
  '10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '100.64.0.0/10', '169.254.0.0/16', '127.0.0.0/8',
  'fc00::/7', 'fe80::/10', '::1/128',
];

export interface SiteOptions {
  /** Name of this sensor (default: the host name); part of every flow uid. */
  sensor: string;
  /** CIDR prefixes of this network. */
  localNetworks: readonly string[];
}

export class Site {
  readonly sensor: string;
  readonly localNetworks: readonly string[];
  private readonly nets: NetSet;
  /** Memo of the last answers: detectors ask about the same few addresses again and again. */
  private readonly memo = new Map<string, boolean>();
  /** The sensor name's UTF-8 bytes, the start of every flow uid's hash input. */
  private sensorUtf8: Buffer | undefined;

  constructor(options: Partial<SiteOptions> = {}) {
    this.sensor = options.sensor ?? hostname();
    this.localNetworks = options.localNetworks ?? defaultLocalNetworks;
    this.nets = new NetSet(this.localNetworks, this.localNetworks === defaultLocalNetworks);
  }

  /** True for an address of this network (throws nothing: any string is accepted). */
  isLocal(ip: string): boolean {
    // IPv4: a few integer masks, cheaper than the memo (whose churn under a flood of addresses cost more).
    const n = ipv4Number(ip);
    if (n >= 0) return this.nets.hasV4(n);
    let v = this.memo.get(ip);
    if (v === undefined) {
      v = this.nets.has(ip);
      if (this.memo.size >= 4096) this.memo.clear(); // bounded: traffic chooses the addresses
      this.memo.set(ip, v);
    }
    return v;
  }

  /** isLocal for an IPv4 address already parsed to its number (ipv4Number): callers that parsed it skip a second parse. */
  isLocalV4(n: number): boolean {
    return this.nets.hasV4(n);
  }

  /**
   * A flow uid unique across runs and sensors, stable for the same flow (analysing a capture twice gives
   * the same uids, so ingest stays idempotent): 'C' and 17 base-62 characters of a hash over the sensor,
   * the Community ID, the first packet's time and the run's flow number.
   */
  flowUid(communityId: string, firstTs: number, flowId: number): string {
    this.flowUidWords(communityId, firstTs, flowId, uidScratch, 0);
    return uidOfWords(uidScratch, 0);
  }

  /**
   * The flow uid as its 96-bit number, three 32-bit words (least significant first) at out[off..off+2]: a
   * pipeline keeps these per live flow instead of a string (see uidOfWords).
   */
  flowUidWords(communityId: string, firstTs: number, flowId: number, out: Uint32Array, off: number): void {
    // The input's UTF-8 bytes, written without a string or a Buffer: the sensor's once, the rest is ASCII.
    const sensor = (this.sensorUtf8 ??= Buffer.from(this.sensor, 'utf8'));
    let n = sensor.length;
    const size = n + communityId.length + 64;
    if (uidInput.length < size) uidInput = new Uint8Array(size * 2);
    let b = uidInput;
    b.set(sensor);
    n = putAscii(b, putAscii(b, putAscii(b, n, communityId), String(firstTs)), String(flowId));
    if (n < 0) {
      // Not ASCII (never for a Community ID and two numbers): the string's UTF-8.
      b = Buffer.from(`${this.sensor}\u0000${communityId}\u0000${firstTs}\u0000${flowId}`, 'utf8');
      n = b.length;
    }
    sha1(b, n, uidDigest, 0);
    const h = uidDigest;
    // The low 96 bits of (first 64 bits) XOR (next 64 bits << 5).
    const aHi = wordAt(h, 0), aLo = wordAt(h, 4), bHi = wordAt(h, 8), bLo = wordAt(h, 12);
    out[off] = aLo ^ (bLo << 5);
    out[off + 1] = aHi ^ ((bHi << 5) | (bLo >>> 27));
    out[off + 2] = bHi >>> 27;
  }
}

let uidInput = new Uint8Array(256);

/**
 * A NUL then the ASCII string `s` into b at n (the NUL separates the uid's fields); returns the end, or -1 (also
 * when n is -1) for a non-ASCII character. b has room for the string and the NUL.
 */
function putAscii(b: Uint8Array, n: number, s: string): number {
  if (n < 0) return -1;
  b[n++] = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c > 0x7f) return -1;
    b[n++] = c;
  }
  return n;
}

const uidScratch = new Uint32Array(3);
const uidDigest = new Uint8Array(20);

/** Big-endian unsigned 32-bit word at `off`. */
function wordAt(b: Uint8Array, off: number): number {
  return ((b[off] << 24) | (b[off + 1] << 16) | (b[off + 2] << 8) | b[off + 3]) >>> 0;
}
const alphabet = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const alphabetCodes = Array.from(alphabet, (c) => c.charCodeAt(0));
/** Character codes of the uid being built: one flat string at the end instead of 17 concatenations. */
const uidCodes: number[] = new Array<number>(18).fill(0x43); // 'C'

/**
 * The uid string of a 96-bit value kept as three words (see flowUidWords): 'C' and 17 base-62 digits, least
 * significant first — the same digits as BigInt arithmetic, by long division over 32-bit limbs.
 */
export function uidOfWords(words: Uint32Array, off: number): string {
  let w0 = words[off], w1 = words[off + 1], w2 = words[off + 2];
  for (let i = 1; i < 18; i++) {
    // Each step stays below 62 × 2^32 < 2^38: exact in a double.
    let cur = w2;
    w2 = Math.floor(cur / 62);
    cur = (cur - w2 * 62) * 4294967296 + w1;
    w1 = Math.floor(cur / 62);
    cur = (cur - w1 * 62) * 4294967296 + w0;
    w0 = Math.floor(cur / 62);
    uidCodes[i] = alphabetCodes[cur - w0 * 62];
  }
  return String.fromCharCode.apply(null, uidCodes);
}

/** Parse a comma-separated network list ("192.168.1.0/24,fd00::/8"); throws a message naming the bad entry. */
export function parseNetworks(list: string): string[] {
  const nets = list.split(',').map((s) => s.trim()).filter(Boolean);
  if (nets.length === 0) throw new Error('no network given');
  new NetSet(nets); // validates
  return nets;
}
