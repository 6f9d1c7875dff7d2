// The TAXII 2.1 server, driven by a client written from the specification: first over the OASIS reference
// server's test data (medallion default_data.json; expected values worked out from that file by the TAXII
// rules), then Bulwark's own API root with the real Mirai and Hakai captures.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Hono } from 'hono';
import { taxiiRoutes } from '../../src/api/taxii/routes.ts';
import { medallionRoots, memoryCollection } from '../../src/api/taxii/memory.ts';
import type { TaxiiEntry } from '../../src/api/taxii/model.ts';
import { schemaRoot, stixValidator } from '../support/schemas.ts';
import { TAXII, TaxiiClient, type J } from '../support/taxii-client.ts';
import { fixture } from './helpers.ts';

const token = 'taxii-test-token-0123456789';
const data = JSON.parse(readFileSync(join(schemaRoot, 'taxii2.1/default_data.json'), 'utf8')) as Record<string, J>;
const refApp = (): Hono => {
  const app = new Hono();
  taxiiRoutes(app, medallionRoots(data), token);
  return app;
};
type Manifest = { id: string; date_added: string; version: string; media_type: string };
const trust = data.trustgroup1 as { information: J; collections: (J & { id: string; manifest: Manifest[] })[]; status: J[] };
const hv = trust.collections.find((c) => c.id === '91a7b528-80eb-42ed-a74d-c6fbd5a26116')!;

test('reference data: discovery, API root, collections as the data file lists them', async () => {
  const client = TaxiiClient.bearer(refApp(), token);
  const disc = await client.get('/taxii2/');
  assert.deepEqual((disc.api_roots as string[]).map((u) => new URL(u).pathname), ['/taxii2/api1/', '/taxii2/api2/', '/taxii2/trustgroup1/']);
  assert.deepEqual(await client.get('/taxii2/trustgroup1/'), trust.information);
  const cols = (await client.get('/taxii2/trustgroup1/collections/')).collections as J[];
  assert.deepEqual(cols.map((c) => c.id), trust.collections.map((c) => c.id));
  for (const c of trust.collections) {
    const { objects: _o, manifest: _m, ...meta } = c;
    assert.deepEqual(await client.get(`/taxii2/trustgroup1/collections/${c.id}/`), meta);
  }
  assert.deepEqual(await client.get(`/taxii2/trustgroup1/status/${String(trust.status[0].id)}/`), trust.status[0]);
});

test('reference data: objects, versions, manifest and filters follow the TAXII rules', async () => {
  const client = TaxiiClient.bearer(refApp(), token);
  const base = `/taxii2/trustgroup1/collections/${hv.id}/`;
  // Expected from the file: the latest spec version of each object, then its latest version.
  const spec = (m: Manifest): string => m.media_type.split('version=')[1];
  const latest = new Map<string, Manifest>();
  for (const m of hv.manifest) {
    const cur = latest.get(m.id);
    if (!cur || spec(m) > spec(cur) || (spec(m) === spec(cur) && m.version > cur.version)) latest.set(m.id, m);
  }
  const objs = (await client.get(`${base}objects/`)).objects as J[];
  assert.deepEqual(objs.map((o) => `${String(o.id)}@${String(o.modified ?? o.created)}`).sort(), [...latest.values()].map((m) => `${m.id}@${m.version}`).sort());
  const all = (await client.get(`${base}objects/?match[version]=all&match[spec_version]=2.0,2.1`)).objects as J[];
  assert.equal(all.length, hv.manifest.length);
  const indicators = (await client.get(`${base}objects/?match[type]=indicator`)).objects as J[];
  assert.deepEqual(indicators.map((o) => o.id).sort(), [...latest.keys()].filter((id) => id.startsWith('indicator--')).sort());
  const after = '2016-11-03T12:30:59.001000Z';
  const later = (await client.get(`${base}manifest/?added_after=${after}&match[version]=all&match[spec_version]=2.0,2.1`)).objects as Manifest[];
  assert.deepEqual(later.map((m) => `${m.id}@${m.version}`).sort(), hv.manifest.filter((m) => m.date_added > after).map((m) => `${m.id}@${m.version}`).sort());
  const id = 'indicator--6770298f-0fd8-471a-ab8c-1c658a46574e';
  const versions = (await client.get(`${base}objects/${id}/versions/`)).versions as string[];
  assert.deepEqual(versions, hv.manifest.filter((m) => m.id === id).sort((a, b) => (a.date_added < b.date_added ? -1 : 1)).map((m) => m.version));
  const one = await client.request(`${base}objects/${id}/?match[version]=2016-12-25T12:30:59.444Z`);
  assert.equal(((one.body.objects as J[])[0]).modified, '2016-12-25T12:30:59.444Z');
  const man = await client.request(`${base}manifest/`);
  assert.equal(man.headers.get('x-taxii-date-added-first'), [...latest.values()].map((m) => m.date_added).sort()[0]);
});

test('reference data: errors — auth, media types, unknown and forbidden collections', async () => {
  const app = refApp();
  const client = TaxiiClient.bearer(app, token);
  assert.equal((await TaxiiClient.bearer(app, 'wrong-token-wrong-token').request('/taxii2/')).status, 401);
  assert.equal((await TaxiiClient.basic(app, 'anyone', token).request('/taxii2/')).status, 200);
  const noAuth = await app.request('http://127.0.0.1/taxii2/', { headers: { Accept: TAXII } });
  assert.equal(noAuth.status, 401);
  assert.match(noAuth.headers.get('www-authenticate') ?? '', /Basic/);
  assert.equal((await client.request('/taxii2/', { accept: 'application/json' })).status, 406);
  assert.equal((await client.request('/taxii2/nope/')).status, 404);
  assert.equal((await client.request('/taxii2/trustgroup1/collections/nope/objects/')).status, 404);
  const hidden = trust.collections.find((c) => c.can_read === false)!;
  assert.equal((await client.request(`/taxii2/trustgroup1/collections/${hidden.id}/objects/`)).status, 403);
  const readOnly = trust.collections.find((c) => c.can_write === false && c.can_read === true)!;
  assert.equal((await client.request(`/taxii2/trustgroup1/collections/${readOnly.id}/objects/`, { method: 'POST', body: { objects: [] } })).status, 403);
  const writable = trust.collections.find((c) => c.id === '365fed99-08fa-fdcd-a1b3-fb247eb41d01')!;
  assert.equal((await client.request(`/taxii2/trustgroup1/collections/${writable.id}/objects/`, { method: 'POST', body: { objects: [] }, contentType: 'application/json' })).status, 415);
  assert.equal((await client.request(`/taxii2/trustgroup1/collections/${hv.id}/objects/?added_after=yesterday`)).status, 400);
  assert.equal((await client.request(`/taxii2/trustgroup1/collections/${hv.id}/objects/?limit=0`)).status, 400);
  const status = await client.add(`/taxii2/trustgroup1/collections/${writable.id}/`, [{ type: 'indicator', spec_version: '2.1', id: 'indicator--11111111-2222-4333-8444-555555555555', created: '2020-01-01T00:00:00.000Z', modified: '2020-01-01T00:00:00.000Z' }]);
  assert.equal(status.status, 'complete');
  assert.equal(status.success_count, 1);
  assert.deepEqual(await client.get(`/taxii2/trustgroup1/status/${String(status.id)}/`), status);
});

test('pagination loses nothing when 2,500 objects share one date_added', async () => {
  const date = '2024-01-01T00:00:00.000000Z';
  const entries: TaxiiEntry[] = [];
  for (let i = 0; i < 2500; i++) {
    const id = `indicator--${(i * 7919 % 100000).toString().padStart(8, '0')}-0000-4000-8000-${i.toString().padStart(12, '0')}`;
    entries.push({ id, version: date, date_added: date, media_type: 'application/stix+json;version=2.1', object: { type: 'indicator', id, spec_version: '2.1' } });
  }
  const app = new Hono();
  taxiiRoutes(app, [{ name: 'r', information: { title: 'r', versions: [TAXII], max_content_length: 1000 }, collections: [memoryCollection({ id: 'c', title: 'c', can_read: true, can_write: false, media_types: [] }, entries)], statuses: new Map() }], token);
  const client = TaxiiClient.bearer(app, token);
  for (const limit of ['25', '999']) {
    const { items, pages } = await client.all('/taxii2/r/collections/c/objects/', 'objects', { limit });
    assert.equal(items.length, 2500);
    assert.equal(new Set(items.map((o) => (o as J).id)).size, 2500, `limit ${limit}: every object exactly once`);
    assert.equal(pages, Math.ceil(2500 / Number(limit)));
  }
  const after = await client.get(`/taxii2/r/collections/c/manifest/?added_after=${date}`);
  assert.deepEqual(after, {});
});

test('Bulwark root: the Mirai case as schema-valid STIX; posted indicators feed the indicator detector', async () => {
  const shared = join(import.meta.dirname, '../../../shared/captures/malicious');
  const f = fixture({ token });
  process.env.BULWARK_KEYS = mkdtempSync(join(tmpdir(), 'bulwark-keys-'));
  try {
    const client = TaxiiClient.bearer(f.app, token);
    await f.queue.submitFile(join(shared, 'spiderlabs-mirai/2016-11-07-10-35.pcap'));
    await f.queue.idle();
    const cols = (await client.get('/taxii2/bulwark/collections/')).collections as J[];
    assert.deepEqual(cols.map((c) => c.alias), ['cases', 'indicators']);
    const cases = `/taxii2/bulwark/collections/${String(cols[0].id)}/`;
    const { items, pages } = await client.all(`${cases}objects/`, 'objects', { limit: '10' });
    assert.ok(pages > 1);
    const stix = stixValidator();
    for (const o of items as J[]) assert.deepEqual(stix(String(o.type), o), [], String(o.id));
    assert.ok((items as J[]).some((o) => o.type === 'report' && (o.labels as string[]).includes('botnet:mirai')));
    assert.ok(!JSON.stringify(items).includes('192.168.0.2'), 'pseudonymised');
    // Ids and dates are stable between requests.
    assert.deepEqual((await client.all(`${cases}manifest/`, 'objects')).items, (await client.all(`${cases}manifest/`, 'objects')).items);
    // MANIFEST.md: Hakai's C2 is 178.128.185.250. Post it as a STIX indicator, then ingest the capture.
    const indicators = `/taxii2/bulwark/collections/${String(cols[1].id)}/`;
    const ind = { type: 'indicator', spec_version: '2.1', id: 'indicator--3c2b6a0e-9d36-4c1e-8f59-5a7c0e0b6f11', created: '2018-08-01T00:00:00.000Z', modified: '2018-08-01T00:00:00.000Z', pattern: "[ipv4-addr:value = '178.128.185.250']", pattern_type: 'stix', valid_from: '2018-08-01T00:00:00.000Z', name: 'Hakai C2' };
    const status = await client.add(indicators, [ind, { type: 'indicator', id: 'bad' }]);
    assert.equal(status.success_count, 1);
    assert.equal(status.failure_count, 1);
    assert.deepEqual(((await client.get(`${indicators}objects/`)).objects as J[]).map((o) => o.id), [ind.id]);
    const hakaiDir = join(shared, 'iot23-CTU-IoT-Malware-Capture-8-1-hakai');
    await f.queue.submitFile(join(hakaiDir, readdirSync(hakaiDir).find((n) => n.endsWith('.pcap'))!));
    await f.queue.idle();
    const found = await (await f.app.request('http://127.0.0.1/api/findings?detector=c2.indicator', { headers: { Authorization: `Bearer ${token}` } })).json() as { items: J[] };
    assert.ok(found.items.some((x) => String(x.title).includes('178.128.185.250')), JSON.stringify(found.items.map((x) => x.title)));
  } finally {
    await f.close();
  }
});
