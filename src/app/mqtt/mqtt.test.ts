import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { payloadsFromPcap, runAnalyzer } from '../../../test/support/app-harness.ts';
import type { Delivery } from '../../../test/support/app-harness.ts';
import { fuzz } from '../../../test/support/mutate.ts';
import { createMqtt, mqtt, probeMqtt } from './analyzer.ts';
import { anomalies, events } from './events.ts';
import {
  parseConnack, parseConnect, parseFixedHeader, parsePublish, parseSubscribe, parseUnsubscribe, payloadPreview,
} from './parser.ts';

const traces = fileURLToPath(new URL('../../../test/traces/app-login/', import.meta.url));
const hex = (h: string) => Uint8Array.from(Buffer.from(h, 'hex'));
const tcp1883 = { transport: 'tcp' as const, origPort: 40000, respPort: 1883 };

// mqtt311-pub-userpass.pcap (suricata-verify), frames 4, 6, 8, 9.
const SV_CONNECT = hex('102b00044d51545404c2003c00136d79766f69636569736d7970617373706f7274000475736572000470617373');
const SV_CONNACK = hex('20020000');
const SV_PUBLISH = hex('30180006746f70696358626161626161626c61636b7368656570');
const SV_DISCONNECT = hex('e000');
// ndpi-mqtt.pcap frame 2: MQTT 3.1 (MQIsdp) CONNECT with username and password.
const NDPI_CONNECT_V31 = hex('104000064d514973647003c20014001663626161626362616261636262626262616161616162000c303244353035303232334433000c303244353035303232334433');
// zeek-mqtt.pcap frame 3: SUBSCRIBE id=1 SampleTopic qos 0.
const ZEEK_SUBSCRIBE = hex('82100001000b53616d706c65546f70696300');
// ndpi-coap_mqtt.pcap frame 34 (TCP/17501): PUBLISH qos 1, retain, id 1, topic Bus17Info.
const COAP_PUBLISH_QOS1 = hex('333a00094275733137496e666f00015570646174652074726967676572656420467269204665622031392032303a34313a3037204545542032303136');

function body(packet: Uint8Array) {
  const fh = parseFixedHeader(packet, 0, packet.length);
  assert.equal(fh.status, 'ok');
  if (fh.status !== 'ok') throw new Error('unreachable');
  return { ...fh.value, off: fh.value.headerLength, end: fh.value.headerLength + fh.value.remainingLength };
}

describe('mqtt parser (real bytes)', () => {
  it('fixed header: remaining length varint', () => {
    assert.deepEqual(parseFixedHeader(SV_CONNECT, 0, SV_CONNECT.length), { status: 'ok', value: { type: 1, flags: 0, remainingLength: 43, headerLength: 2 }, length: 2 });
    // ndpi-mqtt.pcap frame 9: two-byte remaining length 0x9a 0x02 = 282.
    const azure = hex('109a02');
    assert.equal(parseFixedHeader(azure, 0, 3).status === 'ok' && (parseFixedHeader(azure, 0, 3) as { value: { remainingLength: number } }).value.remainingLength, 282);
    assert.equal(parseFixedHeader(hex('30'), 0, 1).status, 'incomplete');
    assert.equal(parseFixedHeader(hex('30ff'), 0, 2).status, 'incomplete');
    assert.deepEqual(parseFixedHeader(hex('30ffffffff01'), 0, 6), { status: 'invalid', anomaly: 'app.mqtt.bad_remaining_length' });
    // Maximum legal value: 268,435,455.
    const max = parseFixedHeader(hex('30ffffff7f'), 0, 5);
    assert.equal(max.status === 'ok' && max.value.remainingLength, 268435455);
  });

  it('CONNECT 3.1.1 (suricata-verify mqtt311-pub-userpass frame 4)', () => {
    const h = body(SV_CONNECT);
    const c = parseConnect(SV_CONNECT, h.off, h.end);
    assert.equal(c.status, 'ok');
    if (c.status !== 'ok') return;
    assert.equal(c.value.protocolName, 'MQTT');
    assert.equal(c.value.protocolVersion, 4);
    assert.equal(c.value.clientId, 'myvoiceismypassport');
    assert.equal(c.value.username, 'user');
    assert.equal(c.value.password, 'pass');
    assert.equal(c.value.flagWill, false);
    assert.equal(c.value.flagWillRetain, false);
    assert.equal(c.value.cleanSession, true);
    assert.equal(c.value.keepAlive, 60);
  });

  it('CONNECT 3.1 MQIsdp (ndpi mqtt.pcap frame 2)', () => {
    const h = body(NDPI_CONNECT_V31);
    const c = parseConnect(NDPI_CONNECT_V31, h.off, h.end);
    assert.equal(c.status, 'ok');
    if (c.status !== 'ok') return;
    assert.equal(c.value.protocolName, 'MQIsdp');
    assert.equal(c.value.protocolVersion, 3);
    assert.equal(c.value.clientId, 'cbaabcbabacbbbbbaaaaab');
    assert.equal(c.value.username, '02D5050223D3');
    assert.equal(c.value.password, '02D5050223D3');
    assert.equal(c.value.keepAlive, 20);
  });

  it('CONNACK, PUBLISH (suricata-verify frames 6 and 8)', () => {
    const a = body(SV_CONNACK);
    assert.deepEqual(parseConnack(SV_CONNACK, a.off, a.end), { status: 'ok', value: { sessionPresent: false, returnCode: 0 }, length: 2 });
    const p = body(SV_PUBLISH);
    const pub = parsePublish(SV_PUBLISH, p.off, p.end, p.flags, 4);
    assert.equal(pub.status, 'ok');
    if (pub.status !== 'ok') return;
    assert.equal(pub.value.topic, 'topicX');
    assert.equal(pub.value.qos, 0);
    assert.equal(pub.value.payloadLength, 16);
    assert.equal(payloadPreview(SV_PUBLISH, pub.value.payloadStart, pub.value.payloadLength), 'baabaablacksheep');
  });

  it('PUBLISH qos 1 with packet id (ndpi coap_mqtt.pcap frame 34)', () => {
    const p = body(COAP_PUBLISH_QOS1);
    const pub = parsePublish(COAP_PUBLISH_QOS1, p.off, p.end, p.flags, 4);
    assert.equal(pub.status, 'ok');
    if (pub.status !== 'ok') return;
    assert.deepEqual([pub.value.topic, pub.value.qos, pub.value.retain, pub.value.dup, pub.value.packetId, pub.value.payloadLength], ['Bus17Info', 1, true, false, 1, 45]);
    assert.equal(payloadPreview(COAP_PUBLISH_QOS1, pub.value.payloadStart, pub.value.payloadLength), 'Update triggered Fri Feb 19 20:41:07 EET 2016');
  });

  it('SUBSCRIBE (zeek mqtt.pcap frame 3), UNSUBSCRIBE', () => {
    const s = body(ZEEK_SUBSCRIBE);
    assert.deepEqual(parseSubscribe(ZEEK_SUBSCRIBE, s.off, s.end, 4), { status: 'ok', value: { packetId: 1, topics: ['SampleTopic'], qos: [0], badUtf8: false }, length: 16 });
    // UNSUBSCRIBE id=7 'a/b' (built per MQTT 3.1.1 §3.10).
    const u = hex('a00700070003612f62');
    const ub = body(u);
    assert.deepEqual(parseUnsubscribe(u, ub.off, ub.end, 4), { status: 'ok', value: { packetId: 7, topics: ['a/b'], qos: [], badUtf8: false }, length: 7 });
  });

  it('length overflow and bad UTF-8 are reported, not thrown', () => {
    // CONNECT whose client id length (0xffff) runs past the packet.
    const bad = hex('100c00044d5154540402003cffff41');
    assert.deepEqual(parseConnect(bad, 2, bad.length), { status: 'invalid', anomaly: 'app.mqtt.length_overflow' });
    // Topic with an overlong encoding of '/' (c0 af).
    const pub = hex('30060002c0af4142');
    const p = parsePublish(pub, 2, pub.length, 0, 4);
    assert.equal(p.status === 'ok' && p.value.badUtf8, true);
    assert.deepEqual(parsePublish(hex('36020000'), 2, 4, 6, 4), { status: 'invalid', anomaly: 'app.mqtt.bad_qos' });
  });

  it('MQTT 5.0 CONNECT and PUBLISH with properties (generated per MQTT 5.0 §3.1, §3.3)', () => {
    // CONNECT v5: props len 5 (session expiry 0x11 = 10), client id 'c5', user 'u5', password 'p5'.
    const connect = hex('101c00044d51545405c2003c05110000000a000263350002753500027035');
    const h = body(connect);
    const c = parseConnect(connect, h.off, h.end);
    assert.equal(c.status, 'ok');
    if (c.status === 'ok') assert.deepEqual([c.value.protocolVersion, c.value.clientId, c.value.username, c.value.password], [5, 'c5', 'u5', 'p5']);
    // PUBLISH v5 qos 0, topic 't', props len 2 (payload format indicator 1), payload 'hi'.
    const pub = hex('30080001740201016869');
    const p = parsePublish(pub, 2, pub.length, 0, 5);
    assert.equal(p.status === 'ok' && payloadPreview(pub, p.value.payloadStart, p.value.payloadLength), 'hi');
  });

  it('fuzz: parsers never throw', () => {
    const seeds = [SV_CONNECT, SV_CONNACK, SV_PUBLISH, NDPI_CONNECT_V31, ZEEK_SUBSCRIBE, COAP_PUBLISH_QOS1];
    fuzz(seeds, (b) => {
      parseFixedHeader(b, 0, b.length);
      for (const v of [3, 4, 5]) {
        parseConnect(b, 0, b.length);
        parsePublish(b, 0, b.length, b.length ? b[0] & 0x0f : 0, v);
        parseSubscribe(b, 0, b.length, v);
        parseUnsubscribe(b, 0, b.length, v);
      }
      parseConnack(b, 0, b.length);
      payloadPreview(b, 0, b.length);
      probeMqtt(b, 0);
    });
  });
});

describe('mqtt analyzer (real captures)', () => {
  it('suricata-verify mqtt311-pub-userpass: every test.yaml field', () => {
    const d = payloadsFromPcap(traces + 'mqtt311-pub-userpass.pcap', 'tcp', 1883);
    assert.equal(probeMqtt(d[0].bytes, 0, tcp1883), 'yes');
    const out = runAnalyzer(mqtt, d, tcp1883);
    assert.deepEqual(out.anomalies, []);
    assert.deepEqual(out.events.map((e) => e.type), ['mqtt.connect', 'mqtt.connack', 'mqtt.publish', 'mqtt.disconnect']);
    const [connect, connack, publish] = out.events;
    assert.deepEqual(connect.fields, {
      protocol_name: 'MQTT', protocol_version: 4, client_id: 'myvoiceismypassport', clean_session: true, keep_alive: 60,
      flags: { username: true, password: true, will: false, will_retain: false, clean_session: true },
      username: 'user', password: 'pass',
    });
    assert.equal(connect.frame, 4);
    assert.deepEqual(connack.fields, { session_present: false, return_code: 0, protocol_version: 4 });
    assert.deepEqual(publish.fields, { topic: 'topicX', qos: 0, retain: false, dup: false, payload_length: 16, payload_preview: 'baabaablacksheep' });
    assert.equal(out.events[3].frame, 9);
  });

  it('ndpi mqtt.pcap: MQIsdp session and the Azure IoT Hub CONNECT with its SAS password', () => {
    const file = traces + 'ndpi-mqtt.pcap';
    const first = runAnalyzer(mqtt, payloadsFromPcap(file, 'tcp.port==41892', 1883), tcp1883);
    assert.deepEqual(first.events.map((e) => e.type), ['mqtt.connect', 'mqtt.subscribe', 'mqtt.connack', 'mqtt.suback', 'mqtt.publish', 'mqtt.publish', 'mqtt.disconnect']);
    assert.deepEqual(first.events[1].fields, { packet_id: 1, topics: ['astr/s720/02D5050223D3/99'], qos: [0] });
    assert.deepEqual(first.events[3].fields, { packet_id: 1, return_codes: [0] });
    assert.equal(first.events[4].fields.topic, 'astr/admin/otaupd8');
    assert.equal(first.events[5].fields.topic, 'astr/s720/02D5050223D3/99');
    assert.equal(first.events[5].fields.payload_preview, '{"s":204,"x":"","success_msg":"Update not pushed for area."}');

    const azure = runAnalyzer(mqtt, payloadsFromPcap(file, 'tcp.port==35035', 1883), tcp1883);
    assert.equal(azure.events.length, 1);
    const f = azure.events[0].fields;
    assert.equal(f.client_id, 'P47775ID170W2120');
    assert.equal(f.username, 'iotazewpmlithub.azure-devices.net/P47775ID170W2120/?api-version=2018-06-30');
    assert.equal(f.password, 'SharedAccessSignature sig=KU4UiBTfWe%2Fxs%2BgTG5WQDLvzrPx4U62HTpSlfkfxrfQ%3D&se=1643017947&sr=iotazewpmlithub.azure-devices.net%2FP47775ID170W2120%2F%3Fapi-version%3D2018-06-30');
    assert.equal(f.keep_alive, 600);
    assert.equal(f.clean_session, false);
  });

  it('zeek mqtt.pcap: paho subscribe/publish topics agree with tshark mqtt.topic / mqtt.clientid', () => {
    const file = traces + 'zeek-mqtt.pcap';
    const a = runAnalyzer(mqtt, payloadsFromPcap(file, 'tcp.port==49327', 1883), tcp1883);
    assert.deepEqual(a.events.map((e) => e.type), ['mqtt.connect', 'mqtt.connack', 'mqtt.subscribe', 'mqtt.suback', 'mqtt.publish', 'mqtt.publish']);
    assert.equal(a.events[0].fields.client_id, 'paho/34AAE54A75D839566E');
    assert.equal(a.events[0].fields.protocol_name, 'MQIsdp');
    assert.equal(a.events[0].fields.username, undefined);
    assert.deepEqual(a.events[2].fields.topics, ['SampleTopic']);
    assert.equal(a.events[4].fields.payload_preview, 'Hello from the Paho blocking client');
    assert.equal(a.events[5].fields.payload_preview, 'Hello MQTT');
    // Frame 9 carries PUBLISH and DISCONNECT in one segment.
    const b = runAnalyzer(mqtt, payloadsFromPcap(file, 'tcp.port==49330', 1883), tcp1883);
    assert.deepEqual(b.events.map((e) => [e.type, e.frame]), [['mqtt.connect', 8], ['mqtt.publish', 9], ['mqtt.disconnect', 9], ['mqtt.connack', 10]]);
    assert.equal(b.events[0].fields.client_id, 'paho/DDE4DDAF4108D3E363');
  });

  it('ndpi coap_mqtt.pcap: MQTT on TCP/17501 found by content, 21 PUBLISH as tshark counts', () => {
    const info = { transport: 'tcp' as const, origPort: 53528, respPort: 17501 };
    const d = payloadsFromPcap(traces + 'ndpi-coap_mqtt.pcap', 'tcp.port==53528', 17501);
    assert.equal(probeMqtt(d[0].bytes, 0, info), 'yes');
    const out = runAnalyzer(mqtt, d, info);
    assert.deepEqual(out.anomalies, []);
    assert.equal(out.events[0].fields.client_id, 'Bus41');
    assert.equal(out.events.filter((e) => e.type === 'mqtt.publish').length, 21);
    assert.deepEqual(out.events.find((e) => e.type === 'mqtt.subscribe')?.fields, { packet_id: 2, topics: ['Bus17Cmd'], qos: [1] });
    const p34 = out.events.find((e) => e.frame === 34)?.fields;
    assert.deepEqual(p34, { topic: 'Bus17Info', qos: 1, retain: true, dup: false, packet_id: 1, payload_length: 45, payload_preview: 'Update triggered Fri Feb 19 20:41:07 EET 2016' });
    // The flows that start mid-session (PINGREQ first) are only plausible.
    assert.equal(probeMqtt(hex('c000'), 0, info), 'maybe');
  });

  it('byte-at-a-time delivery gives the same events', () => {
    const d = payloadsFromPcap(traces + 'mqtt311-pub-userpass.pcap', 'tcp', 1883);
    const split: Delivery[] = d.flatMap((x) => Array.from(x.bytes, (byte) => ({ dir: x.dir, bytes: Uint8Array.of(byte), frame: x.frame })));
    assert.deepEqual(runAnalyzer(mqtt, split, tcp1883).events, runAnalyzer(mqtt, d, tcp1883).events);
  });

  it('large PUBLISH above the cap is reported from its prefix and skipped', () => {
    const small = createMqtt({ maxPacket: 32, publishPrefix: 16 });
    const payload = Buffer.alloc(300, 0x61);
    const pub = Buffer.concat([hex('300000'), hex('0003612f62'), payload]); // two-byte remaining length set below
    const rl = 5 + payload.length;
    pub[1] = (rl & 0x7f) | 0x80;
    pub[2] = rl >> 7;
    const out = runAnalyzer(small, [
      { dir: 0, bytes: pub.subarray(0, 10) }, { dir: 0, bytes: pub.subarray(10, 200) }, { dir: 0, bytes: Buffer.concat([pub.subarray(200), SV_DISCONNECT]) },
    ], tcp1883);
    assert.deepEqual(out.anomalies, ['app.mqtt.packet_too_large']);
    assert.deepEqual(out.events.map((e) => e.type), ['mqtt.publish', 'mqtt.disconnect']);
    assert.equal(out.events[0].fields.topic, 'a/b');
    assert.equal(out.events[0].fields.payload_length, 300);
    assert.equal(out.events[0].fields.payload_preview, 'a'.repeat(11));
  });

  it('bad remaining length stops the direction with an anomaly', () => {
    const out = runAnalyzer(mqtt, [{ dir: 0, bytes: hex('30ffffffff01') }, { dir: 0, bytes: SV_DISCONNECT }], tcp1883);
    assert.deepEqual(out.anomalies, ['app.mqtt.bad_remaining_length']);
    assert.equal(out.events.length, 0);
  });

  it('fuzz: analyzer never throws on mutated sessions', () => {
    const seeds = [Buffer.concat([SV_CONNECT, SV_PUBLISH, ZEEK_SUBSCRIBE, SV_DISCONNECT]), NDPI_CONNECT_V31, COAP_PUBLISH_QOS1];
    const small = createMqtt({ maxPacket: 64, publishPrefix: 16 });
    fuzz(seeds, (b) => {
      for (const proto of [mqtt, small]) {
        const s = proto.newState();
        const ctx = { wants: () => true, emit: () => {}, anomaly: () => {}, info: tcp1883 };
        const cut = b.length >> 1;
        proto.data(s, 0, b.subarray(0, cut), ctx);
        proto.data(s, 0, b.subarray(cut), ctx);
        proto.data(s, 1, b, ctx);
      }
    });
  });

  it('catalogue lists every anomaly id used', () => {
    const ids = new Set(anomalies.map((a) => a.id));
    for (const id of ['app.mqtt.bad_remaining_length', 'app.mqtt.length_overflow', 'app.mqtt.bad_utf8', 'app.mqtt.packet_too_large', 'app.mqtt.bad_qos', 'app.mqtt.empty_topic_list']) assert.ok(ids.has(id), id);
    assert.deepEqual(events.map((e) => e.type), ['mqtt.connect', 'mqtt.connack', 'mqtt.publish', 'mqtt.subscribe', 'mqtt.suback', 'mqtt.unsubscribe', 'mqtt.disconnect']);
  });
});
