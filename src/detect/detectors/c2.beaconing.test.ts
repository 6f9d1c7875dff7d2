import { test } from 'node:test';
import assert from 'node:assert/strict';
import { reportsOf } from '../../../test/support/detector-harness.ts';
import type { Report } from '../types.ts';
import detector, { periodicity } from './c2.beaconing.ts';

const net = (n: string): string => new URL(`../../../test/traces/detect-net/${n}`, import.meta.url).pathname;
const sample = (n: string): string => new URL(`../../../samples/${n}`, import.meta.url).pathname;
const total = (rs: Report[]): number => rs.reduce((n, r) => n + (r.count ?? 1), 0);

test('periodicity: median interval and share of regular intervals', () => {
  assert.deepEqual(periodicity([0, 80, 160, 240, 320], 0.1), { interval: 80, regularity: 1 });
  assert.equal(periodicity([0, 80, 160, 500, 580], 0.1)?.regularity, 0.75);
  assert.equal(periodicity([0, 1], 0.1), undefined);
});

test('❌ hakai-c2-cut.pcap: 192.168.100.113 knocks on both C2 addresses, port 50, every 80 s, never answered', async () => {
  const rs = await reportsOf(detector, [net('hakai-c2-cut.pcap')]);
  const keys = [...new Set(rs.map((r) => r.key))].sort();
  assert.deepEqual(keys, ['192.168.100.113|128.185.250.50|50|tcp', '192.168.100.113|178.128.185.250|50|tcp']);
  for (const [remote, firstPacket] of [['178.128.185.250', 488], ['128.185.250.50', 498]] as const) {
    const mine = rs.filter((r) => r.key === `192.168.100.113|${remote}|50|tcp`);
    // tshark: 70 distinct source ports SYN to each address in frames 1-2000 (each attempt retried 5 times).
    assert.equal(total(mine), 70);
    assert.equal(mine[0].evidence?.packet, firstPacket);
    assert.equal(mine[0].severity, 'high', 'every attempt unanswered');
    assert.deepEqual(mine[0].devices, [{ role: 'infected', ip: '192.168.100.113', mac: 'b8:27:eb:7d:6b:a6' }, { role: 'peer', ip: remote }]);
    const last = mine.at(-1)!;
    assert.equal(last.data.interval, 80.1);
    assert.equal(last.data.unanswered, 70);
    assert.equal(last.data.regularity, 100);
  }
});

test('options: minConnections and maxIntervalS', async () => {
  assert.equal((await reportsOf(detector, [net('hakai-c2-cut.pcap')], { minConnections: 71 })).length, 0);
  assert.equal((await reportsOf(detector, [net('hakai-c2-cut.pcap')], { maxIntervalS: 60 })).length, 0);
  assert.equal((await reportsOf(detector, [net('hakai-c2-cut.pcap')], { ignorePorts: ['50', '123'] })).length, 0);
});

const invalid = [
  sample('dlink-camera-setup.pcap'), net('wemoswitch2-setup-c-1.pcap'),
  // Bursts, not rhythms.
  net('flood-http.generated.pcap'), net('p2p-botnet.generated.pcap'),
];
for (const file of invalid) {
  test(`✅ no beaconing in ${file.split('/').at(-1)}`, async () => {
    assert.deepEqual(await reportsOf(detector, [file]), []);
  });
}

/** The detector with the pipeline's clock wired to its tick, as the engine runs it. */
async function withClock(paths: string[], options: Record<string, unknown> = {}): Promise<{ reports: Report[]; tick: (now: number) => void; finish: () => void; lastTs: number }> {
  const { Pipeline } = await import('../../pipeline/analyze.ts');
  const reports: Report[] = [];
  const defaults = Object.fromEntries(Object.entries(detector.options).map(([k, v]) => [k, v.default]));
  const instance = detector.create({ report: (r) => reports.push(r) }, { ...defaults, ...options } as Parameters<typeof detector.create>[1]);
  const pipeline = new Pipeline();
  let lastTs = 0;
  pipeline.onFlow((f) => {
    lastTs = Math.max(lastTs, f.first_ts);
    instance.onFlow?.(f);
  });
  pipeline.onTick((now) => instance.tick?.(now));
  await pipeline.run(paths);
  return { reports, tick: (now) => instance.tick?.(now), finish: () => instance.finish?.(), lastTs };
}

test('a pair quiet for maxIdleS is judged a last time and forgotten (weeks in flat memory)', async () => {
  // While the rhythm goes on, each pair is reported at the threshold (10 attempts) and keeps counting the rest.
  const live = await withClock([net('hakai-c2-cut.pcap')]);
  live.tick(live.lastTs + 60);
  assert.equal(total(live.reports), 20);
  // Quiet for longer than maxIdleS: the pair is settled at the next sweep, before any finish.
  live.tick(live.lastTs + 14_400 + 601);
  for (const remote of ['178.128.185.250', '128.185.250.50']) assert.equal(total(live.reports.filter((r) => r.key === `192.168.100.113|${remote}|50|tcp`)), 70);
  const before = live.reports.length;
  live.finish();
  assert.equal(live.reports.length, before, 'nothing left to report: the pairs are gone');
  // Forgotten at every sweep (every 600 s of packet time, when a flow is at least 330 s old as it ends): only the
  // last stretch after the final sweep (flows ending in its 480 s, then those still open at the end) reaches
  // minConnections, so 10 of each pair's 70 attempts are reported.
  const forgetful = await withClock([net('hakai-c2-cut.pcap')], { maxIdleS: 1 });
  forgetful.finish();
  assert.deepEqual(forgetful.reports.map((r) => r.count), [10, 10]);
});
