/**
 * Modbus/TCP parsing (Modbus Application Protocol Specification V1.1b3, Messaging on TCP/IP Guide V1.0b):
 * the MBAP header and one small function per PDU shape. Pure: bytes in, a value or a named anomaly out.
 * @module
 */
import { incomplete, invalid, ok, type Parsed } from '../types.ts';

/** MBAP header: transaction id, protocol id (0), length (unit id + PDU), unit id. */
export interface Mbap {
  transactionId: number;
  protocolId: number;
  /** Bytes after the length field: unit id + PDU. */
  length: number;
  unitId: number;
}

export const MBAP_SIZE = 7;
/** Largest PDU is 253 bytes, so the length field is at most 254 (unit id + PDU). */
export const MAX_MBAP_LENGTH = 254;

export function parseMbap(b: Uint8Array, off: number, end: number): Parsed<Mbap> {
  if (end - off < MBAP_SIZE) return incomplete(MBAP_SIZE - (end - off));
  const protocolId = (b[off + 2] << 8) | b[off + 3];
  const length = (b[off + 4] << 8) | b[off + 5];
  if (protocolId !== 0) return invalid('app.modbus.bad_protocol_id');
  if (length < 2 || length > MAX_MBAP_LENGTH) return invalid('app.modbus.bad_length');
  return ok({ transactionId: (b[off] << 8) | b[off + 1], protocolId, length, unitId: b[off + 6] }, MBAP_SIZE);
}

/** Public function codes and their names (spec §6). */
export const functionNames: Record<number, string> = {
  1: 'read_coils', 2: 'read_discrete_inputs', 3: 'read_holding_registers', 4: 'read_input_registers',
  5: 'write_single_coil', 6: 'write_single_register', 7: 'read_exception_status', 8: 'diagnostics',
  11: 'get_comm_event_counter', 12: 'get_comm_event_log', 15: 'write_multiple_coils', 16: 'write_multiple_registers',
  17: 'report_server_id', 20: 'read_file_record', 21: 'write_file_record', 22: 'mask_write_register',
  23: 'read_write_multiple_registers', 24: 'read_fifo_queue', 43: 'encapsulated_interface_transport',
};

/** Function code category as Suricata names it: public assigned, public unassigned, user defined, reserved. */
export function functionCategory(fc: number): 'public_assigned' | 'public_unassigned' | 'user_defined' | 'reserved' {
  if (functionNames[fc] !== undefined) return 'public_assigned';
  if ((fc >= 65 && fc <= 72) || (fc >= 100 && fc <= 110)) return 'user_defined';
  // Reserved for legacy products (spec Annex A): 9, 10, 13, 14, 41, 42, 90, 91, 125, 126, 127.
  if ([9, 10, 13, 14, 41, 42, 90, 91, 125, 126, 127].includes(fc)) return 'reserved';
  return 'public_unassigned';
}

/** What a function does to the data model: 'read', 'write', 'read_write' or undefined for the rest. */
export function functionAccess(fc: number): 'read' | 'write' | 'read_write' | undefined {
  if ([1, 2, 3, 4, 20, 24].includes(fc)) return 'read';
  if ([5, 6, 15, 16, 21, 22].includes(fc)) return 'write';
  if (fc === 23) return 'read_write';
  return undefined;
}

/** Diagnostics (08) sub-functions (spec §6.8.1). */
export const diagnosticNames: Record<number, string> = {
  0: 'return_query_data', 1: 'restart_communications_option', 2: 'return_diagnostic_register',
  3: 'change_ascii_input_delimiter', 4: 'force_listen_only_mode', 10: 'clear_counters_and_diagnostic_register',
  11: 'return_bus_message_count', 12: 'return_bus_communication_error_count', 13: 'return_bus_exception_error_count',
  14: 'return_server_message_count', 15: 'return_server_no_response_count', 16: 'return_server_nak_count',
  17: 'return_server_busy_count', 18: 'return_bus_character_overrun_count', 20: 'clear_overrun_counter_and_flag',
};

export const exceptionNames: Record<number, string> = {
  1: 'illegal_function', 2: 'illegal_data_address', 3: 'illegal_data_value', 4: 'server_device_failure',
  5: 'acknowledge', 6: 'server_device_busy', 8: 'memory_parity_error', 10: 'gateway_path_unavailable',
  11: 'gateway_target_device_failed_to_respond',
};

/** Read Device Identification (43/14) basic and regular object ids (spec §6.21). */
export const deviceIdObjectNames: Record<number, string> = {
  0: 'vendor_name', 1: 'product_code', 2: 'major_minor_revision', 3: 'vendor_url', 4: 'product_name',
  5: 'model_name', 6: 'user_application_name',
};

/** MEI type 14 of function 43: Read Device Identification; 13 is CANopen general reference. */
export const MEI_READ_DEVICE_ID = 14;

/** Fields of one request or response PDU, as far as its function defines them. */
export interface ModbusPdu {
  functionCode: number;
  /** Set on exception responses (function code with bit 7 set): the exception code. */
  exceptionCode?: number;
  address?: number;
  quantity?: number;
  /** Register values (16-bit) or coil/discrete states (0/1) carried by the PDU. */
  values?: number[];
  byteCount?: number;
  subFunction?: number;
  /** Diagnostics data word(s), event counters, server id, exception status. */
  data?: number[];
  andMask?: number;
  orMask?: number;
  readAddress?: number;
  readQuantity?: number;
  writeAddress?: number;
  writeQuantity?: number;
  meiType?: number;
  readDeviceIdCode?: number;
  objectId?: number;
  conformityLevel?: number;
  moreFollows?: boolean;
  nextObjectId?: number;
  objects?: { id: number; value: string }[];
  /** File record references (20/21): file number, record number, record length. */
  fileRecords?: { file: number; record: number; length: number }[];
  /** Report Server ID: the device-specific id bytes (hex) and the run indicator (0xff on, 0x00 off). */
  serverId?: string;
  runIndicator?: boolean;
  /** Printable text found in a Report Server ID answer (vendors put their product name there). */
  serverIdText?: string;
  /** Event log (12): status, event count, message count. */
  status?: number;
  eventCount?: number;
  messageCount?: number;
}

const u16 = (b: Uint8Array, o: number): number => (b[o] << 8) | b[o + 1];

function words(b: Uint8Array, off: number, n: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push(u16(b, off + 2 * i));
  return out;
}

/** Coil/discrete states packed LSB first (spec §6.1): `count` values, or every bit when count is undefined. */
export function unpackBits(b: Uint8Array, off: number, bytes: number, count?: number): number[] {
  const n = count ?? bytes * 8;
  const out: number[] = [];
  for (let i = 0; i < n && i < bytes * 8; i++) out.push((b[off + (i >> 3)] >> (i & 7)) & 1);
  return out;
}

/** Printable ASCII of a byte run, or undefined when it holds no text. */
export function printable(b: Uint8Array, off: number, end: number, max = 128): string | undefined {
  let s = '';
  for (let i = off; i < end && s.length < max; i++) {
    const c = b[i];
    if (c >= 0x20 && c < 0x7f) s += String.fromCharCode(c);
    else if (s.length >= 4) break;
    else s = '';
  }
  s = s.trim();
  return s.length >= 3 ? s : undefined;
}

function hexOf(b: Uint8Array, off: number, end: number): string {
  let s = '';
  for (let i = off; i < end; i++) s += b[i].toString(16).padStart(2, '0');
  return s;
}

const short = (): Parsed<ModbusPdu> => invalid('app.modbus.pdu_too_short');

/** Request PDU in b[off, end): function code first. */
export function parseRequest(b: Uint8Array, off: number, end: number): Parsed<ModbusPdu> {
  const len = end - off;
  if (len < 1) return short();
  const fc = b[off];
  const p: ModbusPdu = { functionCode: fc };
  const at = off + 1;
  switch (fc) {
    case 1: case 2: case 3: case 4: case 24:
      if (fc === 24) {
        if (len < 3) return short();
        p.address = u16(b, at);
        break;
      }
      if (len < 5) return short();
      p.address = u16(b, at);
      p.quantity = u16(b, at + 2);
      break;
    case 5: case 6:
      if (len < 5) return short();
      p.address = u16(b, at);
      p.values = [fc === 5 ? (u16(b, at + 2) === 0xff00 ? 1 : 0) : u16(b, at + 2)];
      if (fc === 5 && u16(b, at + 2) !== 0xff00 && u16(b, at + 2) !== 0) return invalid('app.modbus.bad_coil_value');
      break;
    case 8:
      if (len < 3) return short();
      p.subFunction = u16(b, at);
      p.data = words(b, at + 2, (len - 3) >> 1);
      break;
    case 15: case 16: {
      if (len < 6) return short();
      p.address = u16(b, at);
      p.quantity = u16(b, at + 2);
      p.byteCount = b[at + 4];
      if (len < 6 + p.byteCount) return short();
      p.values = fc === 15 ? unpackBits(b, at + 5, p.byteCount, Math.min(p.quantity, p.byteCount * 8)) : words(b, at + 5, Math.min(p.quantity, p.byteCount >> 1));
      break;
    }
    case 20: case 21: {
      if (len < 2) return short();
      p.byteCount = b[at];
      const records: { file: number; record: number; length: number }[] = [];
      let o = at + 1;
      const stop = Math.min(end, at + 1 + p.byteCount);
      while (o + 7 <= stop && records.length < 64) {
        const rec = { file: u16(b, o + 1), record: u16(b, o + 3), length: u16(b, o + 5) };
        records.push(rec);
        o += 7 + (fc === 21 ? rec.length * 2 : 0);
      }
      p.fileRecords = records;
      break;
    }
    case 22:
      if (len < 7) return short();
      p.address = u16(b, at);
      p.andMask = u16(b, at + 2);
      p.orMask = u16(b, at + 4);
      break;
    case 23: {
      if (len < 10) return short();
      p.readAddress = u16(b, at);
      p.readQuantity = u16(b, at + 2);
      p.writeAddress = u16(b, at + 4);
      p.writeQuantity = u16(b, at + 6);
      p.byteCount = b[at + 8];
      if (len < 10 + p.byteCount) return short();
      p.values = words(b, at + 9, Math.min(p.writeQuantity, p.byteCount >> 1));
      break;
    }
    case 43:
      if (len < 2) return short();
      p.meiType = b[at];
      if (p.meiType === MEI_READ_DEVICE_ID) {
        if (len < 4) return short();
        p.readDeviceIdCode = b[at + 1];
        p.objectId = b[at + 2];
      }
      break;
    default:
      // 7, 11, 12, 17 carry no request data; user-defined and unassigned codes are reported by code only.
      break;
  }
  return ok(p, len);
}

/** Read Device Identification response objects (spec §6.21): conformity, more follows, the object list. */
function deviceIdResponse(b: Uint8Array, at: number, end: number, p: ModbusPdu): Parsed<ModbusPdu> {
  if (end - at < 6) return short();
  p.readDeviceIdCode = b[at + 1];
  p.conformityLevel = b[at + 2];
  p.moreFollows = b[at + 3] === 0xff;
  p.nextObjectId = b[at + 4];
  const n = b[at + 5];
  const objects: { id: number; value: string }[] = [];
  let o = at + 6;
  for (let i = 0; i < n; i++) {
    if (o + 2 > end) return invalid('app.modbus.device_id_overflow');
    const id = b[o];
    const l = b[o + 1];
    if (o + 2 + l > end) return invalid('app.modbus.device_id_overflow');
    let v = '';
    for (let k = o + 2; k < o + 2 + l; k++) v += String.fromCharCode(b[k]);
    objects.push({ id, value: v });
    o += 2 + l;
  }
  p.objects = objects;
  return ok(p, end - at + 1);
}

/** Response PDU in b[off, end); `request` (the paired request) is needed to size coil lists. */
export function parseResponse(b: Uint8Array, off: number, end: number, request?: ModbusPdu): Parsed<ModbusPdu> {
  const len = end - off;
  if (len < 1) return short();
  const fc = b[off];
  const at = off + 1;
  if (fc >= 0x80) {
    if (len < 2) return short();
    return ok({ functionCode: fc & 0x7f, exceptionCode: b[at] }, 2);
  }
  const p: ModbusPdu = { functionCode: fc };
  switch (fc) {
    case 1: case 2: case 3: case 4: {
      if (len < 2) return short();
      p.byteCount = b[at];
      if (len < 2 + p.byteCount) return short();
      if (fc <= 2) {
        const q = request?.functionCode === fc ? request.quantity : undefined;
        p.values = unpackBits(b, at + 1, p.byteCount, q !== undefined ? Math.min(q, p.byteCount * 8) : undefined);
      } else p.values = words(b, at + 1, p.byteCount >> 1);
      break;
    }
    case 5: case 6:
      if (len < 5) return short();
      p.address = u16(b, at);
      p.values = [fc === 5 ? (u16(b, at + 2) === 0xff00 ? 1 : 0) : u16(b, at + 2)];
      break;
    case 7:
      if (len < 2) return short();
      p.data = [b[at]];
      break;
    case 8:
      if (len < 3) return short();
      p.subFunction = u16(b, at);
      p.data = words(b, at + 2, (len - 3) >> 1);
      break;
    case 11:
      if (len < 5) return short();
      p.status = u16(b, at);
      p.eventCount = u16(b, at + 2);
      break;
    case 12:
      if (len < 8) return short();
      p.byteCount = b[at];
      p.status = u16(b, at + 1);
      p.eventCount = u16(b, at + 3);
      p.messageCount = u16(b, at + 5);
      break;
    case 15: case 16:
      if (len < 5) return short();
      p.address = u16(b, at);
      p.quantity = u16(b, at + 2);
      break;
    case 17: {
      if (len < 2) return short();
      p.byteCount = b[at];
      const stop = Math.min(end, at + 1 + p.byteCount);
      if (stop - (at + 1) >= 2) {
        // Server id is device specific; its last byte is the run indicator (spec §6.17).
        p.serverId = hexOf(b, at + 1, stop - 1);
        p.runIndicator = b[stop - 1] === 0xff;
        const text = printable(b, at + 1, stop);
        if (text !== undefined) p.serverIdText = text;
      }
      break;
    }
    case 20: case 21: case 23: case 24:
      if (len < 2) return short();
      p.byteCount = fc === 24 ? u16(b, at) : b[at];
      if (fc === 23) p.values = words(b, at + 1, Math.min(p.byteCount, len - 2) >> 1);
      if (fc === 24 && len >= 5) p.values = words(b, at + 4, Math.min(u16(b, at + 2), (len - 5) >> 1));
      break;
    case 22:
      if (len < 7) return short();
      p.address = u16(b, at);
      p.andMask = u16(b, at + 2);
      p.orMask = u16(b, at + 4);
      break;
    case 43:
      if (len < 2) return short();
      p.meiType = b[at];
      if (p.meiType === MEI_READ_DEVICE_ID) return deviceIdResponse(b, at, end, p);
      break;
    default:
      break;
  }
  return ok(p, len);
}

/** Request length that the PDU shape fixes (for the content probe), or undefined when it varies. */
export function fixedRequestLength(fc: number): number | undefined {
  if (fc >= 1 && fc <= 6) return 5;
  if (fc === 7 || fc === 11 || fc === 12 || fc === 17) return 1;
  if (fc === 22) return 7;
  if (fc === 24) return 3;
  return undefined;
}
