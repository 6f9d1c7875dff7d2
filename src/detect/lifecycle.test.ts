/**
 * Finding lifecycle in the detection engine: raised at once, updates rate-limited, closed after a quiet
 * interval (packet time), raised again later with the next occurrence; suppression rules count what they
 * silence; windows re-arm after a quiet window. Driven by a detector that reports what the test pushes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DetectionEngine } from './engine.ts';
import { DistinctWindow, RateWindow } from './lib/windows.ts';
import type { Detector, Finding, FindingChange, Report } from './types.ts';

function fake(): { detector: Detector; push: (r: Report) => void } {
  let report: ((r: Report) => void) | undefined;
  const detector: Detector = {
    id: 'test.fake', description: 'test', category: 'policy', severity: 'low', confidence: 0.5, references: {},
    options: {}, messages: { m: { title: 'Thing on {host}', explanation: '{count} times' } }, subscribes: [],
    create(ctx) {
      report = (r) => ctx.report(r);
      return {};
    },
  };
  return { detector, push: (r) => report!(r) };
}

const at = (ts: number, over: Partial<Report> = {}): Report => ({
  messageId: 'm', key: 'k', data: { host: '10.0.0.1' }, devices: [{ role: 'victim', ip: '10.0.0.1' }, { role: 'attacker', ip: '203.0.113.9' }],
  ts, evidence: { file: 'f.pcap', packet: ts, ts }, ...over,
});

function engineWithLog(options: ConstructorParameters<typeof DetectionEngine>[1] = {}): { engine: DetectionEngine; push: (r: Report) => void; log: [FindingChange, Finding][] } {
  const { detector, push } = fake();
  const engine = new DetectionEngine([detector], { closeAfterS: 100, updateIntervalS: 30, ...options });
  const log: [FindingChange, Finding][] = [];
  engine.onChange((f, c) => log.push([c, f]));
  return { engine, push, log };
}

test('raised at the first report, updates at most every updateIntervalS, closed after closeAfterS of quiet', () => {
  const { engine, push, log } = engineWithLog();
  push(at(1000));
  engine.drain();
  assert.deepEqual(log.map(([c, f]) => [c, f.count, f.state, f.occurrence]), [['raised', 1, 'open', 1]]);
  for (let t = 1001; t <= 1020; t++) push(at(t));
  engine.tick(1020); // less than 30 s since it was raised: no update yet
  engine.drain();
  assert.equal(log.length, 1);
  engine.tick(1031);
  engine.drain();
  assert.deepEqual(log.map(([c, f]) => [c, f.count]), [['raised', 1], ['updated', 21]]);
  engine.tick(1040); // nothing new since the update
  engine.tick(1120); // 100 s after the last report (1020)
  engine.drain();
  assert.deepEqual(log.map(([c]) => c), ['raised', 'updated', 'closed']);
  assert.equal(log[2][1].state, 'closed');
  assert.equal(log[2][1].closed_ts, 1120);
  // The same behaviour later: raised again, next occurrence, same id.
  push(at(5000));
  engine.drain();
  assert.deepEqual([log[3][0], log[3][1].occurrence, log[3][1].id, log[3][1].count], ['raised', 2, log[0][1].id, 1]);
  engine.flush();
  engine.drain();
  assert.deepEqual(log.map(([c]) => c), ['raised', 'updated', 'closed', 'raised', 'closed']);
  const all = engine.findings();
  assert.deepEqual(all.map((f) => [f.occurrence, f.count, f.state]).sort(), [[1, 21, 'closed'], [2, 1, 'closed']]);
  assert.deepEqual([engine.stats.raised, engine.stats.updated, engine.stats.closed], [2, 1, 2]);
});

test('a re-raise that carries no evidence of its own keeps the packet that proved the earlier occurrence', () => {
  const { engine, push } = engineWithLog();
  push(at(1000));
  engine.tick(1200);
  push(at(1300, { evidence: undefined, count: 5 }));
  engine.flush();
  const second = engine.findings().find((f) => f.occurrence === 2);
  assert.deepEqual(second?.evidence.map((e) => e.packet), [1000]);
});

test('open findings bound the new keys, closed ones free room', () => {
  const { engine, push } = engineWithLog({ maxFindings: 2 });
  push(at(0, { key: 'a' }));
  push(at(0, { key: 'b' }));
  push(at(0, { key: 'c' }));
  assert.equal(engine.stats.dropped_findings, 1);
  engine.tick(200); // a and b close
  push(at(200, { key: 'c' }));
  assert.equal(engine.stats.dropped_findings, 1);
  engine.flush();
  assert.deepEqual(engine.findings().map((f) => f.count).sort(), [1, 1, 1]);
});

test('suppression rules: per detector, device and peer (IP, CIDR, MAC); counted, no finding', () => {
  const rules = [
    { detector: 'test.fake', device: '10.0.0.0/24', peer: '203.0.113.9', reason: 'known scanner' },
    { device: 'AA:BB:CC:00:11:22' },
  ];
  const { engine, push, log } = engineWithLog({ suppress: rules });
  push(at(1, { count: 3 }));
  push(at(2));
  push(at(3, { devices: [{ role: 'victim', ip: '10.0.0.1' }, { role: 'attacker', ip: '198.51.100.1' }], key: 'other' })); // other peer: raised
  push(at(4, { devices: [{ role: 'infected', ip: '192.168.5.5', mac: 'aa:bb:cc:00:11:22' }], key: 'mac' }));
  engine.drain();
  assert.deepEqual(log.map(([c, f]) => `${c} ${f.devices.map((d) => d.ip).join(',')}`), ['raised 10.0.0.1,198.51.100.1']);
  assert.deepEqual(engine.stats.suppressed_by_rule?.map((r) => [r.reports, r.count]), [[2, 4], [1, 1]]);
  assert.throws(() => new DetectionEngine([fake().detector], { suppress: [{ reason: 'nothing to match' }] }));
});

test('windows re-arm after a whole quiet window instead of staying tripped', () => {
  const distinct = new DistinctWindow<number>(60, 3, 100, 10);
  for (let p = 1; p <= 3; p++) distinct.add('scanner', p, p, p);
  const state = distinct.add('scanner', 4, 4, 4);
  assert.equal(state.size, 4);
  distinct.trip(state);
  assert.equal(distinct.add('scanner', 5, 50, 5).tripped, true); // within the window: still tripped
  const later = distinct.add('scanner', 6, 200, 6); // 150 s of quiet: re-armed, counting again
  assert.equal(later.tripped, false);
  assert.equal(later.size, 1);

  const rate = new RateWindow<number>(10, 3, 100);
  assert.deepEqual([rate.add('k', 0, 1), rate.add('k', 1, 2), rate.add('k', 2, 3)], [[], [], [1, 2, 3]]);
  assert.deepEqual(rate.add('k', 5, 4), [4]); // tripped: every further event is reported
  assert.deepEqual(rate.add('k', 100, 5), []); // quiet for more than the window: re-armed
  assert.equal(rate.tripped('k'), false);
});

test('a pair key whose first attempt is kept as its payload counts, withdraws and ages like one with a state', () => {
  // Payloads [target, ts]: the window reads a first attempt back from them.
  type Attempt = [number, number];
  const single = { target: (a: Attempt) => a[0], ts: (a: Attempt) => a[1] };
  const w = new DistinctWindow<Attempt>(60, 3, 4, 10, single);
  assert.equal(w.addPair(1, 2, 10, 0, [10, 0]).size, 1);
  const two = w.addPair(1, 2, 11, 1, [11, 1]);
  assert.deepEqual([...two.entries()].map(([t, item]) => [t, item.ts, item.payload]), [[10, 0, [10, 0]], [11, 1, [11, 1]]]);
  // The first attempt withdrawn before a second one came: the key counts from nothing again.
  w.addPair(3, 4, 20, 0, [20, 0]);
  w.withdrawPair(3, 4, 21); // another target: nothing taken back
  w.withdrawPair(3, 4, 20);
  assert.equal(w.addPair(3, 4, 22, 5, [22, 5]).size, 1);
  // An attempt 61 s after the first: the first is out of the window once the key holds the threshold (3).
  w.addPair(5, 6, 30, 0, [30, 0]);
  w.addPair(5, 6, 31, 61, [31, 61]);
  assert.equal(w.addPair(5, 6, 32, 62, [32, 62]).size, 2);
  // Bound 4 (two generations of 2): the oldest pair keys are forgotten as before.
  for (let k = 10; k < 14; k++) w.addPair(k, k, 1, 100, [1, 100]);
  assert.equal(w.addPair(1, 2, 12, 101, [12, 101]).size, 1);
});
