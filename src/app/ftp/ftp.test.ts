import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { payloadsFromPcap, runAnalyzer } from '../../../test/support/app-harness.ts';
import type { Delivery } from '../../../test/support/app-harness.ts';
import { fuzz } from '../../../test/support/mutate.ts';
import { createFtp, ftp, probeFtp } from './analyzer.ts';
import { lineEnd, parseCommand, parseReply } from './parser.ts';

const traces = fileURLToPath(new URL('../../../test/traces/app-login/', import.meta.url));
const expected = JSON.parse(readFileSync(traces + 'credslayer-expected.json', 'utf8')).captures;
const info = { transport: 'tcp' as const, origPort: 50694, respPort: 21 };
const bytes = (s: string) => Uint8Array.from(Buffer.from(s, 'latin1'));

// ndpi-ftp.pcap frames 19 + 20: multi-line FEAT reply split over two segments.
const FEAT_19 = bytes('211-Features:\r\n');
const FEAT_20 = bytes(' EPRT\r\n EPSV\r\n MDTM\r\n PASV\r\n REST STREAM\r\n SIZE\r\n TVFS\r\n211 End\r\n');
// credslayer-ftp.pcap frames 4, 6, 9.
const BANNER = bytes('220 Welcome to mirrors.rit.edu.\r\n');
const USER = bytes('USER anonymous\r\n');
const PASS = bytes('PASS ftp@example.com\r\n');

function tshark(file: string, fields: string[]): string[][] {
  const out = execFileSync('tshark', ['-r', file, '-Y', 'ftp', '-T', 'fields', '-E', 'separator=|', ...fields.flatMap((f) => ['-e', f])], { encoding: 'utf8' });
  return out.split('\n').filter(Boolean).map((l) => l.split('|'));
}

describe('ftp parser (real bytes)', () => {
  it('commands (credslayer ftp.pcap frames 6 and 9)', () => {
    assert.deepEqual(parseCommand(USER, 0, USER.length), { status: 'ok', value: { command: 'USER', arg: 'anonymous' }, length: 16 });
    assert.deepEqual(parseCommand(PASS, 0, PASS.length), { status: 'ok', value: { command: 'PASS', arg: 'ftp@example.com' }, length: 22 });
    assert.deepEqual(parseCommand(bytes('pwd\n'), 0, 4), { status: 'ok', value: { command: 'PWD' }, length: 4 });
    assert.deepEqual(parseCommand(bytes('\xff\xf4\xff\xf2ABOR\r\n'), 0, 10), { status: 'ok', value: { command: 'ABOR' }, length: 10 });
    assert.equal(parseCommand(USER, 0, 10).status, 'incomplete');
    assert.deepEqual(parseCommand(bytes('HELLO world\r\n'), 0, 13), { status: 'invalid', anomaly: 'app.ftp.bad_command' });
  });

  it('single and multi-line replies (ndpi ftp.pcap frames 19-20, credslayer frame 4)', () => {
    assert.deepEqual(parseReply(BANNER, 0, BANNER.length), { status: 'ok', value: { code: 220, firstLine: 'Welcome to mirrors.rit.edu.', text: 'Welcome to mirrors.rit.edu.', lineCount: 1 }, length: BANNER.length });
    assert.equal(parseReply(FEAT_19, 0, FEAT_19.length).status, 'incomplete');
    const both = Buffer.concat([FEAT_19, FEAT_20]);
    const r = parseReply(both, 0, both.length);
    assert.equal(r.status, 'ok');
    if (r.status !== 'ok') return;
    assert.equal(r.value.code, 211);
    assert.equal(r.value.firstLine, 'Features:');
    assert.equal(r.value.lineCount, 9);
    assert.equal(r.value.text, 'Features:\n EPRT\n EPSV\n MDTM\n PASV\n REST STREAM\n SIZE\n TVFS\nEnd');
    assert.equal(r.length, both.length);
    // A continuation line starting with another code does not end the reply (RFC 959 §4.2).
    const nested = bytes('230-Hi\r\n220 not the end\r\n230 ok\r\n');
    assert.equal(parseReply(nested, 0, nested.length).status === 'ok' && (parseReply(nested, 0, nested.length) as { value: { lineCount: number } }).value.lineCount, 3);
  });

  it('caps and malformed lines', () => {
    const long = bytes('USER ' + 'a'.repeat(100));
    assert.deepEqual(parseCommand(long, 0, long.length, 64), { status: 'invalid', anomaly: 'app.ftp.line_too_long' });
    assert.equal(lineEnd(long, 0, long.length, 200).status, 'incomplete');
    assert.deepEqual(parseReply(bytes('hello\r\n'), 0, 7), { status: 'invalid', anomaly: 'app.ftp.bad_reply' });
    const many = bytes('211-x\r\n' + ' line\r\n'.repeat(50));
    assert.deepEqual(parseReply(many, 0, many.length, 64, 128), { status: 'invalid', anomaly: 'app.ftp.reply_too_long' });
  });

  it('fuzz: parsers never throw', () => {
    fuzz([Buffer.concat([FEAT_19, FEAT_20]), BANNER, USER, PASS], (b) => {
      parseCommand(b, 0, b.length, 64);
      parseReply(b, 0, b.length, 64, 256);
      probeFtp(b, 0);
      probeFtp(b, 1);
    });
  });
});

describe('ftp analyzer (real captures)', () => {
  it('credslayer ftp.pcap: anonymous / ftp@example.com exactly as expected.json, 230', () => {
    const d = payloadsFromPcap(traces + 'credslayer-ftp.pcap', 'tcp', 21);
    assert.equal(probeFtp(d[0].bytes, 1, info), 'maybe');
    const out = runAnalyzer(ftp, d, info);
    assert.deepEqual(out.anomalies, []);
    const logins = out.events.filter((e) => e.type === 'ftp.login');
    const cred = expected['ftp.pcap'].credentials[0];
    assert.equal(expected['ftp.pcap'].credential_count, 1);
    assert.deepEqual(logins.map((e) => e.fields), [{ username: cred.username, password: cred.password, success: true, reply_code: 230 }]);
    assert.equal(logins[0].frame, 10);
    assert.deepEqual(out.events[0].fields, { code: 220, text: 'Welcome to mirrors.rit.edu.', first_line: 'Welcome to mirrors.rit.edu.', line_count: 1, banner: true });
    // The password appears only in ftp.login.
    assert.deepEqual(out.events.find((e) => e.type === 'ftp.command' && e.fields.command === 'PASS')?.fields, { command: 'PASS' });
  });

  it('ndpi ftp.pcap: commands and reply codes agree with tshark; credentials with nDPI ftp.pcap.out', () => {
    const file = traces + 'ndpi-ftp.pcap';
    const out = runAnalyzer(ftp, payloadsFromPcap(file, 'tcp.port==21', 21), info);
    assert.deepEqual(out.anomalies, []);
    const commands = out.events.filter((e) => e.type === 'ftp.command').map((e) => [e.fields.command, e.fields.arg ?? '']);
    const tsCommands = tshark(file, ['ftp.request.command', 'ftp.request.arg']).filter((r) => r[0]).map(([c, a]) => [c, c === 'PASS' ? '' : a]);
    assert.equal(commands.length, 16);
    assert.deepEqual(commands, tsCommands);
    const codes = out.events.filter((e) => e.type === 'ftp.reply').map((e) => e.fields.code);
    const tsCodes = tshark(file, ['ftp.response.code']).filter((r) => r[0]).map((r) => Number(r[0]));
    assert.deepEqual(codes, tsCodes);
    const ndpi = readFileSync(traces + 'ndpi-ftp.pcap.out', 'utf8');
    const user = /\[User: ([^\]]+)\]/.exec(ndpi)?.[1];
    const pwd = /\[Pwd: ([^\]]+)\]/.exec(ndpi)?.[1];
    assert.deepEqual(out.events.filter((e) => e.type === 'ftp.login').map((e) => e.fields), [{ username: user, password: pwd, success: true, reply_code: 230 }]);
    assert.equal(user, 'anonymous');
    assert.equal(pwd, 'NcFTP@');
    const feat = out.events.find((e) => e.type === 'ftp.reply' && e.fields.code === 211);
    assert.equal(feat?.frame, 20);
    assert.equal(feat?.fields.line_count, 9);
  });

  it('byte-at-a-time delivery gives the same events', () => {
    const d = payloadsFromPcap(traces + 'ndpi-ftp.pcap', 'tcp.port==21', 21);
    const split: Delivery[] = d.flatMap((x) => Array.from(x.bytes, (byte) => ({ dir: x.dir, bytes: Uint8Array.of(byte), frame: x.frame })));
    assert.deepEqual(runAnalyzer(ftp, split, info).events.map((e) => e.fields), runAnalyzer(ftp, d, info).events.map((e) => e.fields));
  });

  it('failed login (530), pending login at end, AUTH TLS stops at 234', () => {
    const t = (dir: 0 | 1, s: string): Delivery => ({ dir, bytes: bytes(s) });
    const failed = runAnalyzer(ftp, [t(1, '220 FTP server ready\r\n'), t(0, 'USER root\r\n'), t(1, '331 Password required\r\n'), t(0, 'PASS toor\r\n'), t(1, '530 Login incorrect.\r\n'), t(0, 'USER admin\r\nPASS admin\r\n')], info);
    assert.deepEqual(failed.events.filter((e) => e.type === 'ftp.login').map((e) => e.fields), [
      { username: 'root', password: 'toor', success: false, reply_code: 530 },
      { username: 'admin', password: 'admin' },
    ]);
    const tls = runAnalyzer(ftp, [t(1, '220 FTP\r\n'), t(0, 'AUTH TLS\r\n'), t(1, '234 Proceed with negotiation.\r\n'), t(0, '\x16\x03\x01\x02\x00\x01')], info);
    assert.deepEqual(tls.events.map((e) => e.type), ['ftp.reply', 'ftp.command', 'ftp.reply', 'ftp.auth_tls']);
    assert.deepEqual(tls.events[3].fields, { mechanism: 'TLS', accepted: true, reply_code: 234 });
    assert.equal(probeFtp(bytes('220 ProFTPD Server (Debian) [::ffff:10.0.0.1]\r\n'), 1), 'yes');
    assert.equal(probeFtp(bytes('220 mail.example.com ESMTP Postfix\r\n'), 1), 'maybe');
  });

  it('over-long lines and replies are skipped with an anomaly, then parsing resumes', () => {
    const small = createFtp({ maxLine: 32, maxReply: 64 });
    const out = runAnalyzer(small, [
      { dir: 0, bytes: bytes('USER ' + 'x'.repeat(60) + '\r\nNOOP\r\n') },
      { dir: 1, bytes: bytes('214-help\r\n' + ' word\r\n'.repeat(20)) },
      { dir: 1, bytes: bytes('214 end\r\n200 ok\r\n') },
    ], info);
    assert.deepEqual(out.anomalies, ['app.ftp.line_too_long', 'app.ftp.reply_too_long']);
    assert.deepEqual(out.events.map((e) => [e.type, e.fields.command ?? e.fields.code]), [['ftp.command', 'NOOP'], ['ftp.reply', 200]]);
  });

  it('fuzz: analyzer never throws on mutated sessions', () => {
    const d = payloadsFromPcap(traces + 'ndpi-ftp.pcap', 'tcp.port==21', 21);
    const client = Buffer.concat(d.filter((x) => x.dir === 0).map((x) => x.bytes));
    const server = Buffer.concat(d.filter((x) => x.dir === 1).slice(0, 12).map((x) => x.bytes));
    const small = createFtp({ maxLine: 16, maxReply: 48 });
    fuzz([client, server], (b) => {
      for (const proto of [ftp, small]) {
        const s = proto.newState();
        const ctx = { wants: () => true, emit: () => {}, anomaly: () => {}, info };
        const cut = b.length >> 1;
        proto.data(s, 1, b.subarray(0, cut), ctx);
        proto.data(s, 0, b.subarray(cut), ctx);
        proto.data(s, 1, b.subarray(cut), ctx);
        proto.data(s, 0, b, ctx);
        proto.end?.(s, ctx);
      }
    });
  });
});
