import { test } from 'node:test';
import assert from 'node:assert/strict';
import { reportsOf } from '../../../test/support/detector-harness.ts';
import type { Report } from '../types.ts';
import detector from './ddos.reflection.ts';

const net = (n: string): string => new URL(`../../../test/traces/detect-net/${n}`, import.meta.url).pathname;
const sample = (n: string): string => new URL(`../../../samples/${n}`, import.meta.url).pathname;
const total = (rs: Report[]): number => rs.reduce((n, r) => n + (r.count ?? 1), 0);

test('❌ synack-reflection-cut.pcap: 10.10.10.10 hit by SYN-ACK reflection', async () => {
  const rs = await reportsOf(detector, [net('synack-reflection-cut.pcap')]);
  assert.ok(rs.every((r) => r.key === 'victim|10.10.10.10' && r.messageId === 'victim'));
  assert.deepEqual(rs[0].devices, [{ role: 'victim', ip: '10.10.10.10' }]);
  // Frames 1-5 are SYN-ACKs from 136.0.86.165, 172.120.24.143, ... to 10.10.10.10 (tshark).
  assert.deepEqual(rs.filter((r) => r.evidence).map((r) => r.evidence!.packet), [1, 2, 3, 4, 5]);
  assert.equal(rs[0].data.reflectors, 184, 'tripped at 200 packets from 184 reflectors');
  const last = rs.at(-1)!;
  // Mostly SYN-ACKs; the capture also holds a few reflected SNMP answers (UDP from port 161).
  assert.equal(last.data.service, 'SYN-ACK, SNMP');
  // 2,491 half-open flows whose only packets are the reflector's SYN-ACKs, plus the SNMP ones.
  assert.equal(total(rs), 2495);
});

test('❌ udp-amplification-victim.generated.pcap: answers from 120 reflectors of six UDP amplifiers', async () => {
  const rs = await reportsOf(detector, [net('udp-amplification-victim.generated.pcap')]);
  assert.ok(rs.every((r) => r.key === 'victim|192.168.1.60'));
  const last = rs.at(-1)!;
  assert.equal(last.data.reflectors, 120);
  assert.equal(last.data.packets, 480);
  // 20 reflectors per service: the first three seen are named.
  assert.equal(last.data.service, 'SSDP, SNMP, BACnet');
  assert.equal(total(rs), 120);
  assert.equal(rs[0].evidence?.packet, 1);
});

test('❌ udp-amplifier.generated.pcap: 192.168.1.70 answers 150 spoofed M-SEARCHs 14.6 times larger', async () => {
  const rs = await reportsOf(detector, [net('udp-amplifier.generated.pcap')]);
  assert.equal(rs.length, 1);
  assert.equal(rs[0].messageId, 'amplifier');
  assert.deepEqual(rs[0].devices, [{ role: 'insecure', ip: '192.168.1.70' }, { role: 'victim', ip: '198.51.100.23' }]);
  assert.deepEqual(rs[0].data, { amplifier: '192.168.1.70', victim: '198.51.100.23', service: 'SSDP', requests: 150, ratio: 14.6, port: 1900 });
  assert.equal(rs[0].count, 150);
  assert.equal(rs[0].evidence?.packet, 1);
});

test('options: minReflectors, minAmplification, amplifierPorts', async () => {
  assert.equal((await reportsOf(detector, [net('udp-amplification-victim.generated.pcap')], { minReflectors: 121 })).length, 0);
  assert.equal((await reportsOf(detector, [net('udp-amplifier.generated.pcap')], { minAmplification: 15 })).length, 0);
  assert.equal((await reportsOf(detector, [net('udp-amplifier.generated.pcap')], { amplifierPorts: ['53'] })).length, 0);
});

const invalid = [
  sample('dlink-camera-setup.pcap'), net('wemoswitch2-setup-c-1.pcap'), net('hakai-c2-cut.pcap'),
  net('synflood-spoofed-cut.pcap'), net('flood-udp.generated.pcap'), net('dns-water-torture.generated.pcap'),
];
for (const file of invalid) {
  test(`✅ no reflection in ${file.split('/').at(-1)}`, async () => {
    assert.deepEqual(await reportsOf(detector, [file]), []);
  });
}
