import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { reportsOf } from '../../../test/support/detector-harness.ts';
import { Pipeline } from '../../pipeline/analyze.ts';
import { Inventory } from '../../inventory/inventory.ts';
import { MudLearner } from '../../mud/learn.ts';
import { saveProfile } from '../../mud/store.ts';
import detector from './policy.mud.ts';

// D-LinkCam setups (IoT Sentinel, read in place from ../shared) and the Hakai C2 cut (test/traces/detect-net).
const cam = new URL('../../../../shared/captures/benign-iot/iot-sentinel/D-LinkCam/', import.meta.url).pathname;
const camMac = 'b0:c5:54:25:5b:0e';
const hakai = new URL('../../../test/traces/detect-net/hakai-c2-cut.pcap', import.meta.url).pathname;
const hakaiMac = 'b8:27:eb:7d:6b:a6'; // 192.168.100.113 (MANIFEST 1a)

async function profileDir(asMac: string, state: 'locked' | 'accepted'): Promise<string> {
  const pipeline = new Pipeline();
  const inventory = new Inventory({}).attach(pipeline);
  const learner = new MudLearner({ devices: [camMac] }).attach(pipeline);
  await pipeline.run(['A-1', 'A-2', 'A-3', 'A-4'].map((s) => join(cam, `Setup-${s}-STA.pcap`)));
  const [p] = learner.profiles(inventory);
  const dir = mkdtempSync(join(tmpdir(), 'bulwark-policy-mud-'));
  assert.deepEqual(saveProfile(dir, { mud: p.mud, sidecar: { ...p.sidecar, mac: asMac, state } }), []);
  return dir;
}

test('❌ the Hakai host under a locked camera profile: one finding for its C2 attempts to TCP/50', { skip: !existsSync(cam) }, async () => {
  const rs = await reportsOf(detector, [hakai], { profiles: await profileDir(hakaiMac, 'locked') });
  const c2 = rs.filter((r) => r.data.transport === 'TCP' && r.messageId === 'outbound');
  assert.ok(c2.length > 0);
  // Both C2 addresses (tshark: 420 SYNs each to port 50), unnamed Internet peers: one aggregation key.
  assert.deepEqual([...new Set(c2.map((r) => r.key))], [`${hakaiMac}|out|tcp|Internet addresses`]);
  const last = c2.at(-1)!;
  assert.deepEqual([...(last.facts?.peers as string[])].sort(), ['128.185.250.50', '178.128.185.250']);
  assert.ok((last.facts?.ports as number[]).includes(50));
  assert.equal(last.devices[0].mac, hakaiMac);
  assert.ok(last.evidence && last.evidence.packet > 0);
});

test('✅ the camera\'s own held-out setup under its locked profile: nothing', { skip: !existsSync(cam) }, async () => {
  assert.deepEqual(await reportsOf(detector, [join(cam, 'Setup-A-5-STA.pcap')], { profiles: await profileDir(camMac, 'locked') }), []);
});

test('✅ options: an accepted (not locked) profile is not watched unless lockedOnly is false; no folder, no findings', { skip: !existsSync(cam) }, async () => {
  const dir = await profileDir(hakaiMac, 'accepted');
  assert.deepEqual(await reportsOf(detector, [hakai], { profiles: dir }), []);
  assert.ok((await reportsOf(detector, [hakai], { profiles: dir, lockedOnly: false })).length > 0);
  assert.deepEqual(await reportsOf(detector, [hakai]), []);
  assert.deepEqual(await reportsOf(detector, [hakai], { profiles: dir, lockedOnly: false, maxTracked: 1 }).then((r) => r.length > 0), true);
});
