// Evidence packages from the real Mirai capture: the pcapng holds exactly the proving packets (checked
// against tshark's reading of the original capture), `bulwark verify` accepts the package, and 1,000
// random single-byte flips, truncations and reorderings anywhere in it are every one detected.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyzeCaptures } from '../../src/engine/analyze-captures.ts';
import { createPackage, verifyPackage } from '../../src/findings/evidence/package.ts';
import { signingKey } from '../../src/findings/evidence/keys.ts';
import { appendCustody } from '../../src/findings/evidence/custody.ts';
import { tsharkFields } from '../support/tshark.ts';

const mirai = join(import.meta.dirname, '../../../shared/captures/malicious/spiderlabs-mirai/2016-11-07-10-35.pcap');
const main = join(import.meta.dirname, '../../src/cli/main.ts');
const keys = mkdtempSync(join(tmpdir(), 'bulwark-keys-'));
process.env.BULWARK_KEYS = keys;

let built: Promise<{ dir: string; packets: number[] }> | undefined;

/** A fresh copy of one package built once from the Mirai case. */
async function miraiPackage(): Promise<{ dir: string; packets: number[] }> {
  const { dir, packets } = await (built ??= buildPackage());
  const copy = join(mkdtempSync(join(tmpdir(), 'bulwark-evidence-')), 'pkg');
  cpSync(dir, copy, { recursive: true });
  return { dir: copy, packets };
}

async function buildPackage(): Promise<{ dir: string; packets: number[] }> {
  const r = await analyzeCaptures([mirai]);
  const c = r.cases.find((x) => x.classification === 'botnet:mirai');
  assert.ok(c);
  const findings = r.findings.filter((f) => c.findings.includes(f.id));
  const dir = join(mkdtempSync(join(tmpdir(), 'bulwark-evidence-')), 'pkg');
  await createPackage(dir, { kind: 'case', id: c.id, findings, case: c }, [mirai], signingKey(), { case: c.id });
  const packets = [...new Set(findings.flatMap((f) => f.evidence.map((e) => e.packet)))].sort((a, b) => a - b);
  return { dir, packets };
}

test('evidence.pcapng holds exactly the proving packets, as tshark reads them in the original', async () => {
  const { dir, packets } = await miraiPackage();
  const fields = ['frame.time_epoch', 'frame.len', 'frame.cap_len', 'ip.src', 'ip.dst', 'tcp.srcport', 'tcp.dstport', 'tcp.seq_raw'];
  const cut = tsharkFields(join(dir, 'evidence.pcapng'), '', [...fields, 'frame.comment']);
  assert.equal(cut.length, packets.length);
  const original = tsharkFields(mirai, `frame.number in {${packets.join(', ')}}`, ['frame.number', ...fields]);
  assert.equal(original.length, packets.length);
  for (let i = 0; i < cut.length; i++) {
    assert.deepEqual(cut[i].slice(0, fields.length), original[i].slice(1), `packet ${original[i][0]}`);
    assert.match(cut[i][fields.length], new RegExp(`^bulwark finding .+ packet ${original[i][0]} offset \\d+$`));
  }
  const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
  // MANIFEST.md: the capture's SHA-256.
  assert.equal(manifest.sources[0].sha256, '4c765fde26a6aa2e08ac3f7a9c7c18e6adee81a7a45888813e4701e0eab7e0a4');
  assert.match(manifest.created, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
});

test('verify: intact package passes; 1,000 random flips, truncations and reorderings are all detected', async () => {
  const { dir } = await miraiPackage();
  appendCustody(dir, signingKey(), 'verified', { result: 'ok' });
  appendCustody(dir, signingKey(), 'copied', { from: 'elsewhere' });
  assert.deepEqual((await verifyPackage(dir, [mirai])).ok, true);
  const files = readdirSync(dir).sort();
  const original = new Map(files.map((f) => [f, readFileSync(join(dir, f))]));
  let seed = 0x12345678;
  const rnd = (n: number): number => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return Math.floor((seed / 2 ** 32) * n);
  };
  const kinds = { flip: 0, truncate: 0, reorder: 0 };
  for (let i = 0; i < 1000; i++) {
    const name = files[rnd(files.length)];
    const bytes = original.get(name)!;
    let mutated: Buffer;
    const kind = (['flip', 'truncate', 'reorder'] as const)[i % 3];
    if (kind === 'flip') {
      mutated = Buffer.from(bytes);
      const at = rnd(bytes.length);
      mutated[at] ^= 1 + rnd(255);
    } else if (kind === 'truncate') {
      mutated = bytes.subarray(0, rnd(bytes.length));
    } else {
      mutated = reorder(bytes, name, rnd);
      if (mutated.equals(bytes)) {
        i--;
        continue;
      }
    }
    kinds[kind]++;
    writeFileSync(join(dir, name), mutated);
    const r = await verifyPackage(dir);
    writeFileSync(join(dir, name), bytes);
    assert.equal(r.ok, false, `${kind} of ${name} went undetected`);
    if (!r.ok) assert.ok(r.broken.length > 0);
  }
  assert.deepEqual(kinds, { flip: 334, truncate: 333, reorder: 333 });
  assert.equal((await verifyPackage(dir)).ok, true);
});

/** Swap two lines of a text file with several lines, else two distinct equal-length byte ranges. */
function reorder(bytes: Buffer, name: string, rnd: (n: number) => number): Buffer {
  const lines = bytes.toString('latin1').split('\n');
  if (name.endsWith('.log') && lines.length > 2) {
    const a = rnd(lines.length - 1);
    let b = rnd(lines.length - 1);
    if (b === a) b = (a + 1) % (lines.length - 1);
    [lines[a], lines[b]] = [lines[b], lines[a]];
    return Buffer.from(lines.join('\n'), 'latin1');
  }
  const len = 1 + rnd(Math.max(1, Math.floor(bytes.length / 4)));
  const a = rnd(bytes.length - 2 * len + 1);
  const b = a + len + rnd(bytes.length - a - 2 * len + 1);
  const out = Buffer.from(bytes);
  bytes.copy(out, a, b, b + len);
  bytes.copy(out, b, a, a + len);
  return out;
}

test('bulwark verify exits 5 and names the broken file; 0 when intact', async () => {
  const { dir } = await miraiPackage();
  const ok = spawnSync(process.execPath, [main, 'verify', dir, mirai], { encoding: 'utf8', env: { ...process.env, BULWARK_KEYS: keys } });
  assert.equal(ok.status, 0, ok.stdout + ok.stderr);
  assert.match(readFileSync(join(dir, 'custody.log'), 'utf8').split('\n')[1], /"action":"verified"/);
  const pcap = readFileSync(join(dir, 'evidence.pcapng'));
  pcap[pcap.length - 40] ^= 0x01;
  writeFileSync(join(dir, 'evidence.pcapng'), pcap);
  const bad = spawnSync(process.execPath, [main, 'verify', '--no-record', dir], { encoding: 'utf8' });
  assert.equal(bad.status, 5);
  assert.match(bad.stdout, /^BROKEN: evidence\.pcapng: SHA-256 differs/);
});
