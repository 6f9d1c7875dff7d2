import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { Pipeline } from '../pipeline/analyze.ts';
import { DetectionEngine, findingId, resolveOptions } from './engine.ts';
import type { Detector, Report } from './types.ts';
import type { DeviceRecord } from '../inventory/types.ts';
import type { FlowRecord } from '../flow/types.ts';
import { detectors } from './registry.ts';
import { detectTrace, pipelineTrace } from './lib/test-traces.ts';
import { compileTemplate, placeholders, render, renderCompiled } from './template.ts';

/** A detector that reports whatever the test pushes through `push`. */
function fake(): { detector: Detector; push: (r: Report) => void } {
  let report: ((r: Report) => void) | undefined;
  const detector: Detector = {
    id: 'test.fake', description: 'test', category: 'policy', severity: 'low', confidence: 0.5, references: { attack: ['T0000'] },
    options: { limit: { default: 3, description: 'a limit' } },
    messages: { m: { title: 'Thing on {host}', explanation: '{count} times, {first_seen} to {last_seen}; {missing}' } },
    subscribes: [],
    create(ctx) {
      report = (r) => ctx.report(r);
      return {};
    },
  };
  return { detector, push: (r) => report!(r) };
}

const base = (over: Partial<Report> = {}): Report => ({
  messageId: 'm', key: 'k', data: { host: '10.0.0.1' }, devices: [{ role: 'victim', ip: '10.0.0.1' }], ts: 100,
  evidence: { file: 'f.pcap', packet: 1, ts: 100, community_id: '1:a' }, ...over,
});

test('templates: placeholders and rendering', () => {
  assert.deepEqual(placeholders('{a} and {b_c} and {a}'), ['a', 'b_c']);
  assert.deepEqual(render('x {a} {b}', { a: 1 }), { text: 'x 1 {b}', missing: ['b'] });
});

test('finding ids: 12 hex digits of SHA-1 of the key as node:crypto computes it, for any key', () => {
  const keys = ['', 'k', 'inbound', '10.0.0.1|23', 'é€😀', 'lone \ud800 surrogate', 'x'.repeat(55), 'y'.repeat(56), 'z'.repeat(64), 'w'.repeat(1000), '€'.repeat(128), '€'.repeat(129), '😀'.repeat(64), '\udc00'.repeat(128)];
  for (let i = 0; i < 300; i++) keys.push(`${i}|${'ab'.repeat(i % 70)}|${String.fromCharCode(0x20 + (i * 97) % 0x3000)}`);
  for (const key of keys) assert.equal(findingId('d.x', key), `d.x:${createHash('sha1').update(key).digest('hex').slice(0, 12)}`, key);
});

test('templates: a compiled template renders what render gives, on every message of every detector', () => {
  const texts = ['', 'plain', '{a}', '{a}{a}', 'x {a} {b} {Bad} {c_1}} {{a}', ...detectors.flatMap((d) => Object.values(d.messages).flatMap((m) => [m.title, m.explanation]))];
  for (const text of texts) {
    const names = placeholders(text);
    // Every other placeholder has a value (numbers and strings), the rest are missing.
    const data: Record<string, string | number> = {};
    names.forEach((name, i) => { if (i % 2 === 0) data[name] = i % 4 === 0 ? i * 1.5 : `v${i}`; });
    const missing: string[] = [];
    const text2 = renderCompiled(compileTemplate(text), (name) => data[name], missing);
    assert.deepEqual({ text: text2, missing }, render(text, data), text);
  }
});

test('aggregation: repeats with one key are one finding with count, span, bounded evidence and community ids', () => {
  const { detector, push } = fake();
  const engine = new DetectionEngine([detector], { maxEvidencePerFinding: 2, maxCommunityIdsPerFinding: 2, maxDevicesPerFinding: 2 });
  for (let i = 0; i < 5; i++) {
    push(base({ ts: 100 + i, evidence: { file: 'f.pcap', packet: i + 1, ts: 100 + i, community_id: `1:${i % 3}` }, devices: [{ role: 'victim', ip: `10.0.0.${i}` }] }));
  }
  push(base({ key: 'other', severity: 'high', count: 7 }));
  const [high, low] = engine.findings();
  assert.equal(high.severity, 'high');
  assert.equal(high.count, 7);
  assert.equal(low.id, `test.fake:${createHash('sha1').update('k').digest('hex').slice(0, 12)}`);
  assert.equal(low.count, 5);
  assert.deepEqual([low.first_ts, low.last_ts], [100, 104]);
  assert.deepEqual(low.evidence.map((e) => e.packet), [1, 2]);
  assert.equal(low.evidence_dropped, 3);
  assert.deepEqual(low.community_ids, ['1:0', '1:1']);
  assert.equal(low.community_ids_dropped, 1); // '1:2'; the later '1:0' and '1:1' are already kept
  assert.equal(low.devices.length, 2);
  assert.equal(low.devices_dropped, 3);
  assert.equal(low.title, 'Thing on 10.0.0.1');
  assert.ok(low.explanation.startsWith('5 times, 1970-01-01T00:01:40.000Z'));
  assert.deepEqual(engine.stats.template_errors, ['test.fake/m/missing']);
  assert.deepEqual([engine.stats.reports, engine.stats.findings, engine.stats.suppressed], [6, 2, 4]);
});

test('maxFindings: reports for new keys beyond the cap are dropped and counted', () => {
  const { detector, push } = fake();
  const engine = new DetectionEngine([detector], { maxFindings: 2 });
  for (const key of ['a', 'b', 'c', 'a']) push(base({ key }));
  assert.equal(engine.findings().length, 2);
  assert.equal(engine.stats.dropped_findings, 1);
});

test('unknown message id is a detector bug, recorded not thrown', () => {
  const { detector, push } = fake();
  const engine = new DetectionEngine([detector]);
  push(base({ messageId: 'nope' }));
  assert.equal(engine.findings().length, 0);
  assert.deepEqual(engine.stats.template_errors, ['test.fake/nope/(unknown message)']);
});

test('options: defaults, overrides, unknown names rejected', () => {
  const { detector } = fake();
  assert.deepEqual(resolveOptions(detector), { limit: 3 });
  assert.deepEqual(resolveOptions(detector, { limit: 9 }), { limit: 9 });
  assert.throws(() => resolveOptions(detector, { limt: 9 }), /unknown option 'limt'/);
  assert.throws(() => new DetectionEngine([detector], { options: { 'no.such': {} } }), /unknown detector/);
});

test('device lookup names the devices of a finding', () => {
  const { detector, push } = fake();
  const record = { id: 'mac:02:00:00:00:00:01', mac: '02:00:00:00:00:01' } as DeviceRecord;
  const engine = new DetectionEngine([detector], { devices: { byIp: (ip) => (ip === '10.0.0.1' ? record : undefined), byMac: () => undefined } });
  push(base());
  assert.deepEqual(engine.findings()[0].devices, [{ role: 'victim', ip: '10.0.0.1', device_id: 'mac:02:00:00:00:00:01', mac: '02:00:00:00:00:01' }]);
});

test('attach subscribes to exactly the union of the detectors’ events', () => {
  const engine = new DetectionEngine(detectors);
  const wanted = new Set(detectors.flatMap((d) => d.subscribes));
  assert.deepEqual(new Set(engine.subscriptions), wanted);
  const pipeline = new Pipeline();
  engine.attach(pipeline);
  assert.equal(pipeline.wants('dns.query'), wanted.has('dns.query'));
  assert.equal(pipeline.wants('telnet.login'), true);
});

test('an instance without a handler subscribes to nothing; one with it is called with itself as this', () => {
  const seen: string[] = [];
  const idle: Detector = { ...fake().detector, id: 'test.idle', subscribes: ['dns.query', 'flow.end'], create: () => ({}) };
  const busy: Detector = {
    ...fake().detector, id: 'test.busy', subscribes: ['telnet.login', 'flow.end'],
    create: () => ({
      name: 'busy',
      onEvent(this: { name: string }, ev) { seen.push(`${this.name} ${ev.type}`); },
      onFlow(this: { name: string }, f) { seen.push(`${this.name} flow ${f.flow_id}`); },
    }),
  };
  const engine = new DetectionEngine([idle, busy]);
  assert.deepEqual(engine.subscriptions, ['telnet.login', 'flow.end']);
  const pipeline = new Pipeline();
  engine.attach(pipeline);
  assert.equal(pipeline.wants('dns.query'), false);
  engine.onEvent({ type: 'telnet.login', ts: 1, file: 'f', packet: 1 });
  engine.onFlow({ flow_id: 7 } as FlowRecord);
  assert.deepEqual(seen, ['busy telnet.login', 'busy flow 7']);
});

test('a whole run: Mirai scan → one finding per detector key, most severe first', async () => {
  const pipeline = new Pipeline();
  const engine = new DetectionEngine(detectors).attach(pipeline);
  await pipeline.run([detectTrace('mirai-scan.generated.pcap'), pipelineTrace('telnet-raw.pcap')]);
  const findings = engine.findings();
  const mirai = findings.find((f) => f.detector === 'botnet.mirai-scan');
  assert.ok(mirai);
  assert.equal(mirai.count, 300);
  assert.equal(mirai.evidence.length, 20);
  assert.equal(mirai.evidence_dropped, 280);
  assert.equal(mirai.community_ids.length, 50);
  assert.equal(findings[0].severity, 'high');
  assert.ok(findings.some((f) => f.detector === 'credentials.cleartext'));
  assert.deepEqual(engine.stats.template_errors, []);
  assert.deepEqual(engine.stats.detector_errors, {});
});
