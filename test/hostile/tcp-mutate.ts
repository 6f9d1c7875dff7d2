/**
 * Rewrites real TCP sessions the way an evader or a lossy network would: segments reordered, duplicated,
 * split into overlapping pieces, dropped. Works on little-endian classic pcap files of Ethernet/IPv4/TCP
 * (the test traces); every other record is kept as it is. Also a collector protocol that records the stream
 * bytes Bulwark's pipeline delivers, and tshark's reassembled payload (`-z follow,tcp,raw,N`) to compare with.
 * @module
 */
import { spawnSync } from 'node:child_process';
import { Pipeline } from '../../src/pipeline/analyze.ts';
import type { AppProtocol } from '../../src/app/types.ts';
import type { RunSummary } from '../../src/pipeline/stats.ts';

export interface Rec { sec: number; frac: number; data: Buffer }

export interface TcpSeg {
  /** Index of the record in the file. */
  index: number;
  /** "srcip:port>dstip:port" */
  dirKey: string;
  seq: number;
  flags: number;
  payloadOff: number;
  payloadLen: number;
}

export function readPcap(bytes: Uint8Array): { header: Buffer; recs: Rec[] } {
  const b = Buffer.from(bytes);
  if (b.readUInt32LE(0) !== 0xa1b2c3d4 || b.readUInt32LE(20) !== 1) throw new Error('tcp-mutate reads little-endian Ethernet pcap only');
  const recs: Rec[] = [];
  for (let p = 24; p + 16 <= b.length;) {
    const caplen = b.readUInt32LE(p + 8);
    recs.push({ sec: b.readUInt32LE(p), frac: b.readUInt32LE(p + 4), data: Buffer.from(b.subarray(p + 16, p + 16 + caplen)) });
    p += 16 + caplen;
  }
  return { header: Buffer.from(b.subarray(0, 24)), recs };
}

export function writePcap(header: Buffer, recs: readonly Rec[]): Buffer {
  const parts: Buffer[] = [header];
  for (const r of recs) {
    const h = Buffer.alloc(16);
    h.writeUInt32LE(r.sec, 0);
    h.writeUInt32LE(r.frac, 4);
    h.writeUInt32LE(r.data.length, 8);
    h.writeUInt32LE(r.data.length, 12);
    parts.push(h, r.data);
  }
  return Buffer.concat(parts);
}

/** The TCP segment in an Ethernet/IPv4 record (payload bounded by the IP total length), or undefined. */
export function tcpSeg(r: Rec, index: number): TcpSeg | undefined {
  const d = r.data;
  if (d.length < 54 || d.readUInt16BE(12) !== 0x0800 || d[23] !== 6) return undefined;
  const ihl = (d[14] & 0x0f) * 4;
  const ipEnd = Math.min(d.length, 14 + d.readUInt16BE(16));
  const t = 14 + ihl;
  const dataOff = t + (d[t + 12] >> 4) * 4;
  const ip = (o: number): string => `${d[o]}.${d[o + 1]}.${d[o + 2]}.${d[o + 3]}`;
  return {
    index, dirKey: `${ip(26)}:${d.readUInt16BE(t)}>${ip(30)}:${d.readUInt16BE(t + 2)}`,
    seq: d.readUInt32BE(t + 4), flags: d[t + 13], payloadOff: dataOff, payloadLen: Math.max(0, ipEnd - dataOff),
  };
}

/** A copy of a TCP record with another payload starting at sequence number `seq` (IP length fixed). */
export function withPayload(r: Rec, s: TcpSeg, seq: number, payload: Uint8Array): Rec {
  const head = r.data.subarray(0, s.payloadOff);
  const data = Buffer.concat([head, payload]);
  data.writeUInt16BE(data.length - 14, 16);
  const t = 14 + (data[14] & 0x0f) * 4;
  data.writeUInt32BE(seq >>> 0, t + 4);
  return { sec: r.sec, frac: r.frac, data };
}

export function dataSegments(recs: readonly Rec[]): TcpSeg[] {
  const out: TcpSeg[] = [];
  recs.forEach((r, i) => {
    const s = tcpSeg(r, i);
    if (s && s.payloadLen > 0) out.push(s);
  });
  return out;
}

export const payloadOf = (r: Rec, s: TcpSeg): Buffer => r.data.subarray(s.payloadOff, s.payloadOff + s.payloadLen);

/** What the pipeline delivered per TCP flow: both directions' bytes and gap lengths. */
export interface DeliveredStream {
  /** "origPort>respPort" */
  ports: string;
  bytes: [Buffer, Buffer];
  gaps: [number, number];
}

/** Runs the real pipeline with one protocol that claims every TCP flow and records what it is given. */
export async function deliveredStreams(path: string, reassembly: object = {}): Promise<{ streams: DeliveredStream[]; summary: RunSummary }> {
  const streams: DeliveredStream[] = [];
  interface State { parts: [Buffer[], Buffer[]]; gaps: [number, number] }
  const collector: AppProtocol<State> = {
    name: 'collector', transports: ['tcp'], ports: [],
    probe: () => 'yes',
    newState: () => ({ parts: [[], []], gaps: [0, 0] }),
    data: (s, dir, bytes) => { s.parts[dir].push(Buffer.from(bytes)); },
    gap: (s, dir, len) => { s.gaps[dir] += len; },
    end: (s, ctx) => {
      streams.push({ ports: `${ctx.info.origPort}>${ctx.info.respPort}`, bytes: [Buffer.concat(s.parts[0]), Buffer.concat(s.parts[1])], gaps: s.gaps });
    },
    events: [], anomalies: [],
  };
  const pipeline = new Pipeline({ protocols: [collector as AppProtocol], reassembly });
  const summary = await pipeline.run([path]);
  return { streams, summary };
}

/** tshark's reassembled payload of every TCP stream (follow,tcp,raw), keyed "clientPort>serverPort". */
export function tsharkStreams(path: string): Map<string, [Buffer, Buffer]> {
  const ids = spawnSync('tshark', ['-r', path, '-T', 'fields', '-e', 'tcp.stream', '-Y', 'tcp'], { encoding: 'utf8' }).stdout
    .split('\n').filter(Boolean);
  const n = new Set(ids).size;
  const args = ['-r', path, '-q'];
  for (let i = 0; i < n; i++) args.push('-z', `follow,tcp,raw,${i}`);
  const out = spawnSync('tshark', args, { encoding: 'utf8', maxBuffer: 256 << 20 }).stdout;
  const result = new Map<string, [Buffer, Buffer]>();
  for (const block of out.split(/^=+$/m)) {
    const n0 = /^Node 0: .*:(\d+)$/m.exec(block);
    const n1 = /^Node 1: .*:(\d+)$/m.exec(block);
    if (!n0 || !n1) continue;
    const sides: [string[], string[]] = [[], []];
    for (const line of block.split('\n')) {
      const m = /^(\t?)([0-9a-f]+)$/.exec(line);
      if (m) sides[m[1] ? 1 : 0].push(m[2]);
    }
    result.set(`${n0[1]}>${n1[1]}`, [Buffer.from(sides[0].join(''), 'hex'), Buffer.from(sides[1].join(''), 'hex')]);
  }
  return result;
}
