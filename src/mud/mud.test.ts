// MUD files: the reference files of ../shared/reference/mud (NIST, Cisco, osMUD) import, validate and round-trip;
// the schema agrees with the YANG modules it was derived from; signatures check as the README there states.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mudSchema, parseMud, serialiseMud, validateMud } from './document.ts';
import { verifyMudSignature } from './signature.ts';
import { importFile, mudUrlFromCertificate } from './import.ts';
import { readableRules, diffProfiles } from './review.ts';
import type { MudFile } from './types.ts';

const ref = new URL('../../../shared/reference/mud/', import.meta.url).pathname;
const files = (dir: string): string[] => readdirSync(join(ref, dir), { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.json')).map((f) => join(ref, dir, f));
const rfcFiles = [...files('nist-mud'), ...files('cisco-mud-manager')];

test('the RFC 8520 reference files validate and round-trip unchanged', () => {
  assert.equal(rfcFiles.length, 5);
  for (const f of rfcFiles) {
    const original = JSON.parse(readFileSync(f, 'utf8')) as MudFile;
    const r = parseMud(readFileSync(f, 'utf8'));
    assert.ok(r.ok, `${f}: ${r.ok ? '' : r.errors.join('; ')}`);
    assert.deepEqual(JSON.parse(serialiseMud(r.mud)), original, f);
    const again = parseMud(serialiseMud(r.mud));
    assert.ok(again.ok && JSON.stringify(again.mud) === JSON.stringify(r.mud));
  }
});

test('the Cisco luminaire file reads as its six ACEs (RFC 8520 example shape)', () => {
  const r = parseMud(readFileSync(join(ref, 'cisco-mud-manager/Luminaire_150.json'), 'utf8'));
  assert.ok(r.ok);
  const rules = readableRules(r.mud);
  assert.deepEqual(rules.map((x) => x.ace), ['cl0-frdev', 'myctl0-frdev', 'loc0-frdev', 'cl0-todev', 'myctl0-todev', 'loc0-todev']);
  assert.equal(rules[0].text, 'allow device → fw-update.luminaire.example.com TCP to port 443, device initiates');
  assert.equal(rules[1].text, 'allow device → my-controller UDP to port 5684');
  const d = diffProfiles(r.mud, r.mud);
  assert.equal(d.both.length, 6);
  assert.equal(d.onlyLeft.length + d.onlyRight.length, 0);
});

test('osMUD draft dialect is converted knowingly, with a warning', () => {
  const r = parseMud(readFileSync(join(ref, 'osmud/lightbulb2000.json'), 'utf8'));
  assert.ok(r.ok);
  assert.match(r.warnings.join(), /draft dialect/);
  const rules = readableRules(r.mud);
  // Upstream: dst-dnsname service.bms.example.com, protocol 6, destination port 443, initiated from the device.
  assert.equal(rules.find((x) => x.ace === 'cl0-frdev')?.text, 'allow device → service.bms.example.com TCP to port 443, device initiates (IPv6)');
});

test('invalid files are refused with a reason', () => {
  const good = JSON.parse(readFileSync(join(ref, 'cisco-mud-manager/Luminaire_150.json'), 'utf8')) as MudFile;
  const cases: [string, (m: MudFile) => void, RegExp][] = [
    ['mud-url missing', (m) => delete (m['ietf-mud:mud'] as Partial<MudFile['ietf-mud:mud']>)['mud-url'], /mud-url/],
    ['cache-validity above 168', (m) => (m['ietf-mud:mud']['cache-validity'] = 169), /cache-validity/],
    ['unknown member', (m) => ((m['ietf-mud:mud'] as unknown as Record<string, unknown>).colour = 'red'), /colour/],
    ['port out of range', (m) => (m['ietf-access-control-list:acls']!.acl![0].aces!.ace![0].matches!.tcp!['source-port'] = { operator: 'eq', port: 70000 }), /source-port/],
    ['bad forwarding', (m) => (m['ietf-access-control-list:acls']!.acl![0].aces!.ace![0].actions.forwarding = 'maybe'), /forwarding/],
    ['dangling policy reference', (m) => (m['ietf-mud:mud']['from-device-policy']!['access-lists']!['access-list']![0].name = 'nope'), /nope/],
  ];
  for (const [what, change, re] of cases) {
    const m = structuredClone(good);
    change(m);
    const errors = validateMud(m);
    assert.ok(errors.length > 0, what);
    assert.match(errors.join('\n'), re, what);
  }
  assert.equal(parseMud('{').ok, false);
  assert.equal(parseMud('[]').ok, false);
});

/** Names declared in the YANG modules (leaf, leaf-list, container, list), with their module prefix where augmented. */
function yangNames(): Set<string> {
  const names = new Set<string>();
  for (const f of readdirSync(join(ref, 'yang'))) {
    for (const m of readFileSync(join(ref, 'yang', f), 'utf8').matchAll(/^\s*(?:leaf|leaf-list|container|list)\s+([a-z0-9-]+)\s*\{/gm)) names.add(m[1]);
  }
  return names;
}

test('every member the schema names is declared in the YANG modules; mandatory leaves are required', () => {
  const declared = yangNames();
  const seen: string[] = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(walk);
    if (typeof node !== 'object' || node === null) return;
    const o = node as Record<string, unknown>;
    if (o.properties && typeof o.properties === 'object') {
      for (const k of Object.keys(o.properties)) seen.push(k.replace(/^[a-z-]+:/, ''));
    }
    for (const v of Object.values(o)) walk(v);
  };
  walk(mudSchema);
  assert.ok(seen.length > 60);
  for (const name of seen) assert.ok(declared.has(name), `schema member '${name}' is not in the YANG modules`);
  // ietf-mud's mandatory leaves (grep "mandatory true" in mud-grouping).
  const yang = readFileSync(join(ref, 'yang/ietf-mud@2019-01-28.yang'), 'utf8');
  const mandatory = [...yang.matchAll(/leaf ([a-z-]+) \{[^}]*?mandatory true;/g)].map((m) => m[1]);
  assert.deepEqual(mandatory.sort(), ['is-supported', 'last-update', 'mud-url', 'mud-version']);
  const defs = (mudSchema as { definitions: { mud: { required: string[] } } }).definitions;
  assert.deepEqual([...defs.mud.required].sort(), mandatory.sort());
});

test('Cisco luminaire signature: valid, chain expired (CA expired 2019-07-12); a changed byte fails', () => {
  const json = readFileSync(join(ref, 'cisco-mud-manager/Luminaire_150.json'));
  const sig = readFileSync(join(ref, 'cisco-mud-manager/Luminaire_150.p7s'));
  const ca = readFileSync(join(ref, 'cisco-mud-manager/luminaire-cacert.pem'), 'utf8');
  const r = verifyMudSignature(json, sig, ca);
  assert.equal(r.status, 'valid-chain-expired');
  assert.equal(r.signer, 'O=Demo Luminaire Manufacturer, CN=luminaire.example.com');
  assert.equal(verifyMudSignature(json, sig).status, 'valid-unverified-signer');
  const changed = Buffer.from(json);
  changed[200] ^= 0x20;
  assert.equal(verifyMudSignature(changed, sig, ca).status, 'invalid');
  assert.equal(verifyMudSignature(json, undefined).status, 'unsigned');
  assert.equal(verifyMudSignature(json, Buffer.from('not cms'), ca).status, 'unverifiable');
  // importFile finds the .p7s beside the file.
  const imp = importFile(join(ref, 'cisco-mud-manager/Luminaire_150.json'), undefined, ca);
  assert.ok(imp.ok);
  assert.equal(imp.signature.status, 'valid-chain-expired');
  assert.equal(importFile(join(ref, 'osmud/lightbulb2000.json')).signature.status, 'unsigned');
});

test('MUD URL from a certificate id-pe-mud-url extension (RFC 8520 section 11), made with openssl', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bulwark-mudcert-'));
  const url = 'https://luminaire.example.com/Luminaire_150';
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-subj', '/CN=device', '-days', '1',
    '-keyout', join(dir, 'k.pem'), '-out', join(dir, 'c.pem'), '-addext', `1.3.6.1.5.5.7.1.25=ASN1:IA5STRING:${url}`], { stdio: 'ignore' });
  const pem = readFileSync(join(dir, 'c.pem'));
  assert.equal(mudUrlFromCertificate(pem), url);
  execFileSync('openssl', ['x509', '-in', join(dir, 'c.pem'), '-outform', 'DER', '-out', join(dir, 'c.der')]);
  assert.equal(mudUrlFromCertificate(readFileSync(join(dir, 'c.der'))), url);
  writeFileSync(join(dir, 'cut.der'), readFileSync(join(dir, 'c.der')).subarray(0, 200));
  assert.doesNotThrow(() => mudUrlFromCertificate(readFileSync(join(dir, 'cut.der'))));
  assert.equal(mudUrlFromCertificate(Buffer.from('no certificate')), undefined);
});

test('import from a MUD URL over https (loopback server, its own CA): file and .p7s fetched, signature checked', async () => {
  const { createServer } = await import('node:https');
  const { importUrl } = await import('./import.ts');
  const dir = mkdtempSync(join(tmpdir(), 'bulwark-mudurl-'));
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-subj', '/CN=127.0.0.1', '-days', '1',
    '-keyout', join(dir, 'k.pem'), '-out', join(dir, 'c.pem'), '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
  const files: Record<string, Buffer> = {
    '/Luminaire_150.json': readFileSync(join(ref, 'cisco-mud-manager/Luminaire_150.json')),
    '/Luminaire_150.p7s': readFileSync(join(ref, 'cisco-mud-manager/Luminaire_150.p7s')),
  };
  const server = createServer({ key: readFileSync(join(dir, 'k.pem')), cert: readFileSync(join(dir, 'c.pem')) }, (req, res) => {
    const body = files[req.url ?? ''];
    res.writeHead(body ? 200 : 404).end(body);
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  try {
    const port = (server.address() as { port: number }).port;
    const r = await importUrl(`https://127.0.0.1:${port}/Luminaire_150.json`, {
      ca: readFileSync(join(dir, 'c.pem'), 'utf8'), trustPem: readFileSync(join(ref, 'cisco-mud-manager/luminaire-cacert.pem'), 'utf8'),
    });
    assert.ok(r.ok);
    assert.equal(r.signature.status, 'valid-chain-expired');
    assert.equal(r.mud?.['ietf-mud:mud']['mud-url'], 'https://luminaire.example.com/Luminaire_150');
    await assert.rejects(importUrl(`http://127.0.0.1:${port}/Luminaire_150.json`), /https/);
    await assert.rejects(importUrl(`https://127.0.0.1:${port}/missing.json`, { ca: readFileSync(join(dir, 'c.pem'), 'utf8') }), /404/);
  } finally {
    server.close();
  }
});
