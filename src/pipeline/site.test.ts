import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { Site } from './site.ts';

// The flow uid's definition, written with BigInt as it was first shipped: uids stored by earlier runs must match.
const alphabet = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
function referenceUid(sensor: string, communityId: string, firstTs: number, flowId: number): string {
  const h = createHash('sha1').update(`${sensor}\u0000${communityId}\u0000${firstTs}\u0000${flowId}`).digest();
  let v = (h.readBigUInt64BE(0) ^ (h.readBigUInt64BE(8) << 5n)) & ((1n << 96n) - 1n);
  let out = 'C';
  for (let i = 0; i < 17; i++) {
    out += alphabet[Number(v % 62n)];
    v /= 62n;
  }
  return out;
}

test('flow uids keep their definition (SHA-1 over sensor, Community ID, first time, flow number; 17 base-62 digits)', () => {
  const site = new Site({ sensor: 'sensor-1' });
  for (let i = 0; i < 5000; i++) {
    const cid = `1:${createHash('sha1').update(String(i)).digest('base64')}`;
    const ts = 1478532967.728705 + i * 0.37;
    assert.equal(site.flowUid(cid, ts, i + 1), referenceUid('sensor-1', cid, ts, i + 1));
  }
});

test('flow uids of a non-ASCII sensor name and of long inputs (several SHA-1 blocks) keep their definition', () => {
  for (const sensor of ['capteur-é-東京', 'x'.repeat(300), '', 'lone \ud800 surrogate']) {
    const site = new Site({ sensor });
    for (let i = 0; i < 50; i++) {
      const cid = `1:${createHash('sha1').update(String(i)).digest('base64')}`;
      const ts = 1478532967.728705 + i * 1e5;
      assert.equal(site.flowUid(cid, ts, i * 7919), referenceUid(sensor, cid, ts, i * 7919));
    }
  }
});
