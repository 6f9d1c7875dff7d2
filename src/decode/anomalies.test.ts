// Malformed headers: real packets (test/traces/decode) with one field broken, each giving its named anomaly.
// coap_mqtt.pcap frame 20: IPv4 TCP, 2 payload bytes (60-byte frame: 56 bytes of IP, 4 bytes Ethernet padding);
// frame 931: IPv4 UDP length 109; frame 1: IPv6 UDP; synscan-1-200.pcap frame 1: SYN with MSS option.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LinkType } from '../capture/types.ts';
import { decodePacket } from './decode.ts';
import { Defragmenter } from './defrag.ts';
import { PacketView } from './packet-view.ts';
import { decodeAnomalies } from './anomalies.ts';
import { concat, hex, makeRecord, readPcap, recordBytes, TRACES } from './test-support.ts';

const coap = readPcap(TRACES + 'coap_mqtt.pcap');
const tcp4 = recordBytes(coap[19]);
const udp4 = recordBytes(coap[930]);
const udp6 = recordBytes(coap[0]);
const syn = recordBytes(readPcap(TRACES + 'synscan-1-200.pcap')[0]);

function decode(bytes: Uint8Array, origLen = bytes.length): PacketView {
  const view = new PacketView();
  decodePacket(makeRecord(LinkType.ETHERNET, bytes, 1, origLen), view, new Defragmenter(), 0);
  return view;
}

function edit(frame: Uint8Array, at: number, ...values: number[]): Uint8Array {
  const out = frame.slice();
  values.forEach((v, i) => (out[at + i] = v));
  return out;
}

test('anomaly catalogue: unique dotted lowercase ids with descriptions', () => {
  const ids = decodeAnomalies.map((a) => a.id);
  assert.equal(new Set(ids).size, ids.length);
  for (const a of decodeAnomalies) {
    assert.match(a.id, /^decode\.[a-z0-9_]+\.[a-z0-9_]+$/);
    assert.ok(a.description.length > 10, a.id);
  }
});

test('IPv4 header checks', () => {
  assert.deepEqual(decode(edit(tcp4, 14, 0x44)).anomalies, ['decode.ipv4.bad_ihl']);
  assert.deepEqual(decode(edit(tcp4, 14 + 2, 0, 10)).anomalies, ['decode.ipv4.total_len_too_small']);
  assert.deepEqual(decode(edit(tcp4, 14 + 2, 0x05, 0xdc)).anomalies, ['decode.ipv4.truncated']);
  assert.deepEqual(decode(tcp4.subarray(0, 14 + 19)).anomalies, ['decode.ipv4.truncated']);
  // the same cut made by the snap length is not an anomaly
  assert.deepEqual(decode(tcp4.subarray(0, 14 + 19), 60).anomalies, []);
  assert.deepEqual(decode(tcp4.subarray(0, 14 + 30), 60).anomalies, []);
});

test('IPv4 options: walked within the header, bad lengths flagged', () => {
  const withOptions = (opts: Uint8Array): Uint8Array => {
    const ip = concat(tcp4.subarray(14, 34), opts, tcp4.subarray(34, 14 + 42));
    ip[0] = 0x40 | (ip.length - 22) / 4;
    ip[3] += opts.length;
    return concat(tcp4.subarray(0, 14), ip);
  };
  const ok = decode(withOptions(hex('94 04 0000'))); // router alert
  assert.deepEqual(ok.anomalies, []);
  assert.equal(ok.l3HeaderLen, 24);
  assert.equal(ok.dstPort, 17501);
  assert.deepEqual(decode(withOptions(hex('07 09 0000'))).anomalies, ['decode.ipv4.bad_option']);
  assert.deepEqual(decode(withOptions(hex('01 07 00 00'))).anomalies, ['decode.ipv4.bad_option']);
});

test('TCP data offset and options', () => {
  assert.deepEqual(decode(edit(tcp4, 14 + 20 + 12, 0x40)).anomalies, ['decode.tcp.bad_data_offset']);
  assert.deepEqual(decode(edit(tcp4, 14 + 20 + 12, 0xf0)).anomalies, ['decode.tcp.bad_data_offset']);
  const v = decode(syn);
  assert.equal(v.tcpMss, 1460);
  assert.equal(v.tcpOptLen, 4);
  assert.deepEqual(decode(edit(syn, 14 + 20 + 21, 0)).anomalies, ['decode.tcp.bad_option'], 'MSS length 0');
  assert.deepEqual(decode(edit(syn, 14 + 20 + 21, 3)).anomalies, ['decode.tcp.bad_option'], 'MSS length 3');
  assert.deepEqual(decode(edit(syn, 14 + 20 + 21, 9)).anomalies, ['decode.tcp.bad_option'], 'past the header');
  assert.deepEqual(decode(edit(tcp4, 14 + 2, 0, 20 + 10)).anomalies, ['decode.tcp.truncated']);
});

test('UDP length checks; Ethernet padding never counted as payload', () => {
  const v = decode(udp4);
  assert.equal(v.payloadLen, 101);
  assert.deepEqual(decode(edit(udp4, 14 + 20 + 4, 0, 7)).anomalies, ['decode.udp.bad_length']);
  assert.deepEqual(decode(edit(udp4, 14 + 20 + 4, 0, 200)).anomalies, ['decode.udp.bad_length']);
  const shortLen = decode(edit(udp4, 14 + 20 + 4, 0, 50));
  assert.deepEqual(shortLen.anomalies, []);
  assert.equal(shortLen.payloadLen, 42, 'UDP length shorter than the IP payload bounds the payload');
  assert.equal(decode(tcp4).payloadLen, 2);
});

test('IPv6: truncated, too many extension headers, hop-by-hop not first', () => {
  assert.deepEqual(decode(udp6.subarray(0, 14 + 39)).anomalies, ['decode.ipv6.truncated']);
  const chain = (n: number, first = 60): Uint8Array => {
    const exts: Uint8Array[] = [];
    for (let i = 0; i < n; i++) exts.push(hex(`${i === n - 1 ? '11' : '3c'} 00 010400000000`));
    const ip = concat(udp6.subarray(14, 54), ...exts, udp6.subarray(54));
    ip[6] = first;
    ip[5] += 8 * n;
    return concat(udp6.subarray(0, 14), ip);
  };
  const ok = decode(chain(8));
  assert.deepEqual(ok.anomalies, []);
  assert.equal(ok.l3HeaderLen, 40 + 64);
  assert.equal(ok.srcPort, 61043);
  assert.deepEqual(decode(chain(9)).anomalies, ['decode.ipv6.ext_chain_too_long']);
  const hbh = chain(2);
  hbh[14 + 40] = 0; // second header claims to be hop-by-hop
  assert.deepEqual(decode(hbh).anomalies, ['decode.ipv6.hop_by_hop_not_first']);
  const longExt = chain(1);
  longExt[14 + 41] = 200;
  assert.deepEqual(decode(longExt).anomalies, ['decode.ipv6.ext_truncated']);
});
