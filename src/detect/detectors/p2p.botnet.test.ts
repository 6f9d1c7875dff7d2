import { test } from 'node:test';
import assert from 'node:assert/strict';
import { reportsOf } from '../../../test/support/detector-harness.ts';
import type { Report } from '../types.ts';
import detector from './p2p.botnet.ts';

const net = (n: string): string => new URL(`../../../test/traces/detect-net/${n}`, import.meta.url).pathname;
const sample = (n: string): string => new URL(`../../../samples/${n}`, import.meta.url).pathname;
const total = (rs: Report[]): number => rs.reduce((n, r) => n + (r.count ?? 1), 0);

test('❌ p2p-botnet.generated.pcap: Mozi-style DHT node and Hide\'N Seek-style node, 120 random peers each', async () => {
  const rs = await reportsOf(detector, [net('p2p-botnet.generated.pcap')]);
  const mozi = rs.filter((r) => r.key === '192.168.1.80');
  const hns = rs.filter((r) => r.key === '192.168.1.81');
  assert.equal(mozi.length + hns.length, rs.length);
  assert.deepEqual(mozi[0].devices, [{ role: 'infected', ip: '192.168.1.80', mac: '02:00:00:00:00:50' }]);
  // find_node query: 92 bytes of bencode, from the DHT port 6881; frame 1 is the first query.
  assert.equal(mozi[0].data.size, 92);
  assert.equal(mozi[0].data.src_port, 6881);
  assert.equal(mozi[0].evidence?.packet, 1);
  assert.equal(mozi[0].count, 30);
  assert.equal(total(mozi), 120);
  assert.equal(mozi.at(-1)!.data.peers, 120);
  // Hide'N Seek-style: 12-byte probe from port 40000; its first probe is frame 3.
  assert.equal(hns[0].data.size, 12);
  assert.equal(hns[0].evidence?.packet, 3);
  assert.equal(total(hns), 120);
});

test('options: minPeers and minSameSizeShare', async () => {
  assert.equal((await reportsOf(detector, [net('p2p-botnet.generated.pcap')], { minPeers: 121 })).length, 0);
  assert.equal((await reportsOf(detector, [net('p2p-botnet.generated.pcap')], { minPortSpread: 1.01 })).length, 0);
});

const invalid = [
  sample('dlink-camera-setup.pcap'), net('wemoswitch2-setup-c-1.pcap'), net('hakai-c2-cut.pcap'),
  // Floods: one target, not many peers.
  net('flood-udp.generated.pcap'), net('dns-water-torture.generated.pcap'),
];
for (const file of invalid) {
  test(`✅ no P2P botnet traffic in ${file.split('/').at(-1)}`, async () => {
    assert.deepEqual(await reportsOf(detector, [file]), []);
  });
}
