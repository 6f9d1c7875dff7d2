import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AnalysisSession } from '../engine/session.ts';
import { BatchBuilder } from './batch-builder.ts';
import type { StoreBatch } from './batch.ts';

const sample = new URL('../../samples/dlink-camera-setup.pcap', import.meta.url).pathname;

test('batches carry every flow once, the final state of every finding and every device, with increasing seq', async () => {
  const builder = new BatchBuilder({ site: 'home', sensor: 's1', segmentId: 'seg-1', firstSeq: 5 });
  const batches: StoreBatch[] = [];
  const session = new AnalysisSession({
    ...builder.hooks(),
    resolveEvidence: false,
    publishEveryMs: 0,
    onPublish: () => {
      if (!builder.empty) batches.push(builder.take(session.pipeline.summary()));
    },
  });
  const result = await session.run([sample]);
  batches.push(builder.take(result.summary, { final: true, devices: result.devices }));

  assert.deepEqual(batches.map((b) => b.seq), batches.map((_, i) => 5 + i));
  assert.ok(batches.every((b) => b.site === 'home' && b.sensor === 's1' && b.segment?.id === 'seg-1'));
  assert.equal(batches.at(-1)?.segment?.final, true);

  // Flows: every finished flow lands in exactly one batch (the pipeline's own count of the same run).
  const flows = batches.flatMap((b) => b.flowBuckets ?? []).reduce((n, b) => n + b.flows, 0);
  assert.equal(flows, result.summary.flows.total);
  assert.ok(flows > 0);

  // The last change of each finding in the batches is its final state.
  const last = new Map<string, string>();
  for (const b of batches) for (const f of b.findings ?? []) last.set(f.finding.id, f.finding.id);
  assert.deepEqual([...last.keys()].sort(), result.findings.map((f) => f.id).sort());
  // Replaying the batches in order (upsert, then delete the merged-away) leaves exactly the final devices.
  const devices = new Set<string>();
  for (const b of batches) {
    for (const d of b.devices ?? []) devices.add(d.id);
    for (const id of b.removedDevices ?? []) devices.delete(id);
  }
  assert.deepEqual([...devices].sort(), result.devices.map((d) => d.id).sort());
});
