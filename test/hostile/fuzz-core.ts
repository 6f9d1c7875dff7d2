/**
 * The capture fuzzer (issue #11): mutants of real captures at three levels, run through the whole analysis
 * (pipeline, inventory, detectors, assessment) exactly as `bulwark analyze` runs it.
 *   - record level: record headers (caplen, original length, timestamps) set to boundary or random values;
 *     records dropped, duplicated, swapped; the file cut short.
 *   - header level: the file header (version, snaplen, link type, time precision) and pcapng section and
 *     interface blocks (block lengths, options such as if_tsresol / if_tsoffset).
 *   - protocol level: bytes of packets (link, network, transport and application headers) flipped, set to
 *     boundary values or randomised; packets cut or extended with their record lengths kept consistent.
 * An internal error is anything the analysis had to contain or could not: an exception out of
 * analyzeCaptures, an analyzer's exception guard (analyzer_violations), an inventory handler error, a detector
 * error. `npm test` runs a bounded number of cases (fuzz.test.ts); `npm run fuzz` runs as many as asked and
 * saves every crashing input to test/hostile/regressions/, where regressions.test.ts replays it forever.
 * @module
 */
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyzeCaptures } from '../../src/engine/analyze-captures.ts';
import { rng } from '../support/mutate.ts';

export const tracesRoot = join(import.meta.dirname, '..', 'traces');

/** Every pcap / pcapng under test/traces (and under `extraDirs`, recursively) up to `maxBytes`. */
export function seedFiles(maxBytes = 1 << 20, extraDirs: readonly string[] = []): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const f of readdirSync(dir)) {
      const p = join(dir, f);
      const st = statSync(p);
      if (st.isDirectory()) walk(p);
      else if (/\.(pcap|pcapng)$/.test(f) && st.size <= maxBytes) out.push(p);
    }
  };
  for (const d of [tracesRoot, ...extraDirs]) walk(d);
  return out.sort();
}

interface Span { start: number; end: number }
/** Where the records are: header region (before the first record) and each record's header and data. */
interface Layout { kind: 'pcap' | 'pcapng'; le: boolean; headerEnd: number; records: { head: Span; data: Span }[] }

export function layoutOf(b: Uint8Array): Layout | undefined {
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  if (b.length < 24) return undefined;
  const magic = v.getUint32(0, true);
  if (magic === 0xa1b2c3d4 || magic === 0xa1b23c4d || magic === 0xd4c3b2a1 || magic === 0x4d3cb2a1) {
    const le = magic === 0xa1b2c3d4 || magic === 0xa1b23c4d;
    const records = [];
    for (let p = 24; p + 16 <= b.length;) {
      const caplen = v.getUint32(p + 8, le);
      if (p + 16 + caplen > b.length) break;
      records.push({ head: { start: p, end: p + 16 }, data: { start: p + 16, end: p + 16 + caplen } });
      p += 16 + caplen;
    }
    return { kind: 'pcap', le, headerEnd: 24, records };
  }
  if (magic === 0x0a0d0d0a) {
    const le = v.getUint32(8, true) === 0x1a2b3c4d;
    const records = [];
    let headerEnd = -1;
    for (let p = 0; p + 12 <= b.length;) {
      const type = v.getUint32(p, le);
      const len = v.getUint32(p + 4, le);
      if (len < 12 || p + len > b.length) break;
      if (type === 6 && len >= 32) {
        const caplen = Math.min(v.getUint32(p + 20, le), len - 32);
        records.push({ head: { start: p, end: p + 28 }, data: { start: p + 28, end: p + 28 + caplen } });
        if (headerEnd < 0) headerEnd = p;
      }
      p += len;
    }
    return { kind: 'pcapng', le, headerEnd: headerEnd < 0 ? Math.min(b.length, 256) : headerEnd, records };
  }
  return undefined;
}

const boundary32 = [0, 1, 0x7f, 0x80, 0xff, 0x100, 0xffff, 0x10000, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff];
const boundary8 = [0x00, 0x01, 0x7f, 0x80, 0xfe, 0xff];

export type Level = 'record' | 'header' | 'protocol';

/** One mutant of `seed` at `level`. Deterministic for a given `next`. */
export function mutateCapture(seed: Uint8Array, level: Level, next: () => number): Uint8Array {
  const layout = layoutOf(seed);
  const pick = <T>(a: readonly T[]): T => a[Math.floor(next() * a.length)];
  if (!layout || layout.records.length === 0) return flipBytes(seed.slice(), 0, seed.length, 1 + Math.floor(next() * 8), next);
  const out = seed.slice();
  const v = new DataView(out.buffer);
  if (level === 'header') {
    // The file header, pcapng SHB/IDB blocks (their lengths and options), and now and then a record header.
    const end = Math.max(4, layout.headerEnd);
    const edits = 1 + Math.floor(next() * 4);
    for (let e = 0; e < edits; e++) {
      const at = 4 + Math.floor(next() * (end - 4)); // keep the magic: a file that is no capture is rejected early
      if (next() < 0.5 && at + 4 <= end) v.setUint32(at & ~3, pick(boundary32), layout.le);
      else out[at] = next() < 0.5 ? pick(boundary8) : Math.floor(next() * 256);
    }
    return out;
  }
  if (level === 'record') {
    const op = Math.floor(next() * 5);
    const recs = layout.records;
    if (op === 0) return out.slice(0, layout.headerEnd + Math.floor(next() * (out.length - layout.headerEnd)));
    if (op === 1) {
      // Record header fields: caplen / original length / timestamps to boundary or random values.
      const edits = 1 + Math.floor(next() * 4);
      for (let e = 0; e < edits; e++) {
        const r = pick(recs);
        const fieldOffsets = layout.kind === 'pcap' ? [0, 4, 8, 12] : [4, 8, 12, 16, 20, 24];
        const at = r.head.start + pick(fieldOffsets);
        v.setUint32(at, next() < 0.7 ? pick(boundary32) : Math.floor(next() * 2 ** 32), layout.le);
      }
      return out;
    }
    // Whole records dropped, duplicated or swapped (a reordering or lossy capture, a replayed packet).
    const order = recs.map((_, i) => i);
    const edits = 1 + Math.floor(next() * Math.max(1, recs.length / 20));
    for (let e = 0; e < edits && order.length > 1; e++) {
      const i = Math.floor(next() * order.length);
      if (op === 2) order.splice(i, 1);
      else if (op === 3) order.splice(i, 0, order[i]);
      else {
        const j = Math.min(order.length - 1, i + 1 + Math.floor(next() * 3));
        [order[i], order[j]] = [order[j], order[i]];
      }
    }
    const parts = [seed.subarray(0, layout.headerEnd)];
    for (const i of order) parts.push(seed.subarray(recs[i].head.start, recs[i].data.end + (layout.kind === 'pcapng' ? blockTail(seed, layout, recs[i]) : 0)));
    return concat(parts);
  }
  // protocol: packet bytes; header bytes (first 96 of a packet) are hit most often.
  const hits = 1 + Math.floor(next() * Math.max(1, layout.records.length / 4));
  for (let h = 0; h < hits; h++) {
    const r = pick(layout.records);
    const len = r.data.end - r.data.start;
    if (len === 0) continue;
    const window = next() < 0.7 ? Math.min(len, 96) : len;
    flipBytes(out, r.data.start, r.data.start + window, 1 + Math.floor(next() * 4), next);
  }
  return out;
}

function blockTail(b: Uint8Array, layout: Layout, r: { head: Span; data: Span }): number {
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  return r.head.start + v.getUint32(r.head.start + 4, layout.le) - r.data.end;
}

function flipBytes(out: Uint8Array, start: number, end: number, edits: number, next: () => number): Uint8Array {
  for (let e = 0; e < edits && end > start; e++) {
    const at = start + Math.floor(next() * (end - start));
    const k = next();
    if (k < 0.4) out[at] ^= 1 << Math.floor(next() * 8);
    else if (k < 0.7) out[at] = boundary8[Math.floor(next() * boundary8.length)];
    else out[at] = Math.floor(next() * 256);
  }
  return out;
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

export interface CaseResult {
  packets: number;
  /** Empty when the analysis was clean. */
  errors: string[];
}

/** Runs one capture file through the whole analysis; what it had to contain is an internal error. */
export async function analyseCase(path: string): Promise<CaseResult> {
  try {
    const r = await analyzeCaptures([path]);
    const errors: string[] = [];
    for (const [k, n] of Object.entries(r.summary.analyzer_violations)) errors.push(`analyzer ${k}: ${n}`);
    if (r.stats.inventory.event_errors > 0) errors.push(`inventory event errors: ${r.stats.inventory.event_errors}`);
    for (const [k, n] of Object.entries(r.stats.detection?.detector_errors ?? {})) errors.push(`detector ${k}: ${JSON.stringify(n)}`);
    return { packets: r.summary.packets, errors };
  } catch (err) {
    return { packets: 0, errors: [`exception: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`] };
  }
}

export interface FuzzRun {
  cases: number;
  packets: number;
  internalErrors: number;
  /** Saved crash inputs. */
  saved: string[];
}

/**
 * Runs cases until `maxPackets` mutated packets or `maxCases` cases, cycling seeds and levels. Crash inputs
 * are written to `saveDir` (when given) as fuzz-<seed>-<case>.<ext>.
 */
export async function fuzzCaptures(options: {
  seeds: readonly string[]; workDir: string; seed: number; maxCases: number; maxPackets: number; saveDir?: string;
  onCase?: (run: FuzzRun) => void;
}): Promise<FuzzRun> {
  const next = rng(options.seed);
  const originals = options.seeds.map((p) => ({ path: p, bytes: new Uint8Array(readFileSync(p)) }));
  const levels: Level[] = ['protocol', 'record', 'header', 'protocol'];
  const run: FuzzRun = { cases: 0, packets: 0, internalErrors: 0, saved: [] };
  const mutant = join(options.workDir, 'mutant.cap');
  while (run.cases < options.maxCases && run.packets < options.maxPackets) {
    const seed = originals[run.cases % originals.length];
    const level = levels[Math.floor(run.cases / originals.length) % levels.length];
    const bytes = mutateCapture(seed.bytes, level, next);
    writeFileSync(mutant, bytes);
    const result = await analyseCase(mutant);
    run.cases++;
    run.packets += result.packets;
    if (result.errors.length > 0) {
      run.internalErrors++;
      if (options.saveDir) {
        const name = `fuzz-${options.seed}-${run.cases}.${seed.path.endsWith('.pcapng') ? 'pcapng' : 'pcap'}`;
        writeFileSync(join(options.saveDir, name), bytes);
        writeFileSync(join(options.saveDir, `${name}.txt`), `${level} mutant of ${seed.path.split('/').slice(-3).join('/')}\n${result.errors.join('\n')}\n`);
        run.saved.push(name);
      }
    }
    options.onCase?.(run);
  }
  return run;
}
