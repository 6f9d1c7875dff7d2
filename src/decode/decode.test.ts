// decodePacket against tshark: every packet of real captures (test/traces/decode, see PROVENANCE.md),
// field by field. tshark is run with -T fields; the test fails on the first disagreement.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodePacket } from './decode.ts';
import { Defragmenter } from './defrag.ts';
import { L3, PacketView } from './packet-view.ts';
import { ipv4ToString, ipv6ToString, macToString } from './address.ts';
import { readPcap, TRACES, tsharkFields } from './test-support.ts';

const FIELDS = [
  'frame.number', 'eth.src', 'sll.src.eth', 'ip.src', 'ip.dst', 'ip.proto', 'ip.ttl', 'ip.id', 'ip.len', 'ip.flags.df',
  'ipv6.src', 'ipv6.dst', 'ipv6.hlim', 'ipv6.flow', 'ipv6.plen',
  'tcp.srcport', 'tcp.dstport', 'tcp.flags', 'tcp.seq_raw', 'tcp.ack_raw', 'tcp.window_size_value', 'tcp.hdr_len', 'tcp.len',
  'tcp.options.mss_val', 'tcp.options.wscale.shift', 'tcp.option_kind', 'tcp.options.timestamp.tsval', 'tcp.options.timestamp.tsecr',
  'udp.srcport', 'udp.dstport', 'udp.length', 'icmp.type', 'icmp.code', 'icmp.ident', 'icmpv6.type', 'icmpv6.code',
  'icmpv6.echo.identifier', 'icmpv6.nd.ns.target_address', 'icmpv6.nd.na.target_address', 'icmpv6.opt.linkaddr',
  'arp.opcode', 'arp.src.hw_mac', 'arp.src.proto_ipv4', 'arp.dst.hw_mac', 'arp.dst.proto_ipv4',
] as const;

/** First occurrence (outer header: ICMP errors quote inner IP/TCP/UDP headers). */
const first = (v: string): string => v.split(',')[0];
const num = (v: string): number | undefined => (v === '' ? undefined : Number(first(v)));

interface Totals {
  packets: number;
  ipv4: number;
  ipv6: number;
  arp: number;
  tcp: number;
  udp: number;
  icmp: number;
  icmpv6: number;
  anomalies: string[];
}

function compareFile(name: string): Totals {
  const path = TRACES + name;
  const recs = readPcap(path);
  const rows = tsharkFields(path, FIELDS);
  assert.equal(recs.length, rows.length, `${name}: packet count`);
  const view = new PacketView();
  const defrag = new Defragmenter();
  const t: Totals = { packets: 0, ipv4: 0, ipv6: 0, arp: 0, tcp: 0, udp: 0, icmp: 0, icmpv6: 0, anomalies: [] };
  for (let i = 0; i < recs.length; i++) {
    const rec = recs[i];
    const row = rows[i];
    const at = `${name} frame ${rec.packetNo}`;
    decodePacket(rec, view, defrag, rec.tsSec + rec.tsNsec / 1e9);
    t.packets++;
    t.anomalies.push(...view.anomalies.map((a) => `${rec.packetNo}:${a}`));
    const d = view.data;
    if (row['eth.src']) assert.equal(macToString(d, view.srcMacOff), first(row['eth.src']), at);
    if (row['sll.src.eth']) assert.equal(macToString(d, view.srcMacOff), row['sll.src.eth'], at);
    // network layer
    if (row['ip.src']) {
      t.ipv4++;
      assert.equal(view.l3, L3.IPV4, at);
      assert.equal(ipv4ToString(view.src4), first(row['ip.src']), at);
      assert.equal(ipv4ToString(view.dst4), first(row['ip.dst']), at);
      assert.equal(view.ipProto, num(row['ip.proto']), at);
      assert.equal(view.ttl, num(row['ip.ttl']), at);
      assert.equal(view.ipId, num(row['ip.id']), at);
      assert.equal(view.ipTotalLen, num(row['ip.len']), at);
      assert.equal(view.dontFragment, first(row['ip.flags.df']) === '1', at);
    } else if (row['ipv6.src']) {
      t.ipv6++;
      assert.equal(view.l3, L3.IPV6, at);
      assert.equal(ipv6ToString(d, view.src6Off), first(row['ipv6.src']), at);
      assert.equal(ipv6ToString(d, view.dst6Off), first(row['ipv6.dst']), at);
      assert.equal(view.ttl, num(row['ipv6.hlim']), at);
      assert.equal(view.ipv6FlowLabel, num(row['ipv6.flow']), at);
      assert.equal(view.ipTotalLen, 40 + (num(row['ipv6.plen']) ?? 0), at);
    } else if (row['arp.opcode']) {
      t.arp++;
      assert.equal(view.l3, L3.ARP, at);
      assert.equal(view.arpOp, num(row['arp.opcode']), at);
      assert.equal(macToString(d, view.arpSenderMacOff), row['arp.src.hw_mac'], at);
      assert.equal(ipv4ToString(view.arpSenderIp), row['arp.src.proto_ipv4'], at);
      assert.equal(macToString(d, view.arpTargetMacOff), row['arp.dst.hw_mac'], at);
      assert.equal(ipv4ToString(view.arpTargetIp), row['arp.dst.proto_ipv4'], at);
    } else {
      assert.equal(view.l3, L3.NONE, at);
    }
    // transport layer (ICMP errors quote inner transport headers, which tshark also reports: skip those)
    const icmpError = row['icmp.type'] !== '' && row['icmp.type'] !== '0' && row['icmp.type'] !== '8';
    if (row['tcp.srcport'] && !icmpError) {
      t.tcp++;
      assert.equal(view.srcPort, num(row['tcp.srcport']), at);
      assert.equal(view.dstPort, num(row['tcp.dstport']), at);
      assert.equal(view.tcpFlags, num(row['tcp.flags']), at);
      assert.equal(view.seq, num(row['tcp.seq_raw']), at);
      assert.equal(view.ack, num(row['tcp.ack_raw']), at);
      assert.equal(view.window, num(row['tcp.window_size_value']), at);
      assert.equal(view.l4HeaderLen, num(row['tcp.hdr_len']), at);
      assert.equal(view.payloadLen, num(row['tcp.len']), at);
      assert.equal(view.tcpMss, num(row['tcp.options.mss_val']) ?? -1, at);
      assert.equal(view.tcpWscale, num(row['tcp.options.wscale.shift']) ?? -1, at);
      assert.equal(view.tcpSackOk, row['tcp.option_kind'].split(',').includes('4'), at);
      assert.equal(view.tcpTimestamp, row['tcp.options.timestamp.tsval'] !== '', at);
      if (view.tcpTimestamp) {
        assert.equal(view.tcpTsVal, num(row['tcp.options.timestamp.tsval']), at);
        assert.equal(view.tcpTsEcr, num(row['tcp.options.timestamp.tsecr']), at);
      }
    } else if (row['udp.srcport'] && !icmpError) {
      t.udp++;
      assert.equal(view.srcPort, num(row['udp.srcport']), at);
      assert.equal(view.dstPort, num(row['udp.dstport']), at);
      assert.equal(view.payloadLen, (num(row['udp.length']) as number) - 8, at);
      assert.equal(view.payloadOff, view.l4Off + 8, at);
    } else if (row['icmp.type']) {
      t.icmp++;
      assert.equal(view.icmpType, num(row['icmp.type']), at);
      assert.equal(view.icmpCode, num(row['icmp.code']), at);
      if (row['icmp.ident']) assert.equal(view.icmpId, num(row['icmp.ident']), at);
    } else if (row['icmpv6.type']) {
      t.icmpv6++;
      assert.equal(view.icmpType, num(row['icmpv6.type']), at);
      assert.equal(view.icmpCode, num(row['icmpv6.code']), at);
      if (row['icmpv6.echo.identifier']) assert.equal(view.icmpId, num(row['icmpv6.echo.identifier']), at);
      const target = row['icmpv6.nd.ns.target_address'] || row['icmpv6.nd.na.target_address'];
      if (target) assert.equal(ipv6ToString(d, view.ndTargetOff), target, at);
      else assert.equal(view.ndTargetOff, -1, at);
      if (row['icmpv6.opt.linkaddr']) assert.equal(macToString(d, view.ndLlAddrOff), first(row['icmpv6.opt.linkaddr']), at);
      else assert.equal(view.ndLlAddrOff, -1, at);
    } else {
      assert.equal(view.srcPort, 0, at);
      assert.equal(view.icmpType, -1, at);
    }
  }
  return t;
}

test('coap_mqtt.pcap: IPv4 + IPv6 UDP (CoAP), TCP (MQTT), ARP agree with tshark', () => {
  const t = compareFile('coap_mqtt.pcap');
  assert.deepEqual([t.packets, t.ipv4, t.ipv6, t.arp, t.tcp, t.udp], [1082, 1061, 19, 2, 261, 819]);
  assert.deepEqual(t.anomalies, []);
});

test('D-Link home hub: NS/RS with link-layer options, MLD behind hop-by-hop, IGMP, ARP with padding', () => {
  const t = compareFile('dlink-homehub-setup-c2-1-300.pcap');
  assert.equal(t.packets, 300);
  assert.ok(t.icmpv6 >= 10 && t.arp >= 10, JSON.stringify(t));
  assert.deepEqual(t.anomalies, []);
});

test('iot23 Hakai: ARP requests/replies and NTP agree with tshark', () => {
  const t = compareFile('iot23-hakai-1-300.pcap');
  assert.deepEqual([t.packets, t.arp, t.udp, t.tcp], [300, 155, 144, 1]);
});

test('Ednet gateway: ICMP errors quoting inner headers, EAPOL (no IP)', () => {
  const t = compareFile('ednet-gateway-setup-a1.pcap');
  assert.deepEqual([t.packets, t.icmp, t.arp], [70, 5, 9]);
  assert.deepEqual(t.anomalies, []);
});

test('MAX! gateway: ICMP echo identifier', () => {
  const t = compareFile('maxgateway-setup-a6.pcap');
  assert.equal(t.icmp, 1);
});

test('rtsp (Linux cooked SLL): source MAC from the SLL header, TCP agree with tshark', () => {
  const t = compareFile('rtsp-sll-1-200.pcap');
  assert.deepEqual([t.packets, t.tcp], [200, 200]);
  assert.deepEqual(t.anomalies, []);
});

test('nmap SYN scan: TCP options (MSS, wscale, SACK-permitted, timestamps) agree with tshark', () => {
  const t = compareFile('synscan-1-200.pcap');
  assert.equal(t.tcp, 200);
});

test('SYN flood with ECN/CWR: flags byte includes ECE and CWR', () => {
  const t = compareFile('dominate-ecn-cwr-1-100.pcap');
  assert.equal(t.tcp, 100);
});
