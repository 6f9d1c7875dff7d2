import { test } from 'node:test';
import assert from 'node:assert/strict';
import { measureBytesPerFlow } from './measure.ts';

test('memory: <= 512 bytes per live flow at 200k flows, hash index included', () => {
  const m = measureBytesPerFlow(200000, { maxFlows: 262144 });
  assert.equal(m.capacity, 262144);
  assert.ok(m.arrayBytesPerFlow <= 512, `typed arrays ${m.arrayBytesPerFlow} B/flow`);
  assert.ok(m.bytesPerFlow <= 512, `heap+arrayBuffers ${m.bytesPerFlow} B/flow`);
  // A small run does not pay for maxFlows.
  const small = measureBytesPerFlow(1000, { maxFlows: 262144 });
  assert.equal(small.capacity, 1024);
  assert.ok(small.arrayBytesPerFlow < 300, `${small.arrayBytesPerFlow}`);
});

// The table's speed is a measurement, not a test: `node src/flow/measure.ts` prints it, `npm run bench` measures
// the whole analysis. (A wall-clock floor here failed whenever the machine was busy.)
