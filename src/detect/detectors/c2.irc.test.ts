import { test } from 'node:test';
import assert from 'node:assert/strict';
import { reportsOf } from '../../../test/support/detector-harness.ts';
import detector from './c2.irc.ts';

const trace = (p: string): string => new URL(`../../../test/traces/${p}`, import.meta.url).pathname;
const sample = (n: string): string => new URL(`../../../samples/${n}`, import.meta.url).pathname;
const bot = trace('app-login/irc-bot-session.generated.pcap');

test('❌ irc-bot-session.generated.pcap: bot nick, then four commands from the herder', async () => {
  const rs = await reportsOf(detector, [bot]);
  assert.ok(rs.every((r) => r.key === '192.0.2.10|198.51.100.20|6667'));
  assert.deepEqual(rs.map((r) => [r.messageId, r.evidence?.packet]), [
    ['session', 4], // PASS/NICK/USER in frame 4
    ['command', 10], // 332 topic "!scan 10.0.0.0/8 23" after JOIN
    ['command', 11], // PRIVMSG "!scan 192.168.1.0/24 23"
    ['command', 12], // PRIVMSG "!udp 203.0.113.9 80 60" (split across frames 11-12)
    ['command', 15], // TOPIC "!update http://203.0.113.7/x86"
  ]);
  assert.equal(rs[0].severity, 'medium');
  assert.deepEqual(rs[1].devices, [{ role: 'infected', ip: '192.0.2.10' }, { role: 'peer', ip: '198.51.100.20' }]);
  assert.deepEqual(rs[3].data, { device: '192.0.2.10', server: '198.51.100.20', port: 6667, nick: '[x86|US|4821]', channel: '#b0ts', command: '!udp 203.0.113.9 80 60' });
  assert.equal(rs[4].facts?.last_command, 'update');
});

test('options: botCommands and reportPlainSessions', async () => {
  const rs = await reportsOf(detector, [bot], { botCommands: ['update'], reportPlainSessions: false });
  assert.deepEqual(rs.map((r) => r.evidence?.packet), [15]);
  assert.equal((await reportsOf(detector, [bot], { botCommands: [], botNickPattern: '^nobot$' })).length, 0);
});

const invalid = [sample('dlink-camera-setup.pcap'), trace('detect-net/hakai-c2-cut.pcap'), trace('pipeline/telnet-raw.pcap')];
for (const file of invalid) {
  test(`✅ no IRC bot control in ${file.split('/').at(-1)}`, async () => {
    assert.deepEqual(await reportsOf(detector, [file]), []);
  });
}
