import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { reportsOf } from '../../../test/support/detector-harness.ts';
import { benignTraces } from '../lib/test-traces.ts';
import detector from './ot.bacnet-control.ts';

const trace = (name: string): string => new URL(`../../../test/traces/${name}`, import.meta.url).pathname;
const control = trace('bacnet/bacnet-js-control.pcap');
const icsnpp = trace('bacnet/icsnpp-bacnet-example.pcap');

const tshark = (path: string, filter: string, ...fields: string[]): string[][] =>
  execFileSync('tshark', ['-r', path, '-Y', filter, '-T', 'fields', '-E', 'separator=|', ...fields.flatMap((f) => ['-e', f])], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })
    .split('\n').filter(Boolean).map((l) => l.split('|'));

test('❌ bacnet-js-control.pcap: the rogue host\'s writes (single and multiple), its two DCC disables (refused, accepted) and its warmstart; the workstation\'s writes are learned', async () => {
  const rs = await reportsOf(detector, [control]);
  // tshark: writeProperty binary-output,1 and writePropertyMultiple analog-output,2 from .30; two
  // deviceCommunicationControl (Error, Simple-ACK); reinitializeDevice; the workstation read device,260001.
  const requests = tshark(control, 'bacapp.type==0 && ip.src==192.168.78.30', 'frame.number', 'bacapp.confirmed_service');
  const frame = (service: number): number[] => requests.filter(([, s]) => Number(s) === service).map(([f]) => Number(f));
  const [[wp], [wpm], [dcc1, dcc2], [reinit]] = [frame(15), frame(16), frame(17), frame(20)];
  assert.deepEqual(rs.map((r) => [r.messageId, r.evidence?.packet, r.data.client, r.data.server, r.data.device_instance, r.severity]), [
    ['write', wp, '192.168.78.30', '192.168.78.10', '260001', 'high'],
    ['write', wpm, '192.168.78.30', '192.168.78.10', '260001', 'high'],
    ['write', wpm, '192.168.78.30', '192.168.78.10', '260001', 'high'],
    ['communication_control', dcc1, '192.168.78.30', '192.168.78.10', '260001', 'medium'],
    ['communication_control', dcc2, '192.168.78.30', '192.168.78.10', '260001', 'high'],
    ['reinitialize', reinit, '192.168.78.30', '192.168.78.10', '260001', 'high'],
  ]);
  assert.deepEqual([rs[0].data.object, rs[0].data.property, rs[0].data.value, rs[0].data.priority, rs[0].data.controllers], ['binary-output 1', 'present-value', '1', 1, '192.168.78.20']);
  assert.deepEqual(rs.slice(1, 3).map((r) => [r.data.object, r.data.property, r.data.value, r.data.priority, r.data.service]),
    [['analog-output 2', 'out-of-service', 'true', 16, 'WritePropertyMultiple'], ['analog-output 2', 'present-value', '100', 1, 'WritePropertyMultiple']]);
  assert.equal(rs[3].data.outcome, 'refused 1× (password-failure)');
  assert.equal(rs[4].data.outcome, 'accepted 1×, refused 1× (password-failure)');
  assert.equal(rs[3].key, rs[4].key, 'one finding per command, client and device');
  assert.equal(rs[5].data.state, 'warmstart');
  assert.equal(rs[5].data.password, 'password b… (8 characters)', 'a hint: first character and length');
  assert.ok(!JSON.stringify(rs).includes('bms-2024'), 'the password itself is never in a report');
  assert.deepEqual(rs[0].devices, [{ role: 'attacker', ip: '192.168.78.30' }, { role: 'victim', ip: '192.168.78.10' }]);
});

test('options: an allowlisted host is not reported; with an allowlist nothing is learned', async () => {
  assert.deepEqual(await reportsOf(detector, [control], { allowlist: ['192.168.78.20', '192.168.78.30'] }), []);
  const onlyRogue = await reportsOf(detector, [control], { allowlist: ['192.168.78.30'] });
  assert.deepEqual(onlyRogue.map((r) => [r.messageId, r.data.client]), [['write', '192.168.78.20'], ['write', '192.168.78.20'], ['write', '192.168.78.20']]);
  const rs = await reportsOf(detector, [control], { allowlist: ['192.168.78.99'] });
  // The workstation's three writes are reported too: the allowlist replaces learning.
  assert.deepEqual(rs.filter((r) => r.messageId === 'write').map((r) => r.data.client), ['192.168.78.20', '192.168.78.20', '192.168.78.20', '192.168.78.30', '192.168.78.30', '192.168.78.30']);
  const learnAll = await reportsOf(detector, [control], { learnSeconds: 3600 });
  assert.equal(learnAll.filter((r) => r.messageId === 'write').length, 0, 'within the learning window every writer is a controller');
});

test('❌ ICSNPP bacnet_example.pcap: every ReinitializeDevice from 172.20.32.250, per controller, with the device\'s answers', async () => {
  const rs = await reportsOf(detector, [icsnpp]);
  const reinit = tshark(icsnpp, 'bacapp.confirmed_service==20', 'bacapp.type', 'ip.dst');
  const requests = reinit.filter(([type]) => type === '0');
  const errors = reinit.filter(([type]) => type === '5');
  assert.equal(rs.length, requests.length);
  assert.equal(rs.length, 120);
  assert.ok(rs.every((r) => r.messageId === 'reinitialize' && r.data.client === '172.20.32.250' && r.data.state === 'abort-restore'));
  assert.equal(rs.filter((r) => r.severity === 'medium').length, errors.length);
  assert.equal(errors.length, 90);
  assert.deepEqual(new Set(rs.map((r) => r.data.server)), new Set(requests.map(([, dst]) => dst)));
  // Device instances from the controllers' I-Am (ICSNPP bacnet_discovery.log: 172.20.32.124 is device 565).
  assert.equal(rs.find((r) => r.data.server === '172.20.32.124')!.data.device_instance, '565');
});

for (const file of [trace('bacnet/ndpi-bacnet.pcap'), ...benignTraces()]) {
  test(`✅ no BACnet control in ${file.split('/').at(-1)}`, async () => {
    assert.deepEqual(await reportsOf(detector, [file]), []);
  });
}
