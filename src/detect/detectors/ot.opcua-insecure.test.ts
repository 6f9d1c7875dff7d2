import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { reportsOf } from '../../../test/support/detector-harness.ts';
import { benignTraces } from '../lib/test-traces.ts';
import detector from './ot.opcua-insecure.ts';

const trace = (name: string): string => new URL(`../../../test/traces/${name}`, import.meta.url).pathname;
const ndpi = trace('opcua/ndpi-opc-ua.pcap');
const sessions = trace('opcua/node-opcua-sessions.pcap');

const tshark = (path: string, filter: string, ...fields: string[]): string[][] =>
  execFileSync('tshark', ['-r', path, '-Y', filter, '-T', 'fields', '-E', 'separator=|', ...fields.flatMap((f) => ['-e', f])], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })
    .split('\n').filter(Boolean).map((l) => l.split('|'));

test('❌ nDPI opc-ua.pcap: an unsecured session whose user-name password travels in clear, on a server offering None', async () => {
  const rs = await reportsOf(detector, [ndpi]);
  // tshark: frame 15 GetEndpointsResponse (one None endpoint, Anonymous + UserName tokens); frame 21 ActivateSession
  // UserName user1, Password 70617373776f7264 ('password'), no EncryptionAlgorithm; frame 23 ServiceResult Good.
  assert.deepEqual(rs.map((r) => [r.messageId, r.evidence?.packet, r.severity]), [['offers_none', 15, 'low'], ['no_security', 21, undefined], ['cleartext_password', 21, 'high']]);
  const pw = rs[2];
  assert.deepEqual([pw.data.user, pw.data.secret_hint, pw.data.outcome, pw.data.policy, pw.data.mode], ['user1', 'p… (8 characters)', 'accepted', 'None', 'None']);
  assert.equal(tshark(ndpi, 'frame.number==21', 'opcua.UserName')[0][0], 'user1');
  assert.ok(!JSON.stringify(rs).includes('"password"'), 'the secret is not in a report without showSecrets');
  assert.deepEqual(rs[0].data.tokens, 'anonymous, user_name');
  const shown = await reportsOf(detector, [ndpi], { showSecrets: true });
  assert.equal(shown.find((r) => r.messageId === 'cleartext_password')!.facts!.secret, 'password');
});

test('❌ node-opcua sessions: three unsecured sessions, anonymous sessions accepted (None and Sign); encrypted passwords are not reported', async () => {
  const rs = await reportsOf(detector, [sessions]);
  const activate = tshark(sessions, 'opcua.servicenodeid.numeric==467', 'frame.number', 'opcua.UserName');
  const noSec = rs.filter((r) => r.messageId === 'no_security');
  // tshark: the ActivateSessions of streams 0-2 run over SecurityPolicy#None channels (OPN MessageSecurityMode 1).
  assert.deepEqual(noSec.map((r) => r.evidence?.packet), activate.slice(0, 3).map(([f]) => Number(f)));
  assert.ok(noSec.every((r) => r.data.client === '192.168.77.20' && r.data.server === '192.168.77.10' && r.key === noSec[0].key));
  const anon = rs.filter((r) => r.messageId === 'anonymous');
  assert.deepEqual(anon.map((r) => [r.evidence?.packet, r.data.policy, r.data.mode]), [[Number(activate[0][0]), 'None', 'None'], [Number(activate[3][0]), 'Basic256Sha256', 'Sign']]);
  assert.equal(rs.filter((r) => r.messageId === 'cleartext_password').length, 0, 'node-opcua encrypts the password (rsa-oaep)');
  assert.ok(rs.filter((r) => r.messageId === 'offers_none').every((r) => r.severity === 'low' && r.data.server === '192.168.77.10'));
});

test('option reportOffers: off, no offers_none', async () => {
  const rs = await reportsOf(detector, [ndpi, sessions], { reportOffers: false });
  assert.ok(rs.length > 0 && rs.every((r) => r.messageId !== 'offers_none'));
});

for (const file of [trace('bacnet/ndpi-bacnet.pcap'), ...benignTraces()]) {
  test(`✅ no OPC UA findings in ${file.split('/').at(-1)}`, async () => {
    assert.deepEqual(await reportsOf(detector, [file]), []);
  });
}
