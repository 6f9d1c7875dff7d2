// Every credential in the shared credential samples (expected.json, from CredSLayer's test suite) and in
// suricata-verify's MQTT test is extracted exactly, through the whole pipeline.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { runPipeline, trace } from './support/run.ts';
import type { EventRecord } from '../src/pipeline/analyze.ts';

interface Expected {
  captures: Record<string, { credentials: { username: string | null; password: string }[]; must_not_report: { username: string; password: string }[] }>;
}
const expected = JSON.parse(readFileSync(trace('expected.json'), 'utf8')) as Expected;
const creds = (name: string) => expected.captures[name].credentials;
const ofType = (events: EventRecord[], type: string) => events.filter((e) => e.type === type);

for (const name of ['telnet-raw.pcap', 'telnet-cooked.pcap']) {
  test(`${name}: the telnet login is extracted exactly`, async () => {
    const { events } = await runPipeline([trace(name)]);
    const logins = ofType(events, 'telnet.login');
    assert.deepEqual(logins.map((e) => ({ username: e.username, password: e.password })), creds(name));
    assert.equal(logins[0].success, true);
  });
}

test('telnet-hidden.pcap: a refused attempt, then the expected login succeeds', async () => {
  const { events } = await runPipeline([trace('telnet-hidden.pcap')]);
  const logins = ofType(events, 'telnet.login').map((e) => ({ username: e.username, password: e.password, success: e.success }));
  const [expected] = creds('telnet-hidden.pcap');
  assert.deepEqual(logins, [
    { username: 'shellcode', password: 'shellcode33', success: false },
    { username: expected.username, password: expected.password, success: true },
  ]);
});

test('telnet-hidden.pcap: telnet is recognised by content on TCP/1337', async () => {
  const { flows } = await runPipeline([trace('telnet-hidden.pcap')]);
  const flow = flows.find((f) => f.resp_port === 1337);
  assert.equal(flow?.app, 'telnet');
});

test('ftp.pcap: USER/PASS and the 230 outcome', async () => {
  const { events } = await runPipeline([trace('ftp.pcap')]);
  const logins = ofType(events, 'ftp.login');
  assert.deepEqual(logins.map((e) => ({ username: e.username, password: e.password })), creds('ftp.pcap'));
  assert.equal(logins[0].success, true);
  assert.equal(logins[0].dst_ip, '129.21.171.72');
  assert.equal(logins[0].dst_port, 21);
});

test('http-basic-auth.pcap: Basic credentials decoded; the failed pairs are answered 401', async () => {
  const { events } = await runPipeline([trace('http-basic-auth.pcap')]);
  const requests = ofType(events, 'http.request').filter((e) => e.basic_user !== undefined);
  const pairs = new Set(requests.map((e) => `${e.basic_user}:${e.basic_password}`));
  for (const c of creds('http-basic-auth.pcap')) assert.ok(pairs.has(`${c.username}:${c.password}`), `${c.username}:${c.password}`);
  // Each failed attempt is sent and refused: its response (next http.response on the same flow) is 401.
  for (const bad of expected.captures['http-basic-auth.pcap'].must_not_report) {
    const req = requests.filter((e) => e.basic_password === bad.password);
    assert.equal(req.length, 1, `one request with ${bad.username}:${bad.password}`);
    const resp = events.find((e) => e.type === 'http.response' && e.flow_id === req[0].flow_id && (e.ts as number) >= (req[0].ts as number));
    assert.equal(resp?.status, 401);
  }
  assert.equal(ofType(events, 'http.request').find((e) => e.basic_user !== undefined)?.host, 'browserspy.dk');
});

test('http-get-auth.pcap: credentials in the query string are decoded as parameters', async () => {
  const { events } = await runPipeline([trace('http-get-auth.pcap')]);
  const req = ofType(events, 'http.request').find((e) => String(e.uri).startsWith('/login?'));
  assert.ok(req, 'the login request');
  assert.equal(req.method, 'GET');
  assert.equal(req.dst_port, 1337);
  assert.deepEqual(req.query_params, [{ name: 'login', value: 'admin' }, { name: 'password', value: 'qwerty1234' }]);
});

test('snmp-v1.pcap: community "public" on all 58 SNMP messages', async () => {
  const { events } = await runPipeline([trace('snmp-v1.pcap')]);
  const snmp = ofType(events, 'snmp.message');
  assert.equal(snmp.length, 58);
  assert.deepEqual([...new Set(snmp.map((e) => e.community))], [creds('snmp-v1.pcap')[0].password]);
});

test('mqtt311-pub-userpass.pcap: CONNECT/CONNACK/PUBLISH fields of suricata-verify test.yaml', async () => {
  const { events } = await runPipeline([trace('mqtt311-pub-userpass.pcap')]);
  const [connect] = ofType(events, 'mqtt.connect');
  assert.equal(connect.client_id, 'myvoiceismypassport');
  assert.equal(connect.username, 'user');
  assert.equal(connect.password, 'pass');
  assert.equal(connect.protocol_name, 'MQTT');
  assert.equal(connect.protocol_version, 4);
  assert.equal(connect.clean_session, true);
  const [connack] = ofType(events, 'mqtt.connack');
  assert.equal(connack.return_code, 0);
  const [publish] = ofType(events, 'mqtt.publish');
  assert.equal(publish.topic, 'topicX');
  assert.equal(publish.dst_port, 1883);
  assert.equal(ofType(events, 'mqtt.disconnect').length, 1);
});
