// The event catalogue is the contract of the JSON output: every event emitted on the real traces is
// declared there with the right field types, every anomaly counted is declared, and the generated
// reference docs are current.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { anomalySpecs, eventSpecs } from '../src/events/catalogue.ts';
import { envelopeFields, type FieldSpec } from '../src/events/types.ts';
import { eventsJsonSchema, eventsMarkdown } from '../src/output/event-docs.ts';
import { runPipeline, trace } from './support/run.ts';

const traces = readdirSync(new URL('./traces/pipeline/', import.meta.url)).filter((f) => /\.pcap(ng)?$/.test(f)).map(trace);
traces.push(new URL('../samples/dlink-camera-setup.pcap', import.meta.url).pathname);
// BACnet/IP and OPC UA traces (ICSNPP, nDPI, and real stacks recorded in network namespaces).
for (const f of ['bacnet/icsnpp-bacnet-example.pcap', 'bacnet/ndpi-bacnet.pcap', 'bacnet/bacnet-js-control.pcap', 'opcua/ndpi-opc-ua.pcap', 'opcua/node-opcua-sessions.pcap']) traces.push(new URL(`./traces/${f}`, import.meta.url).pathname);

function typeOk(spec: FieldSpec, value: unknown): boolean {
  switch (spec.type) {
    case 'string': return typeof value === 'string';
    case 'number': return typeof value === 'number' && Number.isFinite(value);
    case 'boolean': return typeof value === 'boolean';
    case 'string[]': return Array.isArray(value) && value.every((v) => typeof v === 'string');
    case 'number[]': return Array.isArray(value) && value.every((v) => typeof v === 'number');
    case 'object': return typeof value === 'object' && value !== null && !Array.isArray(value);
    case 'object[]': return Array.isArray(value) && value.every((v) => typeof v === 'object' && v !== null);
  }
}

test('every event emitted on the real traces matches its catalogue entry', async () => {
  const specs = eventSpecs();
  const { events, summary } = await runPipeline(traces);
  assert.ok(events.length > 500, `events emitted: ${events.length}`);
  const problems = new Set<string>();
  for (const ev of events) {
    const spec = specs.get(ev.type);
    if (!spec) {
      problems.add(`${ev.type}: not in the catalogue`);
      continue;
    }
    const fields = { ...envelopeFields, ...spec.fields };
    for (const [name, f] of Object.entries(fields)) {
      const value = (ev as Record<string, unknown>)[name];
      if (value === undefined) {
        if (!f.optional) problems.add(`${ev.type}.${name}: required but missing`);
      } else if (!typeOk(f, value)) problems.add(`${ev.type}.${name}: expected ${f.type}, got ${JSON.stringify(value).slice(0, 60)}`);
    }
    for (const name of Object.keys(ev)) if (!(name in fields)) problems.add(`${ev.type}.${name}: not declared`);
  }
  assert.deepEqual([...problems].sort(), []);
  const anomalies = anomalySpecs();
  assert.deepEqual(Object.keys(summary.anomalies).filter((id) => !anomalies.has(id)), [], 'anomaly ids declared');
  assert.deepEqual(summary.analyzer_violations, {}, 'no analyzer threw');
});

test('event and anomaly names follow the conventions; no payload field shadows the envelope', () => {
  for (const spec of eventSpecs().values()) {
    if (spec.type === 'flow.end') continue; // the flow record is its own envelope
    for (const name of Object.keys(spec.fields)) assert.ok(!(name in envelopeFields), `${spec.type}.${name} shadows the envelope`);
  }
  for (const type of eventSpecs().keys()) assert.match(type, /^[a-z0-9]+(\.[a-z0-9_]+)+$/, type);
  for (const id of anomalySpecs().keys()) assert.match(id, /^[a-z0-9]+(\.[a-z0-9_]+){2,}$/, id);
});

test('docs/events.md and docs/schema/events.schema.json are current (npm run docs)', () => {
  assert.equal(readFileSync(new URL('../docs/events.md', import.meta.url), 'utf8'), eventsMarkdown());
  assert.deepEqual(JSON.parse(readFileSync(new URL('../docs/schema/events.schema.json', import.meta.url), 'utf8')), eventsJsonSchema());
});
