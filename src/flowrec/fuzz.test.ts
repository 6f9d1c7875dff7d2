// Robustness: mutated real datagrams never throw and never hang; a template storm from spoofed exporters
// keeps every table at its cap (counted), so memory stays bounded.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { mutate, rng } from '../../test/support/mutate.ts';
import { FlowCollector } from './collector.ts';
import { FlowStitcher } from './stitch.ts';
import type { ExportedFlow } from './types.ts';

const dir = join(import.meta.dirname, '../../test/traces/flowrec');
const seeds = readdirSync(dir).filter((f) => f.endsWith('.dat')).map((f) => new Uint8Array(readFileSync(join(dir, f))));

test('mutated NetFlow/IPFIX datagrams: no throw, every record well-formed', () => {
  const next = rng(14);
  const records: ExportedFlow[] = [];
  const anomalies = new Map<string, number>();
  const c = new FlowCollector((f) => records.push(f), (a) => anomalies.set(a, (anomalies.get(a) ?? 0) + 1));
  const stitcher = new FlowStitcher(() => undefined, () => undefined);
  for (let i = 0; i < 2500; i++) {
    // Templates first now and then, so data sets of mutated templates get decoded too.
    const seed = seeds[Math.floor(next() * seeds.length)];
    const d = next() < 0.3 ? seed : mutate(seed, next);
    c.datagram(d, 0, d.length, { exporter: `10.0.0.${i % 4}`, ts: i, file: 'fuzz', packet: i });
  }
  c.finish();
  for (const r of records) {
    assert.ok(Number.isFinite(r.packets) && r.packets >= 0 && Number.isFinite(r.bytes) && r.bytes >= 0);
    assert.ok(Number.isFinite(r.startMs) && r.startMs <= r.endMs);
    stitcher.add(r);
  }
  stitcher.flush();
  assert.ok(records.length > 500);
  assert.ok(anomalies.size > 5, [...anomalies.keys()].join(' '));
});

/** An IPFIX message with one template set holding `n` templates of `fields` fields each. */
function templateMessage(domain: number, firstId: number, n: number, fields: number): Uint8Array {
  const setLen = 4 + n * (4 + fields * 4);
  const d = new Uint8Array(16 + setLen);
  const v = new DataView(d.buffer);
  v.setUint16(0, 10); v.setUint16(2, d.length); v.setUint32(4, 1_700_000_000); v.setUint32(8, 0); v.setUint32(12, domain);
  v.setUint16(16, 2); v.setUint16(18, setLen);
  let o = 20;
  for (let t = 0; t < n; t++) {
    v.setUint16(o, firstId + t); v.setUint16(o + 2, fields); o += 4;
    for (let f = 0; f < fields; f++) {
      v.setUint16(o, 1 + (f % 200)); v.setUint16(o + 2, 4); o += 4;
    }
  }
  return d;
}

test('template storm from 4,000 spoofed exporters: sessions and templates stay at their caps', () => {
  const anomalies = new Map<string, number>();
  const c = new FlowCollector(() => undefined, (a) => anomalies.set(a, (anomalies.get(a) ?? 0) + 1),
    { maxSessions: 256, maxTemplatesPerSession: 32 });
  const before = process.memoryUsage().heapUsed;
  const msg = templateMessage(7, 256, 40, 16);
  for (let i = 0; i < 4000; i++) {
    const exporter = `198.51.${(i >> 8) & 0xff}.${i & 0xff}`;
    c.datagram(msg, 0, msg.length, { exporter, ts: i / 1000, file: 'storm', packet: i });
  }
  const s = c.stats();
  assert.equal(s.sessions, 256);
  assert.ok(s.templates <= 256 * 32);
  assert.equal(s.sessions_evicted, 4000 - 256);
  assert.equal(anomalies.get('flowrec.session.limit'), 4000 - 256);
  assert.equal(anomalies.get('flowrec.template.limit'), 4000 * 8);
  // 256 sessions x 32 templates x 16 fields: a few MB at most, whatever the storm's length.
  assert.ok(process.memoryUsage().heapUsed - before < 64 * 1024 * 1024);
});

test('data sets waiting for templates that never come: the buffer stays at its cap', () => {
  const anomalies = new Map<string, number>();
  const c = new FlowCollector(() => undefined, (a) => anomalies.set(a, (anomalies.get(a) ?? 0) + 1), { maxPendingSets: 100 });
  const d = new Uint8Array(16 + 4 + 400);
  const v = new DataView(d.buffer);
  v.setUint16(0, 10); v.setUint16(2, d.length); v.setUint16(16, 300); v.setUint16(18, 404);
  for (let i = 0; i < 5000; i++) c.datagram(d, 0, d.length, { exporter: '203.0.113.9', ts: i / 100, file: 'x', packet: i });
  assert.equal(c.stats().pending_sets, 100);
  assert.equal(anomalies.get('flowrec.pending.dropped'), 4900);
});
