// IP reassembly on a real datagram: dlink-homehub-setup-c2-1-300.pcap frame 197 (test/traces/decode), mDNS
// 10.10.10.87:5353 -> 224.0.0.251:5353, UDP length 557, cut into IPv4 fragments here, and the same UDP datagram
// carried in the IPv6 header of coap_mqtt.pcap frame 1 (2001:da8:215:1171:a10b:cb48:8f83:57f6 -> ...) cut
// into IPv6 fragments.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LinkType } from '../capture/types.ts';
import { decodePacket } from './decode.ts';
import { Defragmenter, type DefragOptions } from './defrag.ts';
import { L3, PacketView } from './packet-view.ts';
import { ipv4ToString, ipv6ToString, macToString } from './address.ts';
import { concat, ipv4Fragments, ipv6Fragments, makeRecord, readPcap, recordBytes, TRACES } from './test-support.ts';

const frame197 = recordBytes(readPcap(TRACES + 'dlink-homehub-setup-c2-1-300.pcap')[196]);
const eth = frame197.subarray(0, 14);
const ip4 = frame197.subarray(14, 14 + 577);
const udp = ip4.subarray(20);
assert.equal(udp.length, 557);
const ip6 = (() => {
  const hdr = recordBytes(readPcap(TRACES + 'coap_mqtt.pcap')[0]).slice(14, 54);
  hdr[4] = udp.length >> 8;
  hdr[5] = udp.length & 0xff;
  hdr[6] = 17;
  return concat(hdr, udp);
})();
const eth6 = concat(eth.subarray(0, 12), new Uint8Array([0x86, 0xdd]));

class Run {
  readonly view = new PacketView();
  readonly defrag: Defragmenter;
  constructor(opts: Partial<DefragOptions> = {}) {
    this.defrag = new Defragmenter(opts);
  }
  feed(ipPacket: Uint8Array, ts = 0, linkHdr = eth): PacketView {
    decodePacket(makeRecord(LinkType.ETHERNET, concat(linkHdr, ipPacket)), this.view, this.defrag, ts);
    return this.view;
  }
}

function assertReassembledUdp(v: PacketView): void {
  assert.equal(v.reassembled, true);
  assert.equal(v.isFragment, false);
  assert.equal(v.srcPort, 5353);
  assert.equal(v.dstPort, 5353);
  assert.equal(v.payloadLen, 549);
  assert.deepEqual(v.data.subarray(v.payloadOff, v.payloadOff + v.payloadLen), udp.subarray(8));
  assert.equal(macToString(v.data, v.srcMacOff), '1c:5f:2b:aa:fd:4e', 'link header kept in front of the datagram');
}

test('IPv4: in-order fragments reassemble into the original datagram', () => {
  const run = new Run();
  const frags = ipv4Fragments(ip4, [[0, 200], [200, 400], [400, 557]]);
  for (const f of frags.slice(0, 2)) {
    const v = run.feed(f);
    assert.equal(v.isFragment, true);
    assert.equal(v.srcPort, 0, 'no L4 for an incomplete fragment');
    assert.equal(v.l3, L3.IPV4);
    assert.equal(ipv4ToString(v.src4), '10.10.10.87');
  }
  assert.equal(run.view.fragOffset, 200);
  assert.equal(run.view.moreFragments, true);
  const v = run.feed(frags[2]);
  assertReassembledUdp(v);
  assert.equal(v.ipTotalLen, 577);
  assert.deepEqual(v.data.subarray(v.l3Off + 20), udp);
  assert.deepEqual(v.anomalies, []);
  assert.equal(run.defrag.stats.reassembled, 1);
  assert.equal(run.defrag.stats.inProgress, 0);
  assert.equal(run.defrag.stats.bytesInUse, 0);
});

test('IPv4: out of order, exact duplicate and overlapping fragments; first wins', () => {
  const run = new Run();
  const [a, b, c, dup] = ipv4Fragments(ip4, [[400, 557], [0, 208], [200, 400], [0, 208]]);
  run.feed(a);
  run.feed(b);
  assert.deepEqual(run.feed(dup).anomalies, ['decode.frag.overlap']);
  const evil = ipv4Fragments(ip4, [[8, 16]])[0];
  evil[evil.length - 1] ^= 0xff;
  assert.deepEqual(run.feed(evil).anomalies, ['decode.frag.overlap', 'decode.frag.overlap_conflict']);
  const v = run.feed(c);
  assert.deepEqual(v.anomalies, ['decode.frag.overlap'], '[200,208) received twice');
  assertReassembledUdp(v);
  assert.equal(run.defrag.stats.overlaps, 3);
  assert.equal(run.defrag.stats.overlapConflicts, 1);
});

test('IPv6: out-of-order fragments with a duplicate reassemble; addresses point into the new buffer', () => {
  const run = new Run();
  const frags = ipv6Fragments(ip6, [[256, 557], [0, 128], [128, 256], [0, 128]]);
  for (const i of [0, 1, 3]) {
    const v = run.feed(frags[i], 0, eth6);
    assert.equal(v.isFragment, true);
    assert.equal(v.ipProto, 17);
    assert.equal(v.ipId, 0x01020304);
  }
  const v = run.feed(frags[2], 0, eth6);
  assertReassembledUdp(v);
  assert.equal(v.l3, L3.IPV6);
  assert.equal(v.ipProto, 17);
  assert.equal(ipv6ToString(v.data, v.src6Off), '2001:da8:215:1171:a10b:cb48:8f83:57f6');
  assert.equal(run.defrag.stats.overlaps, 1);
});

test('IPv6 atomic fragment (offset 0, M=0) is decoded directly', () => {
  const run = new Run();
  const v = run.feed(ipv6Fragments(ip6, [[0, 557]])[0], 0, eth6);
  assert.equal(v.isFragment, false);
  assert.equal(v.reassembled, false);
  assert.equal(v.srcPort, 5353);
  assert.equal(v.l3HeaderLen, 48);
  assert.equal(run.defrag.stats.fragments, 0);
});

test('timeout in packet time: a datagram older than timeoutS is dropped', () => {
  const run = new Run({ timeoutS: 30 });
  const [a, b] = ipv4Fragments(ip4, [[0, 200], [200, 557]]);
  run.feed(a, 100);
  const v = run.feed(b, 131);
  assert.deepEqual(v.anomalies, ['decode.frag.timeout']);
  assert.equal(v.isFragment, true);
  assert.equal(run.defrag.stats.timeouts, 1);
  assert.equal(run.defrag.stats.inProgress, 1, 'the late fragment starts a new datagram');
  assert.equal(run.defrag.expire(200), 1);
  assert.equal(run.defrag.stats.inProgress, 0);
});

test('too many datagrams in progress: the oldest is evicted', () => {
  const run = new Run({ maxDatagrams: 2 });
  for (const id of [1, 2, 3]) run.feed(ipv4Fragments(ip4, [[0, 200]], id)[0]);
  assert.deepEqual(run.view.anomalies, ['decode.frag.too_many']);
  assert.equal(run.defrag.stats.evictedTooMany, 1);
  assert.equal(run.defrag.stats.inProgress, 2);
  // id 1 was evicted: its last fragment does not complete anything; id 3 completes
  assert.equal(run.feed(ipv4Fragments(ip4, [[200, 557]], 1)[0]).reassembled, false);
  assert.equal(run.feed(ipv4Fragments(ip4, [[200, 557]], 3)[0]).reassembled, true);
});

test('ping of death: fragments beyond 65535 bytes are dropped', () => {
  const run = new Run();
  const f = ipv4Fragments(ip4, [[0, 16]])[0];
  f[6] = 0x1f; // offset 65528 / 8 = 8191, MF clear
  f[7] = 0xff;
  assert.deepEqual(run.feed(f).anomalies, ['decode.frag.too_large']);
  assert.equal(run.defrag.stats.tooLarge, 1);
  assert.equal(run.defrag.stats.inProgress, 0);
});

test('non-final fragment not a multiple of 8, and disagreeing last fragments', () => {
  const run = new Run();
  assert.deepEqual(run.feed(ipv4Fragments(ip4, [[0, 100]])[0]).anomalies, ['decode.frag.bad_length']);
  run.feed(ipv4Fragments(ip4, [[0, 200]])[0]);
  run.feed(ipv4Fragments(ip4, [[400, 557]])[0]);
  const shorter = ipv4Fragments(ip4.subarray(0, 20 + 300), [[200, 300]])[0];
  shorter[2] = 0;
  shorter[3] = 120; // total length of this fragment: 20 + 100
  assert.deepEqual(run.feed(shorter).anomalies, ['decode.frag.inconsistent_end']);
  assert.equal(run.defrag.stats.inProgress, 0);
});

test('memory limit: older datagrams are evicted to make room', () => {
  const run = new Run({ maxTotalBytes: 4000 });
  run.feed(ipv4Fragments(ip4, [[0, 200]], 1)[0]);
  assert.equal(run.defrag.stats.bytesInUse, 2048 + 256);
  run.feed(ipv4Fragments(ip4, [[0, 200]], 2)[0]);
  assert.deepEqual(run.view.anomalies, ['decode.frag.memory_limit']);
  assert.equal(run.defrag.stats.evictedMemory, 1);
  assert.equal(run.defrag.stats.inProgress, 1);
});

test('fragment cut by the snap length is not reassembled', () => {
  const run = new Run();
  const f = concat(eth, ipv4Fragments(ip4, [[0, 200]])[0]);
  decodePacket(makeRecord(LinkType.ETHERNET, f.subarray(0, 100), 1, f.length), run.view, run.defrag, 0);
  assert.deepEqual(run.view.anomalies, ['decode.frag.truncated']);
  assert.equal(run.defrag.stats.fragments, 0);
});

test('a fragment header inside a reassembled IPv6 datagram is not reassembled again', () => {
  const run = new Run();
  const inner = ipv6Fragments(ip6, [[0, 256]], 7)[0]; // fragment of another datagram, carried as payload
  const outer = concat(inner.subarray(0, 40), inner.subarray(40));
  outer[6] = 44;
  const frags = ipv6Fragments(concat(outer.subarray(0, 6), new Uint8Array([44]), outer.subarray(7)), [[0, 128], [128, 264]]);
  run.feed(frags[0], 0, eth6);
  const v = run.feed(frags[1], 0, eth6);
  assert.equal(v.reassembled, true);
  assert.deepEqual(v.anomalies, ['decode.frag.nested']);
  assert.equal(v.srcPort, 0);
});
