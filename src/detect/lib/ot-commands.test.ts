import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createDnp3 } from '../../app/dnp3/analyzer.ts';
import { dnp3Crc } from '../../app/dnp3/parser.ts';
import { otCommand } from './ot-commands.ts';
import type { EventRecord } from '../../pipeline/analyze.ts';

const envelope = { ts: 1, file: 'f.pcap', packet: 7, src_ip: '10.0.0.9', dst_ip: '10.0.0.3', from_orig: true };
const ev = (type: string, fields: Record<string, unknown>): EventRecord => ({ type, ...envelope, ...fields });

/**
 * One DNP3 link frame carrying `app` (transport FIR|FIN, sequence 0) from master 1 to outstation 10, built per
 * IEEE 1815 §9 (header CRC, a CRC after every 16 user-data octets): the requests no shared trace has.
 */
function dnp3Frame(app: number[]): Uint8Array {
  const user = [0xc0, ...app];
  const head = [0x05, 0x64, 5 + user.length, 0xc4, 10, 0, 1, 0];
  const out = [...head];
  const crc = (b: number[]) => { const c = dnp3Crc(Uint8Array.from(b), 0, b.length); return [c & 0xff, c >> 8]; };
  out.push(...crc(head));
  for (let i = 0; i < user.length; i += 16) {
    const block = user.slice(i, i + 16);
    out.push(...block, ...crc(block));
  }
  return Uint8Array.from(out);
}

function dnp3Request(app: number[]): EventRecord {
  const proto = createDnp3();
  const s = proto.newState();
  let out: EventRecord | undefined;
  proto.data(s, 0, dnp3Frame(app), { wants: () => true, anomaly: (id) => assert.fail(id), emit: (type, f) => { out = ev(type, f); }, info: { transport: 'tcp', origPort: 40000, respPort: 20000 } });
  assert.ok(out);
  return out;
}

test('Modbus: writes, diagnostics restart and listen-only, reads', () => {
  assert.deepEqual(otCommand(ev('modbus.request', { unit_id: 10, function_code: 6, function: 'write_single_register', access: 'write', address: 5, values: [11] })), {
    protocol: 'modbus', command: 'write_single_register', kind: 'write', unit: 'unit 10', detail: 'write_single_register at address 5', masterBehaviour: false,
    client: '10.0.0.9', server: '10.0.0.3', ts: 1, evidence: { file: 'f.pcap', packet: 7, ts: 1 },
  });
  assert.equal(otCommand(ev('modbus.request', { unit_id: 10, function_code: 8, function: 'diagnostics', sub_function: 4, sub_function_name: 'force_listen_only_mode' }))?.action, 'silence');
  assert.equal(otCommand(ev('modbus.request', { unit_id: 10, function_code: 8, function: 'diagnostics', sub_function: 1, sub_function_name: 'restart_communications_option' }))?.action, 'restart');
  assert.equal(otCommand(ev('modbus.request', { unit_id: 10, function_code: 8, function: 'diagnostics', sub_function: 0 }))?.kind, 'read');
  // Polling is master behaviour; identification (17, 43) is what any tool sends first.
  assert.equal(otCommand(ev('modbus.request', { unit_id: 10, function_code: 3, function: 'read_holding_registers', access: 'read' }))?.masterBehaviour, true);
  assert.equal(otCommand(ev('modbus.request', { unit_id: 10, function_code: 43, function: 'encapsulated_interface_transport' }))?.masterBehaviour, false);
  assert.equal(otCommand(ev('modbus.request', { unit_id: 1, function_code: 21, function: 'write_file_record', access: 'write' }))?.action, 'file_operation');
  // A response event is not a command; the server of a flow seen from its answer is still the responder.
  assert.equal(otCommand(ev('modbus.response', { unit_id: 1 })), undefined);
  assert.deepEqual([otCommand(ev('dnp3.request', { function_code: 1, function: 'read', destination: 2, from_orig: false }))?.client], ['10.0.0.3']);
});

test('DNP3 (frames built per IEEE 1815): cold restart, stop application, open file with its name, direct operate', () => {
  assert.deepEqual([otCommand(dnp3Request([0xc0, 13]))?.action, otCommand(dnp3Request([0xc0, 13]))?.unit], ['restart', 'outstation 10']);
  assert.equal(otCommand(dnp3Request([0xc0, 18]))?.action, 'stop');
  // Open file: g70v3, qualifier 0x5b (2-octet size prefix, 1-octet count), 26 fixed octets then the name.
  const name = [...Buffer.from('/cfg/relay.cfg')];
  const obj = [26, 0, name.length, 0, 0, 0, 0, 0, 0, 0, 0x24, 0x01, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 4, 1, 0, ...name];
  const open = otCommand(dnp3Request([0xc0, 25, 70, 3, 0x5b, 1, obj.length, 0, ...obj]));
  assert.deepEqual([open?.action, open?.command], ['file_operation', 'open_file']);
  assert.match(open!.detail, /file \/cfg\/relay\.cfg/);
  // Direct operate of a CROB (g12v1, 1-octet count, 1-octet index 3, latch off).
  const op = otCommand(dnp3Request([0xc0, 5, 12, 1, 0x17, 1, 3, 0x04, 1, 0x64, 0, 0, 0, 0x64, 0, 0, 0, 0]));
  assert.deepEqual([op?.kind, op?.command], ['write', 'direct_operate']);
});

test('S7comm: write var, PLC stop, download, activation, upload, set clock; reads are reads', () => {
  const s7 = (f: Record<string, unknown>) => otCommand(ev('s7comm.job', { dst_port: 102, ...f }));
  assert.equal(s7({ function: 'write_var', items: [{ area_name: 'data_blocks', db_number: 1, address: 4 }] })?.detail, 'write_var to data_blocks DB1 byte 4');
  assert.equal(s7({ function: 'plc_stop', pi_service: 'P_PROGRAM' })?.action, 'stop');
  assert.equal(s7({ function: 'download_block', filename: '_0A00001P', block_type: 'DB', block_number: '00001' })?.action, 'program_download');
  assert.equal(s7({ function: 'plc_control', pi_service: '_INSE', pi_service_name: 'activate_block' })?.action, 'program_change');
  assert.equal(s7({ function: 'start_upload', filename: '_0800001A' })?.action, 'program_upload');
  assert.deepEqual([s7({ function: 'read_var' })?.kind, s7({ function: 'read_var' })?.masterBehaviour], ['read', true]);
  assert.equal(s7({ function: 'setup_communication' })?.masterBehaviour, false);
  assert.equal(otCommand(ev('s7comm.userdata', { method: 'request', function_group: 7, subfunction: 2 }))?.action, 'clock');
  assert.equal(otCommand(ev('s7comm.userdata', { method: 'response', function_group: 7, subfunction: 2 })), undefined);
});
