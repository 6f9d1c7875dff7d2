import { test } from 'node:test';
import assert from 'node:assert/strict';
import { reportsOf } from '../../../test/support/detector-harness.ts';
import { benignTraces, detectTrace, pipelineTrace } from '../lib/test-traces.ts';
import detector from './bruteforce.login.ts';

test('❌ SSH brute force (Slips, nmap ssh-brute, packets 1-400): short sessions 147.32.80.40 → 147.32.80.37:902', async () => {
  const reports = await reportsOf(detector, [detectTrace('ssh-bruteforce.first-400.pcap')]);
  // 22 SSH sessions (app recognised by the SSH banner, port 902) in the first 400 packets; the first
  // flow is nmap's port probe without SSH.
  assert.equal(reports.length, 22);
  assert.ok(reports.every((r) => r.key === '147.32.80.37|ssh' && r.messageId === 'sessions'));
  assert.equal(reports[0].data.port, 902);
  assert.deepEqual(reports[0].devices.map((d) => `${d.role}:${d.ip}`), ['attacker:147.32.80.40', 'victim:147.32.80.37']);
});

test('❌ telnet brute force with Mirai pairs: 6 failures then success → failures + succeeded', async () => {
  const reports = await reportsOf(detector, [detectTrace('mirai-bruteforce.generated.pcap')]);
  assert.deepEqual(reports.map((r) => r.messageId), ['failures', 'failures', 'failures', 'failures', 'failures', 'failures', 'succeeded']);
  assert.ok(reports.every((r) => r.key === '192.168.1.50|telnet'));
  assert.equal(reports.at(-1)!.severity, 'high');
  assert.equal(reports.at(-1)!.data.username, 'root');
});

test('minFailures / windowS are options: 3 refused Basic logins in 13 s (http-basic-auth.pcap)', async () => {
  assert.equal((await reportsOf(detector, [pipelineTrace('http-basic-auth.pcap')])).length, 0);
  // tshark: test:fail, test:fail2, test:fail3 answered 401 at 13:34:04, :10 and :17.
  const three = await reportsOf(detector, [pipelineTrace('http-basic-auth.pcap')], { minFailures: 3 });
  // ... then test:test is accepted: the brute force succeeded (reported once, not per later request).
  assert.deepEqual(three.map((r) => r.messageId), ['outbound', 'outbound', 'outbound', 'succeeded']);
  assert.equal(three[0].key, '192.168.0.4|http|outbound', 'a local client guessing remote passwords: one story per client');
  assert.equal((await reportsOf(detector, [pipelineTrace('http-basic-auth.pcap')], { minFailures: 3, windowS: 10 })).length, 0);
});

test('minShortSessions is an option', async () => {
  assert.equal((await reportsOf(detector, [detectTrace('ssh-bruteforce.first-400.pcap')], { minShortSessions: 23 })).length, 0);
});

const clean: [string, string][] = [
  ['one typo then the right telnet password (telnet-hidden)', pipelineTrace('telnet-hidden.pcap')],
  ['telnet login (telnet-raw)', pipelineTrace('telnet-raw.pcap')],
  ['FTP login', pipelineTrace('ftp.pcap')],
  ['MQTT logins', pipelineTrace('mqtt.pcap')],
  ['port scan', pipelineTrace('synscan.pcap')],
  ...benignTraces().map((p): [string, string] => ['benign IoT', p]),
];
for (const [what, path] of clean) {
  test(`✅ ${what}: no report`, async () => {
    assert.deepEqual(await reportsOf(detector, [path]), []);
  });
}
