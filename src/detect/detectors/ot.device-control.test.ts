import { test } from 'node:test';
import assert from 'node:assert/strict';
import { reportsOf } from '../../../test/support/detector-harness.ts';
import detector from './ot.device-control.ts';

const ot = (n: string): string => new URL(`../../../test/traces/ot/${n}`, import.meta.url).pathname;

test('❌ snap7: PLC stop (critical), PI services, program upload and clock setting (ICSNPP s7comm.log)', async () => {
  const rs = await reportsOf(detector, [ot('snap7.pcap')]);
  const by = (cmd: string) => rs.filter((r) => r.data.command === cmd);
  const stop = by('plc_stop');
  assert.equal(stop.length, 1);
  assert.deepEqual([stop[0].severity, stop[0].data.client, stop[0].data.server, stop[0].evidence?.packet], ['critical', '134.217.61.131', '134.217.61.211', 57]);
  // ICSNPP: PLC Control _MODU, _GARB, P_PROGRAM (frames 59, 61, 63).
  assert.deepEqual(['plc_control _MODU', 'plc_control _GARB', 'plc_control P_PROGRAM'].map((c) => by(c).length), [1, 1, 1]);
  assert.equal(by('plc_control P_PROGRAM')[0].severity, 'high');
  // 5 start upload jobs (ICSNPP s7comm_upload_download.log), 4 upload and 4 end upload.
  assert.deepEqual([by('start_upload').length, by('upload').length, by('end_upload').length], [5, 4, 4]);
  assert.equal(by('start_upload')[0].severity, 'medium');
  assert.deepEqual(by('set_clock').map((r) => r.severity), ['low']);
});

test('❌ nDPI s7comm: DB1 download and its activation (_INSE)', async () => {
  const rs = await reportsOf(detector, [ot('ndpi-s7comm.pcap')]);
  assert.deepEqual(rs.map((r) => [r.data.command, r.evidence?.packet, r.severity]), [
    ['request_download', 39, 'critical'], ['download_block', 42, 'critical'], ['download_block', 45, 'critical'], ['download_block', 48, 'critical'],
    ['download_ended', 51, 'critical'], ['plc_control _INSE', 54, 'critical'],
  ]);
  // The programming station is the client even for the download_block jobs the PLC sends.
  assert.ok(rs.every((r) => r.data.client === '192.168.1.10' && r.data.server === '192.168.1.40'));
});

test('❌ suricata-verify modbus: diagnostics force listen only (x3) and restart communications (x3) to unit 10', async () => {
  const rs = await reportsOf(detector, [ot('sv-modbus.pcap')]);
  const silence = rs.filter((r) => r.data.command === 'diagnostics force_listen_only_mode');
  const restart = rs.filter((r) => r.data.command === 'diagnostics restart_communications_option');
  assert.deepEqual([silence.length, restart.length], [3, 3]);
  assert.deepEqual([silence[0].data.client, silence[0].data.server, silence[0].data.unit_text, silence[0].evidence?.packet], ['10.0.0.57', '10.0.0.3', 'unit 10 ', 8]);
});

test('✅ polling and writes are not device control: Zeek DNP3 read/write/select-operate, Modbus coils, suricata-verify DNP3', async () => {
  for (const f of ['zeek-dnp3_read.pcap', 'zeek-dnp3_write.pcap', 'zeek-dnp3_select_operate.pcap', 'zeek-modbusSmall.pcap', 'sv-dnp3-eve.pcap', 's7ident.pcap']) {
    const rs = await reportsOf(detector, [ot(f)]);
    assert.deepEqual(rs.filter((r) => r.data.command !== 'start_upload').map((r) => r.data.command), [], f);
  }
});

test('✅ actions and allowlist options', async () => {
  assert.deepEqual(await reportsOf(detector, [ot('snap7.pcap')], { allowlist: ['134.217.61.131'] }), []);
  const onlyStop = await reportsOf(detector, [ot('snap7.pcap')], { actions: ['stop'] });
  assert.deepEqual(onlyStop.map((r) => r.data.command), ['plc_stop']);
});
