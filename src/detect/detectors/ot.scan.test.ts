import { test } from 'node:test';
import assert from 'node:assert/strict';
import { reportsOf } from '../../../test/support/detector-harness.ts';
import detector from './ot.scan.ts';

const ot = (n: string): string => new URL(`../../../test/traces/ot/${n}`, import.meta.url).pathname;

test('❌ generated: SYN sweep of port 502, industrial ports on one PLC, Modbus unit id sweep', async () => {
  const rs = await reportsOf(detector, [ot('ot-scan.generated.pcap')]);
  const of = (m: string) => rs.filter((r) => r.messageId === m);
  // 8 SYNs to port 502 (hosts .1-.8): reported from the 5th host on, every probe once tripped.
  assert.equal(of('hosts').length, 8);
  assert.deepEqual([of('hosts')[0].data.source, of('hosts')[0].data.service], ['192.168.10.66', 'Modbus/TCP']);
  // Ports 502 (SYN and the sweep session), 102, 20000, 44818, 2404 on 192.168.10.5.
  assert.ok(of('ports').length >= 3);
  assert.deepEqual([of('ports')[0].data.source, of('ports')[0].data.target], ['192.168.10.66', '192.168.10.5']);
  // Unit ids 1-10 asked for their identification: reported at the 8th, with the 8 requests as evidence.
  assert.equal(of('units').length, 8);
  assert.deepEqual([of('units')[0].data.client, of('units')[0].data.server, of('units')[0].data.what], ['192.168.10.66', '192.168.10.5', 'unit ids']);
});

test('✅ ordinary masters: every shared OT trace (one or two units, one protocol per host pair)', async () => {
  for (const f of ['sv-modbus.pcap', 'zeek-modbusSmall.pcap', 'sv-dnp3-eve.pcap', 'zeek-dnp3_read.pcap', 'snap7.pcap', 's7ident.pcap', 'ndpi-s7comm.pcap']) {
    assert.deepEqual(await reportsOf(detector, [ot(f)]), [], f);
  }
});

test('✅ thresholds are options', async () => {
  const rs = await reportsOf(detector, [ot('ot-scan.generated.pcap')], { minHosts: 20, minPorts: 10, minUnits: 20 });
  assert.deepEqual(rs, []);
  assert.ok((await reportsOf(detector, [ot('ot-scan.generated.pcap')], { windowS: 300, maxTrackedKeys: 10 })).length > 0);
});
