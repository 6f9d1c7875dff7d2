import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PacketView, TcpFlag } from '../decode/packet-view.ts';
import { FlowTable, smallAsInt } from './table.ts';
import type { FlowEndReason, FlowRecord } from './types.ts';
import { arpView, view, type Pkt } from './test-util.ts';
import { communityId } from './community-id.ts';
import { rng } from '../../test/support/mutate.ts';

const { SYN, ACK, FIN, RST, PSH } = TcpFlag;

function harness(opts = {}) {
  const ended: { rec: FlowRecord; reason: FlowEndReason }[] = [];
  const table: FlowTable = new FlowTable(opts, (slot, reason) => ended.push({ rec: table.toRecord(slot, ['f.pcap'], undefined, reason), reason }));
  let n = 0;
  const track = (p: Pkt, ts: number, len = 60) => table.track(view(p), ts, len, ++n, 0);
  return { table, ended, track };
}

const A = '10.0.0.1', B = '10.0.0.2';

test('tcp: full handshake, data, FIN both ways -> closed, ends after linger', () => {
  const { table, ended, track } = harness();
  const s = track({ src: A, dst: B, sp: 40000, dp: 80, flags: SYN }, 100);
  assert.equal(table.isNew, true); assert.equal(table.dir, 0);
  assert.equal(track({ src: B, dst: A, sp: 80, dp: 40000, flags: SYN | ACK }, 100.1), s);
  assert.equal(table.dir, 1); assert.equal(table.isNew, false);
  assert.equal(table.tcpState(s), 'half_open');
  track({ src: A, dst: B, sp: 40000, dp: 80, flags: ACK }, 100.2);
  assert.equal(table.tcpState(s), 'established');
  track({ src: A, dst: B, sp: 40000, dp: 80, flags: PSH | ACK, payload: 100 }, 100.3, 154);
  track({ src: B, dst: A, sp: 80, dp: 40000, flags: PSH | ACK, payload: 1000 }, 100.4, 1054);
  track({ src: A, dst: B, sp: 40000, dp: 80, flags: FIN | ACK }, 100.5);
  track({ src: B, dst: A, sp: 80, dp: 40000, flags: FIN | ACK }, 100.6);
  track({ src: A, dst: B, sp: 40000, dp: 80, flags: ACK }, 100.7);
  assert.equal(table.tcpState(s), 'closed');
  table.expire(105.6); // linger 5 s after the last packet: not yet
  assert.equal(ended.length, 0);
  table.expire(105.71);
  assert.equal(ended.length, 1);
  const r = ended[0].rec;
  assert.equal(ended[0].reason, 'tcp_closed');
  assert.deepEqual([r.orig_ip, r.orig_port, r.resp_ip, r.resp_port, r.transport, r.ip_version], [A, 40000, B, 80, 'tcp', 4]);
  assert.deepEqual([r.orig_pkts, r.orig_bytes, r.resp_pkts, r.resp_bytes], [5, 60 * 4 + 154, 3, 60 * 2 + 1054]);
  assert.deepEqual([r.orig_payload_bytes, r.resp_payload_bytes], [100, 1000]);
  assert.deepEqual([r.orig_tcp_flags, r.resp_tcp_flags, r.tcp_state], ['FSPA', 'FSPA', 'closed']);
  assert.deepEqual([r.first_packet, r.last_packet, r.first_ts, r.last_ts, r.file], [1, 8, 100, 100.7, 'f.pcap']);
  assert.ok(Math.abs(r.duration - 0.7) < 1e-9);
  assert.equal(r.end_reason, 'tcp_closed');
  assert.equal(table.stats.live, 0);
  assert.equal(table.stats.ended.tcp_closed, 1);
});

test('tcp: first packet SYN+ACK -> its receiver is the originator', () => {
  const { table, track } = harness();
  const s = track({ src: B, dst: A, sp: 80, dp: 40000, flags: SYN | ACK }, 1);
  assert.equal(table.dir, 1);
  assert.deepEqual([table.origIp(s), table.origPort(s), table.respIp(s), table.respPort(s)], [A, 40000, B, 80]);
  assert.equal(table.packets(s, 1), 1);
  assert.equal(table.tcpState(s), 'half_open');
});

test('tcp/udp midstream: low port to high port -> receiver is the originator', () => {
  const { table, track } = harness();
  const s = track({ src: B, dst: A, sp: 443, dp: 51000, flags: ACK, payload: 10 }, 1);
  assert.deepEqual([table.origPort(s), table.respPort(s), table.dir], [51000, 443, 1]);
  assert.equal(table.tcpState(s), 'midstream');
  const u = track({ src: B, dst: A, proto: 17, sp: 53, dp: 33000 }, 1);
  assert.deepEqual([table.origIp(u), table.origPort(u), table.dir], [A, 33000, 1]);
  // DHCP 68 -> 67: both below 1024, the sender stays the originator.
  const d = track({ src: '0.0.0.0', dst: '255.255.255.255', proto: 17, sp: 68, dp: 67 }, 1);
  assert.deepEqual([table.origIp(d), table.origPort(d), table.dir], ['0.0.0.0', 68, 0]);
});

test('tcp: unanswered and retransmitted SYNs; SYN answered by RST is rejected', () => {
  const { table, ended, track } = harness();
  const s = track({ src: A, dst: B, sp: 40001, dp: 23, flags: SYN }, 1);
  track({ src: A, dst: B, sp: 40001, dp: 23, flags: SYN }, 2);
  track({ src: A, dst: B, sp: 40001, dp: 23, flags: SYN }, 4);
  assert.equal(table.synPackets(s), 3);
  assert.equal(table.tcpState(s), 'unanswered_syn');
  const r = track({ src: A, dst: B, sp: 40002, dp: 25, flags: SYN }, 5);
  track({ src: B, dst: A, sp: 25, dp: 40002, flags: RST | ACK }, 5.1);
  assert.equal(table.tcpState(r), 'rejected');
  table.expire(11);
  assert.deepEqual(ended.map((e) => [e.rec.resp_port, e.reason, e.rec.tcp_state]), [[25, 'tcp_reset', 'rejected']]);
  table.expire(305);
  assert.deepEqual(ended.map((e) => [e.rec.resp_port, e.reason]), [[25, 'tcp_reset'], [23, 'idle']]);
});

test('tcp: RST after handshake is reset; pure SYN on a closing flow starts a new flow (port reuse)', () => {
  const { table, ended, track } = harness();
  const s = track({ src: A, dst: B, sp: 40003, dp: 80, flags: SYN }, 1);
  track({ src: B, dst: A, sp: 80, dp: 40003, flags: SYN | ACK }, 1);
  track({ src: A, dst: B, sp: 40003, dp: 80, flags: ACK }, 1);
  track({ src: A, dst: B, sp: 40003, dp: 80, flags: RST }, 2);
  assert.equal(table.tcpState(s), 'reset');
  const fid = table.flowId(s);
  const s2 = track({ src: A, dst: B, sp: 40003, dp: 80, flags: SYN, seq: 777 }, 3);
  assert.equal(table.isNew, true);
  assert.notEqual(table.flowId(s2), fid);
  assert.deepEqual(ended.map((e) => [e.rec.flow_id, e.reason, e.rec.tcp_state]), [[fid, 'tcp_reset', 'reset']]);
});

test('tcp: a SYN refused by RST and retried with the same ISN stays one connection (as tshark counts it)', () => {
  const { table, ended, track } = harness();
  const s = track({ src: A, dst: B, sp: 52478, dp: 8554, flags: SYN, seq: 439451506 }, 1);
  track({ src: B, dst: A, sp: 8554, dp: 52478, flags: RST | ACK }, 1);
  assert.equal(table.tcpState(s), 'rejected');
  assert.equal(track({ src: A, dst: B, sp: 52478, dp: 8554, flags: SYN, seq: 439451506 }, 1.5), s);
  assert.equal(table.isNew, false);
  track({ src: B, dst: A, sp: 8554, dp: 52478, flags: SYN | ACK, seq: 9 }, 1.5);
  track({ src: A, dst: B, sp: 52478, dp: 8554, flags: ACK, seq: 439451507 }, 1.5);
  assert.equal(table.tcpState(s), 'established');
  table.expire(100); // established: not ended by the closing linger
  assert.deepEqual(ended, []);
  assert.equal(table.synPackets(s), 2);
});

test('icmp: echo sessions by id; reply first swaps; one-way types; community id', () => {
  const { table, ended, track } = harness();
  const e1 = track({ src: A, dst: B, proto: 1, icmpType: 8, icmpId: 0xd001 }, 1);
  assert.equal(track({ src: B, dst: A, proto: 1, icmpType: 0, icmpId: 0xd001 }, 1), e1);
  assert.equal(table.dir, 1);
  const e2 = track({ src: A, dst: B, proto: 1, icmpType: 8, icmpId: 0xd201 }, 2);
  assert.notEqual(e2, e1);
  const e3 = track({ src: B, dst: A, proto: 1, icmpType: 0, icmpId: 7 }, 3);
  assert.deepEqual([table.origIp(e3), table.origPort(e3), table.respPort(e3), table.dir], [A, 8, 0, 1]);
  const u = track({ src: '129.143.47.6', dst: '10.10.10.190', proto: 1, icmpType: 3, icmpCode: 13 }, 4);
  assert.deepEqual([table.origPort(u), table.respPort(u), table.transport(u)], [3, 13, 'icmp']);
  // Values from Wireshark's communityid on wemo-switch2-setup-c-2.pcap frames 44 (echo) and 255 (unreachable).
  const w = track({ src: '10.10.10.190', dst: '10.10.10.1', proto: 1, icmpType: 8, icmpId: 0xd001 }, 5);
  assert.equal(table.communityId(w), '1:Nvil3zMh8+sPUtD0lwycGqqIbI4=');
  assert.equal(table.communityId(u), '1:OefmciumTu26/GNZHMMTPlMwxHg=');
  table.endAll();
  assert.deepEqual(ended.map((e) => e.rec.flow_id), [1, 2, 3, 4, 5]);
  assert.deepEqual(ended.map((e) => e.rec.orig_pkts + e.rec.resp_pkts), [2, 1, 1, 1, 1]);
});

test('ipv6 tcp: addresses, community id (spec vector)', () => {
  const { table, track } = harness();
  const s = track({ src: '2001:470:e5bf:dead:4957:2174:e82c:4887', dst: '2607:f8b0:400c:c03::1a', sp: 63943, dp: 25, flags: SYN }, 1);
  assert.equal(track({ src: '2607:f8b0:400c:c03::1a', dst: '2001:470:e5bf:dead:4957:2174:e82c:4887', sp: 25, dp: 63943, flags: SYN | ACK }, 1), s);
  const r = table.toRecord(s, ['x']);
  assert.deepEqual([r.orig_ip, r.resp_ip, r.ip_version, r.community_id],
    ['2001:470:e5bf:dead:4957:2174:e82c:4887', '2607:f8b0:400c:c03::1a', 6, '1:/qFaeAR+gFe1KYjMzVDsMv+wgU4=']);
});

test('arp pseudo-flow, vlan in key, macs, other ip protocols', () => {
  const { table, track } = harness();
  const v1 = arpView(1, '10.10.10.190', '10.10.10.1');
  const a = table.track(v1, 1, 42, 1, 0);
  assert.equal(table.track(arpView(2, '10.10.10.1', '10.10.10.190'), 1, 42, 2, 0), a);
  assert.equal(table.dir, 1);
  const ra = table.toRecord(a, ['f']);
  // Community ID extension for ARP: the IPv4 pair with protocol 0.
  const arpId = communityId(new Uint8Array([10, 10, 10, 190]), new Uint8Array([10, 10, 10, 1]), 0, 0, 0);
  assert.deepEqual([ra.transport, ra.ip_version, ra.community_id, ra.orig_ip, ra.resp_ip], ['arp', 0, arpId, '10.10.10.190', '10.10.10.1']);
  // A first ARP reply: the requester (target) is the originator.
  const b = table.track(arpView(2, '10.0.0.9', '10.0.0.8'), 2, 42, 3, 0);
  assert.equal(table.origIp(b), '10.0.0.8');

  const mA = [0x94, 0x10, 0x3e, 0x34, 0x0c, 0xb5], mB = [0, 0x0c, 0x29, 0x40, 0x0e, 0xef];
  const x = track({ src: A, dst: B, proto: 17, sp: 5000, dp: 5001, vlan: [10], srcMac: mA, dstMac: mB }, 3);
  const y = track({ src: A, dst: B, proto: 17, sp: 5000, dp: 5001, vlan: [11, 20] }, 3);
  const z = track({ src: A, dst: B, proto: 17, sp: 5000, dp: 5001 }, 3);
  assert.equal(new Set([x, y, z]).size, 3);
  const rx = table.toRecord(x, ['f']);
  assert.deepEqual([rx.vlan, rx.orig_mac, rx.resp_mac], [[10], '94:10:3e:34:0c:b5', '00:0c:29:40:0e:ef']);
  assert.deepEqual(table.toRecord(y, ['f']).vlan, [11, 20]);
  assert.equal(table.toRecord(z, ['f']).vlan, undefined);

  const g = track({ src: A, dst: '224.0.0.22', proto: 2 }, 4);
  assert.equal(track({ src: '224.0.0.22', dst: A, proto: 2 }, 4), g);
  const rg = table.toRecord(g, ['f']);
  assert.deepEqual([rg.transport, rg.orig_port, rg.resp_port, rg.orig_pkts, rg.resp_pkts], ['ip-2', 0, 0, 1, 1]);
  // Not flow packets: no L3, unreassembled fragment, TCP without a decoded header.
  const none = new PacketView(); none.reset();
  assert.equal(table.track(none, 5, 60, 9, 0), -1);
  const frag = view({ src: A, dst: B, proto: 17, sp: 1, dp: 2 }); frag.isFragment = true;
  assert.equal(table.track(frag, 5, 60, 10, 0), -1);
  const bare = view({ src: A, dst: B, sp: 1, dp: 2 }); bare.l4Off = 0;
  assert.equal(table.track(bare, 5, 60, 11, 0), -1);
  assert.equal(table.stats.notFlowPackets, 3);
});

test('timeouts per class, active timeout, app id', () => {
  const { table, ended, track } = harness({ udpIdleS: 60, tcpIdleS: 300, icmpIdleS: 30, activeTimeoutS: 1000 });
  const t = track({ src: A, dst: B, sp: 40000, dp: 22, flags: SYN }, 0);
  const u = track({ src: A, dst: B, proto: 17, sp: 40000, dp: 53 }, 0);
  track({ src: A, dst: B, proto: 1, icmpType: 8 }, 0);
  table.setAppId(u, 3);
  assert.equal(table.appId(u), 3);
  table.expire(29); assert.equal(ended.length, 0);
  table.expire(31); assert.deepEqual(ended.map((e) => e.rec.transport), ['icmp']);
  table.expire(61); assert.deepEqual(ended.map((e) => e.rec.transport), ['icmp', 'udp']);
  table.setAppId(t, 5);
  for (let ts = 100; ts <= 1000; ts += 100) track({ src: A, dst: B, sp: 40000, dp: 22, flags: ACK }, ts);
  assert.equal(ended.length, 3);
  assert.deepEqual([ended[2].reason, ended[2].rec.orig_pkts, ended[2].rec.flow_id], ['active', 10, table.flowId(t) - 3]);
  // The connection goes on in the same slot as a new record: new id, counters from this packet, same app.
  assert.equal(table.isNew, false);
  assert.equal(table.continued, true);
  assert.equal(table.isContinuation(t), true);
  assert.equal(table.appId(t), 5);
  const next = table.toRecord(t, ['f']);
  assert.deepEqual([next.orig_pkts, next.first_ts, next.orig_port, next.resp_port], [1, 1000, 40000, 22]);
});

test('community id: computed per call from the slot, right when flows are asked in turn and a slot is reused', () => {
  const { table, ended, track } = harness({ maxFlows: 16, initialCapacity: 16, icmpIdleS: 1 });
  // Values from Wireshark's communityid on wemo-switch2-setup-c-2.pcap (as above) and the spec's IPv6 vector.
  const echo = '1:Nvil3zMh8+sPUtD0lwycGqqIbI4=', unreach = '1:OefmciumTu26/GNZHMMTPlMwxHg=', v6 = '1:/qFaeAR+gFe1KYjMzVDsMv+wgU4=';
  const w = track({ src: '10.10.10.190', dst: '10.10.10.1', proto: 1, icmpType: 8, icmpId: 0xd001 }, 1);
  const u = track({ src: '129.143.47.6', dst: '10.10.10.190', proto: 1, icmpType: 3, icmpCode: 13 }, 1);
  const s = track({ src: '2001:470:e5bf:dead:4957:2174:e82c:4887', dst: '2607:f8b0:400c:c03::1a', sp: 63943, dp: 25, flags: SYN }, 1);
  assert.deepEqual([table.communityId(w), table.communityId(u), table.communityId(w), table.communityId(s), table.communityId(u)],
    [echo, unreach, echo, v6, unreach]);
  table.expire(5); // both ICMP flows end; their slots go to the next flows
  assert.deepEqual(ended.map((e) => e.rec.community_id), [echo, unreach]);
  const again = track({ src: '2607:f8b0:400c:c03::1a', dst: '2001:470:e5bf:dead:4957:2174:e82c:4887', sp: 25, dp: 63943, flags: ACK }, 6);
  assert.equal(again, s);
  const reused = track({ src: '129.143.47.6', dst: '10.10.10.190', proto: 1, icmpType: 3, icmpCode: 13 }, 6);
  assert.ok(reused === w || reused === u, 'a freed slot is reused');
  assert.deepEqual([table.communityId(reused), table.communityId(s)], [unreach, v6]);
});

test('full table evicts the least recently active flow; onEnd can read the slot', () => {
  const { table, ended, track } = harness({ maxFlows: 16, initialCapacity: 16 });
  for (let i = 0; i < 16; i++) track({ src: A, dst: B, proto: 17, sp: 1000 + i, dp: 53 }, i);
  track({ src: A, dst: B, proto: 17, sp: 1000, dp: 53 }, 20); // refresh the oldest
  for (let i = 16; i < 20; i++) track({ src: A, dst: B, proto: 17, sp: 1000 + i, dp: 53 }, i + 10);
  assert.deepEqual(ended.map((e) => [e.reason, e.rec.orig_port]), [['evicted', 1001], ['evicted', 1002], ['evicted', 1003], ['evicted', 1004]]);
  assert.equal(table.stats.evicted, 4);
  assert.equal(table.stats.live, 16);
  assert.equal(table.stats.capacity, 16);
  // The refreshed flow survived with both of its packets.
  const s = track({ src: B, dst: A, proto: 17, sp: 53, dp: 1000 }, 40);
  assert.equal(table.isNew, false);
  assert.equal(table.packets(s, 0) + table.packets(s, 1), 3);
});

test('growth and index deletion keep every live flow findable', () => {
  const { table, track } = harness({ initialCapacity: 16, maxFlows: 1 << 16, udpIdleS: 10 });
  const slotOf = new Map<number, number>();
  for (let i = 0; i < 20000; i++) slotOf.set(i, track({ src: `10.${i >> 8 & 255}.${i & 255}.1`, dst: B, proto: 17, sp: 2000, dp: 53 }, i < 10000 ? 0 : 100));
  assert.equal(table.stats.capacity, 65536); // 16, grown fourfold
  table.expire(50); // ends the first 10000 (ts 0), deleting them from the index
  assert.equal(table.stats.live, 10000);
  for (let i = 10000; i < 20000; i++) {
    const s = track({ src: B, dst: `10.${i >> 8 & 255}.${i & 255}.1`, proto: 17, sp: 53, dp: 2000 }, 101);
    assert.equal(s, slotOf.get(i));
    assert.equal(table.isNew, false);
    assert.equal(table.dir, 1);
  }
  assert.equal(table.stats.created, 20000);
});

test('fuzz: random views never throw, table stays bounded', () => {
  const next = rng(7);
  const table = new FlowTable({ maxFlows: 64, initialCapacity: 16 }, () => {});
  const pick = <T>(a: T[]) => a[Math.floor(next() * a.length)];
  for (let i = 0; i < 50000; i++) {
    const v = new PacketView();
    v.reset();
    v.data = new Uint8Array(Math.floor(next() * 80));
    v.end = Math.floor(next() * 90);
    v.l3 = pick([0, 1, 4, 6, 4, 6, 99]);
    v.src4 = Math.floor(next() * 8); v.dst4 = Math.floor(next() * 8) - 1;
    v.src6Off = Math.floor(next() * 80) - 5; v.dst6Off = Math.floor(next() * 80);
    v.ipProto = pick([1, 2, 6, 17, 58, 132, 300, -1]);
    v.l4Off = pick([0, 34, -1]);
    v.srcPort = Math.floor(next() * 70000) - 2; v.dstPort = pick([80, 1023, 1024, 65535, 70000]);
    v.tcpFlags = Math.floor(next() * 256);
    v.icmpType = Math.floor(next() * 300) - 2; v.icmpCode = Math.floor(next() * 300); v.icmpId = Math.floor(next() * 4);
    v.vlanCount = pick([0, 1, 2]); v.vlanIds[0] = Math.floor(next() * 5000);
    v.srcMacOff = pick([-1, 0, 70]); v.dstMacOff = pick([-1, 6, 85]);
    v.arpOp = pick([1, 2, 9]); v.arpSenderIp = Math.floor(next() * 3); v.arpTargetIp = -1;
    v.isFragment = next() < 0.05;
    v.payloadLen = Math.floor(next() * 2000);
    const s = table.track(v, i * pick([0.01, -0.5, 100]), 60, i + 1, 0);
    if (s >= 0) {
      table.toRecord(s, []);
      if (i % 97 === 0) table.expire(i * 0.01);
    }
    assert.ok(table.stats.live <= 64);
  }
  table.endAll();
  assert.equal(table.stats.live, 0);
});

test('model check: random inserts, expiry and eviction agree with a reference set', () => {
  const next = rng(11);
  const live = new Set<number>();
  const table: FlowTable = new FlowTable({ maxFlows: 512, initialCapacity: 16, udpIdleS: 1 }, (slot) => {
    assert.ok(live.delete(table.origPort(slot)));
  });
  let ts = 0;
  for (let i = 0; i < 200000; i++) {
    ts += next() * (i < 100000 ? 0.0001 : 0.02); // first: > maxFlows live (eviction), then: idle expiry
    const port = 1024 + Math.floor(next() * 3000);
    const expectNew = !live.has(port);
    const s = next() < 0.5
      ? table.track(view({ src: A, dst: B, proto: 17, sp: port, dp: 53 }), ts, 60, i, 0)
      : table.track(view({ src: B, dst: A, proto: 17, sp: 53, dp: port }), ts, 60, i, 0);
    assert.equal(table.isNew, expectNew);
    assert.equal(table.origPort(s), port);
    live.add(port);
    if (i % 100 === 0) table.expire(ts);
    assert.equal(table.stats.live, live.size);
  }
  assert.ok(table.stats.evicted > 1000 && table.stats.ended.idle > 0, JSON.stringify(table.stats));
});

test('endAll ends flows in creation order, also when reused slots are out of that order', () => {
  const { table, ended, track } = harness();
  for (let i = 0; i < 6; i++) track({ src: A, dst: B, proto: 17, sp: 1000 + i, dp: 53 }, 1);
  track({ src: A, dst: B, proto: 6, sp: 2000, dp: 80, flags: SYN }, 1);
  table.expire(62); // the UDP flows end: their slots are free, and the next flows take them (last freed first)
  for (let i = 0; i < 4; i++) track({ src: B, dst: A, proto: 17, sp: 3000 + i, dp: 53 }, 63);
  track({ src: A, dst: B, proto: 6, sp: 2001, dp: 80, flags: SYN }, 64); // listed with flow 7, before the UDP flows
  const before = ended.length;
  table.endAll();
  const ids = ended.slice(before).map((e) => e.rec.flow_id);
  assert.deepEqual(ids, [7, 8, 9, 10, 11, 12]);
});

test('address texts (from a bounded cache) are each flow\'s own, for many addresses that collide in it', () => {
  const { table, track } = harness();
  const next = rng(19);
  const octet = () => Math.floor(next() * 256);
  const expected: [number, string, string][] = [];
  for (let i = 0; i < 20000; i++) {
    const src = `${octet()}.${octet()}.${octet()}.${octet()}`;
    const dst = i % 3 === 0 ? '10.10.10.10' : `${octet()}.${octet()}.${octet()}.${octet()}`;
    expected.push([track({ src, dst, proto: 17, sp: 40000 + (i % 1000), dp: 53 }, 1), src, dst]);
  }
  for (const [slot, src, dst] of expected) assert.deepEqual([table.origIp(slot), table.respIp(slot)], [src, dst]);
  // And again in another order: a string cached for one address never answers for another.
  for (const [slot, src, dst] of expected.reverse()) assert.deepEqual([table.respIp(slot), table.origIp(slot)], [dst, src]);
});

test('smallAsInt keeps every count as the same number (an int32 as an integer, the rest unchanged)', () => {
  for (const v of [0, 1, 60, 0x7fffffff, 0x80000000, 0xffffffff, 2 ** 40 + 1, Number.MAX_SAFE_INTEGER, 0.5, 1700000000.25]) {
    assert.ok(Object.is(smallAsInt(v), v), String(v));
  }
  assert.ok(Object.is(smallAsInt(-1), -1));
});
