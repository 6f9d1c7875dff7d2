/**
 * What the inventory takes from industrial (OT) protocol events: each side's role (client/server,
 * master/outstation), the unit or outstation address it answers as, and the identity a device reports
 * through the protocols' identification services (Modbus Read Device Identification 43/14 and Report
 * Server ID 17, S7 SZL module and component identification). Evidence signals are `ot.*` so identify.ts
 * can name vendor, model, firmware and serial without caring which protocol said it.
 * @module
 */
import type { EventRecord } from '../pipeline/analyze.ts';
import type { Inventory } from './inventory.ts';
import type { DeviceState, Source } from './device-state.ts';

type Handler = (inv: Inventory, ev: EventRecord) => void;

/** Printable text of a field (control characters removed), or undefined. */
function str(v: unknown, max = 128): string | undefined {
  if (typeof v !== 'string') return undefined;
  const s = v.slice(0, max).replace(/\p{Cc}/gu, '').trim();
  return s === '' ? undefined : s;
}

const src = (ev: EventRecord): Source => ({ ts: ev.ts, file: ev.file, packet: ev.packet });
const sender = (inv: Inventory, ev: EventRecord): DeviceState | undefined => inv.deviceForIp(ev.src_ip, ev.ts);
const receiver = (inv: Inventory, ev: EventRecord): DeviceState | undefined => inv.deviceForIp(ev.dst_ip, ev.ts);

function role(d: DeviceState | undefined, value: string, ev: EventRecord): void {
  d?.addEvidence('ot.role', value, src(ev));
}

/** Identity fields as evidence, strongest signal names first (vendor, model, firmware, serial, names). */
function identity(d: DeviceState | undefined, ev: EventRecord, fields: [string, unknown][]): void {
  if (!d) return;
  for (const [signal, value] of fields) {
    const v = str(value);
    if (v) d.addEvidence(signal, v, src(ev));
  }
}

function modbusRequest(inv: Inventory, ev: EventRecord): void {
  role(sender(inv, ev), 'modbus client', ev);
}

function modbusAnswer(inv: Inventory, ev: EventRecord): void {
  const d = sender(inv, ev);
  role(d, 'modbus server', ev);
  if (typeof ev.unit_id === 'number') d?.addEvidence('ot.address', `modbus unit ${ev.unit_id}`, src(ev));
  if (ev.type === 'modbus.response' && ev.function_code === 17) identity(d, ev, [['ot.product', ev.server_id_text]]);
}

function modbusIdentity(inv: Inventory, ev: EventRecord): void {
  identity(sender(inv, ev), ev, [
    ['ot.vendor', ev.vendor_name], ['ot.model', ev.model_name ?? ev.product_name ?? ev.product_code], ['ot.product', ev.product_code],
    ['ot.firmware', ev.revision], ['ot.name', ev.user_application_name],
  ]);
}

function dnp3Message(inv: Inventory, ev: EventRecord): void {
  const request = ev.type === 'dnp3.request';
  const d = sender(inv, ev);
  role(d, request ? 'dnp3 master' : 'dnp3 outstation', ev);
  if (typeof ev.source === 'number') d?.addEvidence('ot.address', `dnp3 ${request ? 'master' : 'outstation'} address ${ev.source}`, src(ev));
}

/** S7: the side answering jobs and SZL reads is the PLC; the side setting up communication is the client. */
function s7Job(inv: Inventory, ev: EventRecord): void {
  if (ev.function === 'setup_communication') role(sender(inv, ev), 's7comm client', ev);
}

function s7Answer(inv: Inventory, ev: EventRecord): void {
  if (ev.function === 'setup_communication') role(sender(inv, ev), 's7comm server', ev);
}

function s7Connect(inv: Inventory, ev: EventRecord): void {
  if (ev.cotp_type !== 'connection_request') return;
  role(sender(inv, ev), 's7comm client', ev);
  const plc = receiver(inv, ev);
  role(plc, 's7comm server', ev);
  if (typeof ev.rack === 'number' && typeof ev.slot === 'number') plc?.addEvidence('ot.address', `s7 rack ${ev.rack} slot ${ev.slot}`, src(ev));
}

function s7Szl(inv: Inventory, ev: EventRecord): void {
  if (ev.method !== 'response') return;
  const d = sender(inv, ev);
  role(d, 's7comm server', ev);
  // Order numbers 6ES7 / 6ED1 / 6AV are Siemens' (the MLFB scheme); the copyright entry says so too.
  const order = str(ev.order_number);
  const siemens = (order && /^6(ES7|ED1|AV|AG)/.test(order)) || /Siemens/i.test(str(ev.copyright) ?? '');
  identity(d, ev, [
    ['ot.vendor', siemens ? 'Siemens' : undefined], ['ot.model', ev.module_type_name], ['ot.order_number', order],
    ['ot.firmware', ev.firmware_version], ['ot.serial', ev.serial_number], ['ot.name', ev.automation_system_name],
    ['ot.module_name', ev.module_name], ['ot.plant', ev.plant_name], ['ot.mode', ev.cpu_mode],
  ]);
}

export const otHandlers: Record<string, Handler> = {
  'modbus.request': modbusRequest,
  'modbus.response': modbusAnswer,
  'modbus.exception': modbusAnswer,
  'modbus.device_identification': modbusIdentity,
  'dnp3.request': dnp3Message,
  'dnp3.response': dnp3Message,
  'dnp3.unsolicited_response': dnp3Message,
  's7comm.job': s7Job,
  's7comm.ack_data': s7Answer,
  's7comm.cotp_connect': s7Connect,
  's7comm.szl': s7Szl,
};
