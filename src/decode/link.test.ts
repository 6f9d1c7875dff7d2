// Link layers: real IP packets from coap_mqtt.pcap (test/traces/decode) wrapped in VLAN / QinQ / SLL / SLL2 /
// NULL / LOOP / raw headers. Frame 20: IPv4 TCP 192.168.56.1:53522 -> 192.168.56.101:17501 (MQTT, 2 payload
// bytes, seq 2055612442, 60-byte frame with Ethernet padding). Frame 1: IPv6 UDP
// 2001:da8:215:1171:a10b:cb48:8f83:57f6:61043 -> :5683 (CoAP, UDP length 32).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LinkType } from '../capture/types.ts';
import { decodePacket } from './decode.ts';
import { Defragmenter } from './defrag.ts';
import { L3, PacketView } from './packet-view.ts';
import { ipv4ToString, ipv6ToString, macToString } from './address.ts';
import { makeRecord, readPcap, recordBytes, TRACES, wrapEthernet, wrapLoopback, wrapSll, wrapSll2 } from './test-support.ts';

const recs = readPcap(TRACES + 'coap_mqtt.pcap');
const frame20 = recordBytes(recs[19]);
const frame1 = recordBytes(recs[0]);
/** IP packets without the 14-byte Ethernet header (frame 20 keeps its Ethernet padding). */
const ipv4Tcp = frame20.subarray(14);
const ipv6Udp = frame1.subarray(14);

function decode(linkType: number, bytes: Uint8Array): PacketView {
  const view = new PacketView();
  decodePacket(makeRecord(linkType, bytes), view, new Defragmenter(), 0);
  return view;
}

function assertIpv4Tcp(view: PacketView): void {
  assert.deepEqual(view.anomalies, []);
  assert.equal(view.l3, L3.IPV4);
  assert.equal(ipv4ToString(view.src4), '192.168.56.1');
  assert.equal(ipv4ToString(view.dst4), '192.168.56.101');
  assert.equal(view.srcPort, 53522);
  assert.equal(view.dstPort, 17501);
  assert.equal(view.seq, 2055612442);
  assert.equal(view.payloadLen, 2, 'Ethernet padding is not payload');
}

function assertIpv6Udp(view: PacketView): void {
  assert.deepEqual(view.anomalies, []);
  assert.equal(view.l3, L3.IPV6);
  assert.equal(ipv6ToString(view.data, view.src6Off), '2001:da8:215:1171:a10b:cb48:8f83:57f6');
  assert.equal(view.srcPort, 61043);
  assert.equal(view.dstPort, 5683);
  assert.equal(view.payloadLen, 24);
}

test('Ethernet: the real frames themselves', () => {
  const v4 = decode(LinkType.ETHERNET, frame20);
  assertIpv4Tcp(v4);
  assert.equal(v4.ethOff, 0);
  assert.equal(v4.vlanCount, 0);
  assertIpv6Udp(decode(LinkType.ETHERNET, frame1));
});

test('802.1Q single tag and 802.1ad QinQ (outer first); a third tag is an anomaly', () => {
  const one = decode(LinkType.ETHERNET, wrapEthernet(ipv4Tcp, 0x0800, [[0x8100, 0x2064]]));
  assertIpv4Tcp(one);
  assert.equal(one.vlanCount, 1);
  assert.equal(one.vlanIds[0], 100, 'PCP bits are masked off');
  const two = decode(LinkType.ETHERNET, wrapEthernet(ipv6Udp, 0x86dd, [[0x88a8, 10], [0x8100, 0xfff]]));
  assertIpv6Udp(two);
  assert.deepEqual([two.vlanCount, two.vlanIds[0], two.vlanIds[1]], [2, 10, 4095]);
  assert.equal(two.etherType, 0x86dd);
  const three = decode(LinkType.ETHERNET, wrapEthernet(ipv4Tcp, 0x0800, [[0x88a8, 1], [0x8100, 2], [0x8100, 3]]));
  assert.deepEqual(three.anomalies, ['decode.vlan.too_many_tags']);
  assert.equal(three.l3, L3.NONE);
  const cut = decode(LinkType.ETHERNET, wrapEthernet(new Uint8Array(0), 0x8100).subarray(0, 16));
  assert.deepEqual(cut.anomalies, ['decode.vlan.truncated']);
  assert.deepEqual(decode(LinkType.ETHERNET, frame20.subarray(0, 13)).anomalies, ['decode.eth.truncated']);
});

test('Linux cooked SLL and SLL2: source MAC from the header', () => {
  for (const [lt, bytes] of [[LinkType.LINUX_SLL, wrapSll(ipv4Tcp, 0x0800)], [LinkType.LINUX_SLL2, wrapSll2(ipv4Tcp, 0x0800)]] as const) {
    const v = decode(lt, bytes);
    assertIpv4Tcp(v);
    assert.equal(macToString(v.data, v.srcMacOff), '02:00:00:00:00:01');
    assert.equal(v.dstMacOff, -1);
    assert.equal(v.ethOff, -1);
  }
  assertIpv6Udp(decode(LinkType.LINUX_SLL, wrapSll(ipv6Udp, 0x86dd)));
  assertIpv6Udp(decode(LinkType.LINUX_SLL2, wrapSll2(ipv6Udp, 0x86dd)));
  assert.deepEqual(decode(LinkType.LINUX_SLL2, wrapSll2(ipv4Tcp, 0x0800).subarray(0, 19)).anomalies, ['decode.link.truncated']);
});

test('BSD NULL (either byte order) and LOOP (network order); families 2, 24, 28, 30', () => {
  assertIpv4Tcp(decode(LinkType.NULL, wrapLoopback(ipv4Tcp, 2, true)));
  assertIpv4Tcp(decode(LinkType.NULL, wrapLoopback(ipv4Tcp, 2, false)));
  for (const family of [24, 28, 30]) {
    assertIpv6Udp(decode(LinkType.NULL, wrapLoopback(ipv6Udp, family, true)));
    assertIpv6Udp(decode(LinkType.LOOP, wrapLoopback(ipv6Udp, family, false)));
  }
  assertIpv4Tcp(decode(LinkType.LOOP, wrapLoopback(ipv4Tcp, 2, false)));
  assert.deepEqual(decode(LinkType.NULL, wrapLoopback(ipv4Tcp, 7, true)).anomalies, ['decode.loop.unknown_family']);
});

test('raw IP: 101 by version nibble, 228 IPv4, 229 IPv6', () => {
  assertIpv4Tcp(decode(LinkType.RAW, ipv4Tcp));
  assertIpv6Udp(decode(LinkType.RAW, ipv6Udp));
  assertIpv4Tcp(decode(LinkType.IPV4, ipv4Tcp));
  assertIpv6Udp(decode(LinkType.IPV6, ipv6Udp));
  assert.deepEqual(decode(LinkType.IPV4, ipv6Udp).anomalies, ['decode.ipv4.bad_version']);
  assert.deepEqual(decode(LinkType.IPV6, ipv4Tcp).anomalies, ['decode.ipv6.bad_version']);
  const bad = ipv4Tcp.slice();
  bad[0] = 0x55;
  assert.deepEqual(decode(LinkType.RAW, bad).anomalies, ['decode.raw.bad_version']);
});

test('unknown link type: decode.link.unsupported, nothing decoded', () => {
  const v = decode(147, frame20);
  assert.deepEqual(v.anomalies, ['decode.link.unsupported']);
  assert.equal(v.l3, L3.NONE);
});

test('record offset inside a larger buffer is honoured', () => {
  const buf = new Uint8Array(100 + frame20.length + 50).fill(0xee);
  buf.set(frame20, 100);
  const view = new PacketView();
  decodePacket({ ...makeRecord(LinkType.ETHERNET, buf), offset: 100, caplen: frame20.length, origLen: frame20.length }, view, new Defragmenter(), 0);
  assertIpv4Tcp(view);
  assert.equal(view.end, 100 + frame20.length);
});
