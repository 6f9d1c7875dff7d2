import { test } from 'node:test';
import assert from 'node:assert/strict';
import { reportsOf } from '../../../test/support/detector-harness.ts';
import { benignTraces, detectTrace, pipelineTrace } from '../lib/test-traces.ts';
import detector from './scan.vertical.ts';

test('❌ nmap SYN scan (synscan.pcap): 172.16.0.8 port-scans 64.13.134.52, outbound', async () => {
  const reports = await reportsOf(detector, [pipelineTrace('synscan.pcap')]);
  // tshark: 1000 distinct destination ports in SYNs, 1994 TCP connections (nmap retries some ports).
  assert.ok(reports.length >= 1000 && reports.length <= 1994, String(reports.length));
  assert.ok(reports.every((r) => r.key === '172.16.0.8|64.13.134.52' && r.messageId === 'outbound'));
  assert.deepEqual(reports[0].devices.map((d) => `${d.role}:${d.ip}`), ['infected:172.16.0.8', 'victim:64.13.134.52']);
  assert.ok(reports.every((r) => r.evidence?.community_id?.startsWith('1:')));
});

test('❌ scan-order-vertical.generated.pcap: an outside scanner is an attacker, every probe counted as it starts', async () => {
  // 24 ports in 12 s (half refused, half filtered and ending 300 s later), 10 more ports at t+200 s: those come
  // after a quiet window, so the window has re-armed and 10 ports are below minPorts — 24 reports.
  const reports = await reportsOf(detector, [detectTrace('scan-order-vertical.generated.pcap')]);
  assert.equal(reports.length, 24);
  assert.ok(reports.every((r) => r.key === '198.51.100.77|192.168.1.80' && r.messageId === 'inbound'));
  assert.deepEqual(reports[0].devices.map((d) => `${d.role}:${d.ip}`), ['attacker:198.51.100.77', 'victim:192.168.1.80']);
});

test('minPorts is an option: 1001 ports are never reached in synscan.pcap', async () => {
  assert.equal((await reportsOf(detector, [pipelineTrace('synscan.pcap')], { minPorts: 1001 })).length, 0);
});

test('windowS is an option: ports must fall within the window', async () => {
  // tshark: nmap's bursts put up to 20 SYNs within 1 ms (so 1 ms would trip) but at most 2 within 0.1 ms.
  assert.ok((await reportsOf(detector, [pipelineTrace('synscan.pcap')], { windowS: 0.001 })).length > 0);
  assert.equal((await reportsOf(detector, [pipelineTrace('synscan.pcap')], { windowS: 0.0001 })).length, 0);
});

const clean: [string, string][] = [
  ['Mirai horizontal scan (one port per host)', detectTrace('mirai-scan.generated.pcap')],
  ['SSH brute force (one port)', detectTrace('ssh-bruteforce.first-400.pcap')],
  ['telnet brute force with data', detectTrace('mirai-bruteforce.generated.pcap')],
  ...benignTraces().map((p): [string, string] => ['benign IoT', p]),
];
for (const [what, path] of clean) {
  test(`✅ ${what}: no report`, async () => {
    assert.deepEqual(await reportsOf(detector, [path]), []);
  });
}
