import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Pipeline } from '../pipeline/analyze.ts';
import { Inventory } from './inventory.ts';
import type { DeviceRecord } from './types.ts';

const traces = fileURLToPath(new URL('../../test/traces/ot/', import.meta.url));

/** Devices of one OT trace; lab traces use public addresses, so every address counts as local here. */
async function devices(name: string): Promise<DeviceRecord[]> {
  const p = new Pipeline();
  const inv = new Inventory({ localNets: ['0.0.0.0/0', '::/0'] }).attach(p);
  await p.run([traces + name]);
  return inv.devices();
}

const byIp = (ds: DeviceRecord[], ip: string): DeviceRecord | undefined => ds.find((d) => d.ips.some((b) => b.ip === ip));

describe('inventory: industrial devices from their protocols', () => {
  it('s7ident: the Snap7 PLC with the model and serial ICSNPP lists, firmware as tshark decodes it', async () => {
    const lines = readFileSync(traces + 'icsnpp-s7ident.s7comm_known_devices.log', 'utf8').split('\n');
    const fields = lines.find((l) => l.startsWith('#fields'))!.split('\t').slice(1);
    const row = Object.fromEntries(lines.find((l) => l && !l.startsWith('#'))!.split('\t').map((v, i) => [fields[i], v]));
    const plc = byIp(await devices('s7ident.pcap'), row['id.resp_h']);
    assert.ok(plc);
    const id = plc.identification;
    assert.equal(id.type, 'plc');
    assert.equal(id.serial, row.module_serial);
    assert.ok(id.model?.endsWith(row.module_name), id.model);
    assert.equal(id.vendor, 'Siemens');
    // tshark: SZL 0x0011 index 7 Ausbg 22019 (0x5603: 'V', 3), Ausbe 518 (0x0206) -> V3.2.6.
    assert.equal(id.firmware, `V${22019 & 0xff}.${518 >> 8}.${518 & 0xff}`);
  });

  it('snap7: PLC 134.217.61.211 (serial from the second SZL fragment) and its client', async () => {
    const ds = await devices('snap7.pcap');
    const plc = byIp(ds, '134.217.61.211')!.identification;
    // tshark (s7comm.szl.001c.0005.serialn): S C-B1U393142011; 0x0011 index 7: 0x5603 / 0x0207.
    assert.deepEqual([plc.type, plc.vendor, plc.serial, plc.firmware, plc.roles], ['plc', 'Siemens', 'S C-B1U393142011', 'V3.2.7', ['s7comm server']]);
    const client = byIp(ds, '134.217.61.131')!.identification;
    assert.deepEqual([client.type, client.roles], ['hmi', ['s7comm client']]);
  });

  it('DNP3: outstation 130.126.140.229 is an RTU, master 130.126.142.250 an HMI (Zeek trace; addresses 2 and 3)', async () => {
    const ds = await devices('zeek-dnp3_read.pcap');
    const rtu = byIp(ds, '130.126.140.229')!;
    assert.deepEqual([rtu.identification.type, rtu.identification.roles], ['rtu', ['dnp3 outstation']]);
    assert.ok(rtu.evidence.some((e) => e.signal === 'ot.address' && e.value === 'dnp3 outstation address 2'));
    assert.equal(byIp(ds, '130.126.142.250')!.identification.type, 'hmi');
  });

  it('Modbus: the servers of the suricata-verify trace answer as unit 10; report server id text kept as evidence', async () => {
    const ds = await devices('sv-modbus.pcap');
    const server = byIp(ds, '10.0.0.3')!;
    assert.deepEqual([server.identification.type, server.identification.roles], ['plc', ['modbus server']]);
    assert.ok(server.evidence.some((e) => e.signal === 'ot.address' && e.value === 'modbus unit 10'));
    assert.ok(server.evidence.some((e) => e.signal === 'ot.product' && e.value === 'Wingpath Limited'));
    assert.equal(byIp(ds, '10.0.0.57')!.identification.type, 'hmi');
  });
});
