// The record codec must deliver what structured clone (postMessage, the way records crossed before) delivers:
// every value compared with structuredClone of itself, key order included (outputs are written in it).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { pcapRecords } from '../capture/test-support.ts';
import { FLOW_RECORD_FIELDS, RecordDecoder, RecordEncoder, type EncodedBatch } from './record-codec.ts';
import type { FirstPacket } from '../pipeline/first-packet.ts';
import { Pipeline } from '../pipeline/analyze.ts';
import { Site } from '../pipeline/site.ts';
import { FlowBound, FlowIds, IdentityState, LazyFlowRecord, flowTuple, holdFlow } from '../flow/lazy-record.ts';
import { LazyFlowEvent } from '../pipeline/lazy-event.ts';

const root = join(import.meta.dirname, '../..');

/** Encode the records in batches of `perBatch`, cross each batch as postMessage would, decode. */
function roundTrip(records: unknown[], perBatch = records.length, enc = new RecordEncoder(), dec = new RecordDecoder()): { kind: number; value: unknown }[] {
  const out: { kind: number; value: unknown }[] = [];
  const flush = (): void => {
    const batch = enc.take();
    // What crosses: the buffer transferred, the rest structured-cloned.
    const crossed = structuredClone(batch, { transfer: [batch.bytes as ArrayBuffer] }) as EncodedBatch;
    assert.equal(batch.bytes.byteLength, 0, 'the buffer was handed over, not copied');
    dec.decode(crossed, (kind, value) => out.push({ kind, value }));
  };
  records.forEach((r, i) => {
    enc.add(i % 256, r);
    if (enc.count === perBatch) flush();
  });
  if (enc.count > 0) flush();
  return out;
}

function assertSameAsClone(records: unknown[], perBatch?: number, { json = true } = {}): void {
  const out = roundTrip(records, perBatch);
  assert.deepStrictEqual(out.map((r) => r.kind), records.map((_, i) => i % 256), 'kinds');
  const expected = structuredClone(records);
  const values = out.map((r) => r.value);
  assert.deepStrictEqual(values, expected);
  if (json) assert.equal(JSON.stringify(values), JSON.stringify(expected), 'key order');
}

test('numbers at every encoding boundary arrive as structured clone delivers them', () => {
  const numbers = [0, -0, 1, 255, 256, -1, 2 ** 31 - 1, 2 ** 31, -(2 ** 31), -(2 ** 31) - 1, 2 ** 32, 2 ** 53, -(2 ** 53), 0.5, -0.5, 1e-300, 5e-324,
    Number.MAX_VALUE, Infinity, -Infinity, NaN, 1700000000.123456, 0.1 + 0.2];
  assertSameAsClone(numbers);
  assertSameAsClone([{ n: numbers }, ...numbers.map((n) => ({ n }))]);
  // -0 and NaN survive (deepStrictEqual tells -0 from 0).
  const [negZero] = roundTrip([{ v: -0 }]);
  assert.ok(Object.is((negZero.value as { v: number }).v, -0));
});

test('odd strings and keys: empty, long, unicode, lone surrogates, __proto__, numeric and quoted keys', () => {
  const long = 'x'.repeat(100_000);
  const odd = ['', ' ', long, 'é', '日本', '😀', '\ud800', '\udfff', 'a\u0000b', '\n"\\`${x}`', '__proto__', 'constructor'];
  assertSameAsClone(odd);
  const keyed: Record<string, unknown> = {};
  for (const [i, k] of ['b', 'a', '10', '2', '__proto__', '"', '\\', '\n', '${x}', '`', '', 'constructor', 'toString', '😀', '\ud800'].entries()) {
    Object.defineProperty(keyed, k, { value: odd[i % odd.length], enumerable: true, writable: true, configurable: true });
  }
  assertSameAsClone([keyed, keyed, { ...keyed, extra: 1 }]);
  const [decoded] = roundTrip([keyed]);
  const v = decoded.value as Record<string, unknown>;
  assert.equal(Object.getPrototypeOf(v), Object.prototype, 'an own __proto__ key does not set the prototype');
  assert.ok(Object.hasOwn(v, '__proto__'));
});

test('what the codec does not encode itself goes by structured clone: typed arrays, Maps, Dates, holes, null prototypes, deep nesting', () => {
  const holey = [1, , 3]; // eslint-disable-line no-sparse-arrays
  const nullProto = Object.assign(Object.create(null) as object, { a: 1 });
  class Event {
    type = 'x';
    n = 1;
  }
  let deep: unknown = { leaf: true };
  for (let i = 0; i < 100; i++) deep = { d: deep, a: [i] };
  const cyclic: Record<string, unknown> = { name: 'loop' };
  cyclic.self = cyclic;
  assertSameAsClone([
    { bytes: new Uint8Array([1, 2, 3]), map: new Map([['k', 1]]), set: new Set(['s']), date: new Date(0), re: /a+/g },
    { holey, nested: [[holey]] },
    { nullProto },
    new Event(),
    deep,
    { u: undefined, n: null, t: true, f: false, list: [undefined, null] },
  ]);
  assertSameAsClone([{ big: 2n ** 70n, n: -5n }], undefined, { json: false });
  // A cycle (records have none) ends: unrolled to the depth limit, the rest by structured clone.
  const [c] = roundTrip([cyclic]);
  let node = c.value as Record<string, unknown>;
  for (let i = 0; i < 100; i++) {
    assert.equal(node.name, 'loop');
    node = node.self as Record<string, unknown>;
  }
});

test('a getter is read like any property, once per record', () => {
  let reads = 0;
  const ev = { type: 'dns.query', get uid() {
    reads++;
    return 'Cabc';
  } };
  assertSameAsClone([ev]);
  reads = 0;
  const [d] = roundTrip([ev]);
  assert.equal(reads, 1);
  assert.deepEqual(d.value, { type: 'dns.query', uid: 'Cabc' });
});

test('repeated strings and shapes across batches, strings replacing strings in their slots, and shapes past the table limit, decode as sent', () => {
  // Events of a few shapes, with strings repeated (same key, same value) and unique, over many small batches.
  const records: unknown[] = [];
  for (let i = 0; i < 200_000; i++) {
    const flow = i >> 3;
    records.push(i % 3 === 0
      ? { type: 'dns.query', ts: 1700000000 + i / 1000, file: 'a.pcap', src_ip: `10.0.${flow & 255}.${flow >> 8}`, name: `host${i}.example`, answers: [`1.2.3.${i & 255}`] }
      : { type: 'flow', flow_id: flow, community_id: `1:${flow}`, orig_ip: `10.0.${flow & 255}.${flow >> 8}`, app: i % 2 ? 'dns' : undefined });
  }
  // 200k records with ~180k distinct strings: each key's slot is overwritten many times, within and across batches.
  assertSameAsClone(records, 1000);
  // More distinct shapes than the shape table holds.
  const shapes: unknown[] = [];
  for (let i = 0; i < 10_000; i++) shapes.push({ [`k${i}`]: i, type: `t${i % 7}` }, { type: 'same', v: i });
  assertSameAsClone(shapes, 512);
});

test('random records of every kind of value decode as structured clone delivers them', () => {
  let seed = 12345;
  const rand = (): number => {
    seed = (seed * 1103515245 + 12345) >>> 0;
    return seed / 2 ** 32;
  };
  const keys = ['type', 'ts', 'src_ip', 'dst_ip', 'name', 'n', 'list', 'sub', '__proto__', '0', '7', 'x-y'];
  const strings = ['', 'a', '10.0.0.1', 'fe80::1', 'é', '😀', 'x'.repeat(300)];
  const value = (depth: number): unknown => {
    const r = rand();
    if (r < 0.15) return Math.floor(rand() * 300) - 20;
    if (r < 0.25) return (rand() - 0.5) * 1e12;
    if (r < 0.4) return strings[Math.floor(rand() * strings.length)];
    if (r < 0.45) return rand() < 0.5;
    if (r < 0.5) return rand() < 0.5 ? null : undefined;
    if (r < 0.6 && depth < 4) return Array.from({ length: Math.floor(rand() * 4) }, () => value(depth + 1));
    if (r < 0.75 && depth < 4) return object(depth + 1);
    return -0;
  };
  const object = (depth: number): Record<string, unknown> => {
    const o: Record<string, unknown> = {};
    for (const k of keys) {
      if (rand() < 0.5) Object.defineProperty(o, k, { value: value(depth), enumerable: true, writable: true, configurable: true });
    }
    return o;
  };
  const records = Array.from({ length: 5000 }, () => (rand() < 0.9 ? object(0) : value(0)));
  assertSameAsClone(records, 97);
});

test('lazy records cross as their identity and fields: the plain records the pipeline builds, ids computed on the far side', async () => {
  // Real traffic with TCP, UDP and ARP flows (IPv4) and IPv6: one run publishes lazy records, the
  // other plain ones (uid and Community ID computed eagerly, the straightforward way), in the same order.
  const files = ['samples/dlink-camera-setup.pcap', 'test/traces/decode/dlink-homehub-setup-c2-1-300.pcap', 'test/traces/flow/coap_mqtt.pcap'].map((f) => join(root, f));
  // Events and flows from two runs: a subscriber of every event wants flow.end, which makes flows plain.
  const run = async (lazy: boolean): Promise<unknown[]> => {
    const events: unknown[] = [];
    const flows: unknown[] = [];
    const site = new Site({ sensor: 'codec-test' });
    await new Pipeline({ site }).on('*', (ev) => events.push(ev), { lazy }).run(files);
    await new Pipeline({ site }).onFlow((f) => flows.push(holdFlow(f)), { lazy }).run(files);
    return [...events, ...flows];
  };
  const plain = await run(false);
  const lazy = await run(true);
  assert.equal(lazy.length, plain.length);
  const lazyKinds = new Set(lazy.map((r) => (r as object).constructor.name));
  for (const name of ['LazyFlowEvent', 'LazyArpEvent', 'LazyFlowRecord']) assert.ok(lazyKinds.has(name), `the run has a ${name}`);
  assert.ok(plain.some((r) => (r as { src_ip?: string }).src_ip?.includes(':')), 'the run has IPv6 events');
  const enc = new RecordEncoder();
  const dec = new RecordDecoder(new FlowIds(new Site({ sensor: 'codec-test' })));
  const received: unknown[] = [];
  lazy.forEach((r, i) => {
    enc.add(0, r);
    if (i % 500 === 499 || i === lazy.length - 1) {
      const batch = enc.take();
      dec.decode(structuredClone(batch, { transfer: [batch.bytes as ArrayBuffer] }) as EncodedBatch, (_, v) => received.push(holdFlow(v)));
    }
  });
  assert.equal(received.length, plain.length);
  // Read by name (as the later stages do), the ids first on some records, the other fields first on others.
  received.forEach((r, i) => {
    const got = r as Record<string, unknown>, want = plain[i] as Record<string, unknown>;
    assert.equal(got.uid, want.uid, `record ${i}: uid`);
    assert.equal(got.community_id, want.community_id, `record ${i}: Community ID`);
  });
  // As written (toJSON): every field, in the plain record's order.
  assert.equal(JSON.stringify(received), JSON.stringify(plain));
  // Nothing was computed on the sending side (the ids of the received records were computed where they were read).
  const tuple = flowTuple();
  const known = IdentityState.CID_KNOWN | IdentityState.UID_KNOWN;
  assert.ok(lazy.every((r) => !(r instanceof FlowBound) || (FlowBound.identityOf(r, tuple) & known) === 0), 'no id computed by the sender');
});

test('a lazy record whose Community ID was set (a payload field of that name) sends it, and its uid is made from it', () => {
  const ids = new FlowIds(new Site({ sensor: 's' }));
  const t = { flowId: 7, firstTs: 1700000000.5, ipVersion: 4, proto: 6, origPort: 40000, respPort: 23, orig: 0x0a000001, resp: 0x0a000002, v6: undefined };
  const rec = new LazyFlowRecord(ids, t);
  (rec as unknown as { community_id: string }).community_id = 'set by a payload';
  const enc = new RecordEncoder();
  enc.add(1, rec);
  const batch = enc.take();
  let got: Record<string, unknown> | undefined;
  new RecordDecoder(ids).decode(batch, (_, v) => (got = v as Record<string, unknown>));
  assert.equal(got!.community_id, 'set by a payload');
  assert.equal(got!.uid, new Site({ sensor: 's' }).flowUid('set by a payload', t.firstTs, t.flowId));
});

test("a flow record's fixed layout lists the class's fields in its order, and still sends a field of another type as what it is", () => {
  const ids = new FlowIds(new Site({ sensor: 's' }));
  const t = { flowId: 9, firstTs: 1700000000.25, ipVersion: 6, proto: 17, origPort: 5353, respPort: 5353, orig: 0, resp: 0,
    v6: Uint32Array.of(0xfe800000, 0, 0x02112233, 0x44556677, 0xff020000, 0, 0, 0xfb) };
  assert.deepEqual(Object.keys(new LazyFlowRecord(ids, t)), [...FLOW_RECORD_FIELDS], 'the codec must follow the class: update flowFields when it changes');
  const rec = new LazyFlowRecord(ids, t) as unknown as Record<string, unknown>;
  Object.assign(rec, { transport: 'udp', ip_version: 6, orig_ip: 'fe80::211:2233:4455:6677', resp_ip: 'ff02::fb', last_ts: 1700000001.5, duration: 1.25,
    orig_pkts: 2 ** 40, orig_bytes: -0, resp_pkts: NaN, resp_bytes: 3, end_reason: 'idle', file: 'x.pcap', first_packet: 1, last_packet: 2 ** 33,
    orig_mac: '00:11:22:33:44:55', resp_mac: 7, vlan: [10, 20], app: 'mdns', orig_payload_bytes: '12' });
  const enc = new RecordEncoder();
  enc.add(1, rec);
  enc.add(1, rec);
  const batch = enc.take();
  const got: unknown[] = [];
  new RecordDecoder(ids).decode(structuredClone(batch, { transfer: [batch.bytes as ArrayBuffer] }) as EncodedBatch, (_, v) => got.push(v));
  const want = JSON.stringify((rec as unknown as LazyFlowRecord).toJSON());
  assert.equal(JSON.stringify(got[0]), want);
  assert.equal(JSON.stringify(got[1]), want, 'the repeated strings, by their slots');
  assert.ok(Object.is((got[0] as Record<string, unknown>).orig_bytes, -0));
  assert.ok(Number.isNaN((got[0] as Record<string, unknown>).resp_pkts));
});

test('first packets cross in their fixed layout, with their file and option layout, as the fact the pipeline filled', async () => {
  const files = ['samples/dlink-camera-setup.pcap', 'test/traces/pipeline/mqtt311-pub-userpass.pcap'].map((f) => join(root, f));
  const direct: string[] = [];
  const crossed: string[] = [];
  const enc = new RecordEncoder();
  const dec = new RecordDecoder();
  const fact = (p: FirstPacket): string => JSON.stringify([p.ts, p.file, p.packet, p.flowId, p.ipVersion, p.proto, p.fromOrig, p.src, p.dst, p.srcPort, p.dstPort,
    p.srcIp(), p.dstIp(), p.tcpFlags, p.seq, p.window, p.tcpOptionsLen, p.tcpMss, p.tcpWscale, p.ttl, p.ipLen, p.payloadLen, p.tcpOptions(), p.evidence(true)]);
  const flush = (): void => {
    const batch = enc.take();
    dec.decode(structuredClone(batch, { transfer: [batch.bytes as ArrayBuffer] }) as EncodedBatch, (kind, v) => {
      assert.equal(kind, 6);
      crossed.push(fact(v as FirstPacket));
    });
  };
  const pipeline = new Pipeline({ site: new Site({ sensor: 'codec-test' }) }).onFirstPacket((p) => {
    direct.push(fact(p));
    enc.addFirstPacket(6, p);
    if (enc.count === 7) flush();
  });
  await pipeline.run(files);
  flush();
  assert.ok(direct.length > 20);
  assert.ok(direct.some((d) => d.includes('::1')), 'IPv6 first packets too');
  assert.deepEqual(crossed, direct);
});

test('a finished flow encoded from the flow table arrives as the lazy record the table builds of it: IPv4, IPv6, ARP, VLANs, every end reason', async () => {
  const files = ['samples/dlink-camera-setup.pcap', 'test/traces/decode/dlink-homehub-setup-c2-1-300.pcap', 'test/traces/flow/coap_mqtt.pcap'].map((f) => join(root, f));
  files.push(vlanTagged(files[0]));
  const site = new Site({ sensor: 'codec-test' });
  const records: unknown[] = [];
  const crossed: unknown[] = [];
  const enc = new RecordEncoder();
  const dec = new RecordDecoder(new FlowIds(site));
  const flush = (): void => {
    const batch = enc.take();
    dec.decode(structuredClone(batch, { transfer: [batch.bytes as ArrayBuffer] }) as EncodedBatch, (_, v) => crossed.push(holdFlow(v)));
  };
  const pipeline = new Pipeline({ site, flow: { tcpIdleS: 5, udpIdleS: 5, icmpIdleS: 5, otherIdleS: 5 } });
  pipeline.onFinishedFlow((f) => {
    enc.addFinishedFlow(1, f);
    if (enc.count === 13) flush();
  });
  pipeline.onFlow((rec) => records.push(holdFlow(rec)), { lazy: true });
  await pipeline.run(files);
  flush();
  assert.equal(crossed.length, records.length);
  const plain = JSON.parse(JSON.stringify(records)) as Record<string, unknown>[];
  for (const [field, what] of [['ip_version', 6], ['transport', 'arp'], ['vlan', undefined], ['orig_mac', undefined], ['tcp_state', 'established'], ['app', 'dns']] as const) {
    assert.ok(plain.some((r) => what === undefined ? r[field] !== undefined : r[field] === what), `the runs have a flow with ${field} ${what ?? 'set'}`);
  }
  assert.ok(new Set(plain.map((r) => r.end_reason)).size >= 2, 'several end reasons');
  assert.equal(JSON.stringify(crossed), JSON.stringify(records));
  assert.ok(plain.some((r) => Array.isArray(r.vlan) && r.vlan.length === 2) && plain.some((r) => Array.isArray(r.vlan) && r.vlan.length === 1), 'QinQ and 802.1Q flows');
  // Read by name, as the later stages read them.
  crossed.forEach((r, i) => {
    const got = r as Record<string, unknown>, want = records[i] as Record<string, unknown>;
    for (const key of [...FLOW_RECORD_FIELDS, 'uid', 'community_id']) assert.deepEqual(got[key], want[key], `record ${i}: ${key}`);
  });
});

/**
 * The capture's frames with 802.1Q tags inserted after the MAC addresses (IEEE 802.1Q: TPID 0x8100, then PCP/DEI/VID):
 * VLAN 100 on even frames' flows and QinQ (802.1ad 0x88a8 outer 10, inner 200) on the others, in a new pcap file.
 * No shared capture carries VLAN tags.
 */
function vlanTagged(path: string): string {
  const records = pcapRecords(readFileSync(path));
  const parts: Buffer[] = [readFileSync(path).subarray(0, 24)];
  records.forEach((r, i) => {
    const tags = i % 2 === 0 ? [0x8100, 100] : [0x88a8, 10, 0x8100, 200];
    const tag = Buffer.alloc(tags.length * 2);
    tags.forEach((v, j) => tag.writeUInt16BE(v, j * 2));
    const data = Buffer.concat([r.data.subarray(0, 12), tag, r.data.subarray(12)]);
    const head = Buffer.alloc(16);
    head.writeUInt32LE(r.sec, 0);
    head.writeUInt32LE(r.frac, 4);
    head.writeUInt32LE(data.length, 8);
    head.writeUInt32LE(r.origLen + tag.length, 12);
    parts.push(head, data);
  });
  const out = join(mkdtempSync(join(tmpdir(), 'bulwark-vlan-')), 'vlan.pcap');
  writeFileSync(out, Buffer.concat(parts));
  return out;
}

test('flow events sent as their parts arrive as the lazy events the pipeline builds: every field, ids computed on the far side', async () => {
  // Real traffic: IPv4 TCP and UDP events of both directions, IPv6 events (NDP, DHCPv6, mDNS).
  const files = ['samples/dlink-camera-setup.pcap', 'test/traces/decode/dlink-homehub-setup-c2-1-300.pcap', 'test/traces/flow/coap_mqtt.pcap'].map((f) => join(root, f));
  const site = new Site({ sensor: 'codec-test' });
  // The events as the pipeline builds them for a subscriber that reads by name (ARP events are never sent as parts).
  const built: unknown[] = [];
  await new Pipeline({ site }).on('*', (ev) => built.push(ev), { lazy: true }).run(files);
  const enc = new RecordEncoder();
  const dec = new RecordDecoder(new FlowIds(site));
  const crossed: unknown[] = [];
  let asParts = 0;
  const flush = (): void => {
    const batch = enc.take();
    dec.decode(structuredClone(batch, { transfer: [batch.bytes as ArrayBuffer] }) as EncodedBatch, (_, v) => crossed.push(holdFlow(v)));
  };
  const handler = (ev: unknown): void => {
    enc.add(0, ev);
    if (enc.count === 11) flush();
  };
  await new Pipeline({ site }).on('*', handler, { lazy: true }).onFlowEventParts(handler, (type, ts, file, packet, t, transport, fromOrig, fields) => {
    asParts++;
    enc.addFlowEvent(0, type, ts, file, packet, t, transport, fromOrig, fields);
    if (enc.count === 11) flush();
    return true;
  }).run(files);
  flush();
  assert.ok(asParts > 100 && asParts < built.length, 'flow events went as parts, ARP events built');
  assert.equal(crossed.length, built.length);
  assert.ok(built.some((ev) => (ev as { src_ip?: string }).src_ip?.includes(':')), 'the runs have IPv6 events');
  assert.ok(built.some((ev) => (ev as { from_orig?: boolean }).from_orig === false), 'and events of the responder');
  assert.equal(JSON.stringify(crossed), JSON.stringify(built));
  crossed.forEach((r, i) => {
    const got = r as Record<string, unknown>, want = built[i] as Record<string, unknown>;
    assert.equal(got.uid, want.uid, `event ${i}: uid`);
    assert.equal(got.community_id, want.community_id, `event ${i}: Community ID`);
  });
});

test("a flow event's payload that names envelope fields, an id or __proto__ replaces them as the built event's does", () => {
  const ids = new FlowIds(new Site({ sensor: 's' }));
  const t = { flowId: 3, firstTs: 1700000000.75, ipVersion: 4, proto: 17, origPort: 68, respPort: 67, orig: 0, resp: 0xffffffff, v6: undefined };
  const payloads: Record<string, unknown>[] = [
    { xid: 1, src_port: 1, dst_ip: 'elsewhere', type: 'renamed', from_orig: 'maybe' },
    { community_id: 'set by the payload', n: 2 },
    { uid: 'Cpayload', flow_id: -1 },
  ];
  const proto = { a: 1 };
  Object.defineProperty(proto, '__proto__', { value: { b: 2 }, enumerable: true, writable: true, configurable: true });
  payloads.push(proto);
  const enc = new RecordEncoder();
  payloads.forEach((fields, i) => assert.ok(enc.addFlowEvent(0, 'dhcp.discover', 1700000001 + i, 'x.pcap', 10 + i, t, 'udp', i % 2 === 0, fields)));
  assert.equal(enc.addFlowEvent(0, 'dhcp.discover', 1, 'x.pcap', 1, t, 'udp', true, new (class Fields { n = 1 })()), false, 'a payload of a class is sent built');
  const batch = enc.take();
  const got: Record<string, unknown>[] = [];
  new RecordDecoder(ids).decode(batch, (_, v) => got.push(v as Record<string, unknown>));
  payloads.forEach((fields, i) => {
    const want = new LazyFlowEvent(ids, t, 'dhcp.discover', 1700000001 + i, 'x.pcap', 10 + i, 'udp', i % 2 === 0, '0.0.0.0', '255.255.255.255', fields) as unknown as Record<string, unknown>;
    assert.equal(JSON.stringify(got[i]), JSON.stringify(want), `payload ${i}`);
    assert.deepEqual(Object.keys(got[i]), Object.keys(want), `payload ${i}: own keys in order`);
    assert.equal(got[i].uid, want.uid, `payload ${i}: uid`);
    assert.equal(got[i].community_id, want.community_id, `payload ${i}: Community ID`);
    assert.equal(Object.getPrototypeOf(got[i]) === Object.getPrototypeOf(want), false, 'a received event, not the class itself');
  });
  assert.equal(got[0].type, 'dhcp.discover', 'a payload never renames the event');
  assert.equal(got[1].community_id, 'set by the payload');
});

test('events go as parts only where the parts handler\'s subscriber is their one subscriber, read by name', async () => {
  const file = join(root, 'samples/dlink-camera-setup.pcap');
  const typesAsParts = async (subscribe: (p: Pipeline, handler: (ev: unknown) => void) => void): Promise<Set<string>> => {
    const types = new Set<string>();
    const handler = (): void => undefined;
    const p = new Pipeline({ site: new Site({ sensor: 'codec-test' }) });
    subscribe(p, handler);
    await p.onFlowEventParts(handler, (type) => {
      types.add(type);
      return true;
    }).run([file]);
    return types;
  };
  const all = await typesAsParts((p, h) => p.on('*', h, { lazy: true }));
  assert.ok(all.has('dns.query') && all.has('dns.response'), [...all].join());
  assert.equal((await typesAsParts((p, h) => p.on('*', h))).size, 0, 'a subscriber of plain events gets them built');
  const beside = await typesAsParts((p, h) => p.on('*', h, { lazy: true }).on('dns.query', () => undefined, { lazy: true }));
  assert.ok(!beside.has('dns.query') && beside.has('dns.response'), 'another subscriber of a type gets its events built');
  const byType = await typesAsParts((p, h) => p.on('dns.response', h, { lazy: true }));
  assert.deepEqual([...byType], ['dns.response']);
});
