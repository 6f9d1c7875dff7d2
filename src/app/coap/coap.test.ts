import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { fuzz } from '../../../test/support/mutate.ts';
import { payloadsFromPcap, runAnalyzer } from '../../../test/support/app-harness.ts';
import { codeString, parseMessage } from './parser.ts';
import { coap } from './analyzer.ts';
import type { CoapEvent } from './events.ts';

const trace = new URL('../../../test/traces/app-udp/coap.pcap', import.meta.url).pathname;
const info = { transport: 'udp', origPort: 46819, respPort: 5683 } as const;
const payload = (frame: number) => Uint8Array.from(payloadsFromPcap(trace, `frame.number==${frame}`, 5683)[0].bytes);

test('parseMessage: POST /storage with a 10-byte payload (coap.pcap frame 10)', () => {
  const b = payload(10);
  const m = parseMessage(b, 0, b.length);
  assert.equal(m.status, 'ok');
  if (m.status !== 'ok') return;
  assert.deepEqual([m.value.type, codeString(m.value.code), m.value.messageId, m.value.tokenLen], [0, '0.02', 52896, 0]);
  assert.deepEqual(m.value.options.map((o) => o.number), [11]);
  assert.equal(m.value.payloadLen, 10);
});

test('parseMessage: reserved nibbles, long tokens and cut options are anomalies', () => {
  const b = payload(6);
  assert.deepEqual(parseMessage(b, 0, b.length - 12).status, 'invalid');
  const reserved = Uint8Array.from(b);
  reserved[6] = 0xf1; // first option header: delta nibble 15
  assert.deepEqual(parseMessage(reserved, 0, reserved.length), { status: 'invalid', anomaly: 'app.coap.bad_option' });
  const token = Uint8Array.from(b);
  token[0] = 0x49; // TKL 9
  assert.deepEqual(parseMessage(token, 0, token.length), { status: 'invalid', anomaly: 'app.coap.bad_token_length' });
  assert.deepEqual(parseMessage(Uint8Array.from([0x40, 0x01, 0, 1, 0xff]), 0, 5), { status: 'invalid', anomaly: 'app.coap.bad_option' });
});

test('coap analyzer agrees with tshark on all 19 CoAP packets of nDPI coap_mqtt.pcap', () => {
  const res = runAnalyzer(coap, payloadsFromPcap(trace, 'coap', 5683), info);
  const out = execFileSync('tshark', ['-r', trace, '-Y', 'coap', '-T', 'fields', '-E', 'occurrence=a', '-E', 'aggregator=,', '-e', 'frame.number',
    '-e', 'coap.type', '-e', 'coap.code', '-e', 'coap.mid', '-e', 'coap.token', '-e', 'coap.opt.uri_path_recon', '-e', 'coap.opt.ctype',
    '-e', 'coap.payload_length'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  const rows = out.split('\n').filter(Boolean).map((l) => l.split('\t'));
  assert.equal(rows.length, 19);
  assert.equal(res.events.length, 19);
  for (const [i, [frame, type, code, mid, token, path, ctype, plen]] of rows.entries()) {
    const f = res.events[i].fields as unknown as CoapEvent;
    const at = `frame ${frame}`;
    assert.equal(f.message_type, ['CON', 'NON', 'ACK', 'RST'][Number(type)], at);
    assert.equal(f.code, codeString(Number(code)), at);
    assert.equal(f.message_id, Number(mid), at);
    assert.equal(f.token, token, at);
    // tshark copies a request's path onto its response; frame 5 is a malformed case whose "path" it builds
    // from a bad Uri-Port.
    const isRequest = Number(code) >= 1 && Number(code) < 32;
    if (frame !== '5' && isRequest) assert.equal(f.uri_path ?? '', path, at);
    if (ctype) assert.equal(f.content_format, ctype.startsWith('text/plain') ? 0 : -1, at);
    assert.equal(String(f.payload_length), plen || '0', at);
  }
  // Frame 5's 7-byte Uri-Port.
  assert.deepEqual(res.anomalies, ['app.coap.bad_option_value']);
  const f16 = res.events[15].fields;
  assert.deepEqual([f16.code, f16.code_name, f16.uri_path], ['0.01', 'GET', '/storage/myresource']);
  const f8 = res.events[7].fields;
  assert.deepEqual([f8.code, f8.code_name, f8.payload_length], ['2.05', 'Content', 122]);
});

test('probe: every CoAP flow of coap_mqtt.pcap is recognised (nDPI .out: 8 CoAP flows)', () => {
  const out = execFileSync('tshark', ['-r', trace, '-T', 'fields', '-e', 'udp.stream', '-e', 'udp.payload'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  const first = new Map<string, Uint8Array>();
  for (const [stream, hex] of out.split('\n').filter(Boolean).map((l) => l.split('\t'))) if (!first.has(stream)) first.set(stream, Buffer.from(hex, 'hex'));
  assert.equal(first.size, 8);
  for (const bytes of first.values()) assert.equal(coap.probe(bytes, 0, info), 'maybe');
  assert.equal(coap.probe(new TextEncoder().encode('M-SEARCH * HTTP/1.1\r\n'), 0, info), 'no');
});

test('fuzz: CoAP parser and analyzer never throw', () => {
  const seeds = payloadsFromPcap(trace, 'coap', 5683).map((d) => d.bytes);
  const ctx = { wants: () => true, emit: () => {}, anomaly: () => {}, info };
  fuzz(seeds, (b) => {
    parseMessage(b, 0, b.length);
    coap.probe(b, 0, info);
    coap.data(null, 0, b, ctx);
  }, 3000);
});
