import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { http, createHttp, defaultHttpOptions } from './analyzer.ts';
import { parseHead, findHeader, headerNumber } from './head.ts';
import { parseChunkSize, parseRequestLine, parseStatusLine, parseTrailer, probeHttp } from './parser.ts';
import { decodeBasic, parseAuthorization } from './auth.ts';
import { parseUrlEncoded } from './params.ts';
import { payloadsFromPcap, runAnalyzer } from '../../../test/support/app-harness.ts';
import type { Delivery } from '../../../test/support/app-harness.ts';
import { fuzz } from '../../../test/support/mutate.ts';

const T = new URL('../../../test/traces/app-web/', import.meta.url).pathname;
const info = (respPort: number) => ({ transport: 'tcp' as const, origPort: 40000, respPort });

/** TCP payload of one frame of a trace (tshark). */
function frame(file: string, n: number): Uint8Array {
  const hex = execFileSync('tshark', ['-r', T + file, '-Y', `frame.number==${n}`, '-T', 'fields', '-e', 'tcp.payload'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  return Buffer.from(hex.trim().replace(/:/g, ''), 'hex');
}

const ascii = (s: string): Uint8Array => Buffer.from(s, 'latin1');

// http-get-auth.pcap frame 22: GET /login?login=admin&password=qwerty1234 (CredSLayer sample, port 1337).
test('parseHead + request line on a real GET (http-get-auth.pcap frame 22)', () => {
  const bytes = frame('http-get-auth.pcap', 22);
  const r = parseHead(bytes, 0);
  assert.equal(r.status, 'ok');
  if (r.status !== 'ok') return;
  assert.equal(r.length, bytes.length);
  assert.equal(r.value.fields.length / 4, 8);
  const line = parseRequestLine(bytes, r.value.start, r.value.lineEnd);
  assert.deepEqual(line.status === 'ok' && line.value, { method: 'GET', uri: '/login?login=admin&password=qwerty1234', version: 'HTTP/1.1' });
  assert.equal(findHeader(bytes, r.value, 'user-agent'), 1);
  assert.equal(headerNumber(bytes, r.value, 'content-length'), -1);
  // Every strict prefix is incomplete, never invalid.
  for (let n = 0; n < bytes.length; n += 7) assert.equal(parseHead(bytes.subarray(0, n), 0).status, 'incomplete');
});

test('status line and Content-Length of a real response (http-get-auth.pcap frames 24+26)', () => {
  const bytes = Buffer.concat([frame('http-get-auth.pcap', 24), frame('http-get-auth.pcap', 26)]);
  const r = parseHead(bytes, 0);
  assert.equal(r.status, 'ok');
  if (r.status !== 'ok') return;
  const line = parseStatusLine(bytes, r.value.start, r.value.lineEnd);
  assert.deepEqual(line.status === 'ok' && line.value, { version: 'HTTP/1.0', status: 200, reason: 'OK' });
  assert.equal(headerNumber(bytes, r.value, 'content-length'), 30);
});

test('start-line and chunk parsers reject malformed input', () => {
  const bad = ascii('GET /x HTTP/x.1');
  assert.equal(parseRequestLine(bad, 0, bad.length).status, 'invalid');
  const rtsp = ascii('OPTIONS rtsp://10.2.2.2:8554/ RTSP/1.0');
  assert.equal(parseRequestLine(rtsp, 0, rtsp.length).status, 'invalid');
  assert.equal(parseRequestLine(rtsp, 0, rtsp.length, 'RTSP').status, 'ok');
  const st = ascii('HTTP/1.1 2x0 OK');
  assert.equal(parseStatusLine(st, 0, st.length).status, 'invalid');
  assert.deepEqual(parseChunkSize(ascii('1a2b;ext=1\r\n'), 0), { status: 'ok', value: 0x1a2b, length: 12 });
  assert.equal(parseChunkSize(ascii('zz\r\n'), 0).status, 'invalid');
  assert.equal(parseChunkSize(ascii('ff'), 0).status, 'incomplete');
  assert.equal(parseChunkSize(ascii('1234567890abc\r\n'), 0).status, 'invalid');
  assert.deepEqual(parseTrailer(ascii('\r\n'), 0), { status: 'ok', value: null, length: 2 });
  assert.deepEqual(parseTrailer(ascii('X-T: 1\r\n\r\n'), 0), { status: 'ok', value: null, length: 10 });
});

test('head caps: header_too_long and too many headers', () => {
  const long = ascii('GET / HTTP/1.1\r\nX: ' + 'a'.repeat(20000));
  assert.deepEqual(parseHead(long, 0), { status: 'invalid', anomaly: 'app.http.header_too_long' });
  const many = ascii('GET / HTTP/1.1\r\n' + 'X: 1\r\n'.repeat(70) + '\r\n');
  const r = parseHead(many, 0);
  assert.equal(r.status === 'ok' && r.value.dropped, 6);
  const out = runAnalyzer(http, [{ dir: 0, bytes: many }, { dir: 0, bytes: long }], info(80));
  assert.deepEqual(out.anomalies, ['app.http.too_many_headers', 'app.http.header_too_long']);
});

test('Basic credentials and query pairs', () => {
  // Tokens from http-basic-auth.pcap (tshark http.authorization).
  assert.deepEqual(decodeBasic('dGVzdDpmYWlsMw=='), { user: 'test', password: 'fail3' });
  assert.deepEqual(parseAuthorization('Basic dGVzdDp0ZXN0'), { scheme: 'Basic', basic_user: 'test', basic_password: 'test' });
  assert.equal(decodeBasic('!!!'), undefined);
  assert.equal(decodeBasic('dGVzdA=='), undefined); // "test": no colon
  const d = parseAuthorization('Digest username="admin", realm="IP Camera(21686)", nonce="abc", uri="/"');
  assert.equal(d.digest_username, 'admin');
  assert.equal(d.digest_realm, 'IP Camera(21686)');
  assert.deepEqual(parseUrlEncoded('a=1&b=x+y%21&&c').params, [{ name: 'a', value: '1' }, { name: 'b', value: 'x y!' }, { name: 'c', value: '' }]);
  assert.equal(parseUrlEncoded('a=%zz').params[0].value, '%zz');
  assert.equal(parseUrlEncoded('x=1&'.repeat(40)).truncated, true);
});

test('probe: by content, on any port', () => {
  assert.equal(probeHttp(frame('http-get-auth.pcap', 22)), 'yes');
  assert.equal(probeHttp(ascii('HTTP/1.0 200 OK\r\n')), 'yes');
  assert.equal(probeHttp(ascii('GET /very/long')), 'maybe');
  assert.equal(probeHttp(ascii('OPTIONS rtsp://x/ RTSP/1.0\r\n')), 'no');
  assert.equal(probeHttp(ascii('SSH-2.0-OpenSSH\r\n')), 'no');
  assert.equal(http.probe(frame('http-get-auth.pcap', 22), 0, info(1337)), 'yes');
});

// CredSLayer expected.json: test/test is valid; test/fail, test/fail2, test/fail3 must not be reported. The
// analyzer gives the facts: each request's Basic pair, and the status of the response matched to it.
test('http-basic-auth (cut): credentials and the status that answered each', () => {
  const pairs: string[] = [];
  for (const stream of [0, 1]) {
    const out = runAnalyzer(http, payloadsFromPcap(T + 'http-basic-auth-cut.pcap', `tcp.stream==${stream}`, 80), info(80));
    assert.deepEqual(out.anomalies, []);
    const reqs = out.events.filter((e) => e.type === 'http.request');
    const resps = out.events.filter((e) => e.type === 'http.response');
    assert.equal(reqs.length, resps.length);
    for (let i = 0; i < reqs.length; i++) {
      const q = reqs[i].fields;
      pairs.push(`${String(q.basic_user)}:${String(q.basic_password)}:${String(resps[i].fields.status)}:${String(q.uri)}`);
      assert.equal(resps[i].fields.request_uri, q.uri);
    }
  }
  // tshark on the cut: requests frames 6, 41, 69, 96; responses 401, 401, 200, 304.
  assert.deepEqual(pairs, [
    'test:fail:401:/password-ok.php',
    'test:fail3:401:/password-ok.php',
    'test:test:200:/password-ok.php',
    'test:test:304:/theme/reset.css',
  ]);
  const out = runAnalyzer(http, payloadsFromPcap(T + 'http-basic-auth-cut.pcap', 'tcp.stream==1', 80), info(80));
  const first = out.events[0];
  assert.equal(first.frame, 41);
  assert.equal(first.fields.host, 'browserspy.dk');
  assert.equal(first.fields.user_agent, 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_8_5) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/30.0.1599.69 Safari/537.36');
  assert.equal(first.fields.authorization_scheme, 'Basic');
  assert.deepEqual(first.fields.cookie_names, ['__utma', '__utmb', '__utmc', '__utmz', '__unam']);
  const resp401 = out.events[1].fields;
  assert.equal(resp401.www_authenticate, 'Basic realm="BrowserSpy.dk - HTTP Password Test"');
  assert.equal(resp401.server, 'Apache');
  assert.equal(resp401.reason, 'Authorization Required');
});

// nDPI http_auth.pcap.out: URL browserspy.dk/password-ok.php, StatusCode 401, Server Apache, Content-Type text/html.
test('http_auth.pcap agrees with nDPI .out and tshark', () => {
  const out = runAnalyzer(http, payloadsFromPcap(T + 'http_auth.pcap', 'tcp', 80), info(80));
  assert.deepEqual(out.events.map((e) => e.type), ['http.request', 'http.response']);
  const [req, resp] = out.events.map((e) => e.fields);
  assert.equal(`${String(req.host)}${String(req.uri)}`, 'browserspy.dk/password-ok.php');
  assert.equal(req.basic_user, 'test');
  assert.equal(req.basic_password, 'fail2');
  assert.equal(resp.status, 401);
  assert.equal(resp.server, 'Apache');
  assert.equal(resp.content_type, 'text/html');
});

// CredSLayer expected.json: admin/qwerty1234 in the GET query string, server 192.168.56.101:1337.
test('http-get-auth.pcap: query_params carry the login, on port 1337', () => {
  const out = runAnalyzer(http, payloadsFromPcap(T + 'http-get-auth.pcap', 'tcp.stream==1', 1337), info(1337));
  const req = out.events[0];
  assert.equal(req.frame, 22);
  assert.deepEqual(req.fields.query_params, [{ name: 'login', value: 'admin' }, { name: 'password', value: 'qwerty1234' }]);
  assert.equal(req.fields.host, '192.168.56.101:1337');
  assert.equal(req.fields.user_agent, 'Mozilla/5.0 (X11; Linux x86_64; rv:65.0) Gecko/20100101 Firefox/65.0');
  const resp = out.events[1].fields;
  assert.equal(resp.status, 200);
  assert.equal(resp.version, 'HTTP/1.0');
  assert.equal(resp.server, 'Werkzeug/0.14.1 Python/3.6.7');
  assert.equal(resp.content_length, 30);
  assert.equal(resp.request_uri, '/login?login=admin&password=qwerty1234');
});

// aria-setup-a2.pcap: POST /scale/upload, head split over frames 32-33, Content-Length 48, body (binary,
// though labelled x-www-form-urlencoded) in frame 36; response 200 in frame 38.
test('form body collected across segments (aria-setup-a2.pcap)', () => {
  const out = runAnalyzer(http, payloadsFromPcap(T + 'aria-setup-a2.pcap', 'tcp.stream==1', 80), info(80));
  assert.deepEqual(out.events.map((e) => [e.type, e.frame]), [['http.request', 36], ['http.response', 38]]);
  const req = out.events[0].fields;
  assert.equal(req.method, 'POST');
  assert.equal(req.uri, '/scale/upload');
  assert.equal(req.host, 'www.fitbit.com');
  assert.equal(req.content_length, 48);
  const form = req.form_params as { name: string; value: string }[];
  assert.equal(form.length, 1); // no '&' nor '=' byte in the 48 body bytes
  assert.equal(form[0].value, '');
  assert.equal(out.events[1].fields.content_type, 'application/octet-stream;charset=UTF-8');
});

test('pipelining, chunked bodies, HEAD and 100-continue (generated from the formats in RFC 9112)', () => {
  const reqs = ascii('GET /a HTTP/1.1\r\nHost: h\r\n\r\nHEAD /b HTTP/1.1\r\nHost: h\r\n\r\n' +
    'POST /login HTTP/1.1\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 27\r\n\r\nuser=admin&pass=p%40ss+word' +
    'GET /d HTTP/1.1\r\n\r\n');
  const resps = ascii('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\nX-Trailer: y\r\n\r\n' +
    'HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n' + 'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 302 Found\r\nLocation: /home\r\nContent-Length: 3\r\n\r\nabc' +
    'HTTP/1.1 404 Not Found\r\n\r\n');
  // Deliver in small slices, alternating, to exercise buffering.
  const deliveries: Delivery[] = [];
  for (let i = 0; i < Math.max(reqs.length, resps.length); i += 5) {
    if (i < reqs.length) deliveries.push({ dir: 0, bytes: reqs.subarray(i, i + 5) });
  }
  for (let i = 0; i < resps.length; i += 3) deliveries.push({ dir: 1, bytes: resps.subarray(i, i + 3) });
  const out = runAnalyzer(http, deliveries, info(80));
  assert.deepEqual(out.anomalies, []);
  const r = out.events.filter((e) => e.type === 'http.response').map((e) => `${String(e.fields.status)} ${String(e.fields.request_method)} ${String(e.fields.request_uri)}`);
  assert.deepEqual(r, ['200 GET /a', '200 HEAD /b', '100 POST /login', '302 POST /login', '404 GET /d']);
  const post = out.events.find((e) => e.fields.method === 'POST');
  assert.deepEqual(post?.fields.form_params, [{ name: 'user', value: 'admin' }, { name: 'pass', value: 'p@ss word' }]);
  assert.equal(out.events.filter((e) => e.type === 'http.request').length, 4);
});

test('a big delivery (body larger than the head cap) is skipped without buffering', () => {
  const small = createHttp({ ...defaultHttpOptions, maxHeadBytes: 256 });
  const body = new Uint8Array(100000).fill(0x41);
  const resp = Buffer.concat([ascii('HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n'), body, ascii('HTTP/1.1 204 No Content\r\n\r\n')]);
  const out = runAnalyzer(small, [{ dir: 0, bytes: ascii('GET / HTTP/1.1\r\n\r\nGET /2 HTTP/1.1\r\n\r\n') }, { dir: 1, bytes: resp }], info(80));
  assert.deepEqual(out.events.filter((e) => e.type === 'http.response').map((e) => e.fields.status), [200, 204]);
});

test('fuzz: parsers and analyzer never throw on mutations of real messages', () => {
  const seeds = [frame('http-get-auth.pcap', 22), frame('http-get-auth.pcap', 26), frame('http_auth.pcap', 4), ascii('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n')];
  fuzz(seeds, (b) => {
    const h = parseHead(b, 0);
    if (h.status === 'ok') {
      parseRequestLine(b, h.value.start, h.value.lineEnd);
      parseStatusLine(b, h.value.start, h.value.lineEnd);
    }
    parseChunkSize(b, 0);
    parseTrailer(b, 0);
    probeHttp(b);
    const st = http.newState();
    const ctx = { wants: () => true, emit: () => {}, anomaly: () => {}, info: info(80) };
    http.data(st, 0, b, ctx);
    http.data(st, 1, b, ctx);
    http.gap?.(st, 1, 10, ctx);
    http.data(st, 1, b, ctx);
    http.end?.(st, ctx);
  }, 3000);
});

// Token header names are remembered per spelling (tokenHeaderKey): each spelling must give its own verdict,
// the second request the same as the first.
test('token headers: secret-bearing names in any case, lower-cased and cut to 64; Authorization and Cookie left to their fields', () => {
  const long = `X-${'a'.repeat(70)}-Token`;
  const request = [
    'GET / HTTP/1.1', 'Host: cam', 'X-Auth-Token: t1', 'x-api-key: k1', 'COOKIE: a=1', 'Authorization: Basic YTpi', 'Proxy-Authorization: x',
    'Session-Id: s1', 'X-Forwarded-For: 1.2.3.4', `${long}: v`, 'X-Custom-Auth: c1', 'Accept: */*', '', '',
  ].join('\r\n');
  const out = runAnalyzer(http, [{ dir: 0, bytes: ascii(request + request) }], info(80));
  const tokens = out.events.filter((e) => e.type === 'http.request').map((e) => e.fields.token_headers);
  const expected = [
    { name: 'x-auth-token', value: 't1' }, { name: 'x-api-key', value: 'k1' }, { name: 'session-id', value: 's1' },
    { name: long.toLowerCase().slice(0, 64), value: 'v' }, { name: 'x-custom-auth', value: 'c1' },
  ];
  assert.deepEqual(tokens, [expected, expected]);
});
