// Whole pipeline on OT traces: the inventory names the PLC and the baseline (ETSI EN 303 645) fails what the OT detectors found.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeCaptures } from '../src/engine/analyze-captures.ts';

const ot = (n: string): string => new URL(`traces/ot/${n}`, import.meta.url).pathname;

test('nDPI s7comm: the S7-300 that took a program download fails ETSI 5.5-5 and 5.5-4, with the OT advice', async () => {
  const r = await analyzeCaptures([ot('ndpi-s7comm.pcap')]);
  const plc = r.devices.find((d) => d.ips.some((b) => b.ip === '192.168.1.40'));
  assert.equal(plc?.identification.type, 'plc');
  const a = r.assessments.find((x) => x.device_id === plc!.id)!;
  const item = (id: string) => a.items.find((i) => i.id === id)!;
  assert.equal(item('5.5-5').verdict, 'fail');
  assert.equal(item('5.5-4').verdict, 'fail');
  assert.ok(item('5.5-5').evidence.some((e) => e.detector === 'ot.device-control'));
  assert.equal(a.noun, 'plc');
  assert.ok(a.advice.some((s) => /engineering stations/.test(s)), a.advice.join(' | '));
});

test('generated: the Modbus PLC reachable from the Internet fails the exposure provisions', async () => {
  const r = await analyzeCaptures([ot('ot-scan.generated.pcap')]);
  const plc = r.devices.find((d) => d.ips.some((b) => b.ip === '192.168.10.5'))!;
  // 43/14 answer of unit 1: vendor, product code, revision.
  assert.deepEqual([plc.identification.type, plc.identification.vendor, plc.identification.model, plc.identification.firmware], ['plc', 'Schneider Electric', 'BMX P34 2020', 'v3.10']);
  const a = r.assessments.find((x) => x.device_id === plc.id)!;
  for (const id of ['5.6-1', 'GP-TM-45', '5.5-5']) assert.equal(a.items.find((i) => i.id === id)?.verdict, 'fail', id);
});
