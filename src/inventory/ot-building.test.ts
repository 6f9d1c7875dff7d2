// Inventory of BACnet controllers and OPC UA servers from their own protocol answers, checked against ICSNPP's
// logs of the same capture (bacnet_discovery.log: instance and vendor; bacnet_property.log: the device object's
// object-name, model-name, firmware-revision and application-software-version).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { Pipeline } from '../pipeline/analyze.ts';
import { Inventory, inventoryEventTypes } from './inventory.ts';
import { deviceTypes } from './types.ts';

const bacnetDir = new URL('../../test/traces/bacnet/', import.meta.url).pathname;
const opcuaDir = new URL('../../test/traces/opcua/', import.meta.url).pathname;

async function run(paths: string[], withFlows = true): Promise<Inventory> {
  const inv = new Inventory();
  const p = new Pipeline();
  if (withFlows) inv.attach(p);
  else for (const type of inventoryEventTypes) p.on(type, (ev) => inv.onEvent(ev));
  await p.run(paths);
  return inv;
}

function zeekRows(name: string): Record<string, string>[] {
  const text = gunzipSync(readFileSync(`${bacnetDir}icsnpp-${name}.log.gz`)).toString('utf8');
  let fields: string[] = [];
  const rows: Record<string, string>[] = [];
  for (const line of text.split('\n')) {
    if (line.startsWith('#fields')) fields = line.split('\t').slice(1);
    if (!line || line.startsWith('#')) continue;
    const cols = line.split('\t');
    rows.push(Object.fromEntries(fields.map((f, i) => [f, cols[i]])));
  }
  return rows;
}

test('building-controller is a device type', () => {
  assert.ok((deviceTypes as readonly string[]).includes('building-controller'));
});

test('ICSNPP bacnet_example.pcap: 30 BACnet controllers with instance, vendor, model and firmware as ICSNPP logs them', async () => {
  // The capture is generated: all 40 hosts share one MAC (d4:6a:6a:56:98:17), which the inventory rightly takes
  // for one device. Fed the events only (no flows, so no MAC bindings), each address is its own device.
  const inv = await run([`${bacnetDir}icsnpp-bacnet-example.pcap`], false);
  const expected = new Map<string, { instance: string; vendor: string; props: Map<string, string> }>();
  for (const row of zeekRows('bacnet_discovery')) {
    if (row.pdu_service === 'i-am') expected.set(row.source_h, { instance: row.instance_number, vendor: row.vendor, props: new Map() });
  }
  for (const row of zeekRows('bacnet_property')) {
    if (row.pdu_service === 'read-property-ack' && row.object_type === 'device') expected.get(row.source_h)!.props.set(row.property, row.value);
  }
  assert.equal(expected.size, 30);
  let described = 0;
  for (const [ip, e] of expected) {
    const d = inv.byIp(ip);
    assert.ok(d, ip);
    assert.equal(d.identification.type, 'building-controller', ip);
    // ICSNPP's vendor table drops the commas of the registry's names.
    assert.equal(d.identification.vendor?.replaceAll(',', ''), e.vendor, ip);
    assert.ok(d.evidence.some((x) => x.signal === 'bacnet.device' && x.value === `device ${e.instance}`), ip);
    if (e.props.size === 0) continue;
    described++;
    assert.equal(d.identification.model, e.props.get('model-name'), ip);
    assert.equal(d.identification.firmware, `${e.props.get('firmware-revision')} (application ${e.props.get('application-software-version')})`, ip);
    assert.ok(d.hostnames.includes(e.props.get('object-name')!.toLowerCase()), ip);
    assert.ok(d.evidence.some((x) => x.signal === 'bacnet.location' && x.value === e.props.get('location')), ip);
  }
  assert.equal(described, 30);
  // The workstation that reads them is no controller.
  assert.notEqual(inv.byIp('172.20.32.200')?.identification.type, 'building-controller');
});

test('OPC UA: the server is known by its application URI and endpoints; the client by its own', async () => {
  const inv = await run([`${opcuaDir}node-opcua-sessions.pcap`]);
  // tshark: CreateSessionResponse ApplicationUri urn:bulwark:test:opcua-server; CreateSessionRequest
  // ApplicationUri urn:bulwark:test:opcua-client (node-opcua sends an empty ApplicationName in endpoints).
  const values = (ip: string, signal: string) => inv.byIp(ip)!.evidence.filter((e) => e.signal === signal).map((e) => e.value);
  assert.deepEqual(values('192.168.77.10', 'opcua.application_uri'), ['urn:bulwark:test:opcua-server']);
  assert.deepEqual(values('192.168.77.10', 'opcua.product_uri'), ['urn:bulwark:test']);
  assert.deepEqual(values('192.168.77.10', 'opcua.server'), ['answers OPC UA sessions']);
  assert.deepEqual(values('192.168.77.20', 'opcua.client'), ['urn:bulwark:test:opcua-client']);
  assert.ok(inv.byIp('192.168.77.10')!.services.some((s) => s.transport === 'tcp' && s.port === 4840 && s.app === 'opcua'));
});

test('bacnet-js-control.pcap: the controller described by ReadProperty and ReadPropertyMultiple answers', async () => {
  const inv = await run([`${bacnetDir}bacnet-js-control.pcap`]);
  const d = inv.byIp('192.168.78.10')!;
  // tshark frames 3-11 (ReadProperty ACKs) and 13 (ReadPropertyMultiple ACK: model-name, firmware-revision, location).
  assert.equal(d.identification.type, 'building-controller');
  assert.deepEqual([d.identification.vendor, d.identification.model, d.identification.firmware], ['Bulwark test devices', 'BW-DDC-400', '4.1.7 (application 2.3.0)']);
  assert.ok(d.evidence.some((e) => e.signal === 'bacnet.location' && e.value === 'plant room 2' && e.packet === 13), 'location only comes from the ReadPropertyMultiple answer');
  assert.ok(d.hostnames.includes('ahu-3 supply air controller') === false, 'a name with spaces is no host label');
  assert.notEqual(inv.byIp('192.168.78.30')?.identification.type, 'building-controller');
});
