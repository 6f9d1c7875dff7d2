/**
 * The inventory's per-flow fast paths: devices cached by MAC and by address, one classification per address,
 * the `touched` marks, cached port keys and the last-evidence memo. Each test builds a situation where a stale
 * cache would give a different answer than the policy in docs/devices.md.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { FlowRecord } from '../flow/types.ts';
import type { EventRecord } from '../pipeline/analyze.ts';
import { Site } from '../pipeline/site.ts';
import { Pipeline } from '../pipeline/analyze.ts';
import { Inventory } from './inventory.ts';
import { DeviceState, portKey } from './device-state.ts';
import { ipv4Number, isHostIp, isHostIpV4 } from './addresses.ts';
import { rng } from '../../test/support/mutate.ts';

const A = '00:11:22:33:44:01';
const B = '00:11:22:33:44:02';
const C = '00:11:22:33:44:03';
const noIdentification = () => ({ type: 'unknown' as const, type_confidence: 0, because: [], decided_by: 'rules' as const });

/** A finished TCP flow between two addresses (MACs optional: exported flows carry none). */
function flow(orig: string, resp: string, ts: number, o: Partial<FlowRecord> = {}): FlowRecord {
  return {
    type: 'flow', flow_id: 1, community_id: '', transport: 'tcp', ip_version: 4, orig_ip: orig, orig_port: 40000, resp_ip: resp, resp_port: 80,
    first_ts: ts, last_ts: ts, duration: 0, orig_pkts: 1, orig_bytes: 60, resp_pkts: 1, resp_bytes: 60, orig_payload_bytes: 0, resp_payload_bytes: 0,
    tcp_state: 'established', end_reason: 'tcp_closed', file: 't.pcap', first_packet: 1, last_packet: 2, ...o,
  };
}

function arpReply(ip: string, mac: string, ts: number): EventRecord {
  return { type: 'arp.reply', ts, file: 't.pcap', packet: 1, sender_ip: ip, sender_mac: mac };
}

function dnsQuery(srcIp: string, name: string, ts: number): EventRecord {
  return { type: 'dns.query', ts, file: 't.pcap', packet: 1, src_ip: srcIp, src_port: 5000, dst_port: 53, qname: name };
}

function device(inv: Inventory, id: string) {
  return inv.devices().find((d) => d.id === id);
}

test('an address cached on one MAC follows its binding to another MAC (ARP outranks traffic)', () => {
  const inv = new Inventory({ identify: noIdentification });
  inv.onFlow(flow('192.168.1.10', '192.168.1.1', 1, { orig_mac: A, resp_mac: C }));
  inv.onEvent(dnsQuery('192.168.1.10', 'before.example.com', 2));
  inv.onEvent(arpReply('192.168.1.10', B, 3));
  // No MAC: the address alone must now name B's device, not the A device it named before.
  inv.onEvent(dnsQuery('192.168.1.10', 'after.example.com', 4));
  inv.onFlow(flow('192.168.1.10', '192.168.1.1', 5));
  assert.deepEqual(device(inv, `mac:${A}`)?.talks_to.domains, ['before.example.com']);
  assert.deepEqual(device(inv, `mac:${B}`)?.talks_to.domains, ['after.example.com']);
  assert.equal(device(inv, `mac:${A}`)?.flows_out, 1);
  assert.equal(device(inv, `mac:${B}`)?.flows_out, 1);
  assert.equal(inv.byIp('192.168.1.10')?.id, `mac:${B}`);
  // Traffic from A cannot take the address back from an ARP binding: the address is B's, whatever MAC carried it.
  inv.onFlow(flow('192.168.1.10', '192.168.1.1', 6, { orig_mac: A }));
  assert.equal(device(inv, `mac:${A}`)?.flows_out, 1);
  assert.equal(device(inv, `mac:${B}`)?.flows_out, 2);
  // A DHCP binding outranks ARP: the address moves to C.
  inv.onEvent({ type: 'dhcp.ack', ts: 8, file: 't.pcap', packet: 1, yiaddr: '192.168.1.10', client_mac: C });
  inv.onFlow(flow('192.168.1.10', '192.168.1.1', 9));
  assert.equal(device(inv, `mac:${B}`)?.flows_out, 2);
  assert.equal(device(inv, `mac:${C}`)?.flows_out, 1);
  assert.equal(inv.byIp('192.168.1.10')?.id, `mac:${C}`);
});

test("an 'ip:' device merged away at flush is not reused when its address loses its binding", () => {
  const inv = new Inventory({ identify: noIdentification, maxIpBindings: 1 });
  inv.onFlow(flow('192.168.1.20', '192.168.1.1', 1));
  assert.ok(device(inv, 'ip:192.168.1.20'));
  inv.onEvent(arpReply('192.168.1.20', A, 2));
  inv.flush(); // merges ip:192.168.1.20 into A's device
  assert.equal(device(inv, 'ip:192.168.1.20'), undefined);
  assert.equal(device(inv, `mac:${A}`)?.flows_out, 1);
  inv.onEvent(arpReply('192.168.1.21', B, 3)); // the only binding slot: .20's binding is forgotten
  assert.equal(inv.stats().ip_bindings_dropped, 1);
  inv.onFlow(flow('192.168.1.20', '192.168.1.1', 4));
  // Unbound again, the address is a new 'ip:' device; the merged one (now part of A) gets nothing.
  assert.equal(device(inv, 'ip:192.168.1.20')?.flows_out, 1);
  assert.equal(device(inv, `mac:${A}`)?.flows_out, 1);
});

test('at the device cap every failed attempt is counted, and known devices keep working', () => {
  const inv = new Inventory({ identify: noIdentification, maxDevices: 2 });
  inv.onFlow(flow('192.168.1.1', '8.8.8.8', 1, { orig_mac: A }));
  inv.onFlow(flow('192.168.1.2', '8.8.8.8', 1, { orig_mac: B }));
  assert.equal(inv.stats().dropped_devices, 0);
  // C's flow: its MAC device cannot be made (1), nor an 'ip:' device for its unbound local address (2).
  inv.onFlow(flow('192.168.1.3', '8.8.8.8', 2, { orig_mac: C }));
  assert.equal(inv.stats().dropped_devices, 2);
  inv.onFlow(flow('192.168.1.3', '8.8.8.8', 3, { orig_mac: C }));
  assert.equal(inv.stats().dropped_devices, 4);
  inv.onFlow(flow('192.168.1.1', '8.8.8.8', 4, { orig_mac: A }));
  assert.equal(inv.stats().dropped_devices, 4);
  assert.equal(inv.stats().devices, 2);
  assert.equal(device(inv, `mac:${A}`)?.flows_out, 2);
  assert.equal(device(inv, `mac:${A}`)?.last_ts, 4);
});

test('a MAC in another spelling finds the same device as its canonical form', () => {
  const inv = new Inventory({ identify: noIdentification });
  inv.onFlow(flow('192.168.1.30', '8.8.8.8', 1, { orig_mac: A }));
  inv.onEvent(arpReply('192.168.1.31', A.toUpperCase().replace(/:/g, '-'), 2));
  assert.equal(inv.stats().devices, 1);
  assert.deepEqual(device(inv, `mac:${A}`)?.ips.map((b) => b.ip).sort(), ['192.168.1.30', '192.168.1.31']);
  // Group and zero MACs name no device, however often they are seen.
  inv.onFlow(flow('192.168.1.32', '8.8.8.8', 3, { orig_mac: '01:00:5e:00:00:01' }));
  inv.onFlow(flow('192.168.1.33', '8.8.8.8', 3, { orig_mac: '00:00:00:00:00:00' }));
  assert.equal(device(inv, 'mac:01:00:5e:00:00:01'), undefined);
  assert.ok(device(inv, 'ip:192.168.1.32'));
  assert.ok(device(inv, 'ip:192.168.1.33'));
});

test('local and remote sides: a remote address is forwarded by its MAC, a peer of the other side, never a device', () => {
  const inv = new Inventory({ identify: noIdentification, localNets: ['10.0.0.0/8'] });
  inv.onFlow(flow('10.1.2.3', '192.168.1.1', 1, { orig_mac: A, resp_mac: B }));
  inv.onFlow(flow('10.1.2.3', '192.168.1.2', 2, { orig_mac: A, resp_mac: B }));
  inv.onFlow(flow('10.1.2.3', '10.1.2.4', 3, { orig_mac: A, resp_mac: C }));
  const a = device(inv, `mac:${A}`)!;
  assert.deepEqual(a.ips.map((b) => b.ip), ['10.1.2.3']);
  assert.deepEqual([a.peers_local, a.peers_remote], [1, 2]);
  const b = device(inv, `mac:${B}`)!;
  assert.deepEqual(b.ips, []); // 192.168/16 is not local here: B forwards those addresses
  assert.ok(b.evidence.some((e) => e.signal === 'gateway' && e.value === 'forwards traffic of 2 remote addresses'));
  assert.equal(device(inv, 'ip:192.168.1.1'), undefined);
  assert.deepEqual(device(inv, `mac:${C}`)?.ips.map((x) => x.ip), ['10.1.2.4']);
  assert.equal(inv.isLocal('10.9.9.9'), true);
  assert.equal(inv.isLocal('192.168.1.1'), false);
});

test('Inventory.isLocal and the HOST test agree with Site.isLocal and isHostIp on edge and random addresses', () => {
  const nets = ['10.0.0.0/8', '192.168.0.0/16', '100.64.0.0/10', 'fe80::/10', 'fd00::/8'];
  const inv = new Inventory({ localNets: nets });
  const site = new Site({ localNetworks: nets, sensor: '' });
  const edge = ['0.0.0.0', '00.0.0.0', '255.255.255.255', '10.0.0.255', '10.0.0.0', '127.0.0.1', '0.1.2.3', '223.255.255.254', '224.0.0.1',
    '239.255.255.250', '8.8.8.8', '192.168.001.010', '010.0.0.1', '1.2.3', '1.2.3.4.5', '256.1.1.1', '', 'abc', 'fe80::1', 'FE80::1', '::1',
    '::', 'ff02::fb', 'fd12::1', '2001:db8::1', '::ffff:10.0.0.1', '100.127.255.1', '100.128.0.1'];
  const next = rng(18);
  const random = Array.from({ length: 20000 }, () => [next(), next(), next(), next()].map((x) => Math.floor(x * 256)).join('.'));
  // Asked twice in a row and interleaved: the one-entry memo must not answer for another address.
  for (const ip of [...edge, ...random, ...edge.reverse()]) {
    assert.equal(inv.isLocal(ip), site.isLocal(ip), ip);
    assert.equal(inv.isLocal(ip), site.isLocal(ip), ip);
    const n = ipv4Number(ip);
    if (n >= 0) assert.equal(isHostIpV4(n), isHostIp(ip), ip);
  }
});

test('a device touched many times is published once per takeChanged period, and again after', () => {
  const inv = new Inventory({ identify: noIdentification });
  for (let i = 0; i < 5; i++) inv.onFlow(flow('192.168.1.40', '192.168.1.1', i, { orig_mac: A, resp_mac: B }));
  assert.deepEqual(inv.takeChanged().map((c) => [c.device.id, c.change]), [[`mac:${A}`, 'new'], [`mac:${B}`, 'new']]);
  assert.deepEqual(inv.takeChanged(), []);
  inv.onFlow(flow('192.168.1.40', '192.168.1.1', 6, { orig_mac: A, resp_mac: B, resp_port: 443 }));
  // B answers on a new port (a service): changed; A only talks to another port (not identity): not published.
  assert.deepEqual(inv.takeChanged().map((c) => [c.device.id, c.change]), [[`mac:${B}`, 'changed']]);
});

test("a published 'ip:' device bound to a MAC later is reported removed", () => {
  const inv = new Inventory({ identify: noIdentification });
  inv.onFlow(flow('192.168.1.50', '192.168.1.1', 1));
  assert.deepEqual(inv.takeChanged().map((c) => c.device.id), ['ip:192.168.1.50', 'ip:192.168.1.1']);
  inv.onEvent(arpReply('192.168.1.50', A, 2));
  const changed = inv.takeChanged().map((c) => c.device.id);
  assert.deepEqual(inv.takeRemoved(), ['ip:192.168.1.50']);
  assert.deepEqual(changed, [`mac:${A}`]);
});

test('portKey gives the transport/port string, the same string each time for TCP and UDP', () => {
  for (const [t, p] of [['tcp', 0], ['tcp', 80], ['udp', 65535], ['tcp', 65536], ['udp', -1], ['udp', 1.5], ['icmp', 8], ['sctp', 9]] as const) {
    assert.equal(portKey(t, p), `${t}/${p}`);
  }
  assert.equal(portKey('tcp', 443), portKey('tcp', 443));
});

test('addEvidence: a repeated (signal, value) keeps one item at its earliest time, also between other items', () => {
  const d = new DeviceState('mac:x', { maxEvidencePerDevice: 3, maxEvidencePerSignal: 16, maxSetSize: 8 });
  const at = (ts: number) => ({ ts, file: 'f', packet: ts });
  d.addEvidence('http.user_agent', 'x', at(5));
  d.addEvidence('http.user_agent', 'x', at(7));
  d.addEvidence('http.user_agent', 'x', at(3));
  d.addEvidence('http.server', 'x', at(4));
  d.addEvidence('http.user_agent', 'x', at(2));
  d.addEvidence('http.user_agent', 'y', at(6));
  d.addEvidence('http.server', 'z', at(8)); // the fourth distinct item: over maxEvidencePerDevice
  d.addEvidence('http.server', 'z', at(9)); // still not kept, counted again
  d.addEvidence('http.server', 'x', at(1));
  assert.deepEqual(d.evidence.map((e) => [e.signal, e.value, e.ts]), [['http.user_agent', 'x', 2], ['http.server', 'x', 1], ['http.user_agent', 'y', 6]]);
  assert.equal(d.evidence_dropped, 2);
  const long = 'a'.repeat(300);
  const e = new DeviceState('mac:y', { maxEvidencePerDevice: 4, maxEvidencePerSignal: 16, maxSetSize: 8 });
  e.addEvidence('ssdp.server', long, at(2));
  e.addEvidence('ssdp.server', `${long}b`, at(1)); // the same first 256 characters: the same item
  assert.deepEqual(e.evidence.map((x) => [x.value.length, x.ts]), [[256, 1]]);
});

test('identificationInputs: equal for changes identify() does not read, different for evidence, ports and traffic buckets', async () => {
  const { identificationInputs, identify } = await import('./identify.ts');
  const inv = new Inventory();
  const p = new Pipeline();
  inv.attach(p);
  await p.run([new URL('../../test/traces/inventory/dlink-daycam-setup-a1.pcap', import.meta.url).pathname]);
  const rec = inv.byMac('b0:c5:54:1c:71:85')!;
  const { identification, ...base } = rec;
  assert.equal(identification.type, 'camera');
  const key = identificationInputs(base);
  const unread = structuredClone(base);
  unread.ips = [];
  unread.hostnames = ['someone-else'];
  unread.first_ts = 0;
  unread.last_ts = 1;
  // Another flow count of the same order of magnitude (2^k to 2^(k+1) - 1: the model's bucket).
  const flows = base.flows_out + base.flows_in;
  const k = Math.floor(Math.log2(flows));
  unread.flows_out = (flows === 2 ** k ? 2 ** (k + 1) - 1 : 2 ** k) - base.flows_in;
  assert.notEqual(unread.flows_out, base.flows_out);
  for (const e of unread.evidence) Object.assign(e, { file: 'other.pcap', packet: 1 });
  assert.ok(Math.floor(Math.log2(unread.flows_out + unread.flows_in)) === Math.floor(Math.log2(base.flows_out + base.flows_in)));
  assert.equal(identificationInputs(unread), key);
  assert.deepEqual(identify(unread), identification);
  const read: ((d: typeof base) => void)[] = [
    (d) => d.evidence.push({ signal: 'dhcp.hostname', value: 'HS110', ts: 1, file: '', packet: 0 }),
    (d) => { d.evidence[0].ts += 1; },
    (d) => d.services.push({ transport: 'tcp', port: 9999, flows: 1 }),
    (d) => d.talks_to.ports.push('tcp/8883'),
    (d) => { d.flows_out = 10 * (d.flows_out + d.flows_in); },
    (d) => { d.mac_local = !d.mac_local; },
  ];
  for (const change of read) {
    const d = structuredClone(base);
    change(d);
    assert.notEqual(identificationInputs(d), key);
  }
});

test('devices(): identifications kept between calls equal a fresh identify() after the evidence changes', async () => {
  const { identify } = await import('./identify.ts');
  const inv = new Inventory();
  const fresh = () => {
    for (const { identification, user: _user, ...base } of inv.devices()) assert.deepEqual(identification, identify(base), base.id);
  };
  inv.onFlow(flow('192.168.1.60', '8.8.8.8', 1, { orig_mac: 'b0:c5:54:1c:71:85' }));
  fresh();
  const before = device(inv, 'mac:b0:c5:54:1c:71:85')!.identification;
  inv.onFlow(flow('192.168.1.60', '8.8.8.8', 2, { orig_mac: 'b0:c5:54:1c:71:85' }));
  fresh();
  inv.takeChanged();
  inv.onEvent({ type: 'dhcp.request', ts: 3, file: 't.pcap', packet: 3, client_mac: 'b0:c5:54:1c:71:85', host_name: 'DCS-930LB', vendor_class: 'udhcp 1.12.1', param_list: [1, 3, 6, 12, 15, 28, 42] });
  fresh();
  const after = device(inv, 'mac:b0:c5:54:1c:71:85')!.identification;
  assert.notDeepEqual(after, before);
  assert.equal(after.type, 'camera');
  // A record handed out (from the kept identification: an ARP reply changes none of its inputs) and changed by
  // its user does not change the next answer.
  inv.onEvent(arpReply('192.168.1.60', 'b0:c5:54:1c:71:85', 4));
  device(inv, 'mac:b0:c5:54:1c:71:85')!.identification.because.push('changed by a caller');
  inv.onEvent(arpReply('192.168.1.60', 'b0:c5:54:1c:71:85', 5));
  fresh();
});

test('event text: the plain-ASCII fast path gives what the regex and trim give, on edge and random strings', async () => {
  const { str } = await import('./event-handlers.ts');
  const reference = (v: unknown, max = 256): string | undefined => {
    if (typeof v !== 'string') return undefined;
    const s = v.slice(0, max).replace(/\p{Cc}/gu, '').trim();
    return s === '' ? undefined : s;
  };
  const edge: unknown[] = ['', ' ', 'a', ' a', 'a ', 'a b', '\ta', 'a\n', 'a\u0000b', 'a\u007fb', 'a\u0085b', '\u00a0a', 'a\u2028', 'caf\u00e9',
    '\ud83d\ude00', '\ud800x', 'x'.repeat(300), `${'x'.repeat(255)} y`, `${'x'.repeat(255)}\u0001`, 5, undefined, null, ['a']];
  const next = rng(2024);
  const alphabet = ['a', 'Z', '0', ' ', '~', '!', '\t', '\n', '\u0000', '\u001f', '\u007f', '\u009f', '\u00a0', '\u00e9', '\u2003', '\ufeff', '\ud83d', '\ude00'];
  const random = Array.from({ length: 20000 }, () => Array.from({ length: Math.floor(next() * 12) }, () => alphabet[Math.floor(next() * alphabet.length)]).join(''));
  for (const v of [...edge, ...random]) {
    assert.equal(str(v), reference(v), JSON.stringify(v));
    assert.equal(str(v, 5), reference(v, 5), JSON.stringify(v));
  }
});
