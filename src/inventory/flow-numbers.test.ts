/**
 * The inventory's numeric paths: a flow's IPv4 addresses looked up by number (a lazy record's tuple, or text
 * written as the flow table writes it), peers and forwarded addresses counted by number. Each test gives a case
 * where a number index out of step with the text-keyed tables, or a number standing for text it does not name,
 * would give another answer than docs/devices.md's policy.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { FlowRecord } from '../flow/types.ts';
import type { EventRecord } from '../pipeline/analyze.ts';
import { FlowIds, LazyFlowRecord, flowTuple } from '../flow/lazy-record.ts';
import { FirstPacket } from '../pipeline/first-packet.ts';
import { Inventory } from './inventory.ts';
import { canonicalV4, ipv4Number } from './addresses.ts';

const A = '00:11:22:33:44:01';
const B = '00:11:22:33:44:02';
const noIdentification = () => ({ type: 'unknown' as const, type_confidence: 0, because: [], decided_by: 'rules' as const });
const ids = new FlowIds({ flowUid: () => 'C0' });

/** A finished TCP flow's fields (MACs optional). */
function fields(orig: string, resp: string, ts: number, o: Partial<FlowRecord>): FlowRecord {
  return {
    type: 'flow', flow_id: 1, community_id: '', transport: 'tcp', ip_version: 4, orig_ip: orig, orig_port: 40000, resp_ip: resp, resp_port: 80,
    first_ts: ts, last_ts: ts, duration: 0, orig_pkts: 1, orig_bytes: 60, resp_pkts: 1, resp_bytes: 60, orig_payload_bytes: 0, resp_payload_bytes: 0,
    tcp_state: 'established', end_reason: 'tcp_closed', file: 't.pcap', first_packet: 1, last_packet: 2, ...o,
  };
}

/** The flow as a plain record (text addresses only). */
function plain(orig: string, resp: string, ts: number, o: Partial<FlowRecord> = {}): FlowRecord {
  return fields(orig, resp, ts, o);
}

/** The flow as the pipeline's lazy record: its addresses also as the tuple's numbers. */
function lazy(orig: string, resp: string, ts: number, o: Partial<FlowRecord> = {}): FlowRecord {
  const t = flowTuple();
  Object.assign(t, { flowId: 1, firstTs: ts, ipVersion: 4, proto: 6, origPort: 40000, respPort: 80, orig: ipv4Number(orig), resp: ipv4Number(resp) });
  const rec = new LazyFlowRecord(ids, t) as unknown as FlowRecord;
  const { type: _type, flow_id: _id, community_id: _cid, ...rest } = fields(orig, resp, ts, o);
  return Object.assign(rec, rest);
}

function arpReply(ip: string, mac: string, ts: number): EventRecord {
  return { type: 'arp.reply', ts, file: 't.pcap', packet: 1, sender_ip: ip, sender_mac: mac };
}

function device(inv: Inventory, id: string) {
  return inv.devices().find((d) => d.id === id);
}

test('canonicalV4: the number of dotted-quad text without leading zeros, -1 for any other text', () => {
  assert.equal(canonicalV4('10.0.0.1'), 10 * 2 ** 24 + 1);
  assert.equal(canonicalV4('0.0.0.0'), 0);
  assert.equal(canonicalV4('255.255.255.255'), 2 ** 32 - 1);
  assert.equal(canonicalV4('0.10.0.100'), 10 * 2 ** 16 + 100);
  assert.equal(canonicalV4('192.168.1.20'), 192 * 2 ** 24 + 168 * 2 ** 16 + 256 + 20);
  for (const t of ['010.0.0.1', '10.0.0.01', '10.00.0.1', '1.2.3.004', '1.2.3', '1.2.3.4.5', '256.0.0.1', '1.2.3.4 ', '', '::1', 'a.b.c.d']) {
    assert.equal(canonicalV4(t), -1, t);
  }
});

test('peers and forwarded addresses: one address counted once from lazy and plain records, other text of it apart', () => {
  const inv = new Inventory({ identify: noIdentification, localNets: ['10.0.0.0/8'] });
  inv.onFlow(plain('10.1.2.3', '8.8.8.8', 1, { orig_mac: A, resp_mac: B }));
  inv.onFlow(lazy('10.1.2.3', '8.8.8.8', 2, { orig_mac: A, resp_mac: B }));
  inv.onFlow(lazy('10.1.2.3', '10.1.2.4', 3, { orig_mac: A }));
  inv.onFlow(plain('10.1.2.3', '10.1.2.4', 4, { orig_mac: A }));
  let a = device(inv, `mac:${A}`)!;
  assert.deepEqual([a.peers_local, a.peers_remote], [1, 1]);
  // One remote address forwarded, whichever record named it: B is not a gateway yet.
  assert.equal(device(inv, `mac:${B}`), undefined);
  inv.onFlow(lazy('10.1.2.3', '8.8.4.4', 5, { orig_mac: A, resp_mac: B }));
  assert.ok(device(inv, `mac:${B}`)!.evidence.some((e) => e.value === 'forwards traffic of 2 remote addresses'));
  // Text with leading zeros is another string than the flow table ever writes: kept apart, as text always was.
  inv.onFlow(plain('10.1.2.3', '008.008.008.008', 6, { orig_mac: A }));
  a = device(inv, `mac:${A}`)!;
  assert.deepEqual([a.peers_local, a.peers_remote], [1, 3]);
  // The responder's side: 10.1.2.4 has 10.1.2.3 as its one local peer.
  assert.deepEqual([device(inv, 'ip:10.1.2.4')!.peers_local, device(inv, 'ip:10.1.2.4')!.flows_in], [1, 2]);
});

test("a lazy flow of a bound address widens that binding's span, and follows the address when ARP moves it", () => {
  const inv = new Inventory({ identify: noIdentification });
  inv.onEvent(arpReply('192.168.1.20', A, 5));
  inv.onFlow(lazy('192.168.1.20', '8.8.8.8', 2, { orig_mac: A }));
  inv.onFlow(lazy('192.168.1.20', '8.8.8.8', 9, { orig_mac: A }));
  assert.deepEqual(device(inv, `mac:${A}`)!.ips, [{ ip: '192.168.1.20', first_ts: 2, last_ts: 9, source: 'arp' }]);
  inv.onEvent(arpReply('192.168.1.20', B, 10));
  inv.onFlow(lazy('192.168.1.20', '8.8.8.8', 12, { orig_mac: B }));
  // A flow without a MAC goes to the address's current MAC.
  inv.onFlow(lazy('192.168.1.20', '8.8.8.8', 13));
  assert.deepEqual(device(inv, `mac:${A}`)!.ips, [{ ip: '192.168.1.20', first_ts: 2, last_ts: 9, source: 'arp' }]);
  assert.deepEqual(device(inv, `mac:${B}`)!.ips, [{ ip: '192.168.1.20', first_ts: 10, last_ts: 12, source: 'arp' }]);
  assert.deepEqual([device(inv, `mac:${A}`)!.flows_out, device(inv, `mac:${B}`)!.flows_out], [2, 2]);
});

test('a binding forgotten at maxIpBindings is forgotten by number too: the next lazy flow binds the address afresh', () => {
  const inv = new Inventory({ identify: noIdentification, maxIpBindings: 2 });
  inv.onEvent(arpReply('192.168.1.20', A, 1));
  inv.onEvent(arpReply('192.168.1.21', A, 2));
  inv.onEvent(arpReply('192.168.1.22', A, 3)); // forgets 192.168.1.20, the oldest
  // An ARP binding would keep 192.168.1.20 on A against traffic of B; forgotten, B's traffic binds it.
  inv.onFlow(lazy('192.168.1.20', '8.8.8.8', 4, { orig_mac: B }));
  assert.deepEqual(device(inv, `mac:${B}`)!.ips, [{ ip: '192.168.1.20', first_ts: 4, last_ts: 4, source: 'traffic' }]);
  assert.equal(inv.stats().ip_bindings_dropped, 2);
});

test("an 'ip:' device merged at flush leaves the number index: the address, unbound again, makes a new one", () => {
  const inv = new Inventory({ identify: noIdentification, maxIpBindings: 1 });
  inv.onFlow(lazy('192.168.1.30', '8.8.8.8', 1));
  inv.onEvent(arpReply('192.168.1.30', A, 2));
  inv.flush(); // ip:192.168.1.30 merges into A's device
  assert.equal(device(inv, 'ip:192.168.1.30'), undefined);
  inv.onEvent(arpReply('192.168.1.31', A, 3)); // forgets the binding of 192.168.1.30
  inv.onFlow(lazy('192.168.1.30', '8.8.8.8', 10));
  const d = device(inv, 'ip:192.168.1.30')!;
  assert.deepEqual([d.first_ts, d.flows_out, d.ips.map((b) => b.ip)], [10, 1, ['192.168.1.30']]);
});

test('a DHCP fingerprint repeated as numbers is the same evidence item, earliest sighting kept; another list is another', () => {
  const inv = new Inventory({ identify: noIdentification, maxEvidencePerDevice: 4 });
  const request = (ts: number, list: unknown[]): EventRecord => ({ type: 'dhcp.request', ts, file: 't.pcap', packet: ts, client_mac: A, param_list: list });
  const long = Array.from({ length: 64 }, (_, i) => i + 1);
  inv.onEvent(request(5, [1, 3, 6]));
  inv.onEvent(request(3, [1, 3, 6]));
  inv.onEvent(request(4, [1, 3, 6]));
  inv.onEvent(request(2, [1, 'x', 3, null, 6])); // entries that are not numbers are skipped: the same list
  inv.onEvent(request(6, [1, 3, 7])); // same length, one number differs: another list
  inv.onEvent(request(7, [1, 3])); // a prefix: another list
  inv.onEvent(request(8, [...long, 99])); // only the first 64 numbers count
  inv.onEvent(request(1, [...long, 100]));
  inv.onEvent(request(9, [1, 2])); // a fifth item: over maxEvidencePerDevice, counted at each sighting
  inv.onEvent(request(10, [1, 2]));
  const d = device(inv, `mac:${A}`)!;
  const fingerprints = d.evidence.map((e) => [e.signal, e.value, e.ts, e.packet]);
  assert.deepEqual(fingerprints, [
    ['dhcp.fingerprint', '1,3,6', 2, 2], ['dhcp.fingerprint', '1,3,7', 6, 6], ['dhcp.fingerprint', '1,3', 7, 7], ['dhcp.fingerprint', long.join(','), 1, 1],
  ]);
  assert.equal(d.evidence_dropped, 2);
});

test('a remote address bound by ARP is its MAC\'s on a flow; once that binding is forgotten, a flow of it is no device\'s', () => {
  // Traffic never binds a remote address, ARP does (a spoofed reply): a flow of such an address must find it.
  const inv = new Inventory({ identify: noIdentification, localNets: ['10.0.0.0/8'], maxIpBindings: 2 });
  inv.onFlow(lazy('10.1.2.3', '8.8.8.8', 1, { orig_mac: A, resp_mac: B }));
  assert.equal(device(inv, `mac:${B}`), undefined); // one remote address behind B: a peer, not a device
  inv.onEvent(arpReply('8.8.8.8', B, 2));
  // Its flows do not widen the binding's span (traffic refreshes bindings of local addresses only).
  inv.onFlow(lazy('10.1.2.3', '8.8.8.8', 3, { orig_mac: A, resp_mac: B }));
  inv.onFlow(plain('10.1.2.3', '8.8.8.8', 4, { orig_mac: A, resp_mac: B }));
  assert.deepEqual([device(inv, `mac:${B}`)!.flows_in, device(inv, `mac:${B}`)!.ips.map((b) => [b.ip, b.first_ts, b.last_ts])], [2, [['8.8.8.8', 2, 2]]]);
  inv.onEvent(arpReply('10.1.2.3', A, 5));
  inv.onEvent(arpReply('10.1.2.4', A, 6)); // forgets 8.8.8.8's binding, the oldest
  inv.onFlow(lazy('10.1.2.3', '8.8.8.8', 7, { orig_mac: A, resp_mac: B }));
  inv.onFlow(plain('10.1.2.3', '8.8.8.8', 8, { orig_mac: A, resp_mac: B }));
  assert.equal(device(inv, `mac:${B}`)!.flows_in, 2);
  assert.equal(device(inv, `mac:${A}`)!.flows_out, 5);
});

/** A new TCP flow's first packet (the fact a replayed `flow.start` gives: the addresses as numbers). */
function syn(src: string, ts: number): FirstPacket {
  return new FirstPacket().fromEvent({ type: 'flow.start', ts, file: 't.pcap', packet: ts, flow_id: ts, transport: 'tcp', src_ip: src, src_port: 40000,
    dst_ip: '8.8.8.8', dst_port: 80, from_orig: true, ttl: 64, ip_len: 60, payload_len: 0, tcp_flags: 'S', seq: 1, tcp_window: 29200,
    tcp_options: 'M,S,T,N,W', tcp_mss: 1460, tcp_wscale: 7 } as EventRecord);
}

test("a local host's SYN found by its address's number: its MAC's device when bound, else its 'ip:' device", () => {
  const inv = new Inventory({ identify: noIdentification, localNets: ['10.0.0.0/8'] });
  inv.onEvent(arpReply('10.1.2.3', A, 1));
  inv.onFirstPacket(syn('10.1.2.3', 2));
  inv.onFirstPacket(syn('10.1.2.9', 3));
  inv.onFirstPacket(syn('10.1.2.9', 4));
  inv.onFirstPacket(syn('8.8.4.4', 5)); // not local: no device
  inv.onFirstPacket(syn('10.1.2.255', 6)); // not a host address
  const signature = (id: string) => device(inv, id)?.evidence.filter((e) => e.signal === 'tcp.syn_signature').map((e) => [e.value, e.ts]);
  assert.deepEqual(signature(`mac:${A}`), [['64:1460:29200,7:M,S,T,N,W', 2]]);
  assert.deepEqual(signature('ip:10.1.2.9'), [['64:1460:29200,7:M,S,T,N,W', 3]]);
  assert.deepEqual(device(inv, 'ip:10.1.2.9')!.ips.map((b) => [b.ip, b.first_ts, b.last_ts, b.source]), [['10.1.2.9', 3, 4, 'traffic']]);
  assert.deepEqual(inv.devices().map((d) => d.id).sort(), [`mac:${A}`, 'ip:10.1.2.9'].sort());
  // The same SYN as a flow.start event with the address written with a leading zero: text the flow table never
  // writes, found by its text (another 'ip:' device), not by its number.
  inv.onEvent({ type: 'flow.start', ts: 7, file: 't.pcap', packet: 7, transport: 'tcp', src_ip: '10.1.2.09', dst_ip: '8.8.8.8', src_port: 40000, dst_port: 80,
    ttl: 64, tcp_flags: 'S', tcp_window: 29200, tcp_mss: 1460, tcp_wscale: 7, tcp_options: 'M,S,T,N,W' });
  assert.deepEqual(signature('ip:10.1.2.09'), [['64:1460:29200,7:M,S,T,N,W', 7]]);
});
