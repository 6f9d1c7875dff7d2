import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Pipeline } from '../pipeline/analyze.ts';
import { Inventory } from '../inventory/inventory.ts';
import { deviceDetails, deviceTable } from './devices-text.ts';

const sample = new URL('../../samples/dlink-camera-setup.pcap', import.meta.url).pathname;

test('device table and details of the D-Link camera setup', async () => {
  const inv = new Inventory({ overrides: { 'mac:bc:f5:ac:f4:c0:9d': { name: 'My phone' } } });
  const p = new Pipeline();
  inv.attach(p);
  await p.run([sample]);
  const devices = inv.devices();
  const table = deviceTable(devices).split('\n');
  assert.match(table[0], /^DEVICE\s+VENDOR\s+TYPE\s+IP\s+HOST\s+SEEN \(UTC\)\s+FLOWS\s+SERVICES$/);
  assert.equal(table.length, devices.length + 1);
  const cam = table.find((l) => l.startsWith('b0:c5:54:25:5b:0e'))!;
  assert.match(cam, /D-Link\s+camera 1\.00\s+10\.10\.10\.37/);
  assert.match(cam, /80\/tcp$/);
  assert.ok(table.some((l) => l.startsWith('My phone')), 'user name shown');
  // Columns line up: every row has TYPE at the header's offset.
  const typeAt = table[0].indexOf('TYPE');
  for (const l of table.slice(1)) assert.notEqual(l[typeAt - 1], undefined);
  assert.ok(table.every((l) => l.length <= 160));
  const details = deviceDetails(devices.find((d) => d.mac === 'b0:c5:54:25:5b:0e')!);
  assert.match(details, /type: camera \(1\.00\)\s+vendor: D-Link\s+model: DCS-935L/);
  assert.match(details, /because: .*DHCP host name 'DCS-935L'.*OUI|because: .*OUI D-Link.*DHCP host name 'DCS-935L'/);
  assert.match(details, /services: 80\/tcp http/);
  assert.match(deviceDetails(devices.find((d) => d.user?.name)!), /^My phone \(bc:f5:ac:f4:c0:9d\)/);
  assert.equal(deviceTable([]), 'no devices seen');
});
