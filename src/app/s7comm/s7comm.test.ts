import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { payloadsFromPcap, runAnalyzer } from '../../../test/support/app-harness.ts';
import type { Delivery } from '../../../test/support/app-harness.ts';
import { fuzz } from '../../../test/support/mutate.ts';
import { Pipeline, type EventRecord } from '../../pipeline/analyze.ts';
import { createS7comm, probeS7comm, s7comm } from './analyzer.ts';
import { anomalies, events } from './events.ts';
import { parseCotp, parseJobParams, parseS7Header, parseS7PlusHeader, parseTpkt } from './parser.ts';
import { parseSzlResponse, parseUserdataParams } from './userdata.ts';

const traces = fileURLToPath(new URL('../../../test/traces/ot/', import.meta.url));
const hex = (h: string) => Uint8Array.from(Buffer.from(h, 'hex'));
const tcp102 = { transport: 'tcp' as const, origPort: 51212, respPort: 102 };
let snap7Payloads: Delivery[] | undefined;
/** snap7.pcap payloads, cut once with tshark (each run of it costs a second on a busy machine). */
const snap7 = (): Delivery[] => (snap7Payloads ??= payloadsFromPcap(traces + 'snap7.pcap', 'tcp', 102));

// s7ident.pcap frame 4: COTP CR, TSAPs 0100 -> 0101. snap7.pcap frames 57 (PLC stop), 49 (write var), 17 (start upload).
const CR = hex('0300001611e00000000100c0010ac1020100c2020101');
const PLC_STOP = hex('0300002102f080320100001c000010000029000000000009505f50524f4752414d');
const WRITE_VAR = hex('0300002702f080320100001800000e00080501120a100800010000830000800007000479e9f642');
const START_UPLOAD = hex('0300002302f080320100000800001200001d00000000000000095f3042303030303041');
// RDP's connection request (TPKT/COTP too, no TSAPs): must not be taken for S7 (MS-RDPBCGR 4.1.1 example).
const RDP_CR = hex('0300002a25e00000000000436f6f6b69653a206d737473686173683d656c746f6e730d0a010008000b000000');

async function pipelineEvents(file: string): Promise<EventRecord[]> {
  const out: EventRecord[] = [];
  const p = new Pipeline();
  for (const t of events.map((e) => e.type)) p.on(t, (ev) => out.push(ev));
  await p.run([file]);
  return out;
}

/** Rows of a Zeek TSV log as objects keyed by the #fields names. */
function zeekLog(name: string): Record<string, string>[] {
  const lines = readFileSync(traces + name, 'utf8').split('\n');
  const fields = lines.find((l) => l.startsWith('#fields'))!.split('\t').slice(1);
  return lines.filter((l) => l && !l.startsWith('#')).map((l) => Object.fromEntries(l.split('\t').map((v, i) => [fields[i], v])));
}

/** ICSNPP reads the PDU reference little-endian (Snap7 writes it in host order); the wire and Wireshark read it big-endian. */
const icsnppRef = (ref: number): number => ((ref & 0xff) << 8) | (ref >> 8);
const snake = (s: string): string => s.toLowerCase().replace(/[^a-z0-9]+/g, '_');
const jobNames: Record<string, string> = {
  'Setup Communication': 'setup_communication', 'Read Variable': 'read_var', 'Write Variable': 'write_var', 'Start Upload': 'start_upload',
  Upload: 'upload', 'End Upload': 'end_upload', 'PLC Stop': 'plc_stop', 'PLC Control': 'plc_control',
};
const piNames: Record<string, string> = { 'PLC Copy Ram to Rom': 'copy_ram_to_rom', 'Compress PLC memory': 'compress_memory', 'PLC Start / Stop': 'program_start_stop' };

describe('s7comm parser (real bytes)', () => {
  it('TPKT, COTP connection request with TSAPs (s7ident frame 4)', () => {
    assert.deepEqual(parseTpkt(CR, 0, CR.length), { status: 'ok', value: 22, length: 4 });
    const c = parseCotp(CR, 4, CR.length);
    assert.equal(c.status, 'ok');
    if (c.status !== 'ok') return;
    assert.deepEqual([c.value.type, c.value.srcTsap, c.value.dstTsap, c.value.tpduSize, c.value.srcRef], [0xe0, '0100', '0101', 1024, 1]);
    assert.deepEqual(parseTpkt(hex('0400000a'), 0, 4), { status: 'invalid', anomaly: 'app.s7comm.bad_tpkt' });
  });

  it('job parameters: PLC stop, write var item, start upload file name (snap7 frames 57, 49, 17)', () => {
    const stop = parseS7Header(PLC_STOP, 7, PLC_STOP.length);
    assert.equal(stop.status === 'ok' && stop.value.rosctr, 1);
    const h = stop.status === 'ok' ? stop.value : undefined;
    const sp = parseJobParams(PLC_STOP, h!.paramOffset, h!.paramOffset + h!.paramLength);
    assert.deepEqual(sp.status === 'ok' && [sp.value.functionCode, sp.value.piService], [0x29, 'P_PROGRAM']);
    const w = parseS7Header(WRITE_VAR, 7, WRITE_VAR.length);
    const wh = w.status === 'ok' ? w.value : undefined;
    const wp = parseJobParams(WRITE_VAR, wh!.paramOffset, wh!.paramOffset + wh!.paramLength);
    assert.deepEqual(wp.status === 'ok' && wp.value.items, [{ syntax_id: 0x10, transport_size: 8, length: 1, db_number: 0, area: 0x83, area_name: 'flags', address: 16, bit: 0 }]);
    const u = parseS7Header(START_UPLOAD, 7, START_UPLOAD.length);
    const uh = u.status === 'ok' ? u.value : undefined;
    const up = parseJobParams(START_UPLOAD, uh!.paramOffset, uh!.paramOffset + uh!.paramLength);
    assert.deepEqual(up.status === 'ok' && [up.value.filename, up.value.blockType, up.value.blockNumber, up.value.fileSystem], ['_0B00000A', 'SDB', '00000', 'active']);
    assert.deepEqual(parseS7Header(hex('32010000000000ff0000'), 0, 10), { status: 'invalid', anomaly: 'app.s7comm.length_overflow' });
  });

  it('probe: S7 TSAPs or an S7 header say yes; RDP connection requests do not', () => {
    assert.equal(probeS7comm(CR, 0), 'yes');
    assert.equal(probeS7comm(PLC_STOP, 0), 'yes');
    assert.equal(probeS7comm(RDP_CR, 0), 'maybe');
    assert.equal(probeS7comm(hex('160301'), 0), 'no');
  });

  it('S7comm-plus header (generated per the Wireshark S7comm-plus dissector: 72 02 len, opcode 0x31, function 0x0542)', () => {
    const plus = hex('7202001e31000005420000000a');
    assert.deepEqual(parseS7PlusHeader(plus, 0, plus.length), { status: 'ok', value: { pduType: 2, dataLength: 30, opcode: 0x31, functionCode: 0x0542 }, length: plus.length });
    const tpkt = hex('0300001202f080' + '7202001e31000005420000000a'.slice(0, 22));
    const out = runAnalyzer(s7comm, [{ dir: 0, bytes: tpkt }], tcp102);
    assert.deepEqual(out.events[0].fields, { pdu_type: 2, pdu_type_name: 'data', data_length: 30, opcode: 0x31, opcode_name: 'request', function_code: 0x0542, function: 'set_multi_variables' });
    assert.equal(probeS7comm(tpkt, 0), 'yes');
  });

  it('fuzz: parsers never throw', () => {
    fuzz([CR, PLC_STOP, WRITE_VAR, START_UPLOAD], (b) => {
      parseTpkt(b, 0, b.length);
      parseCotp(b, Math.min(4, b.length), b.length);
      parseS7Header(b, Math.min(7, b.length), b.length);
      parseJobParams(b, Math.min(17, b.length), b.length);
      parseUserdataParams(b, 0, b.length);
      parseSzlResponse(b, 0, b.length);
      parseS7PlusHeader(b, 0, b.length);
      probeS7comm(b, 0);
    });
  });
});

describe('s7comm analyzer (real captures)', () => {
  it('ICSNPP snap7 s7comm.log: every row (rosctr, pdu reference, function, subfunction, error) matches', async () => {
    const evs = (await pipelineEvents(traces + 'snap7.pcap')).filter((e) => e.type !== 's7comm.szl');
    const rosctr: Record<string, string> = { 's7comm.job': '1', 's7comm.ack': '2', 's7comm.ack_data': '3', 's7comm.userdata': '7' };
    const rows = zeekLog('icsnpp-snap7.s7comm.log');
    assert.equal(rows.length, 61);
    for (const row of rows) {
      const ev = evs.find((e) => e.from_orig === (row.is_orig === 'T') && icsnppRef(e.pdu_reference as number) === Number(row.pdu_reference) && rosctr[e.type] === row.rosctr_code);
      assert.ok(ev, JSON.stringify(row));
      assert.equal(ev.src_ip, row.source_h);
      if (row.rosctr_code === '7') {
        const type = ev.method === 'request' ? 4 : 8;
        assert.equal(((type << 4) | (ev.function_group as number)), parseInt(row.function_code, 16), JSON.stringify(row));
        assert.equal(ev.subfunction, parseInt(row.subfunction_code, 16));
        assert.equal(ev.subfunction_name, snake(row.subfunction_name));
        if (row.error_code !== '-') assert.equal(ev.error_code, parseInt(row.error_code, 16), JSON.stringify(row));
      } else {
        assert.equal(ev.function_code, parseInt(row.function_code, 16), JSON.stringify(row));
        assert.equal(ev.function, jobNames[row.function_name]);
        if (row.subfunction_code !== '-') assert.deepEqual([ev.pi_service, ev.pi_service_name], [row.subfunction_code, piNames[row.subfunction_name]]);
        if (row.error_class === 'No error') assert.deepEqual([ev.error_class, ev.error_code], [0, 0]);
      }
    }
  });

  it('ICSNPP snap7 s7comm_read_szl.log and s7comm_upload_download.log: every row matches', async () => {
    const evs = await pipelineEvents(traces + 'snap7.pcap');
    for (const row of zeekLog('icsnpp-snap7.s7comm_read_szl.log')) {
      const ev = evs.find((e) => e.type === 's7comm.szl' && e.from_orig === (row.is_orig === 'T') && icsnppRef(e.pdu_reference as number) === Number(row.pdu_reference));
      assert.ok(ev, JSON.stringify(row));
      assert.deepEqual([ev.method, ev.szl_id, ev.szl_id_name, ev.szl_index, ev.return_code], [row.method.toLowerCase(), parseInt(row.szl_id, 16), snake(row.szl_id_name), parseInt(row.szl_index, 16), parseInt(row.return_code, 16)]);
    }
    const blockNames: Record<string, string> = { 'System Data Block': 'SDB', 'Organization Block': 'OB' };
    const rows = zeekLog('icsnpp-snap7.s7comm_upload_download.log');
    assert.equal(rows.length, 25);
    for (const row of rows) {
      const ev = evs.find((e) => (e.type === 's7comm.job' || e.type === 's7comm.ack_data') && e.from_orig === (row.is_orig === 'T') && icsnppRef(e.pdu_reference as number) === Number(row.pdu_reference));
      assert.ok(ev, JSON.stringify(row));
      assert.equal(ev.function, jobNames[row.function_name]);
      if (row.session_id !== '-') assert.equal(ev.session_id, Number(row.session_id), JSON.stringify(row));
      if (row.blocklength !== '-') assert.equal(ev.block_length, Number(row.blocklength), JSON.stringify(row));
      if (row.filename !== '-') {
        assert.deepEqual([ev.filename, ev.block_type, ev.block_number, ev.destination_filesystem], [row.filename, blockNames[row.block_type], row.block_number, snake(row.destination_filesystem)]);
      }
    }
  });

  it('ICSNPP s7ident s7comm_known_devices.log: station, module, plant and serial from SZL 0x001c; firmware from 0x0011', async () => {
    const evs = await pipelineEvents(traces + 's7ident.pcap');
    const [known] = zeekLog('icsnpp-s7ident.s7comm_known_devices.log');
    const comp = evs.find((e) => e.type === 's7comm.szl' && e.method === 'response' && e.szl_id === 0x1c);
    assert.ok(comp);
    assert.deepEqual([comp.automation_system_name, comp.module_name, comp.plant_name, comp.serial_number], [known.automation_system_name, known.module_name, known.plant_name === '(empty)' ? '' : known.plant_name, known.module_serial]);
    assert.equal(comp.src_ip, known['id.resp_h']);
    // tshark (s7comm.szl.0011.0001.mlfb, ausbg/ausbe of index 7): 6ES7 315-2EH14-0AB0, firmware V3.2.6.
    const mod = evs.find((e) => e.type === 's7comm.szl' && e.method === 'response' && e.szl_id === 0x11);
    assert.deepEqual([mod?.order_number, mod?.firmware_version], ['6ES7 315-2EH14-0AB0', 'V3.2.6']);
    const cr = evs.find((e) => e.type === 's7comm.cotp_connect');
    assert.deepEqual([cr?.cotp_type, cr?.src_tsap, cr?.dst_tsap, cr?.rack, cr?.slot], ['connection_request', '0100', '0101', 0, 1]);
  });

  it('ICSNPP cotp.log: connection request/confirm, and one S7 PDU per DT row in each direction', async () => {
    for (const name of ['s7ident', 'snap7']) {
      const evs = (await pipelineEvents(`${traces}${name}.pcap`)).filter((e) => e.type !== 's7comm.szl');
      const rows = zeekLog(`icsnpp-${name}.cotp.log`);
      for (const orig of [true, false]) {
        const mine = evs.filter((e) => e.from_orig === orig);
        const theirs = rows.filter((r) => (r.is_orig === 'T') === orig);
        assert.equal(mine.filter((e) => e.type !== 's7comm.cotp_connect').length, theirs.filter((r) => r.pdu_name === 'DT Data').length, `${name} ${orig}`);
        const connect = theirs.filter((r) => r.pdu_name !== 'DT Data').map((r) => (r.pdu_name.startsWith('CR') ? 'connection_request' : 'connection_confirm'));
        assert.deepEqual(mine.filter((e) => e.type === 's7comm.cotp_connect').map((e) => e.cotp_type), connect, `${name} ${orig}`);
      }
    }
  });

  it('snap7 component identification answer is joined from two user-data fragments (frames 6 and 8)', async () => {
    const evs = await pipelineEvents(traces + 'snap7.pcap');
    const comp = evs.find((e) => e.type === 's7comm.szl' && e.method === 'response' && e.szl_id === 0x1c);
    assert.equal(comp?.packet, 8);
    assert.deepEqual([comp?.automation_system_name, comp?.module_name, comp?.copyright, comp?.memory_card_serial], ['S7300/ET200M station_1', 'PLC_1', 'Original Siemens Equipment', 'MMC 4A1AC019']);
    const mode = evs.find((e) => e.type === 's7comm.szl' && e.szl_id === 0x0424 && e.method === 'response');
    assert.equal(mode?.cpu_mode, 'run');
  });

  it('nDPI s7comm.pcap: classified S7comm; the DB1 download and its activation (tshark)', async () => {
    assert.match(readFileSync(traces + 'ndpi-s7comm.pcap.out', 'utf8'), /TCP 192\.168\.1\.10:4185 <-> 192\.168\.1\.40:102 \[proto: 249\/S7Comm\]/);
    const evs = await pipelineEvents(traces + 'ndpi-s7comm.pcap');
    const jobs = evs.filter((e) => e.type === 's7comm.job').map((e) => `${e.packet}:${e.function}:${e.filename ?? e.pi_service ?? ''}`);
    assert.deepEqual(jobs, ['3:setup_communication:', '39:request_download:_0A00001P', '42:download_block:_0A00001P', '45:download_block:_0A00001P', '48:download_block:_0A00001P', '51:download_ended:_0A00001P', '54:plc_control:_INSE']);
    // The PLC itself sends the download_block jobs (it pulls the block from the programming station).
    assert.equal(evs.find((e) => e.packet === 42)?.src_ip, '192.168.1.40');
  });

  it('byte-at-a-time delivery gives the same events', () => {
    const d = snap7();
    const split: Delivery[] = d.flatMap((x) => Array.from(x.bytes, (byte) => ({ dir: x.dir, bytes: Uint8Array.of(byte), frame: x.frame })));
    const whole = runAnalyzer(s7comm, d, tcp102);
    // ICSNPP's s7comm.log lists 22 Job-Request rows.
    assert.equal(whole.events.filter((e) => e.type === 's7comm.job').length, 22);
    assert.deepEqual(runAnalyzer(s7comm, split, tcp102).events.map((e) => e.fields), whole.events.map((e) => e.fields));
  });

  it('TSDU and SZL caps are enforced with named anomalies', () => {
    const small = createS7comm({ maxTsdu: 16, maxSzl: 64 });
    // Two COTP data units without EOT, 20 bytes of S7 each, then the last one.
    const part = (eot: boolean, n: number) => Uint8Array.from([3, 0, 0, 7 + n, 2, 0xf0, eot ? 0x80 : 0, ...new Array(n).fill(0x32)]);
    const out = runAnalyzer(small, [part(false, 20), part(true, 4), { dir: 0, bytes: PLC_STOP } as unknown as Uint8Array].map((x) => (x instanceof Uint8Array ? { dir: 0 as const, bytes: x } : x)), tcp102);
    assert.deepEqual(out.anomalies, ['app.s7comm.tsdu_too_large']);
    assert.equal(out.events.at(-1)?.fields.function, 'plc_stop');
    const d = snap7();
    assert.ok(runAnalyzer(small, d, tcp102).anomalies.includes('app.s7comm.szl_too_large'));
  });

  it('fuzz: analyzer never throws on mutated sessions', () => {
    const session = Buffer.concat([CR, WRITE_VAR, START_UPLOAD, PLC_STOP]);
    fuzz([session, WRITE_VAR], (b) => {
      const s = s7comm.newState();
      const ctx = { wants: () => true, emit: () => {}, anomaly: () => {}, info: tcp102 };
      s7comm.data(s, 0, b.subarray(0, b.length >> 1), ctx);
      s7comm.data(s, 0, b.subarray(b.length >> 1), ctx);
      s7comm.data(s, 1, b, ctx);
    });
  });

  it('catalogue lists every anomaly id used', () => {
    const ids = new Set(anomalies.map((a) => a.id));
    for (const id of ['app.s7comm.bad_tpkt', 'app.s7comm.bad_cotp', 'app.s7comm.tsdu_too_large', 'app.s7comm.szl_too_large', 'app.s7comm.length_overflow', 'app.s7comm.frame_too_large']) assert.ok(ids.has(id), id);
  });
});
