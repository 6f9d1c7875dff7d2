import { test } from 'node:test';
import assert from 'node:assert/strict';
import { reportsOf } from '../../../test/support/detector-harness.ts';
import detector from './ot.scan.ts';
import type { Report } from '../types.ts';
import type { EventRecord } from '../../pipeline/analyze.ts';

const ot = (n: string): string => new URL(`../../../test/traces/ot/${n}`, import.meta.url).pathname;

test('❌ generated: SYN sweep of port 502, industrial ports on one PLC, Modbus unit id sweep', async () => {
  const rs = await reportsOf(detector, [ot('ot-scan.generated.pcap')]);
  const of = (m: string) => rs.filter((r) => r.messageId === m);
  // 9 SYNs to port 502 (tshark: frames 1-14 to hosts .1-.8, frame 23 to .5 again), judged as they start:
  // reported from the 5th host on, every attempt once tripped (frame 23's carried data after the trip).
  assert.equal(of('hosts').length, 9);
  assert.deepEqual([of('hosts')[0].data.source, of('hosts')[0].data.service], ['192.168.10.66', 'Modbus/TCP']);
  // Ports 502 (SYN and the sweep session), 102, 20000, 44818, 2404 on 192.168.10.5.
  assert.ok(of('ports').length >= 3);
  assert.deepEqual([of('ports')[0].data.source, of('ports')[0].data.target], ['192.168.10.66', '192.168.10.5']);
  // Unit ids 1-10 asked for their identification: reported at the 8th, with the 8 requests as evidence.
  assert.equal(of('units').length, 8);
  assert.deepEqual([of('units')[0].data.client, of('units')[0].data.server], ['192.168.10.66', '192.168.10.5']);
});

test('✅ ordinary masters: every shared OT trace (one or two units, one protocol per host pair)', async () => {
  for (const f of ['sv-modbus.pcap', 'zeek-modbusSmall.pcap', 'sv-dnp3-eve.pcap', 'zeek-dnp3_read.pcap', 'snap7.pcap', 's7ident.pcap', 'ndpi-s7comm.pcap']) {
    assert.deepEqual(await reportsOf(detector, [ot(f)]), [], f);
  }
});

test('✅ SCADA polling 20 units behind a gateway with reads is not a sweep; identification queries or missing units are', () => {
  const reports: Report[] = [];
  const defaults = Object.fromEntries(Object.entries(detector.options).map(([k, v]) => [k, v.default])) as Parameters<typeof detector.create>[1];
  const d = detector.create({ report: (r) => reports.push(r) }, defaults);
  const ev = (type: string, unit: number, f: Record<string, unknown>): EventRecord =>
    ({ type, ts: 1000 + unit, file: 'x', packet: unit, src_ip: '10.1.1.1', dst_ip: '10.1.1.2', from_orig: true, unit_id: unit, ...f });
  for (let unit = 1; unit <= 20; unit++) d.onEvent!(ev('modbus.request', unit, { function_code: 3 }));
  assert.equal(reports.length, 0);
  for (let unit = 21; unit <= 27; unit++) d.onEvent!(ev('modbus.exception', unit, { function_code: 3, exception_code: 11, from_orig: false, src_ip: '10.1.1.2', dst_ip: '10.1.1.1' }));
  assert.equal(reports.length, 0);
  d.onEvent!(ev('modbus.request', 28, { function_code: 43, mei_type: 14 }));
  assert.equal(reports.length, 8);
  assert.deepEqual([reports[0].data.client, reports[0].data.server], ['10.1.1.1', '10.1.1.2']);
});

test('✅ thresholds are options', async () => {
  const rs = await reportsOf(detector, [ot('ot-scan.generated.pcap')], { minHosts: 20, minPorts: 10, minUnits: 20 });
  assert.deepEqual(rs, []);
  assert.ok((await reportsOf(detector, [ot('ot-scan.generated.pcap')], { windowS: 300, maxTrackedKeys: 10 })).length > 0);
});
