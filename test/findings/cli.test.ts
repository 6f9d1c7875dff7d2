// The sharing commands end to end as a user runs them on the real Mirai capture: analyze --out writes
// cases.jsonl; evidence → keys → export --package (custody records it) → copy → verify.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mispValidator } from '../support/schemas.ts';

const main = join(import.meta.dirname, '../../src/cli/main.ts');
const mirai = join(import.meta.dirname, '../../../shared/captures/malicious/spiderlabs-mirai/2016-11-07-10-35.pcap');
const tmp = mkdtempSync(join(tmpdir(), 'bulwark-share-cli-'));
const env = { ...process.env, BULWARK_KEYS: join(tmp, 'keys') };
const bulwark = (...args: string[]) => spawnSync(process.execPath, [main, ...args], { encoding: 'utf8', env });

test('analyze --out writes cases.jsonl; evidence, keys, export --package, copy and verify', () => {
  const out = join(tmp, 'out');
  const a = bulwark('analyze', '--quiet', '--out', out, mirai);
  assert.equal(a.status, 0, a.stderr);
  const cases = readFileSync(join(out, 'cases.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
  assert.ok(cases.length >= 1);
  for (const c of cases) {
    for (const k of ['id', 'classification', 'severity', 'devices', 'findings', 'timeline']) assert.ok(k in c, k);
    for (const d of c.devices as Record<string, unknown>[]) assert.ok(typeof d.role === 'string' && typeof d.ip === 'string');
  }
  const mc = cases.find((c) => c.classification === 'botnet:mirai')!;
  const pkg = join(tmp, 'pkg');
  const e = bulwark('evidence', '--case', String(mc.id), '--out', pkg, mirai);
  assert.equal(e.status, 0, e.stderr);
  const k = bulwark('keys', '--export', join(tmp, 'pub.pem'));
  assert.equal(k.status, 0, k.stderr);
  const manifest = JSON.parse(readFileSync(join(pkg, 'manifest.json'), 'utf8')) as { signer: { fingerprint: string } };
  assert.match(k.stdout, new RegExp(`fingerprint\\s+${manifest.signer.fingerprint}`));
  assert.match(readFileSync(join(tmp, 'pub.pem'), 'utf8'), /^-----BEGIN PUBLIC KEY-----/);
  const x = bulwark('export', 'misp', '--out', join(tmp, 'event.json'), '--package', pkg);
  assert.equal(x.status, 0, x.stderr);
  assert.deepEqual(mispValidator()('event', JSON.parse(readFileSync(join(tmp, 'event.json'), 'utf8'))), []);
  assert.ok(JSON.parse(readFileSync(join(tmp, 'event.json.unmapped.json'), 'utf8')).length > 0);
  const copy = join(tmp, 'copy');
  assert.equal(bulwark('evidence', '--copy-from', pkg, '--out', copy).status, 0);
  const v = bulwark('verify', copy, mirai);
  assert.equal(v.status, 0, v.stdout);
  const actions = readFileSync(join(copy, 'custody.log'), 'utf8').trim().split('\n').map((l) => (JSON.parse(l.split(' ').slice(2).join(' ')) as { action: string }).action);
  assert.deepEqual(actions, ['created', 'exported', 'copied', 'verified']);
});
