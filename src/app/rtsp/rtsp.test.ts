import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { rtsp } from './analyzer.ts';
import { parseHead, parseInterleaved, parseRtspRequestLine, parseRtspStatusLine, probeRtsp, rtspRequestFacts } from './parser.ts';
import { payloadsFromPcap, runAnalyzer } from '../../../test/support/app-harness.ts';
import { fuzz } from '../../../test/support/mutate.ts';

const T = new URL('../../../test/traces/app-web/', import.meta.url).pathname;
const TRACE = T + 'rtsp-session.pcap';
const info = { transport: 'tcp' as const, origPort: 52472, respPort: 8554 };
const ascii = (s: string): Uint8Array => Buffer.from(s, 'latin1');

function frame(n: number): Uint8Array {
  const hex = execFileSync('tshark', ['-r', TRACE, '-Y', `frame.number==${n}`, '-T', 'fields', '-e', 'tcp.payload'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  return Buffer.from(hex.trim(), 'hex');
}

// rtsp-session.pcap (nDPI rtsp.pcap, tcp.stream==1) frame 13: OPTIONS rtsp://10.2.2.2:8554/ RTSP/1.0.
test('request line, CSeq and User-Agent of a real OPTIONS (frame 13)', () => {
  const bytes = frame(13);
  const h = parseHead(bytes, 0);
  assert.equal(h.status, 'ok');
  if (h.status !== 'ok') return;
  assert.equal(h.length, bytes.length);
  const line = parseRtspRequestLine(bytes, h.value.start, h.value.lineEnd);
  assert.equal(line.status, 'ok');
  if (line.status !== 'ok') return;
  // nDPI rtsp.pcap.out: User-Agent LibVLC/3.0.16 (LIVE555 Streaming Media v2016.11.28).
  assert.deepEqual(rtspRequestFacts(bytes, h.value, line.value), {
    method: 'OPTIONS', uri: 'rtsp://10.2.2.2:8554/', cseq: 2, user_agent: 'LibVLC/3.0.16 (LIVE555 Streaming Media v2016.11.28)',
  });
  assert.equal(probeRtsp(bytes), 'yes');
  assert.equal(probeRtsp(bytes.subarray(0, 10)), 'maybe');
  assert.equal(probeRtsp(ascii('GET / HTTP/1.1\r\n')), 'no');
});

test('status line of a real response (frame 21)', () => {
  const bytes = frame(21);
  const h = parseHead(bytes, 0);
  assert.equal(h.status, 'ok');
  if (h.status !== 'ok') return;
  const line = parseRtspStatusLine(bytes, h.value.start, h.value.lineEnd);
  assert.deepEqual(line.status === 'ok' && line.value, { version: 'RTSP/1.0', status: 200, reason: 'OK' });
  assert.equal(probeRtsp(bytes), 'yes');
});

test('interleaved frame header', () => {
  assert.deepEqual(parseInterleaved(Uint8Array.of(0x24, 1, 0x01, 0x00), 0), { status: 'ok', value: 1, length: 260 });
  assert.equal(parseInterleaved(Uint8Array.of(0x24, 1), 0).status, 'incomplete');
});

// tshark -d tcp.port==8554,rtsp on the trace (retransmissions dropped): 6 requests, 5 responses 200.
test('whole session agrees with tshark rtsp.method / rtsp.url / rtsp.status', () => {
  const out = runAnalyzer(rtsp, payloadsFromPcap(TRACE, 'tcp && !tcp.analysis.retransmission', 8554), info);
  assert.deepEqual(out.anomalies, []);
  const reqs = out.events.filter((e) => e.type === 'rtsp.request');
  assert.deepEqual(reqs.map((e) => `${e.frame} ${String(e.fields.method)} ${String(e.fields.uri)}`), [
    '13 OPTIONS rtsp://10.2.2.2:8554/', '25 DESCRIBE rtsp://10.2.2.2:8554/', '45 SETUP rtsp://10.2.2.2:8554/trackID=0',
    '57 SETUP rtsp://10.2.2.2:8554/trackID=1', '69 PLAY rtsp://10.2.2.2:8554/', '85 GET_PARAMETER rtsp://10.2.2.2:8554/',
  ]);
  const resps = out.events.filter((e) => e.type === 'rtsp.response');
  assert.deepEqual(resps.map((e) => `${String(e.fields.status)} ${String(e.fields.cseq)} ${String(e.fields.server)}`), [
    '200 2 VLC/3.0.12', '200 3 VLC/3.0.12', '200 4 VLC/3.0.12', '200 5 VLC/3.0.12', '200 6 VLC/3.0.12',
  ]);
  // The DESCRIBE answer carries a 695-byte SDP body (tshark rtsp.content-length): skipped, framing intact.
  assert.deepEqual(reqs.map((e) => e.fields.cseq), [2, 3, 4, 5, 6, 7]);
});

// Generated (RFC 2326 §15 / RFC 2617 formats): camera login with Basic then Digest, interleaved RTP after PLAY.
test('credentials and interleaved data (generated)', () => {
  const c = ascii('DESCRIBE rtsp://cam/live RTSP/1.0\r\nCSeq: 1\r\nAuthorization: Basic YWRtaW46MTIzNDU=\r\n\r\n' +
    'DESCRIBE rtsp://cam/live RTSP/1.0\r\nCSeq: 2\r\nAuthorization: Digest username="admin", realm="IP Camera", nonce="n", uri="rtsp://cam/live", response="r"\r\n\r\n');
  const s = Buffer.concat([ascii('RTSP/1.0 401 Unauthorized\r\nCSeq: 1\r\nWWW-Authenticate: Digest realm="IP Camera", nonce="n"\r\n\r\n'),
    Uint8Array.of(0x24, 0, 0, 3, 1, 2, 3), ascii('RTSP/1.0 200 OK\r\nCSeq: 2\r\n\r\n')]);
  const out = runAnalyzer(rtsp, [{ dir: 0, bytes: c }, { dir: 1, bytes: s.subarray(0, 50) }, { dir: 1, bytes: s.subarray(50) }], info);
  assert.deepEqual(out.anomalies, []);
  assert.deepEqual(out.events.map((e) => e.fields), [
    { method: 'DESCRIBE', uri: 'rtsp://cam/live', cseq: 1, authorization_scheme: 'Basic', basic_user: 'admin', basic_password: '12345' },
    { method: 'DESCRIBE', uri: 'rtsp://cam/live', cseq: 2, authorization_scheme: 'Digest', digest_username: 'admin', digest_realm: 'IP Camera' },
    { status: 401, reason: 'Unauthorized', cseq: 1, www_authenticate: 'Digest realm="IP Camera", nonce="n"' },
    { status: 200, reason: 'OK', cseq: 2 },
  ]);
});

test('fuzz: parsers and analyzer never throw on mutations of real messages', () => {
  const seeds = [frame(13), frame(21), frame(25), frame(45)];
  fuzz(seeds, (b) => {
    const h = parseHead(b, 0);
    if (h.status === 'ok') {
      parseRtspRequestLine(b, h.value.start, h.value.lineEnd);
      parseRtspStatusLine(b, h.value.start, h.value.lineEnd);
    }
    parseInterleaved(b, 0);
    probeRtsp(b);
    const st = rtsp.newState();
    const ctx = { wants: () => true, emit: () => {}, anomaly: () => {}, info };
    rtsp.data(st, 0, b, ctx);
    rtsp.data(st, 1, b, ctx);
    rtsp.data(st, 1, b, ctx);
  }, 3000);
});
