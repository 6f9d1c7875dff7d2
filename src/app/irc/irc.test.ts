import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { payloadsFromPcap, runAnalyzer } from '../../../test/support/app-harness.ts';
import type { Delivery } from '../../../test/support/app-harness.ts';
import { fuzz } from '../../../test/support/mutate.ts';
import { buildPcap, conversation } from '../../../test/traces/app-login/irc-bot-session.generate.ts';
import { createIrc, irc, probeIrc } from './analyzer.ts';
import { isReported, parseMessage } from './parser.ts';

// GENERATED trace (no IRC capture in the shared set): see test/traces/app-login/PROVENANCE.md.
const pcap = fileURLToPath(new URL('../../../test/traces/app-login/irc-bot-session.generated.pcap', import.meta.url));
const info = { transport: 'tcp' as const, origPort: 49152, respPort: 6667 };
const bytes = (s: string) => Uint8Array.from(Buffer.from(s, 'utf8'));
const parse = (s: string, cap?: number) => {
  const b = bytes(s);
  return parseMessage(b, 0, b.length, cap);
};

describe('irc parser (RFC 1459/2812 message format)', () => {
  it('prefix, command, middle params, trailing', () => {
    assert.deepEqual(parse(':herder!h@203.0.113.7 PRIVMSG #b0ts :!scan 192.168.1.0/24 23\r\n'), {
      status: 'ok', length: 62,
      value: { prefix: 'herder!h@203.0.113.7', command: 'PRIVMSG', params: ['#b0ts'], trailing: '!scan 192.168.1.0/24 23', overLong: false },
    });
    assert.deepEqual(parse('USER x86 localhost localhost :Bulwark generated bot\r\n'), {
      status: 'ok', length: 53, value: { command: 'USER', params: ['x86', 'localhost', 'localhost'], trailing: 'Bulwark generated bot', overLong: false },
    });
    const numeric = parse(':irc.example.net 353 [x86|US|4821] = #b0ts :[x86|US|4821] @herder\n');
    assert.ok(numeric.status === 'ok');
    if (numeric.status === 'ok') {
      assert.equal(numeric.value.command, '353');
      assert.deepEqual(numeric.value.params, ['[x86|US|4821]', '=', '#b0ts']);
      assert.equal(numeric.value.trailing, '[x86|US|4821] @herder');
    }
    assert.deepEqual(parse('join #b0ts s3cretkey\r\n'), { status: 'ok', length: 22, value: { command: 'JOIN', params: ['#b0ts', 's3cretkey'], overLong: false } });
    assert.deepEqual(parse('\r\n'), { status: 'ok', length: 2, value: { command: '', params: [], overLong: false } });
    // 15th parameter swallows the rest (RFC 2812 §2.3.1).
    const many = parse('MODE ' + Array.from({ length: 20 }, (_, i) => `p${i}`).join(' ') + '\r\n');
    assert.ok(many.status === 'ok' && many.value.params.length === 14 && many.value.trailing === 'p14 p15 p16 p17 p18 p19');
  });

  it('incomplete, over-long and malformed lines', () => {
    assert.equal(parse('NICK bot').status, 'incomplete');
    const long = parse('PRIVMSG #c :' + 'a'.repeat(600) + '\r\n');
    assert.ok(long.status === 'ok' && long.value.overLong);
    assert.deepEqual(parse('PRIVMSG #c :' + 'a'.repeat(600) + '\r\n', 256), { status: 'invalid', anomaly: 'app.irc.line_too_long' });
    assert.deepEqual(parse(':prefix-only\r\n'), { status: 'invalid', anomaly: 'app.irc.bad_message' });
    assert.deepEqual(parse('\x16\x03\x01 hello\r\n'), { status: 'invalid', anomaly: 'app.irc.bad_message' });
    assert.equal(isReported('001'), true);
    assert.equal(isReported('WHO'), false);
  });

  it('fuzz: parser and probe never throw', () => {
    fuzz(conversation.map(([, t]) => bytes(t)), (b) => {
      parseMessage(b, 0, b.length, 128);
      probeIrc(b, 0);
      probeIrc(b, 1);
    });
  });
});

describe('irc analyzer (generated bot session pcap)', () => {
  it('the committed pcap is what the generator writes', () => {
    assert.deepEqual(new Uint8Array(readFileSync(pcap)), buildPcap());
  });

  it('content probe on any port', () => {
    const d = payloadsFromPcap(pcap, 'tcp', 6667);
    assert.equal(probeIrc(d[0].bytes, 0, { ...info, respPort: 443 }), 'yes');
    assert.equal(probeIrc(d[1].bytes, 1, { ...info, respPort: 443 }), 'yes');
    assert.equal(probeIrc(bytes('USER anonymous\r\n'), 0), 'no');
    assert.equal(probeIrc(bytes('GET / HTTP/1.1\r\n'), 0), 'no');
  });

  it('registration, channel join with key, bot commands, PING/PONG', () => {
    const out = runAnalyzer(irc, payloadsFromPcap(pcap, 'tcp', 6667), info);
    assert.deepEqual(out.anomalies, []);
    const seen = out.events.map((e) => `${e.fields.from_client ? 'c' : 's'}:${e.fields.command}`);
    assert.deepEqual(seen, [
      'c:PASS', 'c:NICK', 'c:USER', 's:NOTICE', 's:PING', 'c:PONG', 's:001', 's:376', 'c:JOIN', 's:JOIN', 's:332', 's:353', 's:366',
      's:PRIVMSG', 's:PRIVMSG', 'c:PRIVMSG', 'c:NOTICE', 's:MODE', 's:TOPIC', 's:PING', 'c:PONG', 'c:QUIT',
    ]);
    const f = (i: number) => out.events[i].fields;
    assert.deepEqual(f(0), { command: 'PASS', params: ['b0tp4ss'], from_client: true });
    assert.deepEqual(f(1), { command: 'NICK', params: ['[x86|US|4821]'], from_client: true });
    assert.deepEqual(f(8), { command: 'JOIN', params: ['#b0ts', 's3cretkey'], from_client: true });
    assert.deepEqual(f(10), { prefix: 'irc.example.net', command: '332', params: ['[x86|US|4821]', '#b0ts'], trailing: '!scan 10.0.0.0/8 23', from_client: false });
    // The second PRIVMSG was split across frames 11 and 12: reported with frame 12.
    assert.deepEqual(f(14), { prefix: 'herder!h@203.0.113.7', command: 'PRIVMSG', params: ['#b0ts'], trailing: '!udp 203.0.113.9 80 60', from_client: false });
    assert.equal(out.events[14].frame, 12);
    // LF-only line end from the client.
    assert.equal(f(15).trailing, 'scanning 192.168.1.0/24:23');
    assert.equal(f(18).trailing, '!update http://203.0.113.7/x86');
    assert.deepEqual(f(19), { command: 'PING', params: [], trailing: 'irc.example.net', from_client: false });
  });

  it('byte-at-a-time delivery gives the same events', () => {
    const d = payloadsFromPcap(pcap, 'tcp', 6667);
    const split: Delivery[] = d.flatMap((x) => Array.from(x.bytes, (byte) => ({ dir: x.dir, bytes: Uint8Array.of(byte), frame: x.frame })));
    assert.deepEqual(runAnalyzer(irc, split, info).events.map((e) => e.fields), runAnalyzer(irc, d, info).events.map((e) => e.fields));
  });

  it('over-cap line is skipped with an anomaly, over-RFC line kept and flagged', () => {
    const small = createIrc({ maxLine: 700 });
    const out = runAnalyzer(small, [
      { dir: 1, bytes: bytes(':x PRIVMSG #c :' + 'a'.repeat(600) + '\r\n') },
      { dir: 1, bytes: bytes(':x PRIVMSG #c :' + 'b'.repeat(500)) },
      { dir: 1, bytes: bytes('b'.repeat(500) + '\r\nPING :ok\r\n') },
    ], info);
    assert.deepEqual(out.anomalies, ['app.irc.line_too_long', 'app.irc.line_too_long']);
    assert.deepEqual(out.events.map((e) => e.fields.command), ['PRIVMSG', 'PING']);
  });

  it('fuzz: analyzer never throws on mutated sessions', () => {
    const d = payloadsFromPcap(pcap, 'tcp', 6667);
    const seeds = [Buffer.concat(d.filter((x) => x.dir === 0).map((x) => x.bytes)), Buffer.concat(d.filter((x) => x.dir === 1).map((x) => x.bytes))];
    const small = createIrc({ maxLine: 32 });
    fuzz(seeds, (b) => {
      for (const proto of [irc, small]) {
        const s = proto.newState();
        const ctx = { wants: () => true, emit: () => {}, anomaly: () => {}, info };
        const cut = b.length >> 1;
        proto.data(s, 0, b.subarray(0, cut), ctx);
        proto.data(s, 0, b.subarray(cut), ctx);
        proto.data(s, 1, b, ctx);
      }
    });
  });
});
