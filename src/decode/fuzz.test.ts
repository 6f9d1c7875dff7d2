// Robustness: decodePacket on random bytes and mutants of real frames (test/traces/decode), for every link
// type, never throws, keeps offsets inside the buffer; the defragmenter's state stays bounded.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LinkType } from '../capture/types.ts';
import { fuzz } from '../../test/support/mutate.ts';
import { decodePacket } from './decode.ts';
import { Defragmenter } from './defrag.ts';
import { PacketView } from './packet-view.ts';
import { arpEventFields, ndpEventFields } from './events.ts';
import { ipv4Fragments, ipv6Fragments, makeRecord, readPcap, recordBytes, TRACES, wrapEthernet, wrapLoopback, wrapSll, wrapSll2 } from './test-support.ts';

const seeds: Uint8Array[] = [];
for (const [file, frames] of [
  ['coap_mqtt.pcap', [1, 20, 21, 931]],
  ['dlink-homehub-setup-c2-1-300.pcap', [1, 6, 7, 28, 197]],
  ['synscan-1-200.pcap', [1]],
  ['ednet-gateway-setup-a1.pcap', [8, 53]],
  ['maxgateway-setup-a6.pcap', [1]],
] as const) {
  const recs = readPcap(TRACES + file);
  for (const n of frames) seeds.push(recordBytes(recs[n - 1]));
}
const ipSeeds = seeds.map((f) => f.subarray(14)).filter((ip) => ip[0] >> 4 === 4 || ip[0] >> 4 === 6);
const big4 = seeds[8].subarray(14, 14 + 577);
const fragSeeds = [...ipv4Fragments(big4, [[0, 200], [200, 557]]), ...ipv4Fragments(big4, [[400, 557], [0, 408]])];

const linkSeeds: [number, Uint8Array[]][] = [
  [LinkType.ETHERNET, [...seeds, ...ipSeeds.map((ip) => wrapEthernet(ip, ip[0] >> 4 === 4 ? 0x0800 : 0x86dd, [[0x88a8, 5], [0x8100, 6]]))]],
  [LinkType.LINUX_SLL, ipSeeds.map((ip) => wrapSll(ip, ip[0] >> 4 === 4 ? 0x0800 : 0x86dd))],
  [LinkType.LINUX_SLL2, ipSeeds.map((ip) => wrapSll2(ip, ip[0] >> 4 === 4 ? 0x0800 : 0x86dd))],
  [LinkType.NULL, ipSeeds.map((ip) => wrapLoopback(ip, ip[0] >> 4 === 4 ? 2 : 30, true))],
  [LinkType.LOOP, ipSeeds.map((ip) => wrapLoopback(ip, ip[0] >> 4 === 4 ? 2 : 24, false))],
  [LinkType.RAW, [...ipSeeds, ...fragSeeds]],
  [LinkType.IPV4, ipSeeds],
  [LinkType.IPV6, ipSeeds],
];

function check(view: PacketView): void {
  const len = view.data.length;
  assert.ok(view.end <= len);
  assert.ok(view.payloadLen >= 0 && view.payloadOff + view.payloadLen <= view.end, 'payload inside the captured bytes');
  assert.ok(view.l4Off <= len && view.l3Off <= len);
  if (view.ndTargetOff >= 0) assert.ok(view.ndTargetOff + 16 <= view.end);
  if (view.ndLlAddrOff >= 0) assert.ok(view.ndLlAddrOff + 6 <= view.end);
  assert.ok(view.anomalies.length <= 8);
}

for (const [linkType, linkSeedList] of linkSeeds) {
  test(`fuzz decodePacket, link type ${linkType}`, () => {
    const view = new PacketView();
    const defrag = new Defragmenter({ maxDatagrams: 64, maxTotalBytes: 1 << 20 });
    let ts = 0;
    fuzz(linkSeedList, (bytes) => {
      decodePacket(makeRecord(linkType, bytes), view, defrag, (ts += 0.01));
      check(view);
      arpEventFields(view);
      ndpEventFields(view);
    }, 3000, linkType + 1);
    assert.ok(defrag.stats.inProgress <= 64);
    assert.ok(defrag.stats.bytesInUse <= 1 << 20);
  });
}

test('fuzz reassembly: mutated IPv4 and IPv6 fragments of a real datagram', () => {
  const view = new PacketView();
  const defrag = new Defragmenter({ maxDatagrams: 16 });
  const ip6 = seeds[0].subarray(14);
  const frags = [...fragSeeds, ...ipv6Fragments(ip6, [[0, 16], [16, 32]]), ...ipv6Fragments(ip6, [[8, 32], [0, 16]])];
  fuzz(frags, (bytes) => {
    decodePacket(makeRecord(LinkType.RAW, bytes), view, defrag, 0);
    check(view);
  }, 5000, 99);
  assert.ok(defrag.stats.fragments > 1000, `fragments seen: ${defrag.stats.fragments}`);
});
