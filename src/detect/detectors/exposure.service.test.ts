import { test } from 'node:test';
import assert from 'node:assert/strict';
import { reportsOf } from '../../../test/support/detector-harness.ts';
import type { Report } from '../types.ts';
import detector from './exposure.service.ts';

const trace = (p: string): string => new URL(`../../../test/traces/${p}`, import.meta.url).pathname;
const sample = (n: string): string => new URL(`../../../samples/${n}`, import.meta.url).pathname;
const total = (rs: Report[]): number => rs.reduce((n, r) => n + (r.count ?? 1), 0);

const valid: { file: string; key: string; service: string; severity: string; sessions: number; first: number; client: string }[] = [
  // One telnet login session, 192.168.0.2 -> 192.168.0.1:23, server answered 1,742 payload bytes.
  { file: 'pipeline/telnet-raw.pcap', key: '192.168.0.1|telnet|23', service: 'telnet', severity: 'medium', sessions: 1, first: 1, client: '192.168.0.2' },
  { file: 'pipeline/mqtt311-pub-userpass.pcap', key: '::1|mqtt|1883', service: 'MQTT without TLS', severity: 'medium', sessions: 1, first: 1, client: '::1' },
  // Seven RTSP connections to 10.2.2.2:8554; the first (frame 1) is mid-stream with no server payload, so six answer.
  { file: 'pipeline/rtsp.pcap', key: '10.2.2.2|rtsp|8554', service: 'RTSP', severity: 'low', sessions: 6, first: 13, client: '10.1.1.10' },
  // 28 get/response exchanges with the agent 172.31.19.73, each from a new client port (tshark: 28 distinct ports answered).
  { file: 'pipeline/snmp-v1.pcap', key: '172.31.19.73|snmp|161', service: 'SNMP', severity: 'medium', sessions: 28, first: 1, client: '172.31.19.54' },
];

for (const v of valid) {
  test(`❌ ${v.file}: ${v.service} answering on ${v.key.split('|')[0]}`, async () => {
    const rs = await reportsOf(detector, [trace(v.file)]);
    assert.ok(rs.every((r) => r.key === v.key && r.messageId === 'local'));
    assert.equal(total(rs), v.sessions);
    assert.equal(rs[0].evidence?.packet, v.first);
    assert.equal(rs[0].severity, v.severity);
    assert.equal(rs[0].data.service, v.service);
    assert.deepEqual(rs[0].devices.map((d) => [d.role, d.ip]), [['insecure', v.key.split('|')[0]], ['peer', v.client]]);
  });
}

test('❌ samples/dlink-camera-setup.pcap: the camera announces UPnP (SSDP NOTIFY from frame 60 on), low severity', async () => {
  const rs = await reportsOf(detector, [sample('dlink-camera-setup.pcap')]);
  const camera = rs.filter((r) => r.key === '10.10.10.37|ssdp|1900');
  assert.ok(camera.length > 0);
  assert.equal(camera[0].evidence?.packet, 60);
  assert.ok(rs.every((r) => r.severity === 'low'));
});

test('options: services limits what is reported', async () => {
  assert.deepEqual(await reportsOf(detector, [trace('pipeline/telnet-raw.pcap')], { services: ['mqtt'] }), []);
});

const invalid = [
  // TLS only, no cleartext service answering.
  trace('pipeline/sonos.pcapng'), trace('detect-net/tlsv1-malicious-c2.pcap'),
  // Unanswered SYNs to port 50: nothing answers.
  trace('detect-net/hakai-c2-cut.pcap'),
];
for (const file of invalid) {
  test(`✅ no exposed service in ${file.split('/').at(-1)}`, async () => {
    assert.deepEqual(await reportsOf(detector, [file]), []);
  });
}
