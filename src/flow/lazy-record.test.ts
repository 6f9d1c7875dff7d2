import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TcpFlag } from '../decode/packet-view.ts';
import { FlowTable } from './table.ts';
import { communityId } from './community-id.ts';
import { FlowBound, FlowIds, IdentityState, flowTuple, holdFlow, type FlowUidSource, type LazyFlowRecord } from './lazy-record.ts';
import type { FlowEndReason, FlowRecord } from './types.ts';
import { arpView, parseIp, view, type Pkt } from './test-util.ts';

const { SYN, ACK, FIN, RST } = TcpFlag;

/** A uid source that shows its inputs (the real one hashes them: src/pipeline/site.ts) and counts calls. */
class ShowingUids implements FlowUidSource {
  calls = 0;
  flowUid(cid: string, firstTs: number, flowId: number): string {
    this.calls++;
    return `uid(${cid}|${firstTs}|${flowId})`;
  }
}

/** FlowIds that counts the Community IDs it computes (the memo answers without a call to communityIdOfWords). */
class CountingIds extends FlowIds {
  asked = 0;
  override communityId(...args: Parameters<FlowIds['communityId']>): string {
    this.asked++;
    return super.communityId(...args);
  }
}

/**
 * A table whose ended flows are published both ways: the plain record (toRecord, computed eagerly, the
 * straightforward implementation) and the lazy one (toLazyRecord), nothing of the lazy one read yet.
 */
function harness(opts = {}) {
  const uids = new ShowingUids();
  const ids = new CountingIds(uids);
  const ended: { plain: FlowRecord; lazy: FlowRecord; reason: FlowEndReason }[] = [];
  const table: FlowTable = new FlowTable(opts, (slot, reason) => {
    const lazy = table.toLazyRecord(slot, ids, ['f.pcap'], ['', 'dns'], reason);
    const cid = table.communityId(slot);
    const plain = table.toRecord(slot, ['f.pcap'], ['', 'dns'], reason, cid, uids.flowUid(cid, table.firstTs(slot), table.flowId(slot)));
    ended.push({ plain, lazy, reason });
  });
  let n = 0;
  const track = (p: Pkt, ts: number) => table.track(view(p), ts, 60, ++n, 0);
  return { table, ended, track, uids, ids };
}

test('a lazy flow record computes nothing until read, then its own flow\'s ids, also after its slot was reused', () => {
  const { table, ended, track, uids, ids } = harness({ maxFlows: 1 });
  const a = track({ src: '10.0.0.1', dst: '10.0.0.2', sp: 40000, dp: 23, flags: SYN }, 100);
  // One slot: the next flow evicts this one and takes its slot.
  const b = track({ src: '192.168.1.5', dst: '8.8.8.8', proto: 17, sp: 5353, dp: 53 }, 101);
  assert.equal(b, a, 'the slot was reused');
  const first = ended[0].lazy;
  const callsBefore = uids.calls - ended.length; // the plain records' uids
  const askedBefore = ids.asked;
  assert.equal(callsBefore, 0, 'no uid computed for the lazy record');
  assert.equal(askedBefore, 0, 'no Community ID computed for the lazy record');
  // Read now, while the slot holds the second flow: the first flow's values, from its own tuple.
  const expectedCid = communityId(parseIp('10.0.0.1'), parseIp('10.0.0.2'), 6, 40000, 23);
  assert.equal(first.community_id, expectedCid);
  assert.equal(first.uid, `uid(${expectedCid}|100|1)`);
  assert.equal(table.communityId(b), communityId(parseIp('192.168.1.5'), parseIp('8.8.8.8'), 17, 5353, 53));
  // Read once: later reads answer from the record.
  const asked = ids.asked, calls = uids.calls;
  assert.equal(first.uid, `uid(${expectedCid}|100|1)`);
  assert.equal(first.community_id, expectedCid);
  assert.deepEqual([ids.asked, uids.calls], [asked, calls]);
});

test('a lazy flow record\'s JSON is the plain record\'s, field for field and in order (TCP, UDP, ICMP, IPv6, ARP, VLAN, MACs)', () => {
  const { table, ended, track } = harness();
  track({ src: '10.0.0.1', dst: '10.0.0.2', sp: 40000, dp: 80, flags: SYN, dstMac: [0, 0x0c, 0x29, 0x40, 0x0e, 0xef], srcMac: [0x94, 0x10, 0x3e, 0x34, 0x0c, 0xb5] }, 1);
  track({ src: '10.0.0.2', dst: '10.0.0.1', sp: 80, dp: 40000, flags: SYN | ACK }, 1.1);
  track({ src: '10.0.0.1', dst: '10.0.0.2', sp: 40000, dp: 80, flags: FIN | ACK }, 1.2);
  track({ src: '10.0.0.9', dst: '10.0.0.2', sp: 40001, dp: 81, flags: RST }, 1.3);
  const dns = track({ src: '192.168.1.5', dst: '8.8.8.8', proto: 17, sp: 5353, dp: 53, vlan: [10, 20] }, 2);
  table.setAppId(dns, 1);
  track({ src: '129.143.47.6', dst: '10.10.10.190', proto: 1, icmpType: 3, icmpCode: 13 }, 3); // one-way ICMP
  track({ src: '10.10.10.190', dst: '10.10.10.1', proto: 1, icmpType: 8 }, 3.5);
  track({ src: '2001:470:e5bf:dead:4957:2174:e82c:4887', dst: '2607:f8b0:400c:c03::1a', sp: 63943, dp: 25, flags: SYN }, 4);
  track({ src: 'fe80::1', dst: 'ff02::1', proto: 58, icmpType: 134 }, 4.5);
  table.track(arpView(1, '10.10.10.190', '10.10.10.1'), 5, 42, 99, 0);
  track({ src: '10.0.0.1', dst: '10.0.0.3', proto: 47 }, 6); // other IP protocol
  table.endAll();
  assert.equal(ended.length, 9);
  for (const { plain, lazy } of ended) {
    assert.equal(JSON.stringify(lazy), JSON.stringify(plain));
    assert.deepEqual(Object.keys(JSON.parse(JSON.stringify(lazy))), Object.keys(plain));
    // Read by name, every field is there too.
    for (const key of Object.keys(plain)) assert.deepEqual((lazy as unknown as Record<string, unknown>)[key], (plain as unknown as Record<string, unknown>)[key], key);
  }
  // Independent values: the spec vector of the IPv6 flow and the ARP extension (IPv4 pair, protocol 0).
  const v6 = ended.find((e) => e.plain.ip_version === 6 && e.plain.transport === 'tcp')!;
  assert.equal(v6.lazy.community_id, '1:/qFaeAR+gFe1KYjMzVDsMv+wgU4=');
  const arp = ended.find((e) => e.plain.transport === 'arp')!;
  assert.equal(arp.lazy.community_id, communityId(parseIp('10.10.10.190'), parseIp('10.10.10.1'), 0, 0, 0));
});

test('a lazy record gives its flow\'s IPv4 addresses as numbers, the same as its text; -1 for IPv6, ARP and plain records', () => {
  const { table, ended, track } = harness();
  track({ src: '10.0.0.1', dst: '192.168.200.254', sp: 40000, dp: 80, flags: SYN }, 1);
  track({ src: '192.168.200.254', dst: '10.0.0.1', sp: 80, dp: 40000, flags: SYN | ACK }, 1.1);
  track({ src: '255.255.255.255', dst: '0.0.0.0', proto: 17, sp: 68, dp: 67 }, 2);
  track({ src: '2001:470:e5bf:dead:4957:2174:e82c:4887', dst: '2607:f8b0:400c:c03::1a', sp: 63943, dp: 25, flags: SYN }, 3);
  table.track(arpView(1, '10.10.10.190', '10.10.10.1'), 5, 42, 99, 0);
  table.endAll();
  assert.equal(ended.length, 4);
  const asNumber = (ip: string) => ip.split('.').reduce((n, o) => n * 256 + Number(o), 0);
  for (const { plain, lazy } of ended) {
    const v4 = plain.ip_version === 4 && plain.transport !== 'arp';
    assert.equal(FlowBound.origV4(lazy), v4 ? asNumber(plain.orig_ip) : -1, plain.orig_ip);
    assert.equal(FlowBound.respV4(lazy), v4 ? asNumber(plain.resp_ip) : -1, plain.resp_ip);
    assert.equal(FlowBound.origV4(plain), -1, 'a plain record has no tuple');
  }
  assert.equal(FlowBound.origV4(ended[1].lazy), 0xffffffff);
  // The ids' state is kept in the same field as the IP version and protocol: reading the ids changes neither.
  const tuple = flowTuple();
  for (const { plain, lazy } of ended) {
    const before = FlowBound.identityOf(lazy as unknown as FlowBound, tuple);
    const read = [lazy.uid, lazy.community_id];
    assert.deepEqual(read, [plain.uid, plain.community_id]);
    const state = FlowBound.identityOf(lazy as unknown as FlowBound, tuple);
    assert.equal(before, 0, 'nothing known before the ids are read');
    assert.equal(state, IdentityState.CID_KNOWN | IdentityState.UID_KNOWN, plain.transport);
    const expectedVersion = plain.transport === 'arp' ? 0 : plain.ip_version;
    assert.deepEqual([tuple.ipVersion, tuple.proto, tuple.origPort, tuple.respPort], [expectedVersion, { tcp: 6, udp: 17, arp: 0 }[plain.transport], plain.orig_port, plain.resp_port]);
    assert.equal(FlowBound.origV4(lazy), plain.ip_version === 4 && plain.transport !== 'arp' ? asNumber(plain.orig_ip) : -1);
  }
});

test('a value set on a lazy record replaces the computed one, as on a plain record', () => {
  const { track, table, ended, ids } = harness();
  track({ src: '10.0.0.1', dst: '10.0.0.2', proto: 17, sp: 1, dp: 2 }, 1);
  table.endAll();
  const rec = ended[0].lazy;
  rec.uid = 'Cset';
  rec.community_id = '1:set';
  assert.deepEqual([rec.uid, rec.community_id, ids.asked], ['Cset', '1:set', 0]);
  const json = JSON.parse(JSON.stringify(rec)) as FlowRecord;
  assert.deepEqual([json.uid, json.community_id], ['Cset', '1:set']);
});

test('flows cut by the active timeout: each record keeps its own flow number, first time and ids', () => {
  const { track, ended, table } = harness({ activeTimeoutS: 10 });
  track({ src: '10.0.0.1', dst: '10.0.0.2', sp: 1000, dp: 23, flags: ACK }, 0);
  track({ src: '10.0.0.1', dst: '10.0.0.2', sp: 1000, dp: 23, flags: ACK }, 11); // cut: record 1 ends, record 2 starts
  track({ src: '10.0.0.1', dst: '10.0.0.2', sp: 1000, dp: 23, flags: ACK }, 22); // record 2 ends
  table.endAll();
  assert.equal(ended.length, 3);
  for (const { plain, lazy } of ended) assert.deepEqual([lazy.uid, lazy.community_id, lazy.flow_id], [plain.uid, plain.community_id, plain.flow_id]);
  assert.deepEqual(ended.map((e) => e.lazy.uid), ended.map((e) => `uid(${e.plain.community_id}|${e.plain.first_ts}|${e.plain.flow_id})`));
  assert.equal(new Set(ended.map((e) => e.lazy.uid)).size, 3);
});

test('one lazy record refilled flow after flow (LazyFlowRecord.view) is each flow\'s own during its call; holdFlow keeps a copy that stays it', () => {
  const uids = new ShowingUids();
  const ids = new CountingIds(uids);
  let reused: LazyFlowRecord | undefined;
  const calls: { plain: string; during: string; sameObject: boolean; cidRead: boolean }[] = [];
  const held: FlowRecord[] = [];
  const plains: FlowRecord[] = [];
  const table: FlowTable = new FlowTable({ maxFlows: 2 }, (slot, reason) => {
    const cid = table.communityId(slot);
    const plain = table.toRecord(slot, ['f.pcap'], ['', 'dns'], reason, cid, uids.flowUid(cid, table.firstTs(slot), table.flowId(slot)));
    const rec = table.toLazyRecord(slot, ids, ['f.pcap'], ['', 'dns'], reason, reused) as unknown as LazyFlowRecord;
    const sameObject = rec === reused;
    reused = rec;
    // Every other flow has its Community ID read (and a uid set) before it is held: the copy keeps them.
    const cidRead = calls.length % 2 === 0;
    if (cidRead) {
      assert.equal(rec.community_id, cid);
      rec.uid = `set ${calls.length}`;
      plain.uid = `set ${calls.length}`;
    }
    calls.push({ plain: JSON.stringify(plain), during: JSON.stringify(rec), sameObject, cidRead });
    plains.push(plain);
    held.push(holdFlow(rec as unknown as FlowRecord));
  });
  let n = 0;
  const track = (p: Pkt, ts: number) => table.track(view(p), ts, 60, ++n, 0);
  track({ src: '10.0.0.1', dst: '10.0.0.2', sp: 40000, dp: 80, flags: SYN, srcMac: [0x94, 0x10, 0x3e, 0x34, 0x0c, 0xb5] }, 1);
  track({ src: '10.0.0.2', dst: '10.0.0.1', sp: 80, dp: 40000, flags: SYN | ACK }, 1.1);
  track({ src: '192.168.1.5', dst: '8.8.8.8', proto: 17, sp: 5353, dp: 53, vlan: [10, 20] }, 2);
  track({ src: '2001:db8::1', dst: '2001:db8::2', sp: 1000, dp: 443, flags: SYN }, 3);
  track({ src: '129.143.47.6', dst: '10.10.10.190', proto: 1, icmpType: 3, icmpCode: 13 }, 4);
  track({ src: '10.0.0.9', dst: '10.0.0.2', sp: 40001, dp: 81, flags: RST }, 5);
  table.endAll();
  assert.ok(calls.length >= 5, `${calls.length} flows ended`);
  assert.deepEqual(calls.map((c) => c.sameObject), calls.map((_, i) => i > 0), 'one record, refilled for every flow after the first');
  for (const [i, c] of calls.entries()) assert.equal(c.during, c.plain, `flow ${i} during its call`);
  // After the run the record holds the last flow; each held copy is still its own flow's, ids included.
  assert.equal(new Set(held).size, held.length);
  assert.ok(held.every((h) => h !== reused));
  for (const [i, h] of held.entries()) {
    assert.equal(JSON.stringify(h), calls[i].plain, `held flow ${i}`);
    assert.equal(h.community_id, plains[i].community_id);
    assert.equal(h.uid, plains[i].uid);
    if (calls[i].cidRead) assert.equal(FlowBound.knownCommunityId(h as unknown as FlowBound), plains[i].community_id, 'a Community ID read before the hold is not computed again');
  }
  // A plain record is its subscriber's own: held as it is.
  assert.equal(holdFlow(plains[0]), plains[0]);
});
