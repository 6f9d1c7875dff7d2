import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { reportsOf } from '../../../test/support/detector-harness.ts';
import { Pipeline } from '../../pipeline/analyze.ts';
import { DetectionEngine } from '../engine.ts';
import { detectTrace, pipelineTrace, sample } from '../lib/test-traces.ts';
import detector from './credentials.cleartext.ts';

interface Expected {
  captures: Record<string, { credentials: { username: string | null; password: string }[]; must_not_report: { username: string; password: string }[] }>;
}
const expected = JSON.parse(readFileSync(pipelineTrace('expected.json'), 'utf8')) as Expected;

for (const [capture, facts] of Object.entries(expected.captures)) {
  test(`❌ ${capture}: every credential CredSLayer expects is reported, refused ones only as refused`, async () => {
    const reports = await reportsOf(detector, [pipelineTrace(capture)], { showSecrets: true });
    for (const c of facts.credentials) {
      const hit = reports.find((r) => r.facts?.secret === c.password && (c.username === null || r.facts?.username === c.username) && r.messageId !== 'refused');
      assert.ok(hit, `${capture}: ${c.username}/${c.password} not reported`);
    }
    for (const c of facts.must_not_report) {
      const valid = reports.filter((r) => r.facts?.secret === c.password && r.facts?.username === c.username && r.messageId !== 'refused');
      assert.deepEqual(valid, [], `${capture}: ${c.username}/${c.password} reported as working`);
    }
  });
}

test('❌ MQTT CONNECT user/pass (suricata-verify mqtt311-pub-userpass) and the Azure SAS token (nDPI mqtt.pcap)', async () => {
  const sv = await reportsOf(detector, [pipelineTrace('mqtt311-pub-userpass.pcap')], { showSecrets: true });
  assert.deepEqual(sv.map((r) => [r.messageId, r.facts?.username, r.facts?.secret, r.facts?.accepted]), [['login', 'user', 'pass', 1]]);
  const ndpi = await reportsOf(detector, [pipelineTrace('mqtt.pcap')], { showSecrets: true });
  assert.ok(ndpi.some((r) => String(r.facts?.secret).startsWith('SharedAccessSignature')));
  assert.ok(ndpi.some((r) => r.facts?.username === '02D5050223D3'));
});

test('✅ telnet-hidden: the typo shellcode33 is refused, shellcode/shellcode accepted (CredSLayer)', async () => {
  const reports = await reportsOf(detector, [pipelineTrace('telnet-hidden.pcap')], { showSecrets: true });
  assert.deepEqual(reports.map((r) => [r.messageId, r.facts?.secret]), [['refused', 'shellcode33'], ['login', 'shellcode']]);
});

test('Aria scale (IoT Sentinel): its registration token in a plain-HTTP query string is a token finding', async () => {
  const reports = await reportsOf(detector, [detectTrace('aria-setup-a-1.pcap')]);
  assert.ok(reports.length > 0);
  assert.ok(reports.every((r) => r.messageId === 'token' && String(r.data.carrier) === 'query string field "token"'));
  assert.equal((await reportsOf(detector, [detectTrace('aria-setup-a-1.pcap')], { includeTokens: false })).length, 0);
});

test('secrets never reach titles or explanations (rendered through the engine)', async () => {
  const pipeline = new Pipeline();
  const engine = new DetectionEngine([detector]).attach(pipeline);
  const paths = ['telnet-raw.pcap', 'ftp.pcap', 'http-basic-auth.pcap', 'http-get-auth.pcap', 'snmp-v1.pcap', 'mqtt.pcap'].map(pipelineTrace);
  await pipeline.run(paths);
  const findings = engine.findings();
  assert.ok(findings.length >= 8);
  for (const f of findings) {
    // Distinctive secrets of these traces (telnet's 'user' and MQTT's user-equals-password are ambiguous).
    for (const secret of ['ftp@example.com', 'qwerty1234', 'fail2', "'public'", 'SharedAccessSignature']) {
      assert.ok(!f.title.includes(secret) && !f.explanation.includes(secret), `${f.id}: ${secret}`);
    }
    assert.equal(f.facts?.secret, undefined);
  }
  assert.deepEqual(engine.stats.template_errors, []);
});

test('✅ no credentials: D-Link camera setup, port scan, SSH brute force, reflected SNMP answers at a DDoS victim', async () => {
  const victim = new URL('../../../test/traces/detect-net/udp-amplification-victim.generated.pcap', import.meta.url).pathname;
  for (const p of [sample('dlink-camera-setup.pcap'), pipelineTrace('synscan.pcap'), detectTrace('ssh-bruteforce.first-400.pcap'), victim]) {
    assert.deepEqual(await reportsOf(detector, [p]), [], p);
  }
});
