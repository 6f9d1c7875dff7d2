import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { payloadsFromPcap, runAnalyzer } from '../../../test/support/app-harness.ts';
import type { Delivery } from '../../../test/support/app-harness.ts';
import { fuzz } from '../../../test/support/mutate.ts';
import { createTelnet, probeTelnet, telnet } from './analyzer.ts';
import { parseEnviron, parseIacCommand, parseIsText, parseNaws, subnegData } from './parser.ts';
import { LineEditor, loginOutcome, mayBePrompt, promptKind, terminalText } from './text.ts';

const traces = fileURLToPath(new URL('../../../test/traces/app-login/', import.meta.url));
const expected = JSON.parse(readFileSync(traces + 'credslayer-expected.json', 'utf8')).captures;
const hex = (h: string) => Uint8Array.from(Buffer.from(h, 'hex'));
const info = (port: number) => ({ transport: 'tcp' as const, origPort: 50000, respPort: port });

// telnet-hidden.pcap frame 9 (client): SB TSPEED, SB XDISPLOC, SB NEW-ENVIRON, SB TTYPE.
const HIDDEN_F9 = hex('fffa200033383430302c3338343030fff0fffa23006c6170746f703a30fff0fffa270000444953504c4159016c6170746f703a30fff0fffa1800585445524d2d323536434f4c4f52fff0');
// telnet-hidden.pcap frame 11 (client): DO SGA, WONT ECHO, WILL NAWS, SB NAWS 94x53, DO STATUS, WILL LFLOW.
const HIDDEN_F11 = hex('fffd03fffc01fffb1ffffa1f005e0035fff0fffd05fffb21');
// telnet-hidden.pcap frame 4 (server, first bytes of the flow on TCP/1337): DO TTYPE, TSPEED, XDISPLOC, NEW-ENVIRON.
const HIDDEN_F4 = hex('fffd18fffd20fffd23fffd27');
// telnet-hidden.pcap frame 136 (server): shell prompt with OSC title and colour escapes.
const HIDDEN_F136 = hex('1b5d303b7368656c6c636f6465406c6170746f703a207e071b5b30313b33326d7368656c6c636f6465406c6170746f701b5b30306d3a1b5b30313b33346d7e1b5b30306d2420');

describe('telnet parser (real bytes)', () => {
  it('option verbs and subnegotiations (telnet-hidden.pcap frames 4, 9, 11; values as tshark shows them)', () => {
    assert.deepEqual(parseIacCommand(HIDDEN_F4, 0, HIDDEN_F4.length), { status: 'ok', value: { kind: 'option', verb: 0xfd, option: 24 }, length: 3 });
    const naws = parseIacCommand(HIDDEN_F11, 9, HIDDEN_F11.length);
    assert.deepEqual(naws, { status: 'ok', value: { kind: 'subneg', option: 31, dataStart: 12, dataEnd: 16 }, length: 9 });
    assert.deepEqual(parseNaws(subnegData(HIDDEN_F11, 12, 16)), { status: 'ok', value: { width: 94, height: 53 }, length: 4 });
    const texts: string[] = [];
    for (let off = 0; off < HIDDEN_F9.length;) {
      const p = parseIacCommand(HIDDEN_F9, off, HIDDEN_F9.length);
      assert.equal(p.status, 'ok');
      if (p.status !== 'ok' || p.value.kind !== 'subneg') break;
      const data = subnegData(HIDDEN_F9, p.value.dataStart, p.value.dataEnd);
      texts.push(p.value.option === 39 ? parseEnviron(data).join(',') : parseIsText(data) ?? '');
      off += p.length;
    }
    assert.deepEqual(texts, ['38400,38400', 'laptop:0', 'DISPLAY=laptop:0', 'XTERM-256COLOR']);
  });

  it('incomplete, escaped and invalid sequences', () => {
    assert.equal(parseIacCommand(hex('fffb'), 0, 2).status, 'incomplete');
    assert.equal(parseIacCommand(hex('fffa18'), 0, 3).status, 'incomplete');
    assert.deepEqual(parseIacCommand(hex('ffff'), 0, 2), { status: 'ok', value: { kind: 'data255' }, length: 2 });
    assert.deepEqual(parseIacCommand(hex('fff4'), 0, 2), { status: 'ok', value: { kind: 'command', code: 0xf4 }, length: 2 });
    assert.deepEqual(parseIacCommand(hex('ff41'), 0, 2), { status: 'invalid', anomaly: 'app.telnet.bad_command' });
    assert.deepEqual(parseIacCommand(hex('fffa1800ff41fff0'), 0, 8), { status: 'invalid', anomaly: 'app.telnet.bad_subneg' });
    // IAC IAC inside SB is one 0xff data byte.
    const sb = hex('fffa1800aaffffbbfff0');
    const p = parseIacCommand(sb, 0, sb.length);
    assert.ok(p.status === 'ok' && p.value.kind === 'subneg');
    if (p.status === 'ok' && p.value.kind === 'subneg') assert.deepEqual([...subnegData(sb, p.value.dataStart, p.value.dataEnd)], [0, 0xaa, 0xff, 0xbb]);
    // SB without SE beyond the cap.
    const long = new Uint8Array(40).fill(0x41);
    long.set([0xff, 0xfa, 0x18]);
    assert.deepEqual(parseIacCommand(long, 0, long.length, 16), { status: 'invalid', anomaly: 'app.telnet.bad_subneg' });
    assert.equal(parseIacCommand(long, 0, 10, 16).status, 'incomplete');
  });

  it('terminal text, prompts and outcomes (telnet-hidden.pcap frames 16, 76, 132, 136)', () => {
    assert.equal(terminalText(HIDDEN_F136, 0, HIDDEN_F136.length), 'shellcode@laptop:~$ ');
    assert.equal(promptKind('shellcode@laptop:~$'), 'shell');
    assert.equal(promptKind('laptop login:'), 'username');
    assert.equal(promptKind('Password:'), 'password');
    assert.equal(promptKind('User Name :'), 'username');
    assert.equal(promptKind('Passcode:'), 'password');
    assert.equal(promptKind('Last login: Tue Apr 30 09:39:25 CEST 2019 on pts/1'), undefined);
    assert.equal(loginOutcome('\n\nLogin incorrect\nlaptop login: '), false);
    assert.equal(loginOutcome('\nLast login: Tue Apr 30 09:39:25 CEST 2019 on pts/1\n'), true);
    assert.equal(loginOutcome('\nLast login: x\nThere were 2 failed login attempts'), true);
    assert.equal(loginOutcome('\n\nBusyBox v1.19.4 (2013-05-21) built-in shell (ash)\n'), true);
    assert.equal(loginOutcome('\n# '), true);
    assert.equal(loginOutcome('\nPassword: '), false);
    assert.equal(loginOutcome('\n'), undefined);
  });

  it('byte precheck: never rules out a line the full prompt check accepts', () => {
    const full = (b: Uint8Array) => promptKind(terminalText(b, 0, b.length).trim()) !== undefined;
    const lines = [HIDDEN_F136, 'login: ', 'Password:\t\r', 'root@dvr:~# ', 'x\xc2\xa0', '>\x1b[0m', 'BusyBox v1.24.2', '', ' \x00 ',
      'login:\xe3\x80\x80', '$\xe2\x80\xa8 ', '#\xe1\x9a\x80', '%\xef\xbb\xbf', '>\xe2\x81\x9f', ':\xe2\x80\x8a\xe2\x80\xaf', '\xef\xbb\xbf#']
      .map((l) => (typeof l === 'string' ? Buffer.from(l, 'latin1') : l));
    for (const l of lines) if (full(l)) assert.equal(mayBePrompt(l, l.length), true, JSON.stringify(l.toString('latin1')));
    assert.equal(mayBePrompt(Buffer.from('BusyBox v1.24.2  '), 17), false);
    assert.equal(mayBePrompt(Buffer.from('\x7fELF\x01\x00\xc3', 'latin1'), 7), false);
    // Random lines from the bytes that matter: prompt ends, whitespace, controls, ESC, UTF-8 lead and continuation bytes.
    const alphabet = [0x3a, 0x24, 0x23, 0x3e, 0x25, 0x20, 0x09, 0x0d, 0x0b, 0x00, 0x7f, 0x1b, 0x5b, 0x5d, 0x07, 0x5c, 0x41, 0x6c, 0xc2, 0xa0, 0xe1, 0x9a, 0xe2, 0x80, 0x81, 0x85, 0x8a, 0x8b, 0x9f, 0xa8, 0xa9, 0xaf, 0xe3, 0xef, 0xbb, 0xbf, 0xff];
    let seed = 1;
    const next = () => (seed = (seed * 1103515245 + 12345) >>> 0) >>> 8;
    let kept = 0;
    for (let n = 0; n < 200000; n++) {
      const l = Uint8Array.from({ length: next() % 10 }, () => alphabet[next() % alphabet.length]);
      if (full(l)) assert.equal(mayBePrompt(l, l.length), true, Buffer.from(l).toString('hex'));
      else if (!mayBePrompt(l, l.length)) kept++;
    }
    assert.ok(kept > 1000, 'the precheck rules lines out');
  });

  it('server lines longer than the buffer: the prompt at the end of a long line is still seen', () => {
    const t = (dir: 0 | 1, s: string): Delivery => ({ dir, bytes: Buffer.from(s, 'latin1') });
    const noise = 'x'.repeat(700) + '\r\n' + 'y'.repeat(1000);
    const out = runAnalyzer(telnet, [t(1, 'hello\r\n'), t(0, '\r\n'), t(1, noise + 'login: '), t(0, 'root\r\n'), t(1, noise + '\r\n' + noise + 'Password: '), t(0, 'vizxv\r\n'), t(1, 'Login incorrect\r\n')], info(23));
    assert.deepEqual(logins(out), [{ attempt: 1, username: 'root', password: 'vizxv', success: false }]);
  });

  it('line editor: CR NUL, CR LF, backspace, DEL, ^U, cap', () => {
    const ed = new LineEditor(8);
    const feed = (s: string | number[]) => {
      const lines: string[] = [];
      for (const c of typeof s === 'string' ? Buffer.from(s, 'latin1') : s) if (ed.push(c) === 'line') lines.push(ed.take());
      return lines;
    };
    assert.deepEqual(feed('fake\r\0user\r\n'), ['fake', 'user']);
    assert.deepEqual(feed('roox\x08t\x7f\x7fot\r'), ['root']);
    assert.deepEqual(feed('junk\x15admin\n'), ['admin']);
    const over: string[] = [];
    for (const c of Buffer.from('0123456789\r')) {
      const r = ed.push(c);
      if (r) over.push(r);
    }
    assert.deepEqual(over, ['overflow', 'line']);
    assert.equal(ed.take(), '01234567');
  });

  it('text of non-ASCII bytes is UTF-8 decoded (invalid bytes as U+FFFD), of ASCII bytes the same either way', () => {
    const ed = new LineEditor(64);
    for (const c of [0x72, 0xc3, 0xa9, 0x73, 0x75, 0x6d, 0xc3, 0xa9, 0xff, 0x0d]) ed.push(c);
    assert.equal(ed.take(), 'r\u00e9sum\u00e9\ufffd');
    for (const c of Buffer.from('administrator\r')) ed.push(c);
    assert.equal(ed.take(), 'administrator');
    for (const c of Buffer.from('root\r')) ed.push(c);
    assert.equal(ed.take(), 'root');
    assert.equal(terminalText(hex('43616cc3a96520e282ac1b5b306d3a20'), 0, 16), 'Cal\u00e9e \u20ac: ');
    assert.equal(terminalText(hex('6c6f67696e3a20'), 0, 7), 'login: ');
    assert.equal(terminalText(hex('42757379426f782076312e32342e32206275696c742d696e207368656c6c'), 0, 30), 'BusyBox v1.24.2 built-in shell');
  });

  it('fuzz: parsers never throw', () => {
    fuzz([HIDDEN_F4, HIDDEN_F9, HIDDEN_F11, HIDDEN_F136], (b) => {
      for (let off = 0; off < b.length; off++) if (b[off] === 0xff) parseIacCommand(b, off, b.length, 64);
      parseEnviron(b);
      parseNaws(b);
      parseIsText(b);
      terminalText(b, 0, b.length);
      loginOutcome(terminalText(b, 0, b.length));
      probeTelnet(b, 1);
    });
  });
});

type LoginFields = { username?: string; password?: string; success?: boolean; attempt: number };
const logins = (out: ReturnType<typeof runAnalyzer>) => out.events.filter((e) => e.type === 'telnet.login').map((e) => e.fields as LoginFields);

describe('telnet analyzer (real captures)', () => {
  for (const name of ['telnet-raw.pcap', 'telnet-cooked.pcap']) {
    it(`${name}: credentials exactly as credslayer expected.json (fake/user), success`, () => {
      const out = runAnalyzer(telnet, payloadsFromPcap(traces + name, 'tcp', 23), info(23));
      assert.deepEqual(out.anomalies, []);
      const creds = expected[name].credentials as { username: string; password: string }[];
      assert.deepEqual(logins(out), [{ attempt: 1, username: creds[0].username, password: creds[0].password, success: true }]);
      assert.equal(expected[name].credential_count, 1);
      const banner = out.events.find((e) => e.type === 'telnet.banner')?.fields;
      assert.deepEqual(banner, { banner: `OpenBSD/i386 (oof) (${name === 'telnet-raw.pcap' ? 'ttyp1' : 'ttyp2'})`, prompt: 'login:', prompt_kind: 'username' });
      const neg = out.events.find((e) => e.type === 'telnet.negotiation')?.fields;
      assert.equal(neg?.terminal_type, 'xterm-color');
      assert.equal(neg?.terminal_speed, '9600,9600');
      assert.equal(neg?.x_display, 'bam.zing.org:0.0');
      assert.deepEqual(neg?.environ, ['DISPLAY=bam.zing.org:0.0']);
      assert.deepEqual(neg?.server_enabled, [1, 3, 5]);
    });
  }

  it('telnet-cooked.pcap = ndpi telnet.pcap: username agrees with nDPI telnet.pcap.out', () => {
    const ndpi = readFileSync(traces + 'ndpi-telnet.pcap.out', 'utf8');
    const user = /\[Username: ([^\]]+)\]/.exec(ndpi)?.[1];
    const out = runAnalyzer(telnet, payloadsFromPcap(traces + 'telnet-cooked.pcap', 'tcp', 23), info(23));
    assert.equal(logins(out)[0].username, user);
    assert.equal(user, 'fake');
  });

  it('telnet-hidden.pcap on TCP/1337: found by content, failed attempt then shellcode/shellcode', () => {
    const d = payloadsFromPcap(traces + 'telnet-hidden.pcap', 'tcp', 1337);
    assert.equal(d[0].dir, 1);
    assert.equal(probeTelnet(d[0].bytes, d[0].dir, info(1337)), 'yes');
    const out = runAnalyzer(telnet, d, info(1337));
    assert.deepEqual(out.anomalies, []);
    const ok = expected['telnet-hidden.pcap'].credentials[0];
    assert.deepEqual(logins(out), [
      { attempt: 1, username: 'shellcode', password: 'shellcode33', success: false },
      { attempt: 2, username: ok.username, password: ok.password, success: true },
    ]);
    const outcomeFrames = out.events.filter((e) => e.type === 'telnet.login').map((e) => e.frame);
    assert.deepEqual(outcomeFrames, [76, 132]);
    const neg = out.events.find((e) => e.type === 'telnet.negotiation')?.fields;
    assert.deepEqual([neg?.terminal_type, neg?.window_width, neg?.window_height, neg?.x_display], ['XTERM-256COLOR', 94, 53, 'laptop:0']);
    assert.deepEqual(neg?.server_do, [1, 24, 31, 32, 33, 35, 39]);
    assert.deepEqual(out.events.find((e) => e.type === 'telnet.banner')?.fields, { banner: 'Ubuntu 18.04.1 LTS', prompt: 'laptop login:', prompt_kind: 'username' });
  });

  it('byte-at-a-time delivery gives the same events', () => {
    const d = payloadsFromPcap(traces + 'telnet-raw.pcap', 'tcp', 23);
    const split: Delivery[] = d.flatMap((x) => Array.from(x.bytes, (byte) => ({ dir: x.dir, bytes: Uint8Array.of(byte), frame: x.frame })));
    const a = runAnalyzer(telnet, split, info(23)).events.map((e) => e.fields);
    const b = runAnalyzer(telnet, d, info(23)).events.map((e) => e.fields);
    assert.deepEqual(a, b);
  });

  it('pending login at end has unknown success; password-only prompt; shell without login', () => {
    const t = (dir: 0 | 1, s: string): Delivery => ({ dir, bytes: Buffer.from(s, 'latin1') });
    const pending = runAnalyzer(telnet, [t(1, 'login: '), t(0, 'admin\r\n'), t(1, 'Password: '), t(0, 'ad\x08\x08xc3511\r\n')], info(23));
    assert.deepEqual(logins(pending), [{ attempt: 1, username: 'admin', password: 'xc3511' }]);
    const pwOnly = runAnalyzer(telnet, [t(1, '\r\nUser Access Verification\r\n\r\nPassword: '), t(0, 'cisco\r'), t(1, '\r\nrouter>')], info(23));
    assert.deepEqual(logins(pwOnly), [{ attempt: 1, password: 'cisco', success: true }]);
    const shell = runAnalyzer(telnet, [t(1, 'BusyBox v1.19.4 built-in shell (ash)\r\n# ')], info(2323));
    assert.deepEqual(shell.events.map((e) => e.fields), [{ banner: 'BusyBox v1.19.4 built-in shell (ash)', prompt: '#', prompt_kind: 'shell' }]);
  });

  it('IAC IAC is a data byte 255 and IAC before a non-command byte an anomaly (RFC 854), also inside server text', () => {
    const t = (dir: 0 | 1, s: string): Delivery => ({ dir, bytes: Buffer.from(s, 'latin1') });
    const out = runAnalyzer(telnet, [t(1, 'x\xff\xffy\xff\x01z\r\nlogin: '), t(0, 'root\r\n'), t(1, 'Pass\xff\xf1word: '), t(0, 'xc3511\r\n'), t(1, '\r\nLogin incorrect\r\n')], info(23));
    assert.deepEqual(out.anomalies, ['app.telnet.bad_command']);
    assert.deepEqual(out.events.find((e) => e.type === 'telnet.banner')?.fields, { banner: 'x\ufffdyz', prompt: 'login:', prompt_kind: 'username' });
    assert.deepEqual(logins(out), [{ attempt: 1, username: 'root', password: 'xc3511', success: false }]);
  });

  it('after a login, a prompt at the end of binary output split by IAC IAC (LF in an earlier run) is still read', () => {
    const t = (dir: 0 | 1, s: string): Delivery => ({ dir, bytes: Buffer.from(s, 'latin1') });
    // A loader's 'cat /bin/echo': ELF bytes with 0xff doubled (RFC 854), then a new login prompt on the last line.
    const elf = '\x7fELF\x01\xff\xff\x00\n\x00\x00\r\n' + 'A'.repeat(300) + '\xff\xff\xff\xff' + 'B'.repeat(40) + '\r\n\xff\xff\xff\xfflogin: ';
    const out = runAnalyzer(telnet, [
      t(1, 'login: '), t(0, 'root\r\n'), t(1, 'Password: '), t(0, 'password\r\n'), t(1, '\r\nBusyBox v1.24.2 built-in shell (ash)\r\n# '),
      t(0, 'cat /bin/echo\r\n'), t(1, elf), t(0, 'admin\r\n'), t(1, 'Password: '), t(0, 'admin\r\n'), t(1, 'Login incorrect\r\n'),
    ], info(23));
    assert.deepEqual(logins(out), [
      { attempt: 1, username: 'root', password: 'password', success: true },
      { attempt: 2, username: 'admin', password: 'admin', success: false },
    ]);
  });

  it('caps: long typed line and runaway subnegotiation are anomalies, state stays bounded', () => {
    const small = createTelnet({ maxSubneg: 32, maxLine: 16, outcomeWindow: 64 });
    const sb = Buffer.concat([hex('fffa18'), Buffer.alloc(100, 0x41), Buffer.from('login: ')]);
    const out = runAnalyzer(small, [
      { dir: 1, bytes: sb.subarray(0, 20) }, { dir: 1, bytes: sb.subarray(20) },
      { dir: 0, bytes: Buffer.from('A'.repeat(40) + '\r\n') },
    ], info(23));
    assert.deepEqual(out.anomalies, ['app.telnet.bad_subneg', 'app.telnet.line_too_long']);
    assert.deepEqual(logins(out), [{ attempt: 1, username: 'A'.repeat(16) }]);
  });

  it('fuzz: analyzer never throws on mutated sessions', () => {
    const raw = payloadsFromPcap(traces + 'telnet-hidden.pcap', 'tcp', 1337);
    const seeds = [Buffer.concat(raw.slice(0, 12).map((d) => d.bytes)), Buffer.concat(raw.slice(20, 60).map((d) => d.bytes)), HIDDEN_F9];
    const small = createTelnet({ maxSubneg: 16, maxLine: 8, outcomeWindow: 32 });
    fuzz(seeds, (b) => {
      for (const proto of [telnet, small]) {
        const s = proto.newState();
        const ctx = { wants: () => true, emit: () => {}, anomaly: () => {}, info: info(23) };
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
