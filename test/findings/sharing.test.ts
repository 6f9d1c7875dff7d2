// STIX 2.1 and MISP exports of real captures, validated against the OASIS STIX 2.1 schemas and the MISP
// core format schema (../shared/reference/schemas) with Ajv; and privacy: no local identifier of the
// capture (independently listed by tshark) appears in a default export.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyzeCaptures, type AnalysisResult } from '../../src/engine/analyze-captures.ts';
import { exportMisp, exportStix } from '../../src/findings/share/export.ts';
import { mispValidator, schemaRoot, stixValidator } from '../support/schemas.ts';
import { tsharkFields } from '../support/tshark.ts';

const shared = join(import.meta.dirname, '../../../shared/captures/malicious');
const mirai = join(shared, 'spiderlabs-mirai/2016-11-07-10-35.pcap');
const hakaiDir = join(shared, 'iot23-CTU-IoT-Malware-Capture-8-1-hakai');
const hakai = join(hakaiDir, readdirSync(hakaiDir).find((f) => f.endsWith('.pcap'))!);
const key = Buffer.alloc(32, 0x5a);
const stix = stixValidator();
const misp = mispValidator();
const runs = new Map<string, Promise<AnalysisResult>>();
// Secrets shown to the detectors on purpose: the exports must drop them anyway.
const analysed = (path: string): Promise<AnalysisResult> => {
  if (!runs.has(path)) runs.set(path, analyzeCaptures([path], { detection: { options: { 'credentials.default': { showSecrets: true }, 'credentials.cleartext': { showSecrets: true } } } }));
  return runs.get(path)!;
};

test('the validators work: the OASIS examples pass, a broken object fails', () => {
  for (const file of readdirSync(join(schemaRoot, 'stix2.1/examples'))) {
    const bundle = JSON.parse(readFileSync(join(schemaRoot, 'stix2.1/examples', file), 'utf8')) as { objects: { type: string }[] };
    assert.deepEqual(stix('bundle', bundle), [], file);
    for (const o of bundle.objects) assert.deepEqual(stix(o.type, o), [], `${file} ${o.type}`);
  }
  assert.notDeepEqual(stix('indicator', { type: 'indicator', spec_version: '2.1', id: 'indicator--1', created: 'yesterday' }), []);
  assert.notDeepEqual(misp('event', { Event: { Attribute: [{ value: 5 }] } }), []);
});

test('STIX bundle of the Mirai case: schema-valid, complete, deterministic', async () => {
  const r = await analysed(mirai);
  const bundle = exportStix(r, { key, sensor: 'sensor-1' });
  assert.deepEqual(stix('bundle', bundle), []);
  const ids = new Set(bundle.objects.map((o) => o.id));
  for (const o of bundle.objects) {
    assert.deepEqual(stix(o.type, o), [], `${o.type} ${o.id}`);
    // Every reference resolves inside the bundle.
    for (const [k, v] of Object.entries(o)) {
      const refs = k.endsWith('_ref') ? [v] : k.endsWith('_refs') ? (v as unknown[]) : [];
      for (const ref of refs) if (!String(ref).startsWith('marking-definition--') || k !== 'object_marking_refs') assert.ok(ids.has(String(ref)), `${o.id} ${k} → ${String(ref)}`);
    }
  }
  const types = new Set(bundle.objects.map((o) => o.type));
  for (const t of ['identity', 'observed-data', 'ipv4-addr', 'mac-addr', 'network-traffic', 'indicator', 'sighting', 'malware', 'attack-pattern', 'relationship', 'report']) assert.ok(types.has(t), t);
  assert.equal(bundle.objects.filter((o) => o.type === 'report').length, r.cases.length);
  assert.ok(bundle.objects.some((o) => o.type === 'malware' && o.name === 'Mirai'));
  assert.ok(bundle.objects.some((o) => o.type === 'attack-pattern' && JSON.stringify(o.external_references).includes('"T1110.001"')));
  // MANIFEST.md: the four addresses that logged in with root/password are indicators.
  const patterns = new Set(bundle.objects.filter((o) => o.type === 'indicator').map((o) => o.pattern));
  for (const ip of ['82.53.109.97', '186.220.245.254', '91.92.120.11', '89.248.172.173']) assert.ok(patterns.has(`[ipv4-addr:value = '${ip}']`), ip);
  assert.deepEqual(exportStix(r, { key, sensor: 'sensor-1' }), bundle, 'same input, same bundle');
});

test('STIX of the Hakai C2 capture names the C2 as infrastructure; validates', async () => {
  const bundle = exportStix(await analysed(hakai), { key, sensor: 'sensor-1' });
  assert.deepEqual(stix('bundle', bundle), []);
  for (const o of bundle.objects) assert.deepEqual(stix(o.type, o), [], o.type);
  // MANIFEST.md: the C2 attempts go to 178.128.185.250:50.
  assert.ok(bundle.objects.some((o) => o.type === 'infrastructure' && o.name === 'C2 178.128.185.250'));
});

test('MISP event per case: schema-valid, tagged, attackers to_ids, unmapped fields listed', async () => {
  const r = await analysed(mirai);
  const { events, unmapped } = exportMisp(r, { key, sensor: 'sensor-1' });
  assert.equal(events.length, r.cases.length);
  for (const e of events) assert.deepEqual(misp('event', e), []);
  const e = events[0].Event;
  const tags = (e.Tag as { name: string }[]).map((t) => t.name);
  assert.ok(tags.includes('tlp:amber'));
  assert.ok(tags.includes('misp-galaxy:botnet="Mirai"'));
  assert.ok(tags.some((t) => t.startsWith('rsit:')));
  for (const ip of ['82.53.109.97', '186.220.245.254']) assert.ok(e.Attribute.some((a) => a.type === 'ip-src' && a.value === ip && a.to_ids), ip);
  assert.ok(e.Attribute.every((a) => !(a.type === 'ip-dst' && a.to_ids)), 'the victim is never an IDS indicator');
  assert.ok(unmapped.some((u) => u.field === 'evidence'));
});

/** Local identifiers of a capture by tshark: private IPv4 addresses, unicast MACs, DHCP host names. */
function localIdentifiers(path: string): string[] {
  const out = new Set<string>();
  const local = /^(10\.|192\.168\.|172\.(1[6-9]|2\d|3[01])\.|169\.254\.)/;
  for (const [src, dst, esrc, edst, host] of tsharkFields(path, '', ['ip.src', 'ip.dst', 'eth.src', 'eth.dst', 'dhcp.option.hostname'])) {
    for (const ip of [src, dst]) if (ip && local.test(ip)) out.add(ip);
    for (const mac of [esrc, edst]) if (mac && (parseInt(mac.slice(0, 2), 16) & 1) === 0) out.add(mac);
    if (host) out.add(host);
  }
  return [...out];
}

test('privacy: no local identifier of the real captures appears in a default export; --identify shows them; never secrets', async () => {
  for (const path of [mirai, hakai]) {
    const ids = localIdentifiers(path);
    assert.ok(ids.length >= 2, `tshark found local identifiers in ${path}`);
    const r = await analysed(path);
    const text = (JSON.stringify(exportStix(r, { key })) + JSON.stringify(exportMisp(r, { key }))).toLowerCase();
    for (const id of ids) assert.ok(!text.includes(id.toLowerCase()), `${id} leaked from ${path}`);
    const clear = JSON.stringify(exportStix(r, { key, identify: true })).toLowerCase();
    assert.ok(ids.some((id) => clear.includes(id.toLowerCase())), 'identify exports them in clear');
    for (const doc of [clear, JSON.stringify(exportMisp(r, { key, identify: true }))]) assert.doesNotMatch(doc, /"(secret|password|community)"\s*:/i);
  }
});
