// ARP and NDP event fields from real packets (test/traces/decode): iot23-hakai-1-300.pcap frames 4 (request)
// and 5 (reply); ednet-gateway-setup-a1.pcap frame 8 (RFC 5227 probe); dlink-homehub-setup-c2-1-300.pcap
// frame 1 (neighbour solicitation from ::, DAD) and frame 6 (router solicitation with a source link-layer
// address option). NA and RA are built from frames 1 and 6 (no capture here has one).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LinkType } from '../capture/types.ts';
import { decodePacket } from './decode.ts';
import { Defragmenter } from './defrag.ts';
import { PacketView } from './packet-view.ts';
import { arpEventFields, decodeEvents, ndpEventFields } from './events.ts';
import { concat, hex, makeRecord, readPcap, recordBytes, TRACES } from './test-support.ts';

const iot23 = readPcap(TRACES + 'iot23-hakai-1-300.pcap');
const dlink = readPcap(TRACES + 'dlink-homehub-setup-c2-1-300.pcap');

function decodeBytes(bytes: Uint8Array): PacketView {
  const view = new PacketView();
  decodePacket(makeRecord(LinkType.ETHERNET, bytes), view, new Defragmenter(), 0);
  return view;
}

test('arp.request / arp.reply fields (iot23 frames 4, 5)', () => {
  assert.deepEqual(arpEventFields(decodeBytes(recordBytes(iot23[3]))), {
    operation: 1, sender_mac: '78:8a:20:43:93:d5', sender_ip: '192.168.100.1', target_mac: '00:00:00:00:00:00',
    target_ip: '192.168.100.113', gratuitous: false, probe: false,
  });
  assert.deepEqual(arpEventFields(decodeBytes(recordBytes(iot23[4]))), {
    operation: 2, sender_mac: 'b8:27:eb:7d:6b:a6', sender_ip: '192.168.100.113', target_mac: '78:8a:20:43:93:d5',
    target_ip: '192.168.100.1', gratuitous: false, probe: false,
  });
});

test('ARP probe (ednet frame 8) and a gratuitous announcement (frame 4 with target IP = sender IP)', () => {
  const probe = arpEventFields(decodeBytes(recordBytes(readPcap(TRACES + 'ednet-gateway-setup-a1.pcap')[7])));
  assert.equal(probe.sender_ip, '0.0.0.0');
  assert.equal(probe.target_ip, '10.10.10.149');
  assert.equal(probe.probe, true);
  assert.equal(probe.gratuitous, false);
  const bytes = recordBytes(iot23[3]);
  bytes.copyWithin(14 + 24, 14 + 14, 14 + 18);
  const g = arpEventFields(decodeBytes(bytes));
  assert.equal(g.target_ip, '192.168.100.1');
  assert.equal(g.gratuitous, true);
});

test('truncated ARP: only the operation', () => {
  const v = decodeBytes(recordBytes(iot23[3]).subarray(0, 14 + 20));
  assert.deepEqual(v.anomalies, ['decode.arp.truncated']);
  assert.deepEqual(arpEventFields(v), { operation: 1 });
});

test('ndp.neighbor_solicit: DAD from :: (dlink frame 1)', () => {
  const v = decodeBytes(recordBytes(dlink[0]));
  assert.deepEqual(ndpEventFields(v), {
    type: 'ndp.neighbor_solicit',
    fields: { target_address: 'fe80::1e5f:2bff:feaa:fd4e', duplicate_address_detection: true },
  });
});

test('ndp.router_solicit with source link-layer address (dlink frame 6)', () => {
  const v = decodeBytes(recordBytes(dlink[5]));
  assert.equal(v.ndLlOptType, 1);
  assert.deepEqual(ndpEventFields(v), { type: 'ndp.router_solicit', fields: { link_layer_address: '1c:5f:2b:aa:fd:4e' } });
});

/** Frame `f` with its ICMPv6 body replaced (IPv6 payload length fixed). */
function withIcmpv6(f: Uint8Array, icmp: Uint8Array): Uint8Array {
  const out = concat(f.subarray(0, 54), icmp);
  out[18] = icmp.length >> 8;
  out[19] = icmp.length & 0xff;
  return out;
}

test('ndp.neighbor_advert: target, flags, target link-layer address option', () => {
  const ns = recordBytes(dlink[0]);
  const na = withIcmpv6(ns, concat(hex('88 00 0000 60000000'), ns.subarray(62, 78), hex('02 01 1c5f2baafd4e')));
  const v = decodeBytes(na);
  assert.deepEqual(v.anomalies, []);
  assert.deepEqual(ndpEventFields(v), {
    type: 'ndp.neighbor_advert',
    fields: { target_address: 'fe80::1e5f:2bff:feaa:fd4e', link_layer_address: '1c:5f:2b:aa:fd:4e', router: false, solicited: true, override: true },
  });
  assert.equal(v.ndLlOptType, 2);
});

test('ndp.router_advert: hop limit, M/O flags, lifetime, source link-layer address', () => {
  const rs = recordBytes(dlink[5]);
  const ra = withIcmpv6(rs, concat(hex('86 00 0000 40 c0 0708 00000000 00000000'), rs.subarray(62, 70)));
  assert.deepEqual(ndpEventFields(decodeBytes(ra)), {
    type: 'ndp.router_advert',
    fields: { link_layer_address: '1c:5f:2b:aa:fd:4e', hop_limit: 64, managed: true, other_config: true, router_lifetime: 1800 },
  });
});

test('ND option of length 0 is an anomaly; the message still yields its event', () => {
  const rs = recordBytes(dlink[5]);
  rs[63] = 0;
  const v = decodeBytes(rs);
  assert.deepEqual(v.anomalies, ['decode.icmpv6.bad_nd_option']);
  assert.deepEqual(ndpEventFields(v), { type: 'ndp.router_solicit', fields: {} });
});

test('not ND: no event', () => {
  assert.equal(ndpEventFields(decodeBytes(recordBytes(iot23[3]))), undefined);
  assert.equal(ndpEventFields(decodeBytes(recordBytes(readPcap(TRACES + 'coap_mqtt.pcap')[0]))), undefined);
});

test('event specs: names and the fields the builders produce', () => {
  const types = decodeEvents.map((e) => e.type);
  assert.deepEqual(types, ['arp.request', 'arp.reply', 'ndp.neighbor_solicit', 'ndp.neighbor_advert', 'ndp.router_solicit', 'ndp.router_advert']);
  const arp: Record<string, unknown> = decodeEvents[0].fields;
  for (const k of Object.keys(arpEventFields(decodeBytes(recordBytes(iot23[3]))))) assert.ok(arp[k], k);
  const ns = ndpEventFields(decodeBytes(recordBytes(dlink[0])));
  for (const k of Object.keys(ns?.fields ?? {})) assert.ok((decodeEvents[2].fields as Record<string, unknown>)[k], k);
});
