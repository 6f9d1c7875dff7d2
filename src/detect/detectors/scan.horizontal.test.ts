import { test } from 'node:test';
import assert from 'node:assert/strict';
import { reportsOf } from '../../../test/support/detector-harness.ts';
import { benignTraces, detectTrace, pipelineTrace } from '../lib/test-traces.ts';
import detector from './scan.horizontal.ts';

test('❌ Mirai-style sweep of 23 and 2323 from a local device: two outbound findings', async () => {
  const reports = await reportsOf(detector, [detectTrace('mirai-scan.generated.pcap')]);
  const byKey = new Map<string, number>();
  for (const r of reports) byKey.set(r.key, (byKey.get(r.key) ?? 0) + (r.count ?? 1));
  // The generator sends 300 SYNs to distinct random hosts, port 2323 for i % 10 == 0.
  assert.deepEqual(Object.fromEntries(byKey), { '192.168.1.66|23': 270, '192.168.1.66|2323': 30 });
  assert.ok(reports.every((r) => r.messageId === 'outbound' && r.severity === 'high'));
  assert.equal(reports[0].devices[0].role, 'infected');
});

test('❌ scan-order-horizontal.generated.pcap: probes judged as they start, both parallel ports reported', async () => {
  // 24 hosts per port in 12 s, half refused at once (RST), half unanswered (their flows end 300 s later, after
  // 10 more RST-answered probes at t+200 s): judged at flow end, the early unanswered probes fell out of the window.
  // The late 10 come after a quiet window: the window has re-armed (a trip is not permanent) and 10 hosts are
  // below minHosts, so only the 24 early probes per port are reported.
  const reports = await reportsOf(detector, [detectTrace('scan-order-horizontal.generated.pcap')]);
  const byKey = new Map<string, number>();
  for (const r of reports) byKey.set(r.key, (byKey.get(r.key) ?? 0) + 1);
  assert.deepEqual(Object.fromEntries(byKey), { '192.168.1.70|23': 24, '192.168.1.70|2323': 24 });
  assert.ok(reports.every((r) => r.devices[0].role === 'infected' && r.devices[0].ip === '192.168.1.70'));
  // The 24 early probes are all there, in the order they were sent.
  const early = reports.filter((r) => r.key === '192.168.1.70|23' && r.ts < 1704067200 + 100).map((r) => r.ts);
  assert.equal(early.length, 24);
  assert.deepEqual(early, [...early].sort((a, b) => a - b));
});

test('minHosts is an option', async () => {
  const reports = await reportsOf(detector, [detectTrace('mirai-scan.generated.pcap')], { minHosts: 31 });
  assert.ok(reports.every((r) => r.key === '192.168.1.66|23'));
});

const clean: [string, string][] = [
  ['nmap vertical scan of one host', pipelineTrace('synscan.pcap')],
  ['SSH brute force (one host)', detectTrace('ssh-bruteforce.first-400.pcap')],
  ['telnet brute force', detectTrace('mirai-bruteforce.generated.pcap')],
  ...benignTraces().map((p): [string, string] => ['benign IoT', p]),
];
for (const [what, path] of clean) {
  test(`✅ ${what}: no report`, async () => {
    assert.deepEqual(await reportsOf(detector, [path]), []);
  });
}
