import { test } from 'node:test';
import assert from 'node:assert/strict';
import { reportsOf } from '../../../test/support/detector-harness.ts';
import type { Report } from '../types.ts';
import detector from './ddos.flood-source.ts';

const net = (n: string): string => new URL(`../../../test/traces/detect-net/${n}`, import.meta.url).pathname;
const sample = (n: string): string => new URL(`../../../samples/${n}`, import.meta.url).pathname;
const total = (rs: Report[]): number => rs.reduce((n, r) => n + (r.count ?? 1), 0);

// Generated from Mirai's attack vectors (test/traces/detect-net/generate.ts); each frame N is flow N's first packet.
const manyFlows: { file: string; attacker: string; target: string; vector: string; flows: number; evidence: number[] }[] = [
  { file: 'flood-udp.generated.pcap', attacker: '192.168.1.50', target: '203.0.113.9', vector: 'udp', flows: 1500, evidence: [1, 2, 3, 4, 5] },
  { file: 'flood-ack.generated.pcap', attacker: '192.168.1.51', target: '203.0.113.9', vector: 'ack', flows: 1500, evidence: [1, 2, 3, 4, 5] },
  // 300 connections of 5 packets each: SYN, SYN-ACK, GET, 200, RST.
  { file: 'flood-http.generated.pcap', attacker: '192.168.1.53', target: '203.0.113.80', vector: 'http', flows: 300, evidence: [1, 6, 11, 16, 21] },
];

for (const v of manyFlows) {
  test(`❌ ${v.file}: ${v.attacker} floods ${v.target} (${v.vector})`, async () => {
    const rs = await reportsOf(detector, [net(v.file)]);
    assert.ok(rs.every((r) => r.messageId === 'flows' && r.key === `${v.attacker}|${v.target}`));
    assert.deepEqual(rs[0].devices.map((d) => [d.role, d.ip]), [['infected', v.attacker], ['victim', v.target]]);
    assert.equal(rs[0].count, 200);
    assert.deepEqual(rs.filter((r) => r.evidence).map((r) => r.evidence!.packet), v.evidence);
    assert.equal(rs.at(-1)!.data.vector, v.vector);
    assert.equal(total(rs), v.flows);
  });
}

test('❌ flood-gre.generated.pcap: one GRE flow of 1,200 packets at 1,000 packets/s', async () => {
  const rs = await reportsOf(detector, [net('flood-gre.generated.pcap')]);
  assert.equal(rs.length, 1);
  assert.equal(rs[0].messageId, 'stream');
  assert.deepEqual(rs[0].data, { attacker: '192.168.1.52', target: '203.0.113.9', vector: 'gre', packets: 1200, pps: 1001 });
  assert.equal(rs[0].count, 1200);
  assert.equal(rs[0].evidence?.packet, 1);
  assert.equal(rs[0].devices[0].mac, '02:00:00:00:00:34');
});

test('❌ dns-water-torture.generated.pcap: 400 random labels under victim-shop.example via 8.8.8.8', async () => {
  const rs = (await reportsOf(detector, [net('dns-water-torture.generated.pcap')])).filter((r) => r.messageId === 'dns');
  assert.ok(rs.every((r) => r.key === 'dns|192.168.1.54|victim-shop.example'));
  assert.equal(rs[0].data.names, 100);
  assert.equal(rs[0].data.resolver, '8.8.8.8');
  assert.deepEqual(rs.filter((r) => r.evidence).map((r) => r.evidence!.packet), [1, 2, 3, 4, 5]);
  assert.equal(total(rs), 400);
  assert.equal(rs.at(-1)!.data.names, 400);
});

test('options: minFlows, minFlowPackets and minDnsNames are thresholds', async () => {
  assert.equal((await reportsOf(detector, [net('flood-http.generated.pcap')], { minFlows: 301 })).length, 0);
  assert.equal((await reportsOf(detector, [net('flood-gre.generated.pcap')], { minFlowPackets: 1201 })).length, 0);
  const dns = await reportsOf(detector, [net('dns-water-torture.generated.pcap')], { minDnsNames: 401, minFlows: 401 });
  assert.equal(dns.length, 0);
});

const invalid = [
  sample('dlink-camera-setup.pcap'), net('wemoswitch2-setup-c-1.pcap'), net('hakai-c2-cut.pcap'),
  // Inbound floods: the victim is here, the sources are not.
  net('synflood-spoofed-cut.pcap'), net('synack-reflection-cut.pcap'),
  // nmap SYN scan of 1,000 ports (from 2 source ports): a scan, left to the scan.* detectors.
  new URL('../../../test/traces/pipeline/synscan.pcap', import.meta.url).pathname,
];
for (const file of invalid) {
  test(`✅ no flood source in ${file.split('/').at(-1)}`, async () => {
    assert.deepEqual(await reportsOf(detector, [file]), []);
  });
}

test('the generated traces are exactly what test/traces/detect-net/generate.ts writes', async () => {
  const { readFileSync } = await import('node:fs');
  const { generated } = await import('../../../test/traces/detect-net/generate.ts');
  const { pcapFile } = await import('../../../test/traces/detect-net/pcap-writer.ts');
  for (const [name, build] of Object.entries(generated)) assert.deepEqual(new Uint8Array(readFileSync(net(name))), pcapFile(build()), name);
});
