// Cases, exports and indicator lists over the REST API, on the real Mirai capture ingested into a store.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tsharkFields } from '../support/tshark.ts';
import { mispValidator, stixValidator } from '../support/schemas.ts';
import { fixture } from './helpers.ts';

type J = Record<string, unknown>;
const mirai = join(import.meta.dirname, '../../../shared/captures/malicious/spiderlabs-mirai/2016-11-07-10-35.pcap');

test('API: cases lead, STIX and MISP exports validate, MISP indicator lists go in with their unmapped fields', async () => {
  process.env.BULWARK_KEYS = mkdtempSync(join(tmpdir(), 'bulwark-keys-'));
  const f = fixture();
  try {
    await f.queue.submitFile(mirai);
    await f.queue.idle();
    const get = async (path: string): Promise<J> => {
      const r = await f.app.request(`http://127.0.0.1${path}`);
      assert.equal(r.status, 200, path);
      return (await r.json()) as J;
    };
    const cases = await get('/api/cases');
    const first = (cases.items as J[])[0];
    assert.equal(first.classification, 'botnet:mirai');
    assert.equal((await get('/api/cases?classification=ddos')).total, 0);
    const one = await get(`/api/cases/${encodeURIComponent(String(first.id))}`);
    assert.equal((one.finding_records as J[]).length, (first.findings as string[]).length);
    assert.equal((await f.app.request('http://127.0.0.1/api/cases/case:nope')).status, 404);

    const bundle = await get('/api/export/stix');
    const stix = stixValidator();
    assert.deepEqual(stix('bundle', bundle), []);
    assert.ok(!JSON.stringify(bundle).includes('192.168.0.2'), 'pseudonymised by default');
    assert.ok(JSON.stringify(await get('/api/export/stix?identify=true')).includes('192.168.0.2'));
    const event = await get('/api/export/misp?tlp=green');
    assert.deepEqual(mispValidator()('event', event), []);
    assert.ok(((event.Event as J).Tag as J[]).some((t) => t.name === 'tlp:green'));
    assert.ok(((await get('/api/export/misp?unmapped=true')) as unknown as J[]).length > 0);

    const post = await f.app.request('http://127.0.0.1/api/indicators', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(event) });
    assert.equal(post.status, 201);
    const status = (await post.json()) as J;
    assert.equal(status.format, 'misp');
    // The event's to_ids attributes are the Internet addresses that attacked: per tshark, the 8 that sent telnet
    // data (the brute force) and the 14 whose SYN carries the NAT's public address as sequence number (Mirai's
    // scanner signature, MANIFEST.md): 17 distinct.
    const attackers = new Set([
      ...tsharkFields(mirai, 'tcp.dstport==23 && tcp.len>0', ['ip.src']).map((r) => r[0]),
      ...tsharkFields(mirai, 'tcp.dstport==23 && tcp.flags.syn==1 && tcp.flags.ack==0 && tcp.seq_raw==2503511368', ['ip.src']).map((r) => r[0]),
    ]);
    assert.equal(status.loaded, attackers.size);
    assert.ok(Object.keys(status.unmapped as J).some((k) => k.startsWith('community-id')));
    const list = (await get('/api/indicators')).items as J[];
    assert.deepEqual(list.map((x) => x.name), [status.name]);
    assert.equal((await f.app.request(`http://127.0.0.1/api/indicators/${String(status.name)}`, { method: 'DELETE' })).status, 204);
    assert.deepEqual((await get('/api/indicators')).items, []);
  } finally {
    await f.close();
  }
});
