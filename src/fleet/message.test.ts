import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { Ajv } from 'ajv';
import { AnalysisSession } from '../engine/session.ts';
import { BatchBuilder } from '../store/batch-builder.ts';
import type { StoreBatch } from '../store/batch.ts';
import { decode, encode, encodeWithin, envelope, messageSchema, MAX_DECODED_BYTES, subjectOf } from './message.ts';

const sample = new URL('../../samples/dlink-camera-setup.pcap', import.meta.url).pathname;

async function finalBatch(): Promise<StoreBatch> {
  const builder = new BatchBuilder({ site: 'north', sensor: 'gw1', segmentId: 'dlink' });
  const session = new AnalysisSession({ ...builder.hooks() });
  const result = await session.run([sample]);
  for (const f of result.findings) builder.addFinding(f, 'updated');
  const batch = builder.take(result.summary, { final: true, devices: result.devices, status: { version: '0.1.0', sent_at: 1, packets: result.summary.packets, drops: 0, bytes: result.summary.bytes } });
  batch.assessments = result.assessments;
  return batch;
}

test('a real batch is a valid message under the checked-in schema (a strict draft-07 schema), and decodes to itself', async () => {
  const batch = await finalBatch();
  assert.ok((batch.devices?.length ?? 0) > 0 && (batch.findings?.length ?? 0) > 0 && (batch.flowBuckets?.length ?? 0) > 0);
  const message = envelope(batch, 0);
  const validate = new Ajv({ strict: true, strictRequired: false, strictTypes: false, allErrors: true }).compile(messageSchema);
  assert.equal(validate(JSON.parse(JSON.stringify(message))), true, JSON.stringify(validate.errors));
  const d = decode(encode(message), subjectOf('north', 'gw1', 'batch'));
  assert.ok(d.ok);
  assert.deepEqual(d.message, JSON.parse(JSON.stringify(message)));
});

test('hostile payloads are refused with a named reason, never thrown', async () => {
  const batch = await finalBatch();
  const subject = subjectOf('north', 'gw1', 'batch');
  const good = envelope(batch, 0);
  const reason = (data: Uint8Array, s = subject): string => {
    const d = decode(data, s);
    return d.ok ? 'ok' : d.reason;
  };
  assert.equal(reason(new TextEncoder().encode('{"version":1}')), 'gzip');
  assert.equal(reason(gzipSync('not json')), 'json');
  assert.equal(reason(gzipSync(JSON.stringify({ ...good, version: 2 }))), 'version');
  assert.equal(reason(gzipSync(JSON.stringify({ ...good, site: 'no.dots' }))), 'schema');
  assert.equal(reason(gzipSync(JSON.stringify({ ...good, batch: { ...good.batch, seq: 99 } }))), 'schema', 'envelope and batch disagree');
  assert.equal(reason(gzipSync(JSON.stringify({ ...good, prev: good.seq }))), 'schema', 'prev must come before seq');
  assert.equal(reason(gzipSync(JSON.stringify({ ...good, batch: { ...good.batch, devices: [{ id: 'x' }] } }))), 'schema');
  assert.equal(reason(encode(good), subjectOf('south', 'gw1', 'batch')), 'subject', 'a sensor cannot publish as another');
  // A gzip bomb: 65 MiB of zeros in about 64 KiB is cut at the decoded-size bound.
  const bomb = gzipSync(Buffer.alloc(MAX_DECODED_BYTES + (1 << 20)), { level: 1 });
  assert.ok(bomb.length < 1 << 20);
  assert.equal(reason(bomb), 'gzip');
  // Random bytes and truncations of a real message.
  const real = encode(good);
  for (let cut = 1; cut < real.length; cut += Math.ceil(real.length / 50)) assert.notEqual(reason(real.subarray(0, cut)), 'ok');
  for (let i = 0; i < 50; i++) assert.notEqual(reason(Uint8Array.from({ length: 64 + i }, () => Math.floor(Math.random() * 256))), 'ok');
});

test('a batch over the size limit is split into consecutive messages whose union is the batch', async () => {
  const batch = { ...await finalBatch(), seq: 7 };
  const whole = encode(envelope(batch, 6));
  const parts = encodeWithin(batch, 6, Math.ceil(whole.length / 3));
  assert.ok(parts.length >= 3, `${parts.length} parts`);
  assert.deepEqual(parts.map((p) => p.message.seq), parts.map((_, i) => 7 + i));
  assert.deepEqual(parts.map((p) => p.message.prev), parts.map((_, i) => 6 + i));
  for (const p of parts) {
    const records = (['devices', 'removedDevices', 'findings', 'flowBuckets', 'protocols', 'assessments'] as const).reduce((n, k) => n + (p.message.batch[k]?.length ?? 0), 0);
    assert.ok(p.data.length <= Math.ceil(whole.length / 3) || records === 1, 'under the limit, or one record that alone is larger');
    assert.ok(decode(p.data, subjectOf('north', 'gw1', p.message.kind)).ok);
  }
  const union = (k: 'devices' | 'findings' | 'flowBuckets' | 'protocols' | 'assessments'): unknown[] => parts.flatMap((p) => (p.message.batch[k] ?? []) as readonly unknown[]);
  for (const k of ['devices', 'findings', 'flowBuckets', 'protocols', 'assessments'] as const) assert.deepEqual(union(k), JSON.parse(JSON.stringify(batch[k] ?? [])), k);
  // The segment ends, and the status is reported, with the last part only.
  assert.deepEqual(parts.map((p) => p.message.batch.segment?.final), [...parts.slice(1).map(() => false), true]);
  assert.deepEqual(parts.map((p) => p.message.batch.status !== undefined), [...parts.slice(1).map(() => false), true]);
});
