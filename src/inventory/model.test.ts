import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Pipeline } from '../pipeline/analyze.ts';
import { Inventory } from './inventory.ts';
import { deviceFeatures } from './features.ts';
import { identify, shippedModel } from './identify.ts';

const traces = new URL('../../test/traces/inventory/', import.meta.url).pathname;

async function device(file: string, mac: string) {
  const inv = new Inventory();
  const p = new Pipeline();
  inv.attach(p);
  await p.run([`${traces}${file}`]);
  return inv.devices().find((d) => d.mac === mac)!;
}

test('shipped model data loads: 27 IoT Sentinel labels', () => {
  const model = shippedModel();
  assert.ok(model, 'src/inventory/model-data.json present');
  assert.equal(model.labels.length, 27);
  assert.ok(model.labels.includes('TP-LinkPlugHS110') && model.labels.includes('D-LinkDayCam'));
});

// Held out: the fixture's own capture is removed from the shipped samples and the model retrained without it.
for (const c of [
  { file: 'dlink-daycam-setup-a1.pcap', source: 'D-LinkDayCam/Setup-A-1-STA.pcap', mac: 'b0:c5:54:1c:71:85', label: 'D-LinkDayCam', type: 'camera' },
  { file: 'tplink-hs110-setup-a1.pcap', source: 'TP-LinkPlugHS110/Setup-A-1-STA.pcap', mac: '50:c7:bf:00:c7:03', label: 'TP-LinkPlugHS110', type: 'plug' },
]) {
  test(`held-out ${c.source} is classified ${c.label}`, async () => {
    const full = shippedModel()!;
    const model = full.excluding((f) => f === c.source);
    assert.equal(model.toJSON().samples.length, full.toJSON().samples.length - 1);
    const d = await device(c.file, c.mac);
    const features = deviceFeatures(d);
    assert.ok(!features.some((f) => f.includes(c.mac) || f.includes(c.mac.replace(/:/g, ''))), 'no MAC in features');
    const pred = model.predict(features)!;
    assert.equal(pred.label, c.label);
    assert.ok(pred.confidence > 0.5);
    const id = identify(d, model);
    assert.equal(id.type, c.type);
    assert.ok(id.because.some((b) => b.startsWith(`like known ${c.label}`)));
  });
}
