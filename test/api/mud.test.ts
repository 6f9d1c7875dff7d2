// MUD review API over a real ingest: serve learns the camera's profile from samples/dlink-camera-setup.pcap
// (D-Link DCS-935L, MAC b0:c5:54:25:5b:0e, IoT Sentinel D-LinkCam Setup-A-1), counts rule use on the next
// setup (Setup-A-2, read in place from ../shared), and the reviewer accepts, locks, edits and imports.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp } from '../../src/api/app.ts';
import { IngestQueue } from '../../src/api/ingest.ts';
import { MudService } from '../../src/api/mud-service.ts';
import { SqliteStore } from '../../src/store/sqlite.ts';
import { samplePath } from './helpers.ts';

const setupA2 = new URL('../../../shared/captures/benign-iot/iot-sentinel/D-LinkCam/Setup-A-2-STA.pcap', import.meta.url).pathname;
const luminaire = new URL('../../../shared/reference/mud/cisco-mud-manager/Luminaire_150.json', import.meta.url).pathname;

test('serve learns, counts, and the review API accepts, locks, edits and imports', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'bulwark-api-mud-'));
  const store = new SqliteStore(join(dir, 'b.db'));
  const queue = new IngestQueue(store, { mud: new MudService(join(dir, 'profiles')) });
  const app = createApp({ store, queue, maxUploadBytes: 1 << 20, uploadDir: join(dir, 'up'), webRoot: join(dir, 'none') });
  const get = async (path: string): Promise<Record<string, unknown>> => (await app.request(path)).json() as Promise<Record<string, unknown>>;
  const post = (path: string, body: unknown, method = 'POST'): Promise<Response> =>
    Promise.resolve(app.request(path, { method, headers: { 'content-type': 'application/json' }, body: typeof body === 'string' ? body : JSON.stringify(body) }));
  try {
    await queue.submitFile(samplePath);
    await queue.idle();
    const list = await get('/api/mud/profiles');
    const cam = (list.items as Record<string, unknown>[]).find((p) => p.mac === 'b0:c5:54:25:5b:0e');
    assert.ok(cam, 'the camera has a learned profile');
    assert.equal(cam.state, 'learned');
    assert.equal(cam.device_id, 'mac:b0:c5:54:25:5b:0e');
    if (existsSync(setupA2)) {
      await queue.submitFile(setupA2);
      await queue.idle();
      const d = await get('/api/mud/profiles/b0c554255b0e');
      const rules = d.rule_list as { text: string; flows: number }[];
      // Setup-A-2 also looks the cloud names up over the local resolver (tshark: DNS queries to UDP 53).
      const dns = rules.find((r) => r.text === 'allow device → local-networks UDP to port 53');
      assert.ok(dns && dns.flows > 0, 'the DNS rule was used');
      assert.ok(rules.some((r) => r.flows === 0), 'and some rules never were');
    }
    assert.equal((await post('/api/mud/profiles/b0c554255b0e/state', { state: 'accepted' })).status, 200);
    const locked = await post('/api/mud/profiles/b0:c5:54:25:5b:0e/state', { state: 'locked' });
    assert.equal(((await locked.json()) as { state: string }).state, 'locked');
    // A locked profile cannot be edited; unlocked, an invalid file is refused and a valid one accepted.
    const mudText = await (await app.request('/api/mud/profiles/b0c554255b0e/mud.json')).text();
    assert.equal((await post('/api/mud/profiles/b0c554255b0e', mudText, 'PUT')).status, 409);
    await post('/api/mud/profiles/b0c554255b0e/state', { state: 'learned' });
    assert.equal((await post('/api/mud/profiles/b0c554255b0e', '{"ietf-mud:mud": {}}', 'PUT')).status, 400);
    assert.equal((await post('/api/mud/profiles/b0c554255b0e', mudText, 'PUT')).status, 200);
    // Vendor file: upload → difference to the learned profile; fetching a URL the device never announced is refused.
    const vend = await post('/api/mud/profiles/b0c554255b0e/vendor', readFileSync(luminaire, 'utf8'));
    assert.equal(vend.status, 200);
    const withVendor = (await vend.json()) as { learned_vs_vendor: { only_vendor: string[]; only_learned: string[] } };
    assert.ok(withVendor.learned_vs_vendor.only_vendor.includes('allow device → fw-update.luminaire.example.com TCP to port 443, device initiates'));
    assert.equal((await post('/api/mud/profiles/b0c554255b0e/vendor', { url: 'https://evil.example/x.json' })).status, 400);
    // Watch, live: drop the DNS rules from the camera's profile and lock it; the next setup's DNS lookups
    // (tshark: the camera queries the local resolver on UDP 53 in every setup) become a policy.mud finding.
    const edited = JSON.parse(mudText) as { 'ietf-access-control-list:acls': { acl: { aces: { ace: { matches?: { udp?: { 'destination-port'?: { port?: number }; 'source-port'?: { port?: number } } } }[] } }[] } };
    for (const acl of edited['ietf-access-control-list:acls'].acl) {
      acl.aces.ace = acl.aces.ace.filter((a) => a.matches?.udp?.['destination-port']?.port !== 53 && a.matches?.udp?.['source-port']?.port !== 53);
    }
    assert.equal((await post('/api/mud/profiles/b0c554255b0e', JSON.stringify(edited), 'PUT')).status, 200);
    assert.equal((await post('/api/mud/profiles/b0c554255b0e/state', { state: 'locked' })).status, 200);
    const setupA3 = setupA2.replace('Setup-A-2', 'Setup-A-3');
    if (existsSync(setupA3)) {
      await queue.submitFile(setupA3);
      await queue.idle();
      const findings = (await get('/api/findings?detector=policy.mud')).items as { title: string; devices: { mac?: string }[] }[];
      const dnsFinding = findings.find((f) => /outside its MUD profile/.test(f.title));
      assert.ok(dnsFinding, `a policy.mud finding: ${JSON.stringify(findings)}`);
      const detailAfter = await get('/api/mud/profiles/b0c554255b0e');
      assert.ok((detailAfter.unmatched_flows as number) > 0);
    }
    const nft = await (await app.request('/api/mud/nft')).text();
    assert.match(nft, /chain dev_b0c554255b0e_from/);
    assert.equal((await app.request('/api/mud/profiles/zz')).status, 400);
    assert.equal((await app.request('/api/mud/profiles/aabbccddeeff')).status, 404);
  } finally {
    await queue.idle();
    await store.close();
  }
});

test('without a profiles folder the MUD routes say so', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'bulwark-api-nomud-'));
  const store = new SqliteStore(join(dir, 'b.db'));
  const app = createApp({ store, maxUploadBytes: 1 << 20, uploadDir: join(dir, 'up'), webRoot: join(dir, 'none') });
  const r = await app.request('/api/mud/profiles');
  assert.equal(r.status, 404);
  assert.match(((await r.json()) as { error: { message: string } }).error.message, /--profiles/);
  await store.close();
});
