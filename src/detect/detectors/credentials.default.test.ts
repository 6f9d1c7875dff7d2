import { test } from 'node:test';
import assert from 'node:assert/strict';
import { reportsOf } from '../../../test/support/detector-harness.ts';
import { benignTraces, detectTrace, pipelineTrace } from '../lib/test-traces.ts';
import { defaultCredentialCount, matchDefault, miraiPairs } from '../lib/default-credentials.ts';
import detector from './credentials.default.ts';

test("Mirai's table: 62 entries, 61 distinct, decoded values", () => {
  assert.equal(miraiPairs.length, 62);
  assert.equal(new Set(miraiPairs).size, 61); // guest:12345 twice upstream
  assert.equal(matchDefault('root', 'xc3511')?.source, 'mirai');
  assert.equal(matchDefault('Administrator', 'meinsm')?.source, 'mirai');
  assert.equal(matchDefault('admin', '')?.source, 'mirai'); // admin:(none)
  assert.equal(matchDefault('pi', 'raspberry')?.source, 'vendor');
  assert.equal(matchDefault('root', 'xc3512'), undefined);
  assert.equal(matchDefault('Root', 'xc3511'), undefined);
  assert.ok(defaultCredentialCount >= 61);
});

test('❌ telnet brute force: root/xc3511 accepted by the camera (high), six refused pairs (low)', async () => {
  const reports = await reportsOf(detector, [detectTrace('mirai-bruteforce.generated.pcap')], { showSecrets: true });
  const accepted = reports.filter((r) => r.messageId === 'accepted');
  assert.equal(accepted.length, 1);
  assert.equal(accepted[0].severity, 'high');
  assert.deepEqual(accepted[0].devices[0], { role: 'insecure', ip: '192.168.1.50' });
  assert.deepEqual([accepted[0].facts?.username, accepted[0].facts?.secret], ['root', 'xc3511']);
  const refused = reports.filter((r) => r.messageId === 'refused');
  assert.equal(refused.length, 6);
  assert.ok(refused.every((r) => r.severity === 'low' && r.key === 'telnet|192.168.1.50|refused'));
});

test("❌ SNMP v1 community 'public' (snmp-v1.pcap, CredSLayer)", async () => {
  const reports = await reportsOf(detector, [pipelineTrace('snmp-v1.pcap')]);
  assert.ok(reports.length > 0);
  assert.ok(reports.every((r) => r.messageId === 'community' && r.data.community === 'public' && r.data.server === '172.31.19.73'));
  assert.equal((await reportsOf(detector, [pipelineTrace('snmp-v1.pcap')], { includeSnmpCommunities: false })).length, 0);
});

test('secrets stay out of the data unless showSecrets', async () => {
  const reports = await reportsOf(detector, [detectTrace('mirai-bruteforce.generated.pcap')]);
  for (const r of reports) {
    assert.equal(r.facts?.secret, undefined);
    assert.ok(!Object.values(r.data).some((v) => String(v).includes('xc3511')));
  }
});

const clean: [string, string][] = [
  ['telnet fake/user (not a default)', pipelineTrace('telnet-raw.pcap')],
  ['anonymous FTP', pipelineTrace('ftp.pcap')],
  ['HTTP Basic test/test', pipelineTrace('http-basic-auth.pcap')],
  ['HTTP query admin/qwerty1234', pipelineTrace('http-get-auth.pcap')],
  ['MQTT user/pass', pipelineTrace('mqtt311-pub-userpass.pcap')],
  ['SSH brute force (encrypted)', detectTrace('ssh-bruteforce.first-400.pcap')],
  // Reflected SNMP answers (source port 161) sprayed at a DDoS victim: the victim is not an SNMP agent.
  ['SNMP reflection victim', new URL('../../../test/traces/detect-net/udp-amplification-victim.generated.pcap', import.meta.url).pathname],
  ...benignTraces().map((p): [string, string] => ['benign IoT', p]),
];
for (const [what, path] of clean) {
  test(`✅ ${what}: no report`, async () => {
    assert.deepEqual(await reportsOf(detector, [path]), []);
  });
}
