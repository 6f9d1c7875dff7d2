import { test } from 'node:test';
import assert from 'node:assert/strict';
import { reportsOf } from '../../../test/support/detector-harness.ts';
import detector from './ot.unauthorised-write.ts';

const ot = (n: string): string => new URL(`../../../test/traces/ot/${n}`, import.meta.url).pathname;

test('❌ zeek dnp3_select_operate: a master whose first request is SELECT of a CROB (outstation 2)', async () => {
  const rs = await reportsOf(detector, [ot('zeek-dnp3_select_operate.pcap')]);
  // Zeek's dnp3.log: SELECT then OPERATE from 130.126.142.250 to 130.126.140.229; only the first is unannounced.
  assert.equal(rs.length, 1);
  assert.deepEqual([rs[0].data.client, rs[0].data.server, rs[0].data.command, rs[0].data.unit_text, rs[0].evidence?.packet], ['130.126.142.250', '130.126.140.229', 'select', 'outstation 2 ', 4]);
  assert.match(String(rs[0].data.detail), /g12v1/);
});

test('❌ zeek modbusSmall: the first request of the trace writes multiple coils (unit 1)', async () => {
  const rs = await reportsOf(detector, [ot('zeek-modbusSmall.pcap')]);
  assert.equal(rs.length, 1);
  assert.deepEqual([rs[0].data.protocol, rs[0].data.command, rs[0].data.unit_text], ['modbus', 'write_multiple_coils', 'unit 1 ']);
});

test('❌ generated: an Internet host writes holding register 40 of 192.168.10.5', async () => {
  const rs = await reportsOf(detector, [ot('ot-scan.generated.pcap')]);
  assert.deepEqual(rs.map((r) => [r.data.client, r.data.server, r.data.command, r.data.detail]), [['203.0.113.50', '192.168.10.5', 'write_single_register', 'write_single_register at address 40']]);
});

test('❌ ICSNPP snap7: write var to the flags area before any read var (setup communication and SZL reads do not make a master)', async () => {
  const rs = await reportsOf(detector, [ot('snap7.pcap')]);
  // ICSNPP s7comm.log: Write Variable (pdu 24) precedes the first Read Variable (pdu 25).
  assert.deepEqual(rs.map((r) => [r.data.client, r.data.server, r.data.command, r.data.detail, r.evidence?.packet]), [['134.217.61.131', '134.217.61.211', 'write_var', 'write_var to flags byte 16', 49]]);
});

test('✅ masters that polled first: suricata-verify modbus (10.0.0.9 reads coils, then writes), DNP3 write after master functions', async () => {
  assert.deepEqual(await reportsOf(detector, [ot('sv-modbus.pcap')]), []);
  assert.deepEqual(await reportsOf(detector, [ot('sv-dnp3-eve.pcap')]), []);
  assert.deepEqual(await reportsOf(detector, [ot('zeek-dnp3_write.pcap')]).then((r) => r.map((x) => x.data.command)), ['write']);
});

test('✅ learnSeconds: writers during the learning time become masters (modbusSmall spans 56 s)', async () => {
  assert.deepEqual(await reportsOf(detector, [ot('zeek-modbusSmall.pcap')], { learnSeconds: 60 }), []);
});

test('✅ allowlist: an address or a client>server pair', async () => {
  assert.deepEqual(await reportsOf(detector, [ot('zeek-dnp3_select_operate.pcap')], { allowlist: ['130.126.142.250'] }), []);
  assert.deepEqual(await reportsOf(detector, [ot('zeek-dnp3_select_operate.pcap')], { allowlist: ['130.126.142.250>130.126.140.229'] }), []);
});
