import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { fuzz } from '../../../test/support/mutate.ts';
import { payloadsFromPcap, runAnalyzer } from '../../../test/support/app-harness.ts';
import { noTimeouts, runPipeline } from '../../../test/support/run.ts';
import type { EventRecord } from '../../pipeline/analyze.ts';
import { bacnet, createBacnet, probeBacnet } from './analyzer.ts';
import { parseApduHeader, parseBvlc, parseError, parseIAm, parseNpdu, parseReinitializeDevice } from './parser.ts';
import { snakeCase, vendorName } from './names.ts';

const dir = new URL('../../../test/traces/bacnet/', import.meta.url).pathname;
const icsnppPcap = `${dir}icsnpp-bacnet-example.pcap`;
const ndpiPcap = `${dir}ndpi-bacnet.pcap`;
const info = { transport: 'udp', origPort: 47808, respPort: 47808 } as const;

/** Rows of a Zeek ASCII log (ICSNPP baseline), as field-name → value maps. */
function zeekLog(name: string): Record<string, string>[] {
  const text = gunzipSync(readFileSync(`${dir}icsnpp-${name}.log.gz`)).toString('utf8');
  let fields: string[] = [];
  const rows: Record<string, string>[] = [];
  for (const line of text.split('\n')) {
    if (line.startsWith('#fields')) fields = line.split('\t').slice(1);
    if (!line || line.startsWith('#')) continue;
    const cols = line.split('\t');
    rows.push(Object.fromEntries(fields.map((f, i) => [f, cols[i]])));
  }
  return rows;
}

const tsharkLines = (path: string, args: string[]): string[] =>
  execFileSync('tshark', ['-r', path, ...args], { encoding: 'utf8', maxBuffer: 64 << 20, stdio: ['ignore', 'pipe', 'ignore'] }).split('\n').filter(Boolean);

// One tshark run for the unit tests' messages (each run over the 3,257-packet trace costs a second).
const wanted = [1, 2, 4, 6, 74, 572, 573];
let cut: Map<number, Uint8Array> | undefined;
const payload = (frame: number): Uint8Array => {
  cut ??= new Map(payloadsFromPcap(icsnppPcap, wanted.map((f) => `frame.number==${f}`).join(' || '), 47808).map((d) => [d.frame!, Uint8Array.from(d.bytes)]));
  return cut.get(frame)!;
};

let icsnppRun: Promise<EventRecord[]> | undefined;
const icsnppEvents = (): Promise<EventRecord[]> => (icsnppRun ??= runPipeline([icsnppPcap], { flow: noTimeouts }).then((r) => r.events));

test('parsers: I-Am, ReinitializeDevice and its Error as tshark dissects them (icsnpp bacnet_example.pcap frames 74, 572, 573)', () => {
  // Frame 74: Original-Unicast-NPDU, I-Am device 721, max APDU 1024, no-segmentation, vendor 15 (Cornell University).
  const iam = payload(74);
  const bvlc = parseBvlc(iam, 0, iam.length);
  assert.ok(bvlc.status === 'ok' && bvlc.value.function === 0x0a && bvlc.value.npduOff === 4);
  const npdu = parseNpdu(iam, 4, iam.length);
  assert.ok(npdu.status === 'ok');
  const h = parseApduHeader(iam, npdu.value.dataOff, iam.length);
  assert.ok(h.status === 'ok' && h.value.type === 1 && h.value.service === 0);
  const i = parseIAm(iam, h.value.dataOff, iam.length);
  assert.ok(i.status === 'ok');
  assert.deepEqual([i.value.device, i.value.maxApdu, i.value.segmentation, i.value.vendorId], [{ type: 8, instance: 721 }, 1024, 3, 15]);
  assert.equal(vendorName(15), 'Cornell University');
  // Frame 572: confirmed reinitializeDevice (20), invoke 1, state abort-restore (6), password 'Delcatty70'.
  const re = payload(572);
  const rh = parseApduHeader(re, 6, re.length);
  assert.ok(rh.status === 'ok' && rh.value.type === 0 && rh.value.invokeId === 1 && rh.value.service === 20);
  assert.deepEqual(parseReinitializeDevice(re, rh.value.dataOff, re.length), { status: 'ok', value: { state: 6, password: 'Delcatty70' }, length: 15 });
  // Frame 573: Error, class services (5), code password-failure (26).
  const er = payload(573);
  const eh = parseApduHeader(er, 6, er.length);
  assert.ok(eh.status === 'ok' && eh.value.type === 5);
  const e = parseError(er, eh.value.dataOff, er.length);
  assert.ok(e.status === 'ok' && e.value.errorClass === 5 && e.value.errorCode === 26);
});

test('service names in snake case, as ICSNPP spells them', () => {
  assert.deepEqual(['readProperty', 'who-Is', 'i-Am', 'reinitializeDevice', 'confirmedCOVNotification', 'subscribeCOV'].map(snakeCase),
    ['read_property', 'who_is', 'i_am', 'reinitialize_device', 'confirmed_cov_notification', 'subscribe_cov']);
});

test('ICSNPP bacnet.log: every APDU of bacnet_example.pcap with the same BVLC function, PDU type, service, invoke id and result', async () => {
  const rows = zeekLog('bacnet');
  const apdus = (await icsnppEvents()).filter((e) => e.type === 'bacnet.apdu');
  assert.equal(rows.length, 3257);
  assert.equal(apdus.length, rows.length);
  for (const [i, row] of rows.entries()) {
    const ev = apdus[i];
    const at = `row ${i + 1}, packet ${ev.packet}`;
    assert.equal(ev.src_ip, row.source_h, at);
    assert.equal(ev.dst_ip, row.destination_h, at);
    assert.equal(String(ev.bvlc_function).replaceAll('-', '_'), row.bvlc_function, at);
    // ICSNPP names the error PDU 'ERROR_PDU', the others by their type.
    assert.equal(ev.pdu_type === 'error' ? 'ERROR_PDU' : String(ev.pdu_type).toUpperCase(), row.pdu_type, at);
    assert.equal(ev.service, row.pdu_service, at);
    assert.equal(ev.invoke_id === undefined ? '-' : String(ev.invoke_id), row.invoke_id, at);
    assert.equal(ev.result ?? '-', row.result_code, at);
    assert.equal(ev.from_orig, row.is_orig === 'T', at);
  }
});

test('ICSNPP bacnet_discovery.log: every Who-Is and I-Am with the same instance and vendor', async () => {
  const rows = zeekLog('bacnet_discovery');
  const events = (await icsnppEvents()).filter((e) => e.type === 'bacnet.who_is' || e.type === 'bacnet.i_am');
  assert.equal(rows.length, 217);
  assert.equal(events.length, rows.length);
  for (const [i, row] of rows.entries()) {
    const ev = events[i];
    const at = `row ${i + 1}, packet ${ev.packet}`;
    assert.equal(ev.src_ip, row.source_h, at);
    assert.equal(ev.type, row.pdu_service === 'who-is' ? 'bacnet.who_is' : 'bacnet.i_am', at);
    if (ev.type === 'bacnet.who_is') {
      assert.equal(row.range, ev.low_limit === undefined ? 'All' : `${ev.low_limit}-${ev.high_limit}`, at);
    } else {
      assert.equal(ev.object_type, row.object_type, at);
      assert.equal(String(ev.device_instance), row.instance_number, at);
      // ICSNPP's vendor table drops the commas of the registry's names ("Co., Ltd." → "Co. Ltd.").
      assert.equal(String(ev.vendor).replaceAll(',', ''), row.vendor, at);
    }
  }
  assert.equal(new Set(events.filter((e) => e.type === 'bacnet.i_am').map((e) => e.device_instance)).size, 30);
});

test('ICSNPP bacnet_property.log: every ReadProperty request and ACK with the same object, property and value', async () => {
  const rows = zeekLog('bacnet_property');
  const events = (await icsnppEvents()).filter((e) => e.type === 'bacnet.read_property' || e.type === 'bacnet.read_property_ack');
  assert.equal(rows.length, 2800);
  assert.equal(events.length, rows.length);
  // tshark names the enumerated units ("units:  Hertz (27)"): the name ICSNPP logs, the number Bulwark reports.
  const units = new Map<number, string>();
  const frameRe = /^Frame (\d+):/;
  let frame = 0;
  for (const line of tsharkLines(icsnppPcap, ['-Y', 'bacapp.property_identifier==117 && bacapp.type==3', '-O', 'bacapp'])) {
    const f = frameRe.exec(line);
    if (f) frame = Number(f[1]);
    const u = /^\s+units:\s+(.+) \((\d+)\)$/.exec(line);
    if (u) units.set(frame, `${u[1].toLowerCase().replaceAll(' ', '-')}|${u[2]}`);
  }
  assert.equal(units.size, 160);
  for (const [i, row] of rows.entries()) {
    const ev = events[i];
    const at = `row ${i + 1}, packet ${ev.packet}`;
    assert.equal(ev.type, row.pdu_service === 'read-property-request' ? 'bacnet.read_property' : 'bacnet.read_property_ack', at);
    assert.equal(String(ev.invoke_id), row.invoke_id, at);
    assert.equal(ev.object_type, row.object_type, at);
    assert.equal(String(ev.object_instance), row.instance_number, at);
    assert.equal(ev.property, row.property, at);
    assert.equal(ev.array_index === undefined ? '-' : String(ev.array_index), row.array_index, at);
    if (ev.type === 'bacnet.read_property') continue;
    const expected = row.value;
    if (ev.value_type === 'real') assert.ok(Math.abs(Number(ev.value) - Number(expected)) <= 1e-6 * Math.max(1, Math.abs(Number(expected))), `${at}: ${ev.value} vs ${expected}`);
    else if (ev.property === 'units') assert.equal(units.get(ev.packet), `${expected}|${ev.value}`, at);
    else if (ev.value_type === 'enumerated') assert.equal(ev.value_name, expected, at);
    else assert.equal(ev.value, expected, at);
  }
});

test('ReinitializeDevice: 120 requests from 172.20.32.250 with their passwords; answers paired by service', async () => {
  const events = await icsnppEvents();
  const re = events.filter((e) => e.type === 'bacnet.reinitialize_device');
  assert.equal(re.length, 120);
  assert.ok(re.every((e) => e.src_ip === '172.20.32.250' && e.state === 'abort-restore'));
  // tshark: the password of frame 574 and the answers' PDU types.
  assert.equal(re[1].password, 'Shroomi24');
  const answers = events.filter((e) => e.type === 'bacnet.apdu' && e.service === 'reinitialize_device' && e.pdu_type !== 'confirmed_request');
  assert.deepEqual([answers.filter((e) => e.pdu_type === 'error').length, answers.filter((e) => e.pdu_type === 'simple_ack').length], [90, 30]);
});

test('nDPI bacnet.pcap: the 10 BACnet flows of the .out recognised; every message as tshark dissects it', async () => {
  const { events, summary } = await runPipeline([ndpiPcap], { flow: noTimeouts });
  const out = readFileSync(`${dir}ndpi-bacnet.pcap.out`, 'utf8');
  assert.equal((out.match(/\[proto: 334\/BACnet\]/g) ?? []).length, 10);
  assert.equal(summary.apps.bacnet, 10);
  const rows = tsharkLines(ndpiPcap, ['-T', 'fields', '-E', 'occurrence=f', '-e', 'frame.number', '-e', 'bacapp.type', '-e', 'bacapp.invoke_id',
    '-e', 'bacapp.objectType', '-e', 'bacapp.instance_number', '-e', 'bacapp.property_identifier', '-e', 'bacapp.who_is.low_limit',
    '-e', 'bacapp.who_is.high_limit', '-e', 'bacapp.vendor_identifier', '-e', 'bacnet.mesgtyp']);
  assert.equal(rows.length, 23);
  for (const row of rows) {
    const [frame, type, invoke, objType, instance, prop, lo, hi, vendor, mesg] = row.split('\t');
    const at = `frame ${frame}`;
    const of = events.filter((e) => e.packet === Number(frame));
    if (mesg) {
      assert.equal(of[0].type, 'bacnet.network_message', at);
      assert.equal(of[0].message_type, Number(mesg), at);
      continue;
    }
    const apdu = of.find((e) => e.type === 'bacnet.apdu')!;
    assert.equal(['confirmed_request', 'unconfirmed_request', '', '', '', 'error'].indexOf(String(apdu.pdu_type)), Number(type), at);
    if (invoke) assert.equal(apdu.invoke_id, Number(invoke), at);
    const rp = of.find((e) => e.type === 'bacnet.read_property');
    if (rp) assert.deepEqual([rp.object_type_id, rp.object_instance, rp.property_id], [Number(objType), Number(instance), Number(prop)], at);
    const whoIs = of.find((e) => e.type === 'bacnet.who_is');
    if (whoIs) assert.deepEqual([whoIs.low_limit ?? '', whoIs.high_limit ?? ''], [lo ? Number(lo) : '', hi ? Number(hi) : ''], at);
    const iAm = of.find((e) => e.type === 'bacnet.i_am');
    if (iAm) assert.deepEqual([iAm.device_instance, iAm.vendor_id], [Number(instance), Number(vendor)], at);
  }
  // Scanners' probe: device 4194303 (the wildcard instance), property object-identifier (75).
  assert.equal(events.filter((e) => e.type === 'bacnet.read_property' && e.object_instance === 4194303 && e.property === 'object-identifier').length, 9);
  assert.deepEqual(events.filter((e) => e.type === 'bacnet.network_message').map((e) => [e.message, e.networks]), [['I-Am-Router-To-Network', [0]], ['Network-Number-Is', [0]]]);
});

test('bacnet-js-control.pcap (real stacks): WriteProperty, DeviceCommunicationControl and ReinitializeDevice as tshark dissects them', async () => {
  const path = `${dir}bacnet-js-control.pcap`;
  const { events, summary } = await runPipeline([path], { flow: noTimeouts });
  assert.deepEqual(summary.anomalies, {});
  // One fields run (writes and the error) and one verbose run (DCC, reinitialize, the *Multiple services): tshark starts slowly.
  const fieldRows = tsharkLines(path, ['-Y', '(bacapp.confirmed_service==15 && bacapp.type==0) || bacapp.type==5', '-T', 'fields', '-E', 'separator=|', '-e', 'frame.number',
    '-e', 'ip.src', '-e', 'bacapp.objectType', '-e', 'bacapp.instance_number', '-e', 'bacapp.property_identifier', '-e', 'bacapp.present_value.real',
    '-e', 'bacapp.present_value.enum_index', '-e', 'bacapp.type', '-e', 'bacapp.error_class', '-e', 'bacapp.error_code']).map((l) => l.split('|'));
  const writes = fieldRows.filter((r) => r[7] === '0');
  const verbose = tsharkLines(path, ['-Y', 'bacapp.confirmed_service==14 || bacapp.confirmed_service==16 || bacapp.confirmed_service==17 || bacapp.confirmed_service==20', '-O', 'bacapp']);
  const framesOf = (services: number[]): string => {
    const out: string[] = [];
    let keep = false;
    for (const line of verbose) {
      if (line.startsWith('Frame ')) keep = false;
      const m = /Service Choice: \S+ \((\d+)\)/.exec(line);
      if (m) keep = services.includes(Number(m[1]));
      if (keep) out.push(line);
    }
    return out.join('\n');
  };
  const ours = events.filter((e) => e.type === 'bacnet.write_property');
  assert.equal(ours.length, 4);
  assert.deepEqual(ours.map((e) => [String(e.packet), e.src_ip, String(e.object_type_id), String(e.object_instance), String(e.property_id), e.value]),
    writes.map(([f, ip, t, i, p, real, en]) => [f, ip, t, i, p, real || en]));
  assert.deepEqual(ours.map((e) => e.priority), [8, 8, 8, 1]);
  // tshark -O bacapp, frames 20, 22, 24: "time Duration: (Unsigned) 60", "enable-disable: disable (1)",
  // "Password: UTF-8 'admin'" / 'bms-2024'; "reinitialized State Of Device: warmstart (1)".
  const text = framesOf([17, 20]);
  const passwords = [...text.matchAll(/Password: UTF-8 '([^']*)'/g)].map((m) => m[1]);
  const dcc = events.filter((e) => e.type === 'bacnet.device_communication_control');
  const reinit = events.filter((e) => e.type === 'bacnet.reinitialize_device');
  assert.deepEqual([...dcc, ...reinit].map((e) => e.password), passwords);
  assert.deepEqual(dcc.map((e) => [e.enable_disable, e.duration_minutes]), [['disable', 60], ['disable', 60]]);
  assert.match(text, /enable-disable:\s+disable \(1\)/);
  assert.match(text, /time Duration: \(Unsigned\) 60/);
  assert.deepEqual(reinit.map((e) => e.state), [/reinitialized State Of Device:\s+(\S+) \(1\)/.exec(text)![1]]);
  // The wrong password: Error security (4) / password-failure (26).
  const [errFrame, errClass, errCode] = ((r) => [r[0], r[8], r[9]])(fieldRows.find((r) => r[7] === '5')!);
  const err = events.find((e) => e.type === 'bacnet.apdu' && e.pdu_type === 'error')!;
  assert.deepEqual([err.packet, err.service, err.error_class, err.result, errClass, errCode], [Number(errFrame), 'device_communication_control', 'security', 'password-failure', '4', '26']);
  // ReadPropertyMultiple ACK and WritePropertyMultiple, as tshark -O bacapp prints them: "model-name: UTF-8
  // 'BW-DDC-400'", ..., "propertyAccessError ... Error Class: property (2) Error Code: unknown-property (32)";
  // "out-of-service: TRUE ... Priority: (Unsigned) 16", "Present Value (real): 100 ... Priority: (Unsigned) 1".
  const multi = framesOf([14, 16]);
  const ack = events.find((e) => e.type === 'bacnet.read_property_multiple_ack')!.results as Record<string, unknown>[];
  const strings = [...multi.matchAll(/^\s+([a-z-]+): UTF-8 '([^']*)'$/gm)].map((m) => [m[1], m[2]]);
  assert.deepEqual(ack.filter((r) => r.value !== undefined).map((r) => [r.property, r.value]), strings);
  assert.deepEqual(ack.filter((r) => r.error_code).map((r) => [r.property, r.error_class, r.error_code]), [['serial-number', 'property', 'unknown-property']]);
  assert.match(multi, /Property Identifier: serial-number \(372\)\n[\s\S]*?propertyAccessError[\s\S]*?Error Class: property \(2\)[\s\S]*?Error Code: unknown-property \(32\)/);
  const request = events.find((e) => e.type === 'bacnet.read_property_multiple')!.properties as Record<string, unknown>[];
  assert.deepEqual(request.map((r) => r.property_id), [70, 44, 58, 372]);
  const multiWrites = events.find((e) => e.type === 'bacnet.write_property_multiple')!.writes as Record<string, unknown>[];
  const priorities = [...multi.matchAll(/Priority: \(Unsigned\) (\d+)/g)].map((m) => Number(m[1]));
  assert.deepEqual(multiWrites.map((w) => [w.object_type, w.object_instance, w.property, w.value, w.priority]),
    [['analog-output', 2, 'out-of-service', 'true', priorities[0]], ['analog-output', 2, 'present-value', '100', priorities[1]]]);
  assert.match(multi, /out-of-service: TRUE/);
  assert.match(multi, /Present Value \(real\): 100\n/);
});

test('segmented Complex-ACK: reassembled in order, out-of-order and oversized segments are anomalies', () => {
  // Built from the ReadProperty ACK of icsnpp frame 2 (object-name 'Sensor_45312') cut into two segments, with
  // the segmented Complex-ACK header of clause 20.1.5 (SEG/MOR flags, sequence number, proposed window size).
  const whole = payload(2);
  const apduOff = 6;
  const serviceData = whole.subarray(apduOff + 3);
  const cut = 7;
  const segment = (seq: number, more: boolean, part: Uint8Array): Uint8Array => {
    const b = new Uint8Array(apduOff + 5 + part.length);
    b.set(whole.subarray(0, apduOff));
    b.set([0x38 | (more ? 0x04 : 0), whole[apduOff + 1], seq, 4, whole[apduOff + 2]], apduOff);
    b.set(part, apduOff + 5);
    b[2] = b.length >> 8;
    b[3] = b.length & 0xff;
    return b;
  };
  const first = segment(0, true, serviceData.subarray(0, cut));
  const last = segment(1, false, serviceData.subarray(cut));
  const ok = runAnalyzer(bacnet, [{ dir: 1, bytes: first }, { dir: 1, bytes: last }], info);
  const ack = ok.events.filter((e) => e.type === 'bacnet.read_property_ack');
  assert.equal(ack.length, 1);
  assert.deepEqual([ack[0].fields.property, ack[0].fields.value], ['object-name', 'Sensor_45312']);
  assert.deepEqual(ok.events.filter((e) => e.type === 'bacnet.apdu').map((e) => [e.fields.segmented, e.fields.more_follows, e.fields.sequence_number]), [[true, true, 0], [true, false, 1]]);
  assert.deepEqual(ok.anomalies, []);
  const skipped = runAnalyzer(bacnet, [{ dir: 1, bytes: last }], info);
  assert.deepEqual(skipped.anomalies, ['app.bacnet.segment_out_of_order']);
  const small = runAnalyzer(createBacnet({ maxSegmentedBytes: 4 }), [{ dir: 1, bytes: first }, { dir: 1, bytes: last }], info);
  assert.deepEqual(small.anomalies, ['app.bacnet.segmented_too_large']);
  assert.equal(small.events.filter((e) => e.type === 'bacnet.read_property_ack').length, 0);
});

test('probe: BACnet/IP by content; a BVLC length that disagrees only on the BACnet ports; other UDP is not', () => {
  assert.equal(probeBacnet(payload(1)), 'yes');
  assert.equal(probeBacnet(payload(572)), 'maybe'); // crafted: BVLC length 17 in a 25-byte datagram
  assert.equal(probeBacnet(new TextEncoder().encode('M-SEARCH * HTTP/1.1\r\n')), 'no');
  assert.equal(probeBacnet(Uint8Array.from([0x81, 0x0a, 0x00, 0x06, 0x02, 0x00])), 'no'); // NPDU version 2
});

test('fuzz: BACnet parsers and analyzer never throw', () => {
  const seeds = [...payloadsFromPcap(ndpiPcap, 'bacnet', 47808), ...wanted.map((f) => ({ bytes: payload(f) }))].map((d) => d.bytes);
  const ctx = { wants: () => true, emit: () => {}, anomaly: () => {}, info };
  const state = bacnet.newState();
  fuzz(seeds, (b) => {
    bacnet.probe(b, 0, info);
    bacnet.data(state, 0, b, ctx);
    bacnet.data(state, 1, b, ctx);
  }, 3000);
});
