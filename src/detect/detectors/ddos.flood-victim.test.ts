import { test } from 'node:test';
import assert from 'node:assert/strict';
import { reportsOf } from '../../../test/support/detector-harness.ts';
import type { Report } from '../types.ts';
import detector from './ddos.flood-victim.ts';

const net = (n: string): string => new URL(`../../../test/traces/detect-net/${n}`, import.meta.url).pathname;
const sample = (n: string): string => new URL(`../../../samples/${n}`, import.meta.url).pathname;
const total = (rs: Report[]): number => rs.reduce((n, r) => n + (r.count ?? 1), 0);

const valid: { file: string; vector: string; port: number; flows: number; firstPacket: number }[] = [
  // 3,000 spoofed SYNs at 10.10.10.10:25565; tshark: 2,857 distinct source address/port pairs (= flows).
  { file: 'synflood-spoofed-cut.pcap', vector: 'syn', port: 25565, flows: 2857, firstPacket: 1 },
  // SYN/ECN/CWR flood at 10.10.10.10:30120 that ramps up after 33 s: the tripping window starts at frame 55.
  { file: 'dominate-syn-ecn-cut.pcap', vector: 'syn', port: 30120, flows: 2927, firstPacket: 55 },
  // SYN-ACKs from 2,775 reflectors: the victim receives answers to SYNs it never sent.
  { file: 'synack-reflection-cut.pcap', vector: 'syn-ack', port: 59214, flows: 2944, firstPacket: 1 },
];

for (const v of valid) {
  test(`❌ ${v.file}: 10.10.10.10 is the victim of a ${v.vector} flood`, async () => {
    const rs = await reportsOf(detector, [net(v.file)]);
    assert.ok(rs.length > 0);
    assert.ok(rs.every((r) => r.key === '10.10.10.10' && r.messageId === 'flood'));
    assert.deepEqual(rs[0].devices, [{ role: 'victim', ip: '10.10.10.10' }], 'spoofed sources are not named as attackers');
    assert.equal(rs[0].count, 1000, 'the first report carries the minFlows flows that tripped it');
    assert.equal(rs[0].evidence?.packet, v.firstPacket);
    assert.equal(rs.filter((r) => r.evidence).length, 5, 'evidencePerFinding packets');
    const last = rs.at(-1)!;
    assert.equal(last.data.vector, v.vector);
    assert.equal(total(rs), v.flows);
    assert.equal(last.data.flows, v.flows);
    if (v.vector === 'syn') assert.equal(last.data.port, v.port);
  });
}

test('minFlows is an option: above the flows in the window nothing is reported', async () => {
  assert.equal((await reportsOf(detector, [net('synflood-spoofed-cut.pcap')], { minFlows: 3000 })).length, 0);
});

test('minSources is an option: fewer distinct sources in the window than asked, nothing reported', async () => {
  // 2,856 distinct spoofed sources in the cut.
  assert.equal((await reportsOf(detector, [net('synflood-spoofed-cut.pcap')], { minSources: 2857 })).length, 0);
  assert.ok((await reportsOf(detector, [net('synflood-spoofed-cut.pcap')], { minSources: 2856 })).length > 0);
});

const invalid = [
  sample('dlink-camera-setup.pcap'), net('wemoswitch2-setup-c-1.pcap'), net('hakai-c2-cut.pcap'),
  // Outbound floods from a device here belong to ddos.flood-source, not to this detector.
  net('flood-udp.generated.pcap'), net('flood-http.generated.pcap'),
];
for (const file of invalid) {
  test(`✅ no flood victim in ${file.split('/').at(-1)}`, async () => {
    assert.deepEqual(await reportsOf(detector, [file]), []);
  });
}
