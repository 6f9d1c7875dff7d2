// Secrets: one list (src/events/secrets.ts) drives redaction of every secret-bearing field, a test per field on
// real or generated traffic; finding keys hold an HMAC under a per-installation key, never a plain hash; secrets
// no detector reported before (tokens in Authorization and other headers) are reported as cleartext credentials.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pipeline, type EventRecord } from '../src/pipeline/analyze.ts';
import { secretFields } from '../src/events/secrets.ts';
import { eventSpecs } from '../src/events/catalogue.ts';
import { redact } from '../src/output/redact.ts';
import { DetectionEngine } from '../src/detect/engine.ts';
import cleartext from '../src/detect/detectors/credentials.cleartext.ts';
import { reportsOf } from './support/detector-harness.ts';
import { buildPcap as buildHttpSecrets } from './traces/app-web/http-secrets.generate.ts';
import { buildPcap as buildMqttWill, login as mqttLogin } from './traces/app-login/mqtt-will.generate.ts';

const trace = (p: string): string => new URL(`./traces/${p}`, import.meta.url).pathname;

async function eventsOf(path: string, type: string): Promise<EventRecord[]> {
  const out: EventRecord[] = [];
  const p = new Pipeline();
  p.on(type, (ev) => out.push(ev));
  await p.run([path]);
  return out;
}

/** Every string inside a value (object values, array items). */
function strings(v: unknown, out: string[] = []): string[] {
  if (typeof v === 'string') out.push(v);
  else if (Array.isArray(v)) for (const x of v) strings(x, out);
  else if (v !== null && typeof v === 'object') for (const x of Object.values(v)) strings(x, out);
  return out;
}

interface Case { trace: string; type: string; secret: string; pick?: (ev: EventRecord) => boolean }
// (the RTSP URL also carries ?token=rt5pT0k3n; redacted by the same url rule)
// One case per (field, event type) of the list; the secrets come from tshark's view of each trace or from the
// generator's source text.
const cases: Record<string, Case> = {
  'password telnet.login': { trace: 'pipeline/telnet-hidden.pcap', type: 'telnet.login', secret: 'shellcode33' }, // CredSLayer: the refused typo
  'password ftp.login': { trace: 'pipeline/ftp.pcap', type: 'ftp.login', secret: 'ftp@example.com' }, // tshark ftp.request.arg of PASS
  'password mqtt.connect': { trace: 'app-login/mqtt-will.generated.pcap', type: 'mqtt.connect', secret: mqttLogin.password }, // tshark mqtt.passwd
  'basic_password http.request': { trace: 'pipeline/http-basic-auth.pcap', type: 'http.request', secret: 'fail2', pick: (ev) => ev.basic_password === 'fail2' },
  'basic_password rtsp.request': { trace: 'app-web/http-secrets.generated.pcap', type: 'rtsp.request', secret: 'Rt5pP4ss' },
  'authorization_credentials http.request': { trace: 'app-web/http-secrets.generated.pcap', type: 'http.request', secret: '6f1ed002ab5595859014ebf0951522d9' },
  'token_headers http.request': { trace: 'app-web/http-secrets.generated.pcap', type: 'http.request', secret: 'k-77aa99cc11dd' },
  'community snmp.message': { trace: 'pipeline/snmp-v1.pcap', type: 'snmp.message', secret: 'public' }, // tshark snmp.community
  'query_params http.request': { trace: 'pipeline/http-get-auth.pcap', type: 'http.request', secret: 'qwerty1234' }, // admin/qwerty1234 in the query
  'form_params http.request': { trace: 'app-web/http-secrets.generated.pcap', type: 'http.request', secret: 'Sup3rS3cret!' },
  'uri http.request': { trace: 'app-web/http-secrets.generated.pcap', type: 'http.request', secret: 'c0ffee1122' },
  'uri rtsp.request': { trace: 'app-web/http-secrets.generated.pcap', type: 'rtsp.request', secret: 'Rt5pUrlPw' },
  'referer http.request': { trace: 'app-web/http-secrets.generated.pcap', type: 'http.request', secret: 'r3f3rr3dT0k' },
  'request_uri http.response': { trace: 'pipeline/http-get-auth.pcap', type: 'http.response', secret: 'qwerty1234' },
  'location http.response': { trace: 'app-web/http-secrets.generated.pcap', type: 'http.response', secret: 'l0cat10nS1d' },
  'params irc.message': { trace: 'app-login/irc-bot-session.generated.pcap', type: 'irc.message', secret: 'b0tp4ss' }, // PASS b0tp4ss
  'trailing irc.message': { trace: 'app-login/irc-person.generated.pcap', type: 'irc.message', secret: 'hunter2xyz' }, // IDENTIFY hunter2xyz
  // Recorded from real stacks; the secrets are in the capture scripts beside the traces.
  'password bacnet.device_communication_control': { trace: 'bacnet/bacnet-js-control.pcap', type: 'bacnet.device_communication_control', secret: 'bms-2024', pick: (ev) => ev.password === 'bms-2024' },
  'password bacnet.reinitialize_device': { trace: 'bacnet/bacnet-js-control.pcap', type: 'bacnet.reinitialize_device', secret: 'bms-2024', pick: (ev) => ev.password === 'bms-2024' },
};

test('the generated traces equal their generators', () => {
  assert.deepEqual(readFileSync(trace('app-web/http-secrets.generated.pcap')), Buffer.from(buildHttpSecrets()));
  assert.deepEqual(readFileSync(trace('app-login/mqtt-will.generated.pcap')), Buffer.from(buildMqttWill()));
});

// No recorded trace carries an OPC UA password in clear (node-opcua encrypts it even on a None channel when the
// server's token policy says so): that field is checked on an event shaped as the analyzer emits it.
const withoutTrace = new Set(['password opcua.activate_session']);

test('an OPC UA password in clear is redacted (no trace carries one)', () => {
  const out = redact({ type: 'opcua.activate_session', identity_token: 'user_name', user_name: 'operator', password: 'plant-floor-1', password_cleartext: true });
  assert.ok(!JSON.stringify(out).includes('plant-floor-1'));
});

test('every field of the list has a case, and every case a field', () => {
  const listed = secretFields.flatMap((f) => f.events.map((e) => `${f.field} ${e}`)).filter((k) => !withoutTrace.has(k)).sort();
  assert.deepEqual(Object.keys(cases).sort(), listed);
});

test('every catalogue field named like a secret is in the list (or explained here)', () => {
  const notSecrets = new Set([
    'coap.message token', // a CoAP token matches requests to responses: an id, not a credential
    'mqtt.connect will_payload_length', 'telnet.login password_prompt', 'mqtt.connack session_present', 'http.response www_authenticate', 'rtsp.response www_authenticate',
    'http.request authorization_scheme', 'rtsp.request authorization_scheme', 'mqtt.connect flags',
    'opcua.open_secure_channel_response token_id', // the secure channel's token number: an id, not a credential
    'opcua.activate_session identity_token', // the kind of token (anonymous, user name, X.509, issued)
    'opcua.activate_session password_cleartext', // a fact: the password travelled in clear
  ]);
  const listed = new Set(secretFields.flatMap((f) => f.events.map((e) => `${e} ${f.field}`)));
  const missing: string[] = [];
  for (const [type, spec] of eventSpecs()) {
    for (const field of Object.keys(spec.fields)) {
      const key = `${type} ${field}`;
      if (/pass|secret|token|^community$|credential|api_?key/i.test(field) && !listed.has(key) && !notSecrets.has(key)) missing.push(key);
    }
  }
  assert.deepEqual(missing, []);
});

for (const [name, c] of Object.entries(cases)) {
  const [field] = name.split(' ');
  test(`redaction: ${name}`, async () => {
    const events = (await eventsOf(trace(c.trace), c.type)).filter((ev) => field in ev && (c.pick ? c.pick(ev) : strings(ev[field]).some((s) => s.includes(c.secret))));
    assert.ok(events.length > 0, `${c.trace}: an event with ${field}`);
    for (const ev of events) {
      const out = redact(ev);
      assert.ok(strings(out[field]).some((s) => s.includes('[redacted')), `${field} redacted`);
      assert.ok(!JSON.stringify(out).includes(JSON.stringify(c.secret).slice(1, -1)), `secret still in ${JSON.stringify(out)}`);
      assert.notStrictEqual(out, ev, 'a copy, the event itself unchanged');
    }
  });
}

test('❌ tokens in a proprietary Authorization header, a bare token and X-Api-Key are reported as cleartext credentials', async () => {
  const rs = await reportsOf(cleartext, [trace('app-web/http-secrets.generated.pcap')]);
  const carriers = [...new Set(rs.map((r) => String(r.data.carrier)))].sort();
  assert.deepEqual(carriers, ['Authorization: (none)', 'Authorization: Basic', 'Authorization: Bearer', 'Authorization: SessionToken', 'form field "password"', 'header "x-api-key"', 'query string field "session_id"']);
  assert.ok(rs.every((r) => r.facts?.secret === undefined), 'no secret in facts without showSecrets');
  for (const r of rs) assert.doesNotMatch(`${JSON.stringify(r.data)} ${r.key}`, /6f1ed002|Sup3rS3cret|k-77aa99|c0ffee11|8f14e45f|eyJhbGci|Rt5pP4ss/);
});

test('❌ finding keys and ids hold an HMAC under the installation key, never a plain hash of the secret', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'bulwark-key-'));
  const keyFile = join(dir, 'installation.key');
  const run = async (): Promise<string[]> => {
    const { spawnSync } = await import('node:child_process');
    const script = `import { secretDigest } from ${JSON.stringify(new URL('../src/detect/lib/secret-key.ts', import.meta.url).pathname)}; console.log(secretDigest('admin'))`;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { env: { ...process.env, BULWARK_KEY_FILE: keyFile }, encoding: 'utf8' });
    return [r.stdout.trim(), r.stderr];
  };
  const [first] = await run();
  assert.equal(statSync(keyFile).mode & 0o777, 0o600, 'the key file is private');
  assert.equal(readFileSync(keyFile).length, 32);
  const [again] = await run();
  assert.equal(again, first, 'stable across runs of one installation');
  const plain = createHash('sha256').update('admin').digest('hex');
  assert.ok(!plain.startsWith(first), 'not an unsalted SHA-256');
  const engine = new DetectionEngine([cleartext]);
  const p = new Pipeline();
  engine.attach(p);
  await p.run([trace('pipeline/http-get-auth.pcap')]);
  const findings = engine.findings();
  assert.ok(findings.length > 0);
  const sha = createHash('sha256').update('qwerty1234').digest('hex').slice(0, 16);
  for (const f of findings) assert.ok(!JSON.stringify(f).includes(sha) && !JSON.stringify(f).includes('qwerty1234'), f.id);
});
