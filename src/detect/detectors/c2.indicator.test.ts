import { test } from 'node:test';
import assert from 'node:assert/strict';
import { reportsOf } from '../../../test/support/detector-harness.ts';
import type { Report } from '../types.ts';
import detector from './c2.indicator.ts';

const net = (n: string): string => new URL(`../../../test/traces/detect-net/${n}`, import.meta.url).pathname;
const sample = (n: string): string => new URL(`../../../samples/${n}`, import.meta.url).pathname;
const lists = (...names: string[]): { paths: string[] } => ({ paths: names.map((n) => net(`indicators/${n}`)) });
const total = (rs: Report[]): number => rs.reduce((n, r) => n + (r.count ?? 1), 0);

for (const list of ['hakai-c2.txt', 'iocs.stix.json', 'hakai-c2.misp.json']) {
  test(`❌ hakai-c2-cut.pcap with ${list}: every attempt to the two C2 addresses`, async () => {
    const rs = await reportsOf(detector, [net('hakai-c2-cut.pcap')], lists(list));
    const keys = [...new Set(rs.map((r) => r.key))].sort();
    assert.deepEqual(keys, ['192.168.100.113|address|128.185.250.50', '192.168.100.113|address|178.128.185.250']);
    // 70 attempts (flows) to each address in frames 1-2000, as c2.beaconing counts them.
    assert.equal(total(rs), 140);
    const first = rs.find((r) => r.key.endsWith('178.128.185.250'))!;
    assert.equal(first.evidence?.packet, 488);
    assert.equal(first.data.action, 'tried to connect to (no answer) port 50 of');
    assert.deepEqual(first.devices, [{ role: 'infected', ip: '192.168.100.113', mac: 'b8:27:eb:7d:6b:a6' }, { role: 'peer', ip: '178.128.185.250' }]);
    if (list.endsWith('.json')) assert.equal(first.data.label, ' ("Hakai C2")');
  });
}

test('❌ tlsv1-malicious-c2.pcap with iocs.csv: C2 address (flow) and JA4 fingerprint (ClientHello, frame 4)', async () => {
  const rs = await reportsOf(detector, [net('tlsv1-malicious-c2.pcap')], lists('iocs.csv'));
  assert.deepEqual(rs.map((r) => [r.key, r.evidence?.packet]).sort(), [
    ['192.168.46.2|JA4 fingerprint|t10i070600_c50f5591e341_c39ab67fec8e', 4],
    ['192.168.46.2|address|91.254.215.167', 1],
  ]);
});

test('✅ no lists configured: nothing reported (and nothing read)', async () => {
  assert.deepEqual(await reportsOf(detector, [net('hakai-c2-cut.pcap')]), []);
});

test('✅ unreadable list: nothing reported, no exception', async () => {
  assert.deepEqual(await reportsOf(detector, [net('hakai-c2-cut.pcap')], { paths: [net('indicators/missing.txt')] }), []);
});

for (const file of [sample('dlink-camera-setup.pcap'), net('wemoswitch2-setup-c-1.pcap')]) {
  test(`✅ no indicator hits in ${file.split('/').at(-1)} with every list`, async () => {
    assert.deepEqual(await reportsOf(detector, [file], lists('hakai-c2.txt', 'iocs.csv', 'iocs.stix.json')), []);
  });
}
