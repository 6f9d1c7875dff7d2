// Prometheus metrics, health and readiness on the bundled real capture samples/dlink-camera-setup.pcap.
// The packet and byte totals are tshark's (frame count and sum of frame.len), the format is checked by
// Prometheus's own `promtool check metrics` (Debian package prometheus).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fixture, samplePath } from './helpers.ts';
import { tsharkFields } from '../support/tshark.ts';

function sampleValue(text: string, name: string, labels = ''): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${name}${labels} `));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

test('/metrics: promtool accepts the exposition; packets and bytes equal tshark\'s; store gauges read at scrape', async () => {
  const f = fixture();
  try {
    await f.queue.submitFile(samplePath);
    await f.queue.idle();
    const res = await f.app.request('/metrics');
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
    const text = await res.text();
    const frames = tsharkFields(samplePath, '', ['frame.len']).map((r) => Number(r[0]));
    assert.equal(sampleValue(text, 'bulwark_packets_total'), frames.length);
    assert.equal(sampleValue(text, 'bulwark_bytes_total'), frames.reduce((a, b) => a + b, 0));
    assert.equal(sampleValue(text, 'bulwark_ingests_total', '{status="done"}'), 1);
    const counts = await f.store.counts();
    assert.equal(sampleValue(text, 'bulwark_devices'), counts.devices);
    const overview = await f.store.overview();
    for (const [severity, n] of Object.entries(overview.findings_by_severity)) {
      assert.equal(sampleValue(text, 'bulwark_findings', `{severity="${severity}"}`), n);
    }
    assert.ok(sampleValue(text, 'bulwark_process_resident_memory_bytes')! > 0);
    const check = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
    assert.equal(check.error, undefined, 'promtool must be installed (Debian package prometheus)');
    assert.equal(check.status, 0, `promtool: ${check.stdout}${check.stderr}`);
  } finally {
    await f.close();
  }
});

test('/healthz and /readyz answer; machine paths never return the dashboard', async () => {
  const f = fixture();
  try {
    assert.deepEqual(await (await f.app.request('/healthz')).json(), { status: 'ok' });
    const ready = await f.app.request('/readyz');
    assert.equal(ready.status, 200);
    assert.equal(((await ready.json()) as { status: string }).status, 'ready');
    for (const path of ['/api/nope', '/metrics/x', '/healthz/deep']) {
      const res = await f.app.request(path);
      assert.equal(res.status, 404, path);
      assert.match(res.headers.get('content-type') ?? '', /application\/json/, path);
    }
    // TAXII answers nothing without a credential, not even whether a path exists; never the dashboard either.
    const taxii = await f.app.request('/taxii2/nothing/here');
    assert.ok(taxii.status === 401 || taxii.status === 404, String(taxii.status));
    assert.doesNotMatch(await taxii.text(), /<html/i);
  } finally {
    await f.close();
  }
  const broken = fixture();
  try {
    broken.store.counts = () => Promise.reject(new Error('disk gone'));
    const down = await broken.app.request('/readyz');
    assert.equal(down.status, 503, 'a failing store is not ready');
    assert.match(JSON.stringify(await down.json()), /disk gone/);
  } finally {
    await broken.close();
  }
});

test('/metrics needs the token when the server has one', async () => {
  const token = 'a-long-enough-token-123';
  const f = fixture({ token });
  try {
    assert.equal((await f.app.request('/metrics')).status, 401);
    const ok = await f.app.request('/metrics', { headers: { Authorization: `Bearer ${token}` } });
    assert.equal(ok.status, 200);
  } finally {
    await f.close();
  }
});
