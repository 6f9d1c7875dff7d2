import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { ssh } from './analyzer.ts';
import { parseBanner, parseLine, probeSsh } from './parser.ts';
import { payloadsFromPcap, runAnalyzer } from '../../../test/support/app-harness.ts';
import { fuzz } from '../../../test/support/mutate.ts';

const TRACE = new URL('../../../test/traces/app-web/ssh-bruteforce-2flows.pcap', import.meta.url).pathname;
const info = { transport: 'tcp' as const, origPort: 59500, respPort: 902 };
const ascii = (s: string): Uint8Array => Buffer.from(s, 'latin1');

function frame(n: number): Uint8Array {
  const hex = execFileSync('tshark', ['-r', TRACE, '-Y', `frame.number==${n}`, '-T', 'fields', '-e', 'tcp.payload'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  return Buffer.from(hex.trim(), 'hex');
}

// ssh-bruteforce-2flows.pcap (Slips test19, nmap ssh-brute against port 902) frame 4:
// tshark -d tcp.port==902,ssh ssh.protocol = "SSH-2.0-OpenSSH_9.6p1 Ubuntu-3ubuntu13.11".
test('server banner line (frame 4)', () => {
  const b = frame(4);
  const line = parseLine(b, 0);
  assert.deepEqual(line, { status: 'ok', value: b.length - 2, length: b.length });
  const banner = parseBanner(b, 0, line.status === 'ok' ? line.value : 0);
  assert.deepEqual(banner.status === 'ok' && banner.value, {
    proto_version: '2.0', software: 'OpenSSH_9.6p1', comments: 'Ubuntu-3ubuntu13.11', raw: 'SSH-2.0-OpenSSH_9.6p1 Ubuntu-3ubuntu13.11',
  });
  assert.equal(probeSsh(b), 'yes');
  assert.equal(probeSsh(b.subarray(0, 3)), 'maybe');
  assert.equal(probeSsh(ascii('GET / HTTP/1.1')), 'no');
});

// Frames 13 (client, SSH-2.0-libssh2_1.11.0) and 15 (server): both banners, then 'done' before the binary
// key exchange (frames 17+).
test('both banners of a brute-force connection, then done', () => {
  const deliveries = payloadsFromPcap(TRACE, 'tcp.port==59500', 902);
  const out = runAnalyzer(ssh, deliveries, info);
  assert.deepEqual(out.anomalies, []);
  assert.deepEqual(out.events.map((e) => [e.frame, e.fields.software, e.fields.comments]), [
    [13, 'libssh2_1.11.0', undefined],
    [15, 'OpenSSH_9.6p1', 'Ubuntu-3ubuntu13.11'],
  ]);
  const state = ssh.newState();
  const ctx = { wants: () => true, emit: () => {}, anomaly: () => {}, info };
  const results = deliveries.map((d) => ssh.data(state, d.dir, d.bytes, ctx));
  assert.equal(results.indexOf('done'), 1);
});

test('the server-only connection (nmap probe, frame 4) gives one banner', () => {
  const out = runAnalyzer(ssh, payloadsFromPcap(TRACE, 'tcp.port==59488', 902), { ...info, origPort: 59488 });
  assert.deepEqual(out.events.map((e) => e.fields.raw), ['SSH-2.0-OpenSSH_9.6p1 Ubuntu-3ubuntu13.11']);
});

test('pre-banner lines, split lines, caps (generated per RFC 4253 §4.2)', () => {
  const out = runAnalyzer(ssh, [
    { dir: 1, bytes: ascii('Welcome\r\nSSH-1.99-Cisco') }, { dir: 1, bytes: ascii('-1.25\r\n') },
    { dir: 0, bytes: ascii('SSH-2.0-PuTTY_Release_0.70\r\n') },
  ], info);
  assert.deepEqual(out.events.map((e) => [e.fields.proto_version, e.fields.software]), [['1.99', 'Cisco-1.25'], ['2.0', 'PuTTY_Release_0.70']]);
  assert.deepEqual(runAnalyzer(ssh, [{ dir: 1, bytes: ascii('x'.repeat(300)) }], info).anomalies, ['app.ssh.banner_too_long']);
  assert.deepEqual(runAnalyzer(ssh, [{ dir: 1, bytes: ascii('l\n'.repeat(20)) }], info).anomalies, ['app.ssh.too_many_lines']);
  assert.deepEqual(runAnalyzer(ssh, [{ dir: 1, bytes: ascii('SSH-2.0\r\n') }], info).anomalies, ['app.ssh.bad_banner']);
});

test('fuzz: never throws on mutations of real banners', () => {
  fuzz([frame(4), frame(13), Buffer.concat([frame(13), frame(17)])], (b) => {
    const line = parseLine(b, 0);
    if (line.status === 'ok') parseBanner(b, 0, line.value);
    probeSsh(b);
    const st = ssh.newState();
    const ctx = { wants: () => true, emit: () => {}, anomaly: () => {}, info };
    ssh.data(st, 0, b, ctx);
    ssh.data(st, 1, b, ctx);
  }, 3000);
});
