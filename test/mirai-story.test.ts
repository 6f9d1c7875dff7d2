// One infection, one story: the real SpiderLabs Mirai capture (read in place from ../shared, as its manifest
// asks: no licence to copy it) yields a handful of findings, not one per attacker or per password.
// Ground truth from ../shared/captures/MANIFEST.md §1b (derived there with tshark).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { Pipeline } from '../src/pipeline/analyze.ts';
import { DetectionEngine } from '../src/detect/engine.ts';
import { detectors } from '../src/detect/registry.ts';

const capture = new URL('../../shared/captures/malicious/spiderlabs-mirai/2016-11-07-10-35.pcap', import.meta.url).pathname;
const attackers = new Set(['186.220.245.254', '82.53.109.97', '85.185.169.136', '187.172.86.63', '188.159.109.133', '112.245.175.252', '91.92.120.11', '89.248.172.173']);

test('❌ spiderlabs-mirai: a handful of findings, each cause once, with counts and the top peers', { skip: !existsSync(capture) && 'shared captures not present' }, async () => {
  const pipeline = new Pipeline();
  const engine = new DetectionEngine(detectors).attach(pipeline);
  await pipeline.run([capture]);
  const findings = engine.findings();
  const by = (id: string) => findings.filter((f) => f.detector === id);
  assert.ok(findings.length <= 8, `${findings.length} findings: ${findings.map((f) => f.title).join(' | ')}`);
  for (const id of new Set(findings.map((f) => f.detector))) assert.ok(by(id).length <= 2, `${id}: ${by(id).length} findings`);

  // Inbound brute force: one finding for the telnet service of 192.168.0.2, succeeded (root/password, manifest (c)).
  const brute = by('bruteforce.login');
  assert.equal(brute.length, 1);
  assert.equal(brute[0].severity, 'high');
  assert.match(brute[0].title, /TELNET brute force against 192\.168\.0\.2 succeeded/);
  assert.ok(brute[0].devices.filter((d) => d.role === 'attacker').every((d) => attackers.has(d.ip)));
  assert.ok(Number(brute[0].facts?.peers) >= 2, 'several brute-forcing sources in one finding');
  assert.ok(brute[0].devices.some((d) => d.role === 'victim' && d.ip === '192.168.0.2'));

  // Mirai scanning through NAT: 14 sources whose SYN sequence number is 149.56.141.72 (manifest (a)).
  const scan = by('botnet.mirai-scan');
  assert.equal(scan.length, 1);
  assert.equal(scan[0].facts?.sources, 14);
  assert.equal(scan[0].facts?.public_address, '149.56.141.72');
  assert.ok(scan[0].devices.every((d) => d.role !== 'infected'), 'outside scanners are attackers, not infected');

  // Default login accepted: root/password (4 sessions, manifest (c)).
  const defaults = by('credentials.default').filter((f) => f.severity === 'high');
  assert.equal(defaults.length, 1);
  assert.equal(defaults[0].count, 4);

  // Cleartext credentials: the accepted password once, all refused logins of the service in one finding.
  const clear = by('credentials.cleartext');
  assert.equal(clear.length, 2);
  assert.ok(clear.every((f) => f.devices[0].ip === '192.168.0.2'));
  assert.equal(findings.filter((f) => f.devices.some((d) => d.role === 'infected')).length, 0, '192.168.0.2 was attacked, not seen infected');
});
