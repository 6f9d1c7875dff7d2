// MQTT output against the real Mosquitto broker on 127.0.0.1:1883 (started by the machine or CI): a
// subscriber receives the Home Assistant discovery configs, checks each against Home Assistant's documented
// discovery schema (test/fixtures/ha-mqtt-discovery.schema.json) and topic format, and reads device states
// and findings. Topics are unique per run; retained messages are cleared afterwards.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { connectAsync, type MqttClient } from 'mqtt';
import { Ajv } from 'ajv';
import type { Finding } from '../../detect/types.ts';
import { AlertDispatcher } from './dispatcher.ts';
import { MqttOutput } from './mqtt.ts';

const BROKER = 'mqtt://127.0.0.1:1883';
const schema = JSON.parse(readFileSync(join(import.meta.dirname, '../../../test/fixtures/ha-mqtt-discovery.schema.json'), 'utf8')) as object;
// Home Assistant: <discovery_prefix>/<component>/[<node_id>/]<object_id>/config, ids of [a-zA-Z0-9_-].
const DISCOVERY_TOPIC = /^([a-zA-Z0-9_-]+)\/(sensor|binary_sensor)\/(?:[a-zA-Z0-9_-]+\/)?[a-zA-Z0-9_-]+\/config$/;

const finding: Finding = {
  id: 'botnet.mirai:0a1b', detector: 'botnet.mirai', category: 'botnet', severity: 'critical', confidence: 0.95,
  title: 'Mirai-style telnet scanning', explanation: 'The device scans random addresses on port 23.',
  devices: [{ role: 'infected', ip: '192.168.1.20', mac: 'b0:c5:54:25:5b:0e' }], first_ts: 1700000000, last_ts: 1700000500, count: 40,
  community_ids: [], community_ids_dropped: 0, evidence: [], evidence_dropped: 0, references: {},
};

async function brokerUp(): Promise<MqttClient | undefined> {
  try {
    return await connectAsync(BROKER, { connectTimeout: 2000, reconnectPeriod: 0 });
  } catch {
    return undefined;
  }
}

test('Home Assistant discovery: grade, infected and findings entities per device, valid against the documented schema', async (t) => {
  const sub = await brokerUp();
  if (!sub) return t.skip('no MQTT broker on 127.0.0.1:1883 (Debian package mosquitto)');
  const run = randomUUID().slice(0, 8);
  const prefix = `ha-test-${run}`;
  const base = `bulwark-test-${run}`;
  const got = new Map<string, string>();
  sub.on('message', (topic, payload) => got.set(topic, payload.toString()));
  await sub.subscribeAsync([`${prefix}/#`, `${base}/#`], { qos: 1 });
  const out = new MqttOutput({ url: BROKER, sensor: 'home', baseTopic: base, discoveryPrefix: prefix });
  const d = new AlertDispatcher().add(out, { minSeverity: 'info' });
  try {
    await d.devices([
      { id: 'dev-b0c554255b0e', name: 'Kitchen camera', type: 'camera', vendor: 'D-Link', mac: 'b0:c5:54:25:5b:0e', ip: '192.168.1.20', grade: 'E', infected: true, findings: 3, worst: 'critical' },
      { id: 'dev-001122334455', name: 'Plug', type: 'plug', ip: '192.168.1.21', grade: 'B', infected: false, findings: 0 },
    ]);
    d.publish({ kind: 'raised', finding, sensor: 'home' });
    await d.close();
    const deadline = Date.now() + 3000;
    while (Date.now() < deadline && got.size < 6 + 2 + 1 + 1) await new Promise((r) => setTimeout(r, 20));

    const ajv = new Ajv({ allErrors: true, strict: false });
    const validate = ajv.compile(schema);
    const configs = [...got].filter(([topic]) => topic.startsWith(`${prefix}/`));
    assert.equal(configs.length, 6, 'three entities per device');
    for (const [topic, text] of configs) {
      assert.match(topic, DISCOVERY_TOPIC);
      const payload = JSON.parse(text) as Record<string, unknown>;
      assert.ok(validate(payload), `${topic}: ${ajv.errorsText(validate.errors)}`);
    }
    const infected = JSON.parse(got.get(`${prefix}/binary_sensor/bulwark_home/dev-b0c554255b0e_infected/config`)!) as { state_topic: string; device_class: string; device: { connections: string[][] } };
    assert.equal(infected.device_class, 'problem');
    assert.deepEqual(infected.device.connections, [['mac', 'b0:c5:54:25:5b:0e']]);
    assert.deepEqual(JSON.parse(got.get(infected.state_topic)!), { grade: 'E', infected: 'ON', findings: 3, worst: 'critical', ip: '192.168.1.20' });
    const findingMsg = JSON.parse(got.get(`${base}/home/findings`)!) as { id: string; severity: string; device: string; type: string };
    assert.deepEqual([findingMsg.id, findingMsg.severity, findingMsg.device, findingMsg.type], [finding.id, 'critical', '192.168.1.20', 'finding.raised']);
    assert.equal(got.get(`${base}/home/status`), 'offline', 'availability goes offline on close');
  } finally {
    // Clear the retained messages this run left on the broker.
    for (const topic of got.keys()) await sub.publishAsync(topic, '', { retain: true, qos: 1 });
    await sub.endAsync();
  }
});

test('a broker that is not there: alerts are retried, then counted as dropped; publish never blocks', async () => {
  const out = new MqttOutput({ url: 'mqtt://127.0.0.1:9', sensor: 'home', connectTimeoutMs: 500 });
  const d = new AlertDispatcher().add(out, { minSeverity: 'info', backoffMs: 10, maxAttempts: 2 });
  d.publish({ kind: 'raised', finding, sensor: 'home' });
  await d.close(3000);
  assert.equal(d.counters().mqtt.dropped_retries_exhausted, 1);
});
