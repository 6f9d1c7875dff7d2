// SIEM formats on real captures. EVE: the suricata-verify test bug-5713-01 expects exactly one
// `event_type: flow` record for TLSv1-Extracted-MaliciousC2.pcap (its test.yaml, copied in ../shared);
// addresses, ports and per-direction packets/bytes equal tshark's; every record validates against the EVE
// format as Suricata documents it. ECS: every field written is an ECS field of the right type, and the
// categorisation values are among ECS's allowed values (test/fixtures/ecs-fields.json, from ECS's field reference).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { analyzeCaptures } from '../../engine/analyze-captures.ts';
import type { FlowRecord } from '../../flow/types.ts';
import { detectors } from '../../detect/registry.ts';
import { EveFormatter, signatureId } from './eve.ts';
import { ecsAlert, ecsFlow } from './ecs.ts';
import { eveTime } from './common.ts';
import { tsharkConversations } from '../../../test/support/tshark.ts';

const root = join(import.meta.dirname, '../../..');
const tlsv1 = join(root, 'test/traces/app-web/TLSv1-Extracted-MaliciousC2.pcap');
const telnet = join(root, 'test/traces/app-login/telnet-raw.pcap');
const fixture = (name: string): unknown => JSON.parse(readFileSync(join(root, 'test/fixtures', name), 'utf8'));

async function analyse(path: string): Promise<{ flows: FlowRecord[]; findings: Awaited<ReturnType<typeof analyzeCaptures>>['findings'] }> {
  const flows: FlowRecord[] = [];
  const r = await analyzeCaptures([path], { onFlow: (f) => flows.push(f) });
  return { flows, findings: r.findings };
}

test('EVE flows: one flow record for the suricata-verify bug-5713-01 capture, counters equal tshark\'s', async () => {
  const { flows } = await analyse(tlsv1);
  const eve = new EveFormatter('lab');
  const docs = flows.map((f) => eve.flow(f)) as { event_type: string; src_ip: string; src_port: number; dest_ip: string; dest_port: number; proto: string; flow: Record<string, number> }[];
  const tcpFlows = docs.filter((d) => d.event_type === 'flow');
  assert.equal(tcpFlows.length, 1, 'suricata-verify: count 1 of event_type flow');
  const [conv] = tsharkConversations(tlsv1);
  const d = tcpFlows[0];
  assert.equal(`${d.src_ip}:${d.src_port}`, conv.a);
  assert.equal(`${d.dest_ip}:${d.dest_port}`, conv.b);
  assert.deepEqual([d.flow.pkts_toserver, d.flow.bytes_toserver, d.flow.pkts_toclient, d.flow.bytes_toclient], [conv.aPkts, conv.aBytes, conv.bPkts, conv.bBytes]);
  const ajv = new Ajv({ strict: false, allErrors: true });
  const validate = ajv.compile(fixture('eve-format.schema.json') as object);
  for (const doc of docs) assert.ok(validate(doc), ajv.errorsText(validate.errors));
});

test('EVE alerts: valid records whose flow_id joins the flow record of their evidence', async () => {
  const { flows, findings } = await analyse(telnet);
  assert.ok(findings.length > 0);
  const eve = new EveFormatter('lab');
  const flowDocs = flows.map((f) => eve.flow(f)) as { flow_id: number; community_id: string }[];
  const ajv = new Ajv({ strict: false, allErrors: true });
  const validate = ajv.compile(fixture('eve-format.schema.json') as object);
  for (const f of findings) {
    const doc = eve.alert(f) as { flow_id?: number; community_id?: string; alert: { severity: number; signature_id: number } };
    assert.ok(validate(doc), ajv.errorsText(validate.errors));
    if (doc.community_id) {
      const flow = flowDocs.find((x) => x.community_id === doc.community_id);
      assert.equal(doc.flow_id, flow?.flow_id, 'alert and flow share the flow_id');
    }
    assert.ok(doc.alert.signature_id >= 1_000_000 && doc.alert.signature_id <= 1_999_999, 'local-rule sid range');
  }
  const sids = new Set(detectors.map((d) => signatureId(d.id)));
  assert.equal(sids.size, detectors.length, 'every detector has its own signature id');
});

test('EVE timestamps: microseconds and +0000 as Suricata writes them', () => {
  assert.equal(eveTime(1259097429.534255), '2009-11-24T21:17:09.534255+0000');
  assert.equal(eveTime(1.9999999), '1970-01-01T00:00:02.000000+0000');
  assert.equal(eveTime(1e20), '1970-01-01T00:00:00.000000+0000', 'a time a date cannot hold never throws');
});

type FieldDef = { type: string; allowed?: string[]; pattern?: string };

function leaves(doc: Record<string, unknown>, prefix = '', out: [string, unknown][] = []): [string, unknown][] {
  for (const [k, v] of Object.entries(doc)) {
    const name = prefix ? `${prefix}.${k}` : k;
    if (v !== null && typeof v === 'object' && !Array.isArray(v) && name !== 'labels') leaves(v as Record<string, unknown>, name, out);
    else out.push([name, v]);
  }
  return out;
}

function checkEcs(doc: Record<string, unknown>, defs: Record<string, FieldDef>): void {
  for (const [name, value] of leaves(doc)) {
    const def = defs[name];
    assert.ok(def, `${name} is an ECS field`);
    for (const v of Array.isArray(value) ? value : [value]) {
      if (def.type === 'long') assert.ok(Number.isInteger(v), `${name} is a whole number`);
      else if (def.type === 'float') assert.equal(typeof v, 'number', name);
      else if (def.type === 'date') assert.ok(typeof v === 'string' && !Number.isNaN(Date.parse(v)), `${name} is a date`);
      else if (def.type === 'object') assert.equal(typeof v, 'object', name);
      else assert.equal(typeof v, 'string', `${name} is a string`);
      if (def.allowed) assert.ok(def.allowed.includes(v as string), `${name}: '${String(v)}' is an allowed value`);
      if (def.pattern) assert.match(v as string, new RegExp(def.pattern), name);
    }
  }
}

test('ECS: alerts and flows use ECS fields with their types and allowed categorisation values', async () => {
  const defs = (fixture('ecs-fields.json') as { fields: Record<string, FieldDef> }).fields;
  const { flows, findings } = await analyse(telnet);
  for (const f of findings) checkEcs(ecsAlert(f, 'lab'), defs);
  for (const f of flows) checkEcs(ecsFlow(f, 'lab'), defs);
  const [conv] = tsharkConversations(tlsv1);
  const tls = (await analyse(tlsv1)).flows.find((f) => f.transport === 'tcp')!;
  const doc = ecsFlow(tls, 'lab') as { source: { ip: string; port: number; packets: number; bytes: number }; event: { duration: number } };
  assert.equal(`${doc.source.ip}:${doc.source.port}`, conv.a);
  assert.deepEqual([doc.source.packets, doc.source.bytes], [conv.aPkts, conv.aBytes]);
  assert.equal(doc.event.duration, Math.round((tls.last_ts - tls.first_ts) * 1e9), 'ECS durations are nanoseconds');
});
