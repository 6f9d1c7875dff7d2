// Learning on real IoT Sentinel captures (read in place from ../shared, MANIFEST.md section 2b), checked
// against tshark's view of the same packets; held-out coverage; an infected host's traffic violates a profile.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pipeline } from '../pipeline/analyze.ts';
import { Inventory } from '../inventory/inventory.ts';
import { MudLearner, type LearnedProfile } from './learn.ts';
import { validateMud } from './document.ts';
import { PolicyWatch, type Violation } from './watch.ts';
import { loadProfile } from './store.ts';

const cam = new URL('../../../shared/captures/benign-iot/iot-sentinel/D-LinkCam/', import.meta.url).pathname;
const camMac = 'b0:c5:54:25:5b:0e'; // _iotdevice-mac.txt
const hakai = new URL('../../test/traces/detect-net/hakai-c2-cut.pcap', import.meta.url).pathname;
const setups = ['A-1', 'A-2', 'A-3', 'A-4', 'A-5'].map((s) => join(cam, `Setup-${s}-STA.pcap`));

async function learnFrom(paths: string[], mac: string): Promise<LearnedProfile> {
  const pipeline = new Pipeline();
  const inventory = new Inventory({}).attach(pipeline);
  const learner = new MudLearner({ devices: [mac] }).attach(pipeline);
  await pipeline.run(paths);
  const [p] = learner.profiles(inventory);
  assert.ok(p, 'a profile');
  return p;
}

async function violations(profile: LearnedProfile, paths: string[], asMac?: string): Promise<{ checked: number; found: Violation[] }> {
  const found: Violation[] = [];
  const pipeline = new Pipeline();
  const watch = new PolicyWatch([{ mud: profile.mud, sidecar: { ...profile.sidecar, mac: asMac ?? profile.sidecar.mac, state: 'locked' } }], (v) => found.push(v)).attach(pipeline);
  await pipeline.run(paths);
  return { checked: watch.flowsChecked, found };
}

const tshark = (file: string, filter: string, fields: string[]): string[][] =>
  execFileSync('tshark', ['-r', file, '-Y', filter, '-T', 'fields', ...fields.flatMap((f) => ['-e', f])], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })
    .split('\n').filter(Boolean).map((l) => l.split('\t'));

test('D-LinkCam: every cloud connection becomes a rule by the DNS name that resolved it (tshark: SYNs and DNS answers)', { skip: !existsSync(cam) }, async () => {
  const file = setups[0];
  const p = await learnFrom([file], camMac);
  assert.deepEqual(validateMud(p.mud), []);
  const namesOf = new Map<string, Set<string>>();
  for (const [name, as] of tshark(file, 'dns.flags.response==1 && dns.a', ['dns.qry.name', 'dns.a'])) {
    for (const a of as.split(',')) namesOf.set(a, (namesOf.get(a) ?? new Set()).add(name));
  }
  const syns = tshark(file, `eth.src==${camMac} && tcp.flags.syn==1 && tcp.flags.ack==0 && !(ip.dst==10.0.0.0/8 || ip.dst==192.168.0.0/16)`, ['ip.dst', 'tcp.dstport']);
  assert.equal(syns.length, 3);
  const aces = p.mud['ietf-access-control-list:acls']!.acl!.find((a) => a.name === 'mud-b0c554255b0e-v4fr')!.aces!.ace!;
  for (const [ip, port] of syns) {
    const hit = aces.find((a) => namesOf.get(ip)?.has(a.matches?.ipv4?.['ietf-acldns:dst-dnsname'] ?? '') && a.matches?.tcp?.['destination-port']?.port === Number(port));
    assert.ok(hit, `rule for ${ip}:${port} by one of ${[...(namesOf.get(ip) ?? [])].join(', ')}`);
    assert.equal(hit.matches?.tcp?.['ietf-mud:direction-initiated'], 'from-device');
  }
  // The camera's own answers come from the local resolver: a local-networks rule for UDP 53, and DHCP 68 → 67.
  const texts = JSON.stringify(aces);
  assert.match(texts, /"local-networks":\[null\]\},"ipv4":\{"protocol":17\},"udp":\{"destination-port":\{"operator":"eq","port":53\}/);
  assert.match(texts, /"source-port":\{"operator":"eq","port":68\},"destination-port":\{"operator":"eq","port":67\}/);
  assert.ok(p.sidecar.learned!.generalisations.some((g) => g.kind === 'cdn-addresses' || g.kind === 'dns-name'));
});

test('held out: a profile learned from four setups of the camera covers the fifth; the infected host violates it', { skip: !existsSync(cam) }, async () => {
  const p = await learnFrom(setups.slice(0, 4), camMac);
  const held = await violations(p, [setups[4]]);
  assert.ok(held.checked > 15, `flows checked: ${held.checked}`);
  assert.deepEqual(held.found.map((v) => `${v.peerIp}:${v.port}`), []);
  // Hakai C2 attempts (MANIFEST 1a: TCP/50 to 178.128.185.250 and 128.185.250.50) under the camera's profile.
  const bad = await violations(p, [hakai], 'b8:27:eb:7d:6b:a6');
  const c2 = bad.found.filter((v) => v.port === 50 && v.transport === 'tcp');
  assert.deepEqual([...new Set(c2.map((v) => v.peerIp))].sort(), ['128.185.250.50', '178.128.185.250']);
  assert.ok(c2.every((v) => v.initiated === 'from-device' && !v.answered));
});

test('bulwark mud learn writes <mac12>.json (valid) and its sidecar', { skip: !existsSync(cam) }, () => {
  const out = mkdtempSync(join(tmpdir(), 'bulwark-mud-learn-'));
  const bin = new URL('../../bin/bulwark.js', import.meta.url).pathname;
  const stdout = execFileSync(process.execPath, [bin, 'mud', 'learn', '--out', out, '--device', camMac, setups[0]], { encoding: 'utf8' });
  assert.match(stdout, /^b0c554255b0e\.json/);
  const stored = loadProfile(out, camMac);
  assert.ok(!('errors' in stored));
  assert.equal(stored.sidecar.state, 'learned');
  assert.deepEqual(validateMud(JSON.parse(readFileSync(join(out, 'b0c554255b0e.json'), 'utf8'))), []);
});
