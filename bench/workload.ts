/**
 * Deterministic benchmark workloads built from the real shared captures, written as classic pcap to bench/work/.
 *  - mixed: every Ethernet capture replayed (seeded order per replay), IPv4/IPv6 unicast addresses shifted per
 *    replay so replays are distinct flows, timestamps shifted to stay monotonic (idle gaps over 1 h shortened to
 *    1 h). Nothing else is changed (checksums are left stale on purpose).
 *  - flow-heavy: the real spoofed SYNs of stopddos/pkt.TCP.synflood.spoofed.pcap, source address and port rewritten
 *    per packet so every packet is a new 5-tuple, at a constant 100k packets/s so every flow is still live at the end.
 *  - mirai: the real Mirai capture (scanner SYNs, telnet brute force, loaders) replayed as mixed replays its sources.
 * Run alone: `node bench/workload.ts [--quick | --packets N]` prints the workload sizes.
 * @module
 */
import { createHash } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, readSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { join, relative } from 'node:path';
import { loadCapture, PcapWriter } from './pcap.ts';
import type { BenchPacket } from './pcap.ts';

export const CAPTURES_DIR = '/work/shared/captures';
export const WORK_DIR = new URL('./work/', import.meta.url).pathname;
/** Bump when the generation algorithm changes, so stale files are rebuilt. */
const GENERATOR_VERSION = 3;
const LINKTYPE_ETHERNET = 1;
/** 2023-11-14T22:13:20Z: first timestamp of every workload. */
const BASE_US = 1_700_000_000 * 1_000_000;
const FLOOD_GAP_US = 10;
/** Longest idle gap kept within a replayed capture: longer than any flow timeout, so expiry still happens. */
const MAX_GAP_US = 3600 * 1_000_000;
const SYNFLOOD = 'malicious/stopddos/pkt.TCP.synflood.spoofed.pcap';
const MIRAI = 'malicious/spiderlabs-mirai/2016-11-07-10-35.pcap';

export type WorkloadName = 'mixed' | 'flow-heavy' | 'mirai';

export interface Workload {
  name: WorkloadName;
  path: string;
  packets: number;
  /** File size in bytes. */
  bytes: number;
  sha256: string;
  /** Distinct 5-tuples by construction (flow-heavy only). */
  flows?: number;
  /** False when an existing file with the right size and hash was reused. */
  generated: boolean;
  description: string;
}

export interface WorkloadOptions {
  packets: number;
  seed?: number;
  capturesDir?: string;
  workDir?: string;
  log?: (line: string) => void;
}

interface Source {
  rel: string;
  sha256: string;
  packets: BenchPacket[];
  /** Packet times relative to the source's first packet, microseconds. */
  relUs: Float64Array;
}

/** Builds (or reuses) both workloads. */
export function ensureWorkloads(opts: WorkloadOptions): Workload[] {
  const o = { seed: 1, capturesDir: CAPTURES_DIR, workDir: WORK_DIR, log: () => {}, ...opts };
  mkdirSync(o.workDir, { recursive: true });
  const sources = loadSources(o.capturesDir);
  const digest = sha256Hex(sources.map((s) => `${s.rel} ${s.sha256}`).join('\n'));
  const mixedParams = { v: GENERATOR_VERSION, kind: 'mixed', packets: o.packets, seed: o.seed, sources: digest };
  const mixed = ensureOne(join(o.workDir, `mixed-${o.packets}.pcap`), mixedParams, o.log, (w) => writeMixed(w, sources, o.packets, o.seed));
  const flood = sources.find((s) => s.rel === SYNFLOOD);
  if (!flood) throw new Error(`${SYNFLOOD} not found under ${o.capturesDir}`);
  const floodParams = { v: GENERATOR_VERSION, kind: 'flow-heavy', packets: o.packets, seed: o.seed, source: flood.sha256 };
  const heavy = ensureOne(join(o.workDir, `flow-heavy-${o.packets}.pcap`), floodParams, o.log, (w) => writeFlowHeavy(w, flood, o.packets, o.seed));
  const mirai = sources.find((s) => s.rel === MIRAI);
  if (!mirai) throw new Error(`${MIRAI} not found under ${o.capturesDir}`);
  const miraiParams = { v: GENERATOR_VERSION, kind: 'mirai', packets: o.packets, seed: o.seed, source: mirai.sha256 };
  // The one real Mirai capture replayed back to back, addresses shifted per replay (as in mixed).
  const attack = ensureOne(join(o.workDir, `mirai-${o.packets}.pcap`), miraiParams, o.log, (w) => writeMixed(w, [mirai], o.packets, o.seed));
  return [
    { name: 'mixed', ...mixed, description: `${sources.length} distinct Ethernet captures replayed with per-replay address offsets` },
    { name: 'flow-heavy', ...heavy, flows: o.packets, description: `real spoofed SYNs (${SYNFLOOD}), one new 5-tuple per packet` },
    { name: 'mirai', ...attack, description: `the real Mirai scans, telnet brute force and loader sessions of ${MIRAI} replayed with per-replay address offsets` },
  ];
}

type Built = Omit<Workload, 'name' | 'description' | 'flows'>;

/** Reuses `path` when its sidecar names the same parameters and size and the file hashes to the recorded sha256. */
function ensureOne(path: string, params: object, log: (l: string) => void, write: (w: PcapWriter) => void): Built {
  const metaPath = path.replace(/\.pcap$/, '.meta.json');
  const wanted = JSON.stringify(params);
  if (existsSync(path) && existsSync(metaPath)) {
    const meta = JSON.parse(readFileSync(metaPath, 'utf8')) as { params: string; packets: number; bytes: number; sha256: string };
    if (meta.params === wanted && statSync(path).size === meta.bytes && fileSha256(path) === meta.sha256) {
      return { path, packets: meta.packets, bytes: meta.bytes, sha256: meta.sha256, generated: false };
    }
  }
  log(`generating ${path} ...`);
  const w = new PcapWriter(path, LINKTYPE_ETHERNET);
  write(w);
  w.close();
  const sha256 = fileSha256(path);
  const meta = { params: wanted, packets: w.packets, bytes: w.bytes, sha256 };
  writeFileSync(metaPath, JSON.stringify(meta, null, 2) + '\n');
  return { path, packets: w.packets, bytes: w.bytes, sha256, generated: true };
}

/** All Ethernet captures under `dir`, sorted by path, byte-identical duplicates counted once. */
function loadSources(dir: string): Source[] {
  const seen = new Set<string>();
  const out: Source[] = [];
  for (const path of listCaptures(dir)) {
    const sha256 = fileSha256(path);
    if (seen.has(sha256)) continue;
    seen.add(sha256);
    const cap = loadCapture(path);
    if (cap.linkType !== LINKTYPE_ETHERNET || cap.packets.length === 0) continue;
    const t0 = cap.packets[0].tsNs;
    // Gaps longer than MAX_GAP_US are capture discontinuities (coap_mqtt.pcap spans 4 years): shorten them.
    const relUs = new Float64Array(cap.packets.length);
    for (let i = 1, prev = t0; i < cap.packets.length; i++) {
      const gap = Number((cap.packets[i].tsNs - prev) / 1000n);
      relUs[i] = relUs[i - 1] + Math.min(gap, MAX_GAP_US);
      prev = cap.packets[i].tsNs;
    }
    out.push({ rel: relative(dir, path), sha256, packets: cap.packets, relUs });
  }
  return out;
}

function listCaptures(dir: string): string[] {
  const files: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile() && /\.(pcap|pcapng|cap)$/.test(e.name)) files.push(join(e.parentPath, e.name));
  }
  return files.sort();
}

function writeMixed(w: PcapWriter, sources: Source[], target: number, seed: number): void {
  const rand = mulberry32(seed);
  const scratch = new Uint8Array(262144);
  let nowUs = BASE_US;
  for (let replay = 0; w.packets < target; replay++) {
    const order = shuffle(sources.map((_, i) => i), rand);
    for (const si of order) {
      const src = sources[si];
      const startUs = nowUs;
      for (let i = 0; i < src.packets.length && w.packets < target; i++) {
        const p = src.packets[i];
        scratch.set(p.data);
        shiftAddresses(scratch, p.data.length, replay);
        // Some captures step back in time; clamp so the workload stays monotonic.
        nowUs = Math.max(nowUs, startUs + src.relUs[i]);
        w.write(Math.floor(nowUs / 1e6), nowUs % 1e6, p.origLen, scratch, 0, p.data.length);
      }
      nowUs += 1000; // next capture starts 1 ms later
    }
  }
}

function writeFlowHeavy(w: PcapWriter, flood: Source, target: number, seed: number): void {
  const syns = flood.packets.filter((p) => ipv4TcpOffsets(p.data, p.data.length) !== null);
  if (syns.length === 0) throw new Error('no IPv4 TCP packets in the SYN flood capture');
  const scratch = new Uint8Array(262144);
  const dv = new DataView(scratch.buffer);
  for (let i = 0; i < target; i++) {
    const p = syns[i % syns.length];
    const len = p.data.length;
    scratch.set(p.data);
    const offs = ipv4TcpOffsets(scratch, len)!;
    dv.setUint32(offs.l3 + 12, spoofedAddress(i, seed));
    dv.setUint16(offs.l4, 1024 + (hash32(i ^ Math.imul(seed, 0x9e3779b9)) % 64512));
    const tUs = BASE_US + i * FLOOD_GAP_US;
    w.write(Math.floor(tUs / 1e6), tUs % 1e6, p.origLen, scratch, 0, len);
  }
}

/** Offset of the IP header after Ethernet and up to two VLAN tags, with its ethertype; null when too short. */
function l3Of(b: Uint8Array, len: number): { l3: number; etherType: number } | null {
  let off = 12;
  for (let tags = 0; tags <= 2; tags++) {
    if (off + 2 > len) return null;
    const et = (b[off] << 8) | b[off + 1];
    if (et !== 0x8100 && et !== 0x88a8 && et !== 0x9100) return { l3: off + 2, etherType: et };
    off += 4;
  }
  return null;
}

function ipv4TcpOffsets(b: Uint8Array, len: number): { l3: number; l4: number } | null {
  const l = l3Of(b, len);
  if (!l || l.etherType !== 0x0800 || l.l3 + 20 > len || b[l.l3 + 9] !== 6) return null;
  const l4 = l.l3 + (b[l.l3] & 0x0f) * 4;
  return l4 + 20 <= len ? { l3: l.l3, l4 } : null;
}

/**
 * Adds the replay index to the host part of every unicast address: IPv4 low 24 bits += replay << 8 (the first
 * octet, hence private/public class, is kept); IPv6 bytes 12..13 of the interface id += replay.
 */
function shiftAddresses(b: Uint8Array, len: number, replay: number): void {
  if (replay === 0) return;
  const l = l3Of(b, len);
  if (!l) return;
  if (l.etherType === 0x0800 && l.l3 + 20 <= len && b[l.l3] >> 4 === 4) {
    shiftV4(b, l.l3 + 12, replay);
    shiftV4(b, l.l3 + 16, replay);
  } else if (l.etherType === 0x86dd && l.l3 + 40 <= len) {
    shiftV6(b, l.l3 + 8, replay);
    shiftV6(b, l.l3 + 24, replay);
  }
}

function shiftV4(b: Uint8Array, at: number, replay: number): void {
  const first = b[at];
  if (first === 0 || first === 127 || first >= 224) return; // unspecified, loopback, multicast, broadcast
  const low = (((b[at + 1] << 16) | (b[at + 2] << 8) | b[at + 3]) + (replay << 8)) & 0xffffff;
  b[at + 1] = low >> 16;
  b[at + 2] = (low >> 8) & 0xff;
  b[at + 3] = low & 0xff;
}

function shiftV6(b: Uint8Array, at: number, replay: number): void {
  if (b[at] === 0xff) return; // multicast
  let zero = true;
  for (let i = 0; i < 16 && zero; i++) zero = b[at + i] === 0;
  if (zero) return; // unspecified
  const v = (((b[at + 12] << 8) | b[at + 13]) + replay) & 0xffff;
  b[at + 12] = v >> 8;
  b[at + 13] = v & 0xff;
}

/**
 * Cycle-walking a 32-bit permutation over the allowed set (not 0/8, 127/8, 224/3) is a bijection of that set;
 * i is first moved into it (1.0.0.0 + i), so distinct i give distinct sources.
 */
function spoofedAddress(i: number, seed: number): number {
  let x = (0x01000000 + i) >>> 0;
  do x = permute32(x, seed);
  while (x >>> 24 === 0 || x >>> 24 === 127 || x >>> 24 >= 224);
  return x;
}

function permute32(x: number, seed: number): number {
  x = (x + seed) >>> 0;
  x ^= x >>> 16;
  x = Math.imul(x, 0x7feb352d) >>> 0;
  x ^= x >>> 15;
  x = Math.imul(x, 0x846ca68b) >>> 0;
  x ^= x >>> 16;
  return x >>> 0;
}

function hash32(x: number): number {
  return permute32(x >>> 0, 0x2545f491);
}

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function shuffle<T>(xs: T[], rand: () => number): T[] {
  for (let i = xs.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [xs[i], xs[j]] = [xs[j], xs[i]];
  }
  return xs;
}

function sha256Hex(s: string): string {
  return createHash('sha256').update(s).digest('hex');
}

function fileSha256(path: string): string {
  const h = createHash('sha256');
  const buf = Buffer.allocUnsafe(8 << 20);
  const fd = openSync(path, 'r');
  try {
    for (let n; (n = readSync(fd, buf, 0, buf.length, null)) > 0; ) h.update(buf.subarray(0, n));
  } finally {
    closeSync(fd);
  }
  return h.digest('hex');
}

/**
 * A copy of the first `packets` packets of a workload (for tools too slow to run on all of it), reused when
 * present with the right size.
 */
export function ensurePrefix(w: Workload, packets: number): { path: string; packets: number; bytes: number } {
  const path = w.path.replace(/\.pcap$/, `.first-${packets}.pcap`);
  const fd = openSync(w.path, 'r');
  const head = Buffer.alloc(16);
  let end = 24;
  try {
    for (let i = 0; i < packets; i++) {
      if (readSync(fd, head, 0, 16, end) < 16) throw new Error(`${w.path}: fewer than ${packets} packets`);
      end += 16 + head.readUInt32LE(8);
    }
    if (!existsSync(path) || statSync(path).size !== end) {
      const out = openSync(path, 'w');
      const buf = Buffer.allocUnsafe(8 << 20);
      for (let pos = 0; pos < end; ) {
        const n = readSync(fd, buf, 0, Math.min(buf.length, end - pos), pos);
        writeAllSync(out, buf, n);
        pos += n;
      }
      closeSync(out);
    }
  } finally {
    closeSync(fd);
  }
  return { path, packets, bytes: end };
}

function writeAllSync(fd: number, buf: Buffer, n: number): void {
  for (let done = 0; done < n; ) done += writeSync(fd, buf, done, n - done);
}

/** Workload size in packets from argv: --quick → 200k, --packets N, default 2M. */
export function packetsFromArgs(argv: string[]): number {
  const i = argv.indexOf('--packets');
  if (i >= 0) return Number(argv[i + 1]);
  return argv.includes('--quick') ? 200_000 : 2_000_000;
}

export function describe(w: Workload): string {
  const mb = (w.bytes / 1e6).toFixed(1);
  return `${w.name}: ${w.packets.toLocaleString('en-US')} packets, ${mb} MB, sha256 ${w.sha256.slice(0, 16)}… ${w.path}${w.generated ? ' (generated)' : ' (reused)'}`;
}

if (import.meta.main) {
  const t0 = performance.now();
  const ws = ensureWorkloads({ packets: packetsFromArgs(process.argv), log: (l) => console.log(l) });
  for (const w of ws) console.log(describe(w));
  console.log(`done in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
}
