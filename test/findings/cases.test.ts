// Cases and evidence references on the real shared attack captures. Expected values come from the
// captures' MANIFEST.md ground truth (victim, attacker addresses, SHA-256, successful login) and from
// tshark (record lengths → record offsets), never from Bulwark's own output.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { analyzeCaptures } from '../../src/engine/analyze-captures.ts';
import { tsharkFields } from '../support/tshark.ts';

const shared = join(import.meta.dirname, '../../../shared/captures/malicious');
const mirai = join(shared, 'spiderlabs-mirai/2016-11-07-10-35.pcap');
// MANIFEST.md §1b.
const miraiSha = '4c765fde26a6aa2e08ac3f7a9c7c18e6adee81a7a45888813e4701e0eab7e0a4';
const miraiAttackers = new Set(['186.220.245.254', '82.53.109.97', '85.185.169.136', '187.172.86.63', '188.159.109.133', '112.245.175.252', '91.92.120.11', '89.248.172.173']);

/** Record offsets of a classic pcap computed from tshark's captured lengths: 24-byte header, 16 per record. */
function pcapOffsets(path: string): number[] {
  const lens = tsharkFields(path, '', ['frame.cap_len']).map((r) => Number(r[0]));
  const out = [0];
  let pos = 24;
  for (const len of lens) {
    out.push(pos);
    pos += 16 + len;
  }
  return out;
}

let miraiRun: ReturnType<typeof analyzeCaptures> | undefined;
const analysedMirai = (): ReturnType<typeof analyzeCaptures> => (miraiRun ??= analyzeCaptures([mirai]));

test('the Mirai capture is one botnet:mirai case about the victim, with its kill chain', async () => {
  const r = await analysedMirai();
  assert.ok(r.findings.length > 1, 'several findings');
  const mc = r.cases.filter((c) => c.classification === 'botnet:mirai');
  assert.equal(mc.length, 1);
  const c = mc[0];
  assert.equal(r.cases[0].id, c.id, 'ranked first');
  const subject = c.devices.filter((d) => d.subject);
  assert.deepEqual(subject.map((d) => d.ip), ['192.168.0.2']);
  assert.equal(subject[0].role, 'victim');
  // Every other device of the case is one of the manifest's attackers — the 8 brute-force sources, or one of the
  // 14 scanners whose SYN carries the NAT's public address 149.56.141.72 (= 2503511368) as sequence number, which
  // tshark lists — and the four that logged in are there.
  const scanners = tsharkFields(mirai, 'tcp.dstport==23 && tcp.flags.syn==1 && tcp.flags.ack==0 && tcp.seq_raw==2503511368', ['ip.src']).map((x) => x[0]);
  const attackers = new Set([...miraiAttackers, ...scanners]);
  for (const d of c.devices.filter((x) => !x.subject)) assert.ok(attackers.has(d.ip), `${d.ip} is an attacker`);
  for (const ip of ['82.53.109.97', '186.220.245.254', '91.92.120.11', '89.248.172.173']) assert.ok(c.devices.some((d) => d.ip === ip), ip);
  assert.equal(c.compromised, true, 'root/password was accepted');
  assert.ok(c.severity === 'critical' || c.severity === 'high');
  // Every finding naming the victim is in this one case, and the timeline is in time order.
  const aboutVictim = r.findings.filter((f) => f.devices.some((d) => d.ip === '192.168.0.2' && d.role !== 'peer'));
  assert.deepEqual(new Set(c.findings), new Set(aboutVictim.map((f) => f.id)));
  assert.equal(c.timeline.length, c.findings.length);
  for (let i = 1; i < c.timeline.length; i++) assert.ok(c.timeline[i].ts >= c.timeline[i - 1].ts);
  const phases = new Set(c.timeline.map((s) => s.phase));
  assert.ok(phases.has('initial-access'));
  assert.ok(c.attack.includes('T1110.001'));
});

test('evidence references name the capture by SHA-256 and the byte offset tshark implies', async () => {
  const r = await analysedMirai();
  assert.deepEqual(r.captures.map((x) => x.sha256), [miraiSha]);
  const offsets = pcapOffsets(mirai);
  let n = 0;
  for (const f of r.findings) {
    for (const e of f.evidence) {
      assert.equal(e.sha256, miraiSha);
      assert.equal(e.offset, offsets[e.packet], `packet ${e.packet}`);
      n++;
    }
  }
  assert.ok(n > 20);
  assert.ok(r.findings.some((f) => f.evidence.some((e) => typeof e.flow_id === 'number' && typeof e.community_id === 'string')));
});

test('gzip: SHA-256 of the compressed file, offsets in the decompressed stream', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'bulwark-cases-'));
  const gz = join(dir, 'mirai.pcap.gz');
  const bytes = gzipSync(readFileSync(mirai));
  writeFileSync(gz, bytes);
  const r = await analyzeCaptures([gz]);
  const offsets = pcapOffsets(mirai);
  const sha = createHash('sha256').update(bytes).digest('hex');
  const refs = r.findings.flatMap((f) => f.evidence);
  assert.ok(refs.length > 0);
  for (const e of refs) {
    assert.equal(e.sha256, sha);
    assert.equal(e.offset, offsets[e.packet]);
  }
});

test('a capture that ends in a corrupt record: SHA-256 of the whole file, offsets of the records before it', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'bulwark-cases-'));
  const cut = join(dir, 'mirai-corrupt-tail.pcap');
  // A record header claiming 4 GiB (past any snap length) makes the reader stop there; the bytes after it are
  // part of the file all the same, and so of its digest. More of them than the reader's 8 MiB buffer holds, so
  // some are never read by it.
  const tail = Buffer.alloc(16 + (12 << 20), 0x5a);
  tail.writeUInt32LE(0xffff_fff0, 8);
  const bytes = Buffer.concat([readFileSync(mirai), tail]);
  writeFileSync(cut, bytes);
  const r = await analyzeCaptures([cut]);
  const sha = createHash('sha256').update(bytes).digest('hex');
  assert.deepEqual(r.captures.map((x) => [x.sha256, x.size]), [[sha, bytes.length]]);
  const offsets = pcapOffsets(mirai);
  const refs = r.findings.flatMap((f) => f.evidence);
  assert.ok(refs.length > 20);
  for (const e of refs) {
    assert.equal(e.sha256, sha);
    assert.equal(e.offset, offsets[e.packet], `packet ${e.packet}`);
  }
});

test('reflection, flood, scan and brute-force captures: one case each, with the right class', async () => {
  const expect: [string, string, string][] = [
    ['stopddos/amp.TCP.reflection.SYNACK.pcap', 'ddos:reflection', '10.10.10.10'],
    ['stopddos/pkt.TCP.synflood.spoofed.pcap', 'ddos:flood', '10.10.10.10'],
    ['ndpi/synscan.pcap', 'scan', '172.16.0.8'],
    ['slips/test19-malicious-ssh/malicious-ssh-bruteforce.pcap', 'bruteforce', '147.32.80.37'],
  ];
  for (const [file, cls, subject] of expect) {
    const r = await analyzeCaptures([join(shared, file)]);
    const c = r.cases.find((x) => x.classification === cls);
    assert.ok(c, `${file}: ${cls} among ${r.cases.map((x) => x.classification).join(', ')}`);
    assert.deepEqual(c.devices.filter((d) => d.subject).map((d) => d.ip), [subject], file);
    assert.equal(c.compromised, false, file);
  }
});
