import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TcpReassembler } from './reassembly.ts';
import type { ReassemblyOptions } from './reassembly.ts';
import { tshark } from './test-util.ts';
import { rng } from '../../test/support/mutate.ts';

const traces = new URL('../../test/traces/flow/', import.meta.url);
const HTTP = new URL('http-basic-auth.pcap', traces).pathname;

interface Segment { dir: number; seq: number; flags: number; data: Uint8Array; frame: number }

/** Segments of every TCP stream of a real capture (raw sequence numbers), dir 0 = sender of its first packet. */
function segmentsByStream(path: string): Map<number, Segment[]> {
  const lines = tshark(['-r', path, '-Y', 'tcp', '-T', 'fields', '-E', 'separator=|', '-e', 'tcp.stream',
    '-e', 'frame.number', '-e', 'tcp.srcport', '-e', 'tcp.seq_raw', '-e', 'tcp.flags', '-e', 'tcp.payload']);
  const firstPort = new Map<number, string>();
  const out = new Map<number, Segment[]>();
  for (const line of lines) {
    const [stream, frame, port, seq, flags, payload] = line.split('|');
    const n = +stream;
    if (!firstPort.has(n)) { firstPort.set(n, port); out.set(n, []); }
    out.get(n)!.push({ dir: port === firstPort.get(n) ? 0 : 1, seq: +seq, flags: parseInt(flags, 16), data: Buffer.from(payload.replace(/:/g, ''), 'hex'), frame: +frame });
  }
  return out;
}

/** tshark's `-z follow,tcp,raw,N` for N < count: both byte streams per stream (node 0 = first packet's sender). */
function followRaw(path: string, count: number): [Buffer, Buffer][] {
  const args = ['-r', path, '-q'];
  for (let n = 0; n < count; n++) args.push('-z', `follow,tcp,raw,${n}`);
  const byStream: [Buffer, Buffer][] = [];
  let hex: [string[], string[]] = [[], []];
  let stream = -1, inData = false;
  for (const line of tshark(args)) {
    const m = /^Filter: tcp.stream eq (\d+)/.exec(line);
    if (m) { stream = +m[1]; hex = [[], []]; inData = false; continue; }
    if (line.startsWith('Node 1:')) { inData = true; continue; }
    if (line.startsWith('====') && inData) {
      byStream[stream] = [Buffer.from(hex[0].join(''), 'hex'), Buffer.from(hex[1].join(''), 'hex')];
      inData = false;
      continue;
    }
    if (!inData) continue;
    if (line.startsWith('\t')) hex[1].push(line.trim()); else hex[0].push(line.trim());
  }
  return byStream;
}

const segsOf = segmentsByStream(HTTP);
const follow = followRaw(HTTP, 25);
const segmentsOf = (_path: string, stream: number) => segsOf.get(stream)!;

function run(segs: Segment[], opts: Partial<ReassemblyOptions> = {}, slot = 3) {
  const r = new TcpReassembler(opts);
  const out: [Buffer[], Buffer[]] = [[], []];
  const gaps: [number, number][] = [];
  const deliver = (dir: number, b: Uint8Array) => { out[dir].push(Buffer.from(b)); };
  const gap = (dir: number, len: number) => { gaps.push([dir, len]); out[dir].push(Buffer.alloc(0)); };
  for (const s of segs) r.segment(slot, s.dir, s.seq, s.flags, s.data, 0, s.data.length, deliver, gap);
  r.flush(slot, deliver, gap);
  const stats = { ...r.stats };
  r.release(slot);
  assert.equal(r.stats.bufferedBytes, 0);
  assert.equal(r.stats.liveDirections, 0);
  return { streams: [Buffer.concat(out[0]), Buffer.concat(out[1])], gaps, stats };
}

/**
 * Shuffle within windows of `w` segments and duplicate some: what a lossy, reordering path delivers. The
 * handshake stays first (data overtaking the SYN would make the start midstream, by design).
 */
function disorder(segs: Segment[], seed: number, w = 8): Segment[] {
  const next = rng(seed);
  const out: Segment[] = segs.slice(0, 3);
  for (let i = 3; i < segs.length; i += w) {
    const win = segs.slice(i, i + w);
    for (let j = win.length - 1; j > 0; j--) { const k = Math.floor(next() * (j + 1)); [win[j], win[k]] = [win[k], win[j]]; }
    for (const s of win) { out.push(s); if (next() < 0.15) out.push(s); }
  }
  return out;
}

/** Split a segment into two overlapping pieces (same bytes): overlap trimming must not change the stream. */
function splitOverlapping(segs: Segment[]): Segment[] {
  return segs.flatMap((s) => {
    if (s.data.length < 40) return [s];
    const a = { ...s, data: s.data.subarray(0, 30) };
    const b = { ...s, seq: (s.seq + 10) >>> 0, flags: s.flags & ~0x02, data: s.data.subarray(10) };
    return [b, a];
  });
}

// Stream 0 of http-basic-auth.pcap (192.168.0.4:54317 -> 192.254.189.169:80): GET with 401, then the page.
test('in capture order equals tshark follow (every stream of http-basic-auth.pcap)', () => {
  let total = 0;
  for (let stream = 0; stream < 25; stream++) {
    const segs = segmentsOf(HTTP, stream);
    const [a, b] = follow[stream];
    const { streams, gaps, stats } = run(segs);
    assert.ok(streams[0].equals(a), `stream ${stream} dir 0`);
    assert.ok(streams[1].equals(b), `stream ${stream} dir 1`);
    assert.deepEqual(gaps, []);
    assert.equal(stats.conflictBytes, 0);
    total += a.length + b.length;
  }
  assert.ok(total > 300000, `${total}`);
  const first = follow[0][0].subarray(0, 27).toString('latin1');
  assert.equal(first, 'GET /password-ok.php HTTP/1');
});

test('reordered, duplicated and overlapping segments reassemble to the same bytes', () => {
  const biggest = follow.map(([a, b], n) => [a.length + b.length, n]).sort((x, y) => y[0] - x[0]).slice(0, 4).map((x) => x[1]);
  for (const stream of [0, ...biggest]) {
    const segs = segmentsOf(HTTP, stream);
    const [a, b] = follow[stream];
    for (const seed of [1, 2, 3]) {
      const { streams, gaps, stats } = run(splitOverlapping(disorder(segs, seed)));
      assert.ok(streams[0].equals(a) && streams[1].equals(b), `stream ${stream} seed ${seed}`);
      assert.deepEqual(gaps, []);
      assert.ok(stats.outOfOrderSegments > 0 && stats.overlapBytes > 0, JSON.stringify(stats));
      assert.equal(stats.conflictBytes, 0);
    }
  }
});

test('sequence wraparound', () => {
  const segs = segmentsOf(HTTP, 1);
  const [a, b] = follow[1];
  const isn = [segs.find((s) => s.dir === 0)!.seq, segs.find((s) => s.dir === 1)!.seq];
  // Shift both directions so the sequence space wraps a few hundred bytes into the data.
  const shifted = segs.map((s) => ({ ...s, seq: (s.seq - isn[s.dir] + 2 ** 32 - 300) >>> 0 }));
  const { streams } = run(disorder(shifted, 9));
  assert.ok(streams[0].equals(a) && streams[1].equals(b));
});

test('a lost segment becomes a gap of its exact length; the rest is delivered', () => {
  const segs = segmentsOf(HTTP, 0);
  const [, b] = follow[0];
  const idx = segs.findIndex((s, i) => s.dir === 1 && s.data.length > 0 && i > 5);
  const lost = segs[idx];
  const { streams, gaps, stats } = run(segs.filter((_, i) => i !== idx), { maxOooBytesPerDir: 4096 });
  assert.deepEqual(gaps, [[1, lost.data.length]]);
  const at = b.indexOf(Buffer.from(lost.data));
  assert.ok(streams[1].equals(Buffer.concat([b.subarray(0, at), b.subarray(at + lost.data.length)])));
  assert.equal(stats.gapBytes, lost.data.length);
});

test('depth cap, conflicting overlap, global cap', () => {
  const segs = segmentsOf(HTTP, 0);
  const [a, b] = follow[0];
  const capped = run(segs, { maxDepthPerDir: 1000 });
  assert.ok(capped.streams[1].equals(b.subarray(0, 1000)));
  assert.ok(capped.streams[0].equals(a.subarray(0, Math.min(1000, a.length))));
  assert.equal(capped.stats.depthReached, 1 + (a.length >= 1000 ? 1 : 0));

  // Two buffered copies of the same future range with different bytes: first copy wins, difference counted.
  const r = new TcpReassembler();
  const got: number[] = [];
  const deliver = (_d: number, bytes: Uint8Array) => { got.push(...bytes); };
  r.segment(1, 0, 1000, 0x02, new Uint8Array(0), 0, 0, deliver, () => {});
  r.segment(1, 0, 1011, 0x10, Uint8Array.of(1, 2, 3, 4), 0, 4, deliver, () => {});
  r.segment(1, 0, 1013, 0x10, Uint8Array.of(3, 9, 9), 0, 3, deliver, () => {});
  r.segment(1, 0, 1001, 0x10, new Uint8Array(10), 0, 10, deliver, () => {});
  assert.deepEqual(got, [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4, 9]);
  assert.equal(r.stats.conflictBytes, 1);
  assert.equal(r.stats.overlapBytes, 2);

  // Global cap: tiny, so buffering ahead forces gaps instead of growth.
  const held = run(disorder(segs, 4, 16), { maxBufferedBytes: 2000 });
  assert.ok(held.stats.globalCapGaps > 0 && held.stats.maxBufferedBytes <= 2000 + 1500, JSON.stringify(held.stats));
});

test('fuzz: random segments never throw and stay within the caps', () => {
  const next = rng(5);
  const opts = { maxOooBytesPerDir: 4096, maxOooSegmentsPerDir: 32, maxDepthPerDir: 1 << 16, maxBufferedBytes: 16384 };
  const r = new TcpReassembler(opts);
  const buf = new Uint8Array(3000).map((_, i) => i & 255);
  let delivered = 0;
  for (let i = 0; i < 200000; i++) {
    const slot = Math.floor(next() * 8), dir = next() < 0.5 ? 0 : 1;
    const base = (slot * 0x10000000 + 0xfffff000) >>> 0;
    const seq = next() < 0.9 ? (base + Math.floor(next() * 20000)) >>> 0 : Math.floor(next() * 2 ** 32);
    const off = Math.floor(next() * 3100) - 50, len = Math.floor(next() * 1600) - 10;
    r.segment(slot, dir, seq, Math.floor(next() * 256), buf, off, len, (_d, b) => { delivered += b.length; }, () => {});
    if (next() < 0.001) r.release(slot);
    assert.ok(r.stats.bufferedBytes <= opts.maxBufferedBytes + 1600);
  }
  for (let s = 0; s < 8; s++) { r.flush(s, () => {}, () => {}); r.release(s); }
  assert.equal(r.stats.bufferedBytes, 0);
  assert.ok(delivered > 0);
});
