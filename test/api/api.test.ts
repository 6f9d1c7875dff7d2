// API tests in process (Hono app.request, no sockets) on the bundled real capture samples/dlink-camera-setup.pcap
// (IoT Sentinel D-Link camera setup; provenance in samples/README.md). Expected numbers come from tshark, not from
// Bulwark: frames, bytes, first packet time, and flows (streams and pseudo-flows split at the idle timeouts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fixture, samplePath } from './helpers.ts';
import { syntheticDevice, syntheticFinding } from './synthetic.ts';
import { tsharkFields, tsharkFlowCount } from '../support/tshark.ts';

const frames = tsharkFields(samplePath, '', ['frame.len', 'frame.time_epoch']);
const expected = {
  packets: frames.length,
  bytes: frames.reduce((n, [len]) => n + Number(len), 0),
  firstTs: Number(frames[0][1]),
  flows: tsharkFlowCount(samplePath),
};

// Answers are read loosely: the assertions are the schema.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type J = any;

const sample = readFileSync(samplePath);
const SHA = 'f4f1152b5e459449def748330da0bd826b842d3cf6afa3e05ce47ca856c2b0fd';

function upload(body: Uint8Array, name = 'dlink-camera-setup.pcap', headers: Record<string, string> = {}): RequestInit {
  return { method: 'POST', body, headers: { 'Content-Type': 'application/octet-stream', 'X-Filename': name, ...headers } };
}

test('upload a real capture: 202, ingested once, summary agrees with tshark; the same bytes again add nothing', async () => {
  const f = fixture();
  try {
    const res = await f.app.request('/api/captures', upload(sample));
    assert.equal(res.status, 202);
    const accepted = await res.json() as { capture_id: string; status: string };
    assert.deepEqual(accepted, { capture_id: `c${SHA.slice(0, 16)}`, status: 'queued' });
    await f.queue.idle();
    const cap = await (await f.app.request(`/api/captures/${accepted.capture_id}`)).json() as J;
    assert.equal(cap.status, 'done');
    assert.equal(cap.progress, 1);
    assert.equal(cap.sha256, SHA);
    assert.equal(cap.path, undefined, 'server paths stay private');
    assert.equal(cap.summary.packets, expected.packets);
    assert.equal(cap.summary.bytes, expected.bytes);
    assert.equal(cap.summary.flows, expected.flows);
    assert.equal(cap.summary.first_ts, expected.firstTs);
    assert.deepEqual(readdirSync(join(f.dir, 'uploads')), [`${SHA}.pcap`]);

    const again = await f.app.request('/api/captures', upload(sample, 'copy.pcap'));
    assert.equal(again.status, 200);
    assert.deepEqual(await again.json(), { capture_id: accepted.capture_id, status: 'done', duplicate: true });
    const list = await (await f.app.request('/api/captures')).json() as { items: unknown[]; total: number };
    assert.equal(list.total, 1);

    const ov = await (await f.app.request('/api/overview')).json() as { protocols: { name: string; flows: number }[] };
    const byName = Object.fromEntries(ov.protocols.map((p) => [p.name, p.flows]));
    assert.equal(byName.http, 12);
    assert.equal(byName.dns, 5);
    assert.equal(byName.tls, 3);
    assert.equal(ov.protocols.length, 10, 'top 10 of the 11 protocols seen');

    const ts = await (await f.app.request('/api/timeseries?metric=flows&bucket=60')).json() as { t: number[]; series: { flows: number[] }; bucket: number };
    assert.equal(ts.bucket, 60);
    assert.deepEqual(ts.t, [1460732880, 1460732940, 1460733000]);
    assert.equal(ts.series.flows.reduce((a, b) => a + b, 0), expected.flows);
    const bytes = await (await f.app.request('/api/timeseries?metric=bytes&bucket=10')).json() as { series: { bytes: number[] } };
    assert.equal(bytes.series.bytes.length, 13);

    const health = await (await f.app.request('/api/health')).json() as Record<string, unknown>;
    assert.equal(health.captures, 1);
    assert.equal(health.status, 'ok');
  } finally {
    await f.close();
  }
});

test('upload rejects: no X-Filename 400, not a capture 415, too large 413, empty 400; file names are labels only', async () => {
  const f = fixture({ maxUploadBytes: 100_000 });
  try {
    const noName = await f.app.request('/api/captures', { method: 'POST', body: sample.subarray(0, 1000) });
    assert.equal(noName.status, 400);
    const html = await f.app.request('/api/captures', upload(Buffer.from('<html>not a capture</html>')));
    assert.equal(html.status, 415);
    assert.equal((await html.json() as J).error.code, 'not_a_capture');
    const big = await f.app.request('/api/captures', upload(sample));
    assert.equal(big.status, 413);
    assert.equal((await big.json() as J).error.code, 'payload_too_large');
    const declared = await f.app.request('/api/captures', upload(sample.subarray(0, 10), 'x', { 'Content-Length': '999999999' }));
    assert.equal(declared.status, 413);
    const empty = await f.app.request('/api/captures', upload(new Uint8Array(0)));
    assert.equal(empty.status, 400);
    assert.deepEqual(readdirSync(join(f.dir, 'uploads')), [], 'rejected uploads leave nothing behind');

    // A truncated real capture (first 50,000 bytes) is a capture: kept under its hash, named by its label only.
    const res = await f.app.request('/api/captures', upload(sample.subarray(0, 50_000), encodeURIComponent('../../../etc/passwd')));
    assert.equal(res.status, 202);
    const { capture_id } = await res.json() as { capture_id: string };
    await f.queue.idle();
    const cap = await (await f.app.request(`/api/captures/${capture_id}`)).json() as J;
    assert.equal(cap.filename, 'passwd');
    assert.equal(cap.status, 'done');
    assert.equal(cap.summary.partial, true);
    assert.ok(readdirSync(join(f.dir, 'uploads'))[0].match(/^[0-9a-f]{64}\.pcap$/));
  } finally {
    await f.close();
  }
});

test('token: every API call needs it (header or ?token=), the OpenAPI document too (issue #11)', async () => {
  const token = 'synthetic-test-token-0123456789';
  const f = fixture({ token });
  try {
    const none = await f.app.request('/api/devices');
    assert.equal(none.status, 401);
    assert.equal((await none.json() as J).error.code, 'unauthorized');
    assert.equal((await f.app.request('/api/devices', { headers: { Authorization: 'Bearer wrong-token-wrong-token' } })).status, 401);
    assert.equal((await f.app.request('/api/devices', { headers: { Authorization: `Bearer ${token}` } })).status, 200);
    assert.equal((await f.app.request(`/api/health?token=${token}`)).status, 200);
    assert.equal((await f.app.request('/api/openapi.json')).status, 401);
    const doc = await f.app.request('/api/openapi.json', { headers: { Authorization: `Bearer ${token}` } });
    assert.equal(doc.status, 200);
    assert.equal((await doc.json() as J).openapi, '3.1.0');
    // With a token, other Host names are fine (the server may listen on a LAN address).
    assert.equal((await f.app.request(`http://192.168.1.10:8080/api/health?token=${token}`)).status, 200);
  } finally {
    await f.close();
  }
});

test('without a token: foreign Host names (DNS rebinding) and cross-site writes are refused', async () => {
  const f = fixture();
  try {
    assert.equal((await f.app.request('http://attacker.example/api/health')).status, 403);
    assert.equal((await f.app.request('http://127.0.0.1:8080/api/health')).status, 200);
    assert.equal((await f.app.request('http://[::1]:8080/api/health')).status, 200);
    const cross = await f.app.request('http://localhost/api/captures', upload(sample, 'x.pcap', { Origin: 'https://attacker.example' }));
    assert.equal(cross.status, 403);
    const same = await f.app.request('http://localhost/api/captures', upload(sample.subarray(0, 24), 'x.pcap', { Origin: 'http://localhost' }));
    assert.equal(same.status, 202);
  } finally {
    await f.close();
  }
});

test('devices: list, filter, detail, override with validation; findings: filter and status changes', async () => {
  const f = fixture();
  try {
    // SYNTHETIC rows (test/api/synthetic.ts): the device and finding stages are tested on real traffic in their own folders.
    const { capture } = await f.store.addCapture({ sha256: 'e'.repeat(64), filename: 'synthetic', size: 0, path: '/nonexistent' });
    await f.store.ingest(capture.id, {
      summary: { files: [], partial: false, packets: 0, bytes: 0, captured_bytes: 0, first_ts: null, last_ts: null, span_s: 0, flows: { total: 0, max_live: 0, evicted: 0, ended: {}, bytes_per_flow: 0 }, transports: {}, apps: {}, events: {}, anomalies: {}, reassembly: {}, defrag: {}, analyzer_violations: {}, wall_s: 0, packets_per_s: 0 },
      devices: Array.from({ length: 20 }, (_, i) => syntheticDevice(i)),
      findings: Array.from({ length: 50 }, (_, i) => syntheticFinding(i, 20)),
      flowBuckets: [], protocols: [],
    });
    const list = await (await f.app.request('/api/devices?type=camera&limit=1')).json() as J;
    assert.equal(list.total, 2);
    assert.equal(list.items.length, 1);
    assert.equal(list.limit, 1);
    assert.equal((await f.app.request('/api/devices?type=toaster')).status, 400);
    assert.equal((await f.app.request('/api/devices?limit=0')).status, 400);
    assert.equal((await f.app.request('/api/devices?sort=password')).status, 400);
    const id = encodeURIComponent(syntheticDevice(4).id);
    const detail = await (await f.app.request(`/api/devices/${id}`)).json() as J;
    assert.equal(detail.name, 'synthetic-sensor-4');
    assert.equal(detail.evidence.length, 1);
    assert.equal((await f.app.request('/api/devices/mac%3Anope')).status, 404);

    const patch = (body: string, type = 'application/json'): RequestInit => ({ method: 'PATCH', body, headers: { 'Content-Type': type } });
    assert.equal((await f.app.request(`/api/devices/${id}`, patch('{"name":"x"}', 'text/plain'))).status, 415);
    const badJson = await f.app.request(`/api/devices/${id}`, patch('{"name":'));
    assert.equal(badJson.status, 400);
    assert.equal((await badJson.json() as J).error.code, 'invalid_body');
    const unknown = await f.app.request(`/api/devices/${id}`, patch('{"owner":"me"}'));
    assert.match((await unknown.json() as J).error.message, /Unknown field 'owner'/);
    const badType = await f.app.request(`/api/devices/${id}`, patch('{"type":"toaster"}'));
    assert.match((await badType.json() as J).error.message, /'type' must be one of/);
    assert.equal((await f.app.request(`/api/devices/${id}`, patch(JSON.stringify({ name: 'x'.repeat(5000) })))).status, 400);
    assert.equal((await f.app.request(`/api/devices/${id}`, patch(JSON.stringify({ name: 'y'.repeat(20_000) })))).status, 413);
    const ok = await f.app.request(`/api/devices/${id}`, patch('{"name":"Kitchen sensor","vendor":"Made-up Inc"}'));
    assert.equal(ok.status, 200);
    const after = await ok.json() as J;
    assert.equal(after.name, 'Kitchen sensor');
    assert.deepEqual(after.user, { name: 'Kitchen sensor', vendor: 'Made-up Inc' });
    const found = await (await f.app.request('/api/devices?q=kitchen')).json() as J;
    assert.deepEqual(found.items.map((d: J) => d.id), [syntheticDevice(4).id]);

    const findings = await (await f.app.request(`/api/devices/${id}/findings`)).json() as J;
    assert.equal(findings.total, 3, 'findings 4, 24, 44 name device 4');
    const fid = encodeURIComponent(findings.items[0].id);
    assert.equal((await f.app.request(`/api/findings/${fid}`, patch('{"status":"fixed"}'))).status, 400);
    const ack = await (await f.app.request(`/api/findings/${fid}`, patch('{"status":"acknowledged","note":"known; vendor notified"}'))).json() as J;
    assert.equal(ack.status, 'acknowledged');
    assert.equal(ack.note, 'known; vendor notified');
    assert.ok(Array.isArray(ack.evidence));
    const acked = await (await f.app.request('/api/findings?status=acknowledged')).json() as J;
    assert.equal(acked.total, 1);
    assert.equal((await f.app.request('/api/findings?severity=urgent')).status, 400);
    assert.equal((await f.app.request('/api/findings?since=yesterday')).status, 400);
    const sev = await (await f.app.request('/api/findings?severity=critical,high&limit=500')).json() as J;
    assert.equal(sev.total, 20);
    assert.equal((await (await f.app.request(`/api/devices/${id}`)).json() as J).findings_open, 2);

    const noAssessment = await f.app.request(`/api/devices/${id}/assessment`);
    assert.equal(noAssessment.status, 404);
    assert.equal((await noAssessment.json() as J).error.code, 'not_assessed');
    await f.store.saveAssessments([{ device_id: syntheticDevice(4).id, grade: 'C' }], [{ device_id: syntheticDevice(4).id, svg: '<svg xmlns="http://www.w3.org/2000/svg"/>' }]);
    const svg = await f.app.request(`/api/devices/${id}/label.svg`);
    assert.equal(svg.headers.get('content-type'), 'image/svg+xml');
    assert.match(svg.headers.get('content-security-policy')!, /sandbox/);
    assert.equal((await f.app.request(`/api/devices/${id}/label.pdf`)).status, 404);
    assert.equal((await (await f.app.request('/api/devices?grade=C')).json() as J).total, 1);
  } finally {
    await f.close();
  }
});

test('server-sent events: progress, done while a real capture is ingested', async () => {
  const f = fixture();
  try {
    const res = await f.app.request('/api/events');
    assert.equal(res.headers.get('content-type'), 'text/event-stream');
    const reader = res.body!.getReader();
    await f.app.request('/api/captures', upload(sample));
    let text = '';
    const decoder = new TextDecoder();
    while (!text.includes('event: capture.done')) {
      const { value, done } = await reader.read();
      if (done) break;
      text += decoder.decode(value);
    }
    await reader.cancel();
    assert.match(text, /event: capture.queued\ndata: \{"capture_id":"cf4f1152b5e459449","filename":"dlink-camera-setup.pcap"\}/);
    assert.match(text, /event: capture.progress\n/);
    const done = JSON.parse(text.split('event: capture.done\ndata: ')[1].split('\n')[0]);
    assert.equal(done.status, 'done');
    assert.equal(done.summary.packets, expected.packets);
  } finally {
    await f.close();
  }
});

test('pages: CSP on every answer, a build hint without web/dist, no traversal; unknown API routes are JSON 404s', async () => {
  const f = fixture();
  try {
    const page = await f.app.request('/');
    assert.equal(page.status, 200);
    assert.match(await page.text(), /npm run build:web/);
    assert.match(page.headers.get('content-security-policy')!, /default-src 'self'/);
    assert.equal(page.headers.get('x-content-type-options'), 'nosniff');
    const api404 = await f.app.request('/api/nothing');
    assert.equal(api404.status, 404);
    assert.equal((await api404.json() as J).error.code, 'not_found');
  } finally {
    await f.close();
  }
});
