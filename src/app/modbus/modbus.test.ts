import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { payloadsFromPcap, runAnalyzer } from '../../../test/support/app-harness.ts';
import type { Delivery } from '../../../test/support/app-harness.ts';
import { fuzz } from '../../../test/support/mutate.ts';
import { Pipeline, type EventRecord } from '../../pipeline/analyze.ts';
import { createModbus, modbus, probeModbus } from './analyzer.ts';
import { anomalies, events } from './events.ts';
import { parseMbap, parseRequest, parseResponse } from './parser.ts';

const traces = fileURLToPath(new URL('../../../test/traces/ot/', import.meta.url));
const hex = (h: string) => Uint8Array.from(Buffer.from(h, 'hex'));
const tcp502 = { transport: 'tcp' as const, origPort: 2578, respPort: 502 };

// sv-modbus.pcap (suricata-verify tests/modbus) frames, bytes as tshark shows them.
const F8_DIAG_LISTEN_ONLY = hex('0000000000060a0800040000');
const F9_EXC_GATEWAY = hex('0000000000030a880b');
const F41_SERVER_ID = hex('0000000000150a111200ff57696e6770617468204c696d69746564');
const F32_READ_DEVICE_ID = hex('0001000000060a2b0e030100');
const F57_READ_HOLDING = hex('0001000000060a0300050002');
const F58_HOLDING_RESP = hex('0001000000070a030400090018');
const F66_WRITE_REGISTER = hex('0001000000060a060005000b');
// zeek-modbusSmall.pcap frame 24: write multiple coils 0..2 = [F, F, T] (Zeek baseline, port 55482).
const ZEEK_WRITE_COILS = hex('000100000008010f000000030104');

/**
 * Read Device Identification (43/14) answer, generated from the specification's own example (Modbus
 * Application Protocol V1.1b3 §6.21, basic device identification): no shared trace carries a 43/14 answer
 * (the suricata-verify server answers the two requests with exception 6).
 */
const SPEC_DEVICE_ID = (() => {
  const objs: [number, string][] = [[0, 'Company identification'], [1, 'Product code XX'], [2, 'V2.11']];
  const body = [0x2b, 0x0e, 0x01, 0x01, 0x00, 0x00, objs.length];
  for (const [id, v] of objs) body.push(id, v.length, ...Buffer.from(v, 'latin1'));
  return Uint8Array.from([0x00, 0x01, 0x00, 0x00, 0x00, body.length + 1, 0x0a, ...body]);
})();

async function pipelineEvents(file: string): Promise<EventRecord[]> {
  const out: EventRecord[] = [];
  const p = new Pipeline();
  for (const t of events.map((e) => e.type)) p.on(t, (ev) => out.push(ev));
  await p.run([file]);
  return out;
}

describe('modbus parser (real bytes)', () => {
  it('MBAP header and the diagnostics request (sv-modbus frame 8: force listen only mode)', () => {
    assert.deepEqual(parseMbap(F8_DIAG_LISTEN_ONLY, 0, 12), { status: 'ok', value: { transactionId: 0, protocolId: 0, length: 6, unitId: 10 }, length: 7 });
    const r = parseRequest(F8_DIAG_LISTEN_ONLY, 7, 12);
    assert.equal(r.status === 'ok' && r.value.subFunction, 4);
    assert.deepEqual(parseResponse(F9_EXC_GATEWAY, 7, 9), { status: 'ok', value: { functionCode: 8, exceptionCode: 11 }, length: 2 });
    assert.equal(parseMbap(hex('000000010006'), 0, 6).status, 'incomplete');
    assert.deepEqual(parseMbap(hex('00000001000601'), 0, 7), { status: 'invalid', anomaly: 'app.modbus.bad_protocol_id' });
    assert.deepEqual(parseMbap(hex('00000000ffff01'), 0, 7), { status: 'invalid', anomaly: 'app.modbus.bad_length' });
  });

  it('report server id answer (frame 41) carries the vendor text', () => {
    const r = parseResponse(F41_SERVER_ID, 7, F41_SERVER_ID.length);
    assert.equal(r.status, 'ok');
    if (r.status !== 'ok') return;
    assert.equal(r.value.serverIdText, 'Wingpath Limited');
    assert.equal(r.value.runIndicator, false);
    assert.equal(r.value.serverId, '00ff57696e6770617468204c696d697465');
  });

  it('read holding registers (frames 57/58: address 5, quantity 2 -> 9, 24), write single register (66)', () => {
    const q = parseRequest(F57_READ_HOLDING, 7, 12);
    assert.equal(q.status === 'ok' && `${q.value.address}/${q.value.quantity}`, '5/2');
    const a = parseResponse(F58_HOLDING_RESP, 7, F58_HOLDING_RESP.length);
    assert.deepEqual(a.status === 'ok' && a.value.values, [9, 24]);
    const w = parseRequest(F66_WRITE_REGISTER, 7, 12);
    assert.deepEqual(w.status === 'ok' && [w.value.address, w.value.values], [5, [11]]);
  });

  it('read device identification request (frame 32) and a spec-shaped answer', () => {
    const q = parseRequest(F32_READ_DEVICE_ID, 7, 12);
    assert.deepEqual(q.status === 'ok' && [q.value.meiType, q.value.readDeviceIdCode, q.value.objectId], [14, 3, 1]);
    const a = parseResponse(SPEC_DEVICE_ID, 7, SPEC_DEVICE_ID.length);
    assert.equal(a.status, 'ok');
    if (a.status !== 'ok') return;
    assert.deepEqual(a.value.objects, [{ id: 0, value: 'Company identification' }, { id: 1, value: 'Product code XX' }, { id: 2, value: 'V2.11' }]);
    assert.equal(a.value.moreFollows, false);
    const cut = SPEC_DEVICE_ID.slice(0, SPEC_DEVICE_ID.length - 3);
    assert.deepEqual(parseResponse(cut, 7, cut.length), { status: 'invalid', anomaly: 'app.modbus.device_id_overflow' });
  });

  it('write multiple coils (zeek modbusSmall frame 24): start 0, coils F,F,T', () => {
    const r = parseRequest(ZEEK_WRITE_COILS, 7, ZEEK_WRITE_COILS.length);
    assert.deepEqual(r.status === 'ok' && [r.value.address, r.value.quantity, r.value.values], [0, 3, [0, 0, 1]]);
  });

  it('every other public function: the request/response examples of the specification (Modbus Application Protocol V1.1b3 §6)', () => {
    const req = (h: string) => {
      const r = parseRequest(hex(h), 0, h.length / 2);
      assert.equal(r.status, 'ok', h);
      return r.status === 'ok' ? r.value : undefined;
    };
    const resp = (h: string, q?: Parameters<typeof parseResponse>[3]) => {
      const r = parseResponse(hex(h), 0, h.length / 2, q);
      assert.equal(r.status, 'ok', h);
      return r.status === 'ok' ? r.value : undefined;
    };
    // §6.2 read discrete inputs 197-218 (22 inputs): AC DB 35.
    const di = req('0200c40016');
    assert.deepEqual([di?.address, di?.quantity], [196, 22]);
    assert.deepEqual(resp('0203acdb35', di)?.values, [0, 0, 1, 1, 0, 1, 0, 1, 1, 1, 0, 1, 1, 0, 1, 1, 1, 0, 1, 0, 1, 1]);
    // §6.4 read input register 9: value 10.
    assert.deepEqual(resp('0402000a')?.values, [10]);
    // §6.7 read exception status: 0x6D.
    assert.deepEqual(resp('076d')?.data, [0x6d]);
    // §6.9 get comm event counter: status FFFF, 264 events; §6.10 event log: 264 events, 289 messages.
    assert.deepEqual([resp('0bffff0108')?.status, resp('0bffff0108')?.eventCount], [0xffff, 264]);
    const log = resp('0c080000010801212000');
    assert.deepEqual([log?.status, log?.eventCount, log?.messageCount], [0, 264, 289]);
    // §6.11 write multiple coils 20-29: CD 01; §6.12 write registers 2-3: 000A 0102.
    assert.deepEqual(req('0f0013000a02cd01')?.values, [1, 0, 1, 1, 0, 0, 1, 1, 1, 0]);
    assert.deepEqual(req('100001000204000a0102')?.values, [10, 258]);
    assert.deepEqual([resp('1000010002')?.address, resp('1000010002')?.quantity], [1, 2]);
    // §6.14 read file record (files 4 and 3), §6.15 write file record (file 4, record 7, 3 registers).
    assert.deepEqual(req('140e0600040001000206000300090002')?.fileRecords, [{ file: 4, record: 1, length: 2 }, { file: 3, record: 9, length: 2 }]);
    assert.deepEqual(req('150d0600040007000306af04be100d')?.fileRecords, [{ file: 4, record: 7, length: 3 }]);
    // §6.16 mask write register 4: AND 00F2, OR 0025.
    const mw = req('16000400f20025');
    assert.deepEqual([mw?.address, mw?.andMask, mw?.orMask], [4, 0xf2, 0x25]);
    // §6.17 read/write multiple registers: read 4-9, write 15-17 = 00FF x3; answer 6 registers.
    const rw = req('170003000600' + '0e000306' + '00ff00ff00ff');
    assert.deepEqual([rw?.readAddress, rw?.readQuantity, rw?.writeAddress, rw?.writeQuantity, rw?.values], [3, 6, 14, 3, [255, 255, 255]]);
    assert.deepEqual(resp('170c00fe0acd00010003000d00ff')?.values, [0xfe, 0xacd, 1, 3, 0xd, 0xff]);
    // §6.18 read FIFO queue at 1246: two registers 440, 4740.
    assert.equal(req('1804de')?.address, 0x4de);
    assert.deepEqual(resp('180006000201b81284')?.values, [0x1b8, 0x1284]);
  });

  it('probe: whole fixed-size requests say yes, other MBAP-shaped bytes maybe, the rest no', () => {
    assert.equal(probeModbus(F57_READ_HOLDING, 0), 'yes');
    assert.equal(probeModbus(F8_DIAG_LISTEN_ONLY, 0), 'maybe');
    assert.equal(probeModbus(hex('474554202f20485454502f312e310d0a'), 0), 'no');
  });

  it('fuzz: parsers never throw', () => {
    const seeds = [F8_DIAG_LISTEN_ONLY, F41_SERVER_ID, F32_READ_DEVICE_ID, F58_HOLDING_RESP, ZEEK_WRITE_COILS, SPEC_DEVICE_ID];
    fuzz(seeds, (b) => {
      parseMbap(b, 0, b.length);
      parseRequest(b, Math.min(7, b.length), b.length);
      parseResponse(b, Math.min(7, b.length), b.length);
      parseResponse(b, 0, b.length, { functionCode: 1, quantity: 9 });
      probeModbus(b, 0);
    });
  });
});

describe('modbus analyzer (real captures)', () => {
  it('suricata-verify modbus: the counts test.yaml expects for each rule', async () => {
    const evs = await pipelineEvents(traces + 'sv-modbus.pcap');
    const reqs = evs.filter((e) => e.type === 'modbus.request');
    // Suricata's modbus rules match per transaction (request): test.rules sids 1..7 and their test.yaml counts.
    assert.equal(reqs.filter((e) => e.function_code === 1).length, 2, 'sid 1: function 1 (and 2 RdCoils events)');
    assert.equal(reqs.filter((e) => e.category === 'public_assigned').length, 18, 'sid 2: function assigned');
    assert.equal(reqs.filter((e) => e.access === 'read').length, 3, 'sid 3: access read');
    assert.equal(reqs.filter((e) => e.unit_id === 10).length, 18, 'sid 4: unit 10');
    assert.equal(reqs.filter((e) => e.unit_id === 10 && e.function_code === 43).length, 2, 'sid 4 with function MEI');
    // Suricata matches the range on the whole addressed span: address 0 (1 coil) is inside 0..2, 2 (2 coils) is not.
    const inside = (e: EventRecord) => (e.address as number) >= 0 && (e.address as number) + (e.quantity as number) - 1 <= 2;
    assert.equal(reqs.filter((e) => (e.unit_id as number) > 9 && e.function_code === 1 && inside(e)).length, 1, 'sid 5: unit >9, read coils, address 0<>2');
    assert.equal(reqs.filter((e) => e.access === 'write').length, 3, 'sid 6: access write');
    assert.equal(reqs.filter((e) => e.function_code === 8).length, 8, 'sid 7: function 8');
    // tshark: exception responses fc1/exception 6 x5, fc8/exception 11 x4.
    const exc = evs.filter((e) => e.type === 'modbus.exception').map((e) => `${e.function_code}/${e.exception_code}`);
    assert.equal(exc.filter((x) => x === '1/6').length, 5);
    assert.equal(exc.filter((x) => x === '8/11').length, 4);
    const diag = reqs.filter((e) => e.function_code === 8).map((e) => e.sub_function_name);
    assert.equal(diag.filter((n) => n === 'force_listen_only_mode').length, 3);
    assert.equal(diag.filter((n) => n === 'restart_communications_option').length, 3);
    const sid = evs.find((e) => e.type === 'modbus.response' && e.function_code === 17);
    assert.equal(sid?.server_id_text, 'Wingpath Limited');
    const holding = evs.find((e) => e.type === 'modbus.response' && e.function_code === 3);
    assert.deepEqual([holding?.request_address, holding?.values, holding?.src_ip, holding?.dst_ip], [5, [9, 24], '10.0.0.3', '10.0.0.9']);
  });

  it('zeek modbusSmall: every request/response field of the btest baseline', async () => {
    const evs = await pipelineEvents(traces + 'zeek-modbusSmall.pcap');
    const baseline = readFileSync(traces + 'zeek-modbusSmall.output.baseline', 'utf8').split('\n');
    const bools = (s: string) => s.split(', ').map((x) => (x === 'T' ? 1 : 0));
    let checked = 0;
    for (const line of baseline) {
      const m = /^\d+ (modbus_\w+), \[orig_h=\S+, orig_p=(\d+)\/tcp.*?\], \[tid=(\d+), pid=0, uid=(\d+), function_code=(\d+), len=\d+\](?:, (.*))?$/.exec(line);
      if (!m) continue;
      const [, name, port, tid, uid, fc, rest] = m;
      const isReq = name.endsWith('_request') || (name === 'modbus_message' && rest === 'F');
      const evPort = (e: EventRecord) => (e.type === 'modbus.request' ? e.src_port : e.dst_port);
      const ev = evs.find((e) => String(evPort(e)) === port && e.type === (isReq ? 'modbus.request' : 'modbus.response') && e.function_code === Number(fc));
      assert.ok(ev, line);
      assert.deepEqual([ev.transaction_id, ev.unit_id], [Number(tid), Number(uid)], line);
      if (name === 'modbus_read_coils_request' || name === 'modbus_write_multiple_coils_response') {
        const [start, qty] = rest.split(', ').map(Number);
        assert.deepEqual([ev.address, ev.quantity], [start, qty], line);
      } else if (name === 'modbus_read_coils_response') {
        // Zeek prints every bit of the returned byte; the request asked for the first `quantity` of them.
        const coils = bools(/\[(.*)\]/.exec(rest)![1]);
        assert.deepEqual(ev.values, coils.slice(0, ev.request_quantity as number), line);
      } else if (name === 'modbus_write_multiple_coils_request') {
        const [, start, list] = /^(\d+), \[(.*)\]$/.exec(rest)!;
        assert.deepEqual([ev.address, ev.values], [Number(start), bools(list)], line);
      }
      checked++;
    }
    assert.equal(checked, 64);
  });

  it('device identification event from the spec-shaped 43/14 exchange', () => {
    const out = runAnalyzer(modbus, [{ dir: 0, bytes: F32_READ_DEVICE_ID }, { dir: 1, bytes: SPEC_DEVICE_ID }], tcp502);
    assert.deepEqual(out.anomalies, []);
    const id = out.events.find((e) => e.type === 'modbus.device_identification');
    assert.deepEqual(id?.fields, {
      unit_id: 10, read_device_id_code: 1, conformity_level: 1, more_follows: false,
      objects: [{ id: 0, name: 'vendor_name', value: 'Company identification' }, { id: 1, name: 'product_code', value: 'Product code XX' }, { id: 2, name: 'major_minor_revision', value: 'V2.11' }],
      vendor_name: 'Company identification', product_code: 'Product code XX', revision: 'V2.11',
    });
  });

  it('byte-at-a-time delivery gives the same events', () => {
    const d = payloadsFromPcap(traces + 'sv-modbus.pcap', 'tcp.port==3082', 502);
    const split: Delivery[] = d.flatMap((x) => Array.from(x.bytes, (byte) => ({ dir: x.dir, bytes: Uint8Array.of(byte), frame: x.frame })));
    const info = { transport: 'tcp' as const, origPort: 3082, respPort: 502 };
    const whole = runAnalyzer(modbus, d, info);
    assert.equal(whole.events.length, 12);
    assert.deepEqual(runAnalyzer(modbus, split, info).events.map((e) => e.fields), whole.events.map((e) => e.fields));
  });

  it('pending table is bounded; a bad protocol id stops the direction', () => {
    const small = createModbus({ maxPending: 2 });
    const reqs = [0, 1, 2].map((t) => hex(`000${t}000000060a0300050002`));
    const out = runAnalyzer(small, reqs.map((bytes) => ({ dir: 0 as const, bytes })), tcp502);
    assert.deepEqual(out.anomalies, ['app.modbus.too_many_pending']);
    const bad = runAnalyzer(modbus, [{ dir: 0, bytes: hex('0000000100060a0300050002') }, { dir: 0, bytes: F57_READ_HOLDING }], tcp502);
    assert.deepEqual([bad.anomalies, bad.events.length], [['app.modbus.bad_protocol_id'], 0]);
  });

  it('fuzz: analyzer never throws on mutated sessions', () => {
    const session = Buffer.concat([F8_DIAG_LISTEN_ONLY, F57_READ_HOLDING, F32_READ_DEVICE_ID, ZEEK_WRITE_COILS]);
    const answers = Buffer.concat([F9_EXC_GATEWAY, F41_SERVER_ID, F58_HOLDING_RESP, SPEC_DEVICE_ID]);
    fuzz([session, answers], (b) => {
      const s = modbus.newState();
      const ctx = { wants: () => true, emit: () => {}, anomaly: () => {}, info: tcp502 };
      modbus.data(s, 0, b.subarray(0, b.length >> 1), ctx);
      modbus.data(s, 0, b.subarray(b.length >> 1), ctx);
      modbus.data(s, 1, b, ctx);
    });
  });

  it('catalogue lists every anomaly id used', () => {
    const ids = new Set(anomalies.map((a) => a.id));
    for (const id of ['app.modbus.bad_protocol_id', 'app.modbus.bad_length', 'app.modbus.pdu_too_short', 'app.modbus.device_id_overflow', 'app.modbus.too_many_pending', 'app.modbus.frame_too_large']) assert.ok(ids.has(id), id);
  });
});
