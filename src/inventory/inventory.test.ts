import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { Pipeline } from '../pipeline/analyze.ts';
import { Inventory, type InventoryOptions } from './inventory.ts';
import { isLocallyAdministered, ouiVendor } from './oui.ts';

const traces = new URL('../../test/traces/inventory/', import.meta.url).pathname;
const daycam = `${traces}dlink-daycam-setup-a1.pcap`;
const dlinkSample = new URL('../../samples/dlink-camera-setup.pcap', import.meta.url).pathname;
const registry = createRequire(import.meta.url)('oui-data') as Record<string, string>;

async function run(paths: string[], opts: Partial<InventoryOptions> = {}): Promise<Inventory> {
  const inv = new Inventory(opts);
  const p = new Pipeline();
  inv.attach(p);
  await p.run(paths);
  return inv;
}

// Device MAC from each folder's _iotdevice-mac.txt; type from the dataset's device list.
const fixtures = [
  { file: 'dlink-daycam-setup-a1.pcap', mac: 'b0:c5:54:1c:71:85', oui: 'D-Link International', type: 'camera', vendor: 'D-Link' },
  { file: 'tplink-hs110-setup-a1.pcap', mac: '50:c7:bf:00:c7:03', oui: 'TP-LINK TECHNOLOGIES CO.,LTD.', type: 'plug', vendor: 'TP-Link' },
  { file: 'aria-setup-a2.pcap', mac: '20:f8:5e:ca:91:52', oui: 'Delta Electronics', type: 'scale', vendor: 'Fitbit' },
  { file: 'withings-setup-c6.pcap', mac: '00:24:e4:24:80:2a', oui: 'Withings', type: 'scale', vendor: 'Withings' },
];

for (const f of fixtures) {
  test(`${f.file}: device ${f.mac} found, OUI vendor from the registry, type ${f.type}`, async () => {
    const inv = await run([`${traces}${f.file}`]);
    const d = inv.byMac(f.mac);
    assert.ok(d, 'device MAC found');
    assert.equal(d.id, `mac:${f.mac}`);
    assert.equal(d.oui_vendor, f.oui);
    assert.equal(d.oui_vendor, registry[f.mac.replace(/:/g, '').slice(0, 6).toUpperCase()].split('\n')[0]);
    assert.equal(d.mac_local, false);
    assert.equal(d.identification.type, f.type);
    assert.ok(d.identification.type_confidence >= 0.5);
    assert.equal(d.identification.vendor, f.vendor);
    assert.ok(d.identification.because.length > 0);
  });
}

test('D-Link DCS-930L: evidence carries file, packet and time; IPs bound by ARP and DHCP host name kept', async () => {
  const inv = await run([daycam]);
  const d = inv.byMac('b0:c5:54:1c:71:85')!;
  // tshark: frame 13 is the DHCP Discover with option 12 "DCS-930LB" and option 60 "udhcp 1.12.1".
  const host = d.evidence.find((e) => e.signal === 'dhcp.hostname')!;
  assert.deepEqual({ value: host.value, packet: host.packet, file: host.file }, { value: 'DCS-930LB', packet: 13, file: daycam });
  assert.equal(host.ts, 1466071866.803076);
  assert.equal(d.evidence.find((e) => e.signal === 'dhcp.vendor_class')?.value, 'udhcp 1.12.1');
  assert.equal(d.evidence.find((e) => e.signal === 'dhcp.fingerprint')?.value, '1,3,6,12,15,28,42');
  // Frame 3: first mDNS response announcing _http._tcp (sent before the address was bound: merged later).
  assert.equal(d.evidence.find((e) => e.signal === 'mdns.service')?.packet, 3);
  assert.equal(d.evidence.find((e) => e.signal === 'ssdp.server')?.value, 'Cellvision UPnP/1.0');
  assert.ok(d.hostnames.includes('dcs-930lb'));
  assert.equal(d.ips.find((b) => b.ip === '10.10.10.58')?.source, 'arp');
  assert.equal(inv.byIp('10.10.10.58')?.id, d.id);
  assert.match(d.identification.because.join('; '), /DHCP host name 'DCS-930LB'/);
  assert.match(d.identification.because.join('; '), /OUI D-Link/);
  assert.equal(d.identification.model, 'DCS-930LB');
});

test('samples/dlink-camera-setup.pcap: camera, gateway as router without Internet addresses, phone app', async () => {
  const inv = await run([dlinkSample]);
  const cam = inv.byMac('b0:c5:54:25:5b:0e')!;
  assert.equal(cam.identification.type, 'camera');
  assert.equal(cam.identification.vendor, 'D-Link');
  assert.deepEqual(cam.services.map((s) => `${s.transport}/${s.port}`), ['tcp/80']);
  assert.ok(cam.talks_to.domains.includes('signal.mydlink.com'));
  assert.ok(cam.peers_remote > 0);
  const gw = inv.byMac('28:b2:bd:c3:41:79')!;
  assert.equal(gw.identification.type, 'router');
  assert.ok(gw.ips.every((b) => inv.isLocal(b.ip)), 'router owns only local addresses');
  // No device for any Internet address.
  for (const d of inv.devices()) assert.ok(d.ips.every((b) => inv.isLocal(b.ip)), d.id);
  const phone = inv.byMac('bc:f5:ac:f4:c0:9d')!;
  assert.equal(phone.identification.type, 'phone');
  assert.ok(phone.evidence.some((e) => e.signal === 'http.user_agent' && e.value === 'ksoap2-android/2.6.0+'));
});

test('caps: maximum devices and evidence per device are enforced and counted', async () => {
  const few = await run([dlinkSample], { maxDevices: 1 });
  assert.equal(few.devices().length, 1);
  assert.ok(few.stats().dropped_devices > 0);
  const lean = await run([dlinkSample], { maxEvidencePerDevice: 5 });
  const cam = lean.byMac('b0:c5:54:25:5b:0e')!;
  assert.equal(cam.evidence.length, 5);
  assert.ok(cam.evidence_dropped > 0);
  assert.equal(lean.stats().evidence_dropped, lean.devices().reduce((a, d) => a + d.evidence_dropped, 0));
});

test('MAC facts: locally administered addresses have no OUI vendor', () => {
  assert.equal(isLocallyAdministered('da:a1:19:00:00:01'), true);
  assert.equal(ouiVendor('da:a1:19:00:00:01'), undefined);
  assert.equal(isLocallyAdministered('b0:c5:54:1c:71:85'), false);
  assert.equal(ouiVendor('00:17:88:24:76:ff'), 'Philips Lighting BV');
});
