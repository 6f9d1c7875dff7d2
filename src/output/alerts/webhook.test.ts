// Webhook output against a real HTTP server on loopback: signature verified the way a receiver would
// (HMAC-SHA256 over "<t>.<body>"), retries with backoff after 503s, no retry after a 400, and the
// ntfy/Gotify/Slack bodies carry the fields those services document as required.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Finding } from '../../detect/types.ts';
import { AlertDispatcher } from './dispatcher.ts';
import { WebhookOutput, webhookBody } from './webhook.ts';

// A finding as the credentials detector writes it (shape from src/detect/types.ts).
const finding: Finding = {
  id: 'credentials.cleartext:0123abcd', detector: 'credentials.cleartext', category: 'credentials', severity: 'high', confidence: 0.9,
  title: 'Telnet login in clear text', explanation: 'A password crossed the network unencrypted.',
  devices: [{ role: 'insecure', ip: '192.168.1.20' }, { role: 'peer', ip: '192.168.1.5' }], first_ts: 1700000000, last_ts: 1700000100, count: 1,
  community_ids: [], community_ids_dropped: 0, evidence: [], evidence_dropped: 0, references: {},
};

interface Received { headers: IncomingMessage['headers']; body: string }

async function receiver(statuses: number[]): Promise<{ url: string; got: Received[]; close(): Promise<void> }> {
  const got: Received[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      got.push({ headers: req.headers, body });
      res.statusCode = statuses[got.length - 1] ?? 200;
      res.end();
    });
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/hook`, got, close: () => new Promise((ok) => server.close(() => ok())) };
}

function verify(secret: string, header: string, body: string): boolean {
  const m = /^t=(\d+),sha256=([0-9a-f]{64})$/.exec(header);
  if (!m) return false;
  const expected = createHmac('sha256', secret).update(`${m[1]}.${body}`).digest();
  return timingSafeEqual(expected, Buffer.from(m[2], 'hex'));
}

test('signed JSON POST; 503 twice then 200: delivered once after two retries, counted', async () => {
  const r = await receiver([503, 503, 200]);
  try {
    const d = new AlertDispatcher().add(new WebhookOutput({ url: r.url, secret: 'k3y' }), { backoffMs: 20 });
    d.publish({ kind: 'raised', finding, sensor: 'home' });
    await d.close();
    assert.equal(r.got.length, 3);
    const last = r.got[2];
    assert.ok(verify('k3y', String(last.headers['x-bulwark-signature']), last.body), 'the receiver can verify the signature');
    assert.ok(!verify('other', String(last.headers['x-bulwark-signature']), last.body));
    const body = JSON.parse(last.body) as { type: string; finding: Finding; timestamp: string };
    assert.equal(body.type, 'finding.raised');
    assert.equal(body.finding.id, finding.id);
    assert.equal(body.timestamp, '2023-11-14T22:13:20.000Z');
    const c = d.counters().webhook;
    assert.equal(c.sent, 1);
    assert.equal(c.failed_attempts, 2);
  } finally {
    await r.close();
  }
});

test('a 400 is not retried; below-minimum severity and suppressed findings are counted, not sent', async () => {
  const r = await receiver([400]);
  try {
    const d = new AlertDispatcher().add(new WebhookOutput({ url: r.url }), { backoffMs: 20, minSeverity: 'high', suppress: [{ detector: 'scan.horizontal' }] });
    d.publish({ kind: 'raised', finding, sensor: 'home' });
    d.publish({ kind: 'raised', finding: { ...finding, severity: 'low' }, sensor: 'home' });
    d.publish({ kind: 'raised', finding: { ...finding, detector: 'scan.horizontal' }, sensor: 'home' });
    await d.close();
    assert.equal(r.got.length, 1);
    const c = d.counters().webhook;
    assert.equal(c.dropped_retries_exhausted, 1);
    assert.equal(c.below_min_severity, 1);
    assert.equal(c.suppressed, 1);
  } finally {
    await r.close();
  }
});

test('rate limit: at most N per minute, the rest counted', async () => {
  const r = await receiver([]);
  try {
    const now = 1_000_000;
    const d = new AlertDispatcher({ now: () => now }).add(new WebhookOutput({ url: r.url }), { perMinute: 3 });
    for (let i = 0; i < 10; i++) d.publish({ kind: 'raised', finding: { ...finding, id: `f${i}` }, sensor: 'home' });
    await d.close();
    assert.equal(r.got.length, 3);
    assert.equal(d.counters().webhook.dropped_rate_limited, 7);
  } finally {
    await r.close();
  }
});

test('an unreachable receiver never blocks publish; retries end at close and are counted', async () => {
  const d = new AlertDispatcher().add(new WebhookOutput({ url: 'http://127.0.0.1:9/' }), { backoffMs: 10, maxAttempts: 3 });
  const t0 = performance.now();
  d.publish({ kind: 'raised', finding, sensor: 'home' });
  assert.ok(performance.now() - t0 < 50, 'publish returns at once');
  await d.close(2000);
  assert.equal(d.counters().webhook.dropped_retries_exhausted, 1);
});

test('service bodies: ntfy (topic, title, message, priority 1-5), Gotify (message, priority), Slack (text)', () => {
  const a = { kind: 'raised' as const, finding, sensor: 'home', deviceNames: { '192.168.1.20': 'kitchen-camera' } };
  const ntfy = webhookBody(a, 'ntfy', 'alerts');
  assert.equal(ntfy.topic, 'alerts');
  assert.equal(ntfy.priority, 4);
  assert.equal(ntfy.message, 'kitchen-camera (192.168.1.20): A password crossed the network unencrypted.');
  const gotify = webhookBody(a, 'gotify');
  assert.equal(typeof gotify.message, 'string');
  assert.equal(gotify.priority, 8);
  const slack = webhookBody(a, 'slack');
  assert.equal(slack.text, '[high] kitchen-camera (192.168.1.20): Telnet login in clear text');
});
