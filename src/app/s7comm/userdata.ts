/**
 * S7comm user data (ROSCTR 7): the parameter head (method, function group, sub-function, sequence), the
 * data item, and the SZL (system status list) records Bulwark reads identity from: 0x0011 module
 * identification (order number, firmware), 0x001c component identification (names, serial), 0x0424 mode.
 * @module
 */
import { invalid, ok, type Parsed } from '../types.ts';

export const groupNames: Record<number, string> = {
  0: 'mode_transition', 1: 'programmer_commands', 2: 'cyclic_data', 3: 'block_functions', 4: 'cpu_functions',
  5: 'security', 6: 'pbc_bsend_brecv', 7: 'time_functions', 0xf: 'nc_programming',
};

export const subfunctionNames: Record<number, Record<number, string>> = {
  1: { 1: 'request_diag_data', 2: 'vartab', 0x0c: 'erase', 0x0e: 'read_diag_data', 0x0f: 'remove_diag_data', 0x10: 'forces', 0x13: 'request_diag_data2' },
  2: { 1: 'cyclic_memory', 4: 'unsubscribe', 5: 'cyclic_memory_change_driven' },
  3: { 1: 'list_blocks', 2: 'list_blocks_of_type', 3: 'get_block_info' },
  4: {
    1: 'read_szl', 2: 'message_service', 3: 'diagnostic_message', 5: 'alarm8_indication', 6: 'notify_indication', 7: 'alarm8_lock',
    8: 'alarm8_unlock', 0x0b: 'alarm_ack', 0x0c: 'alarm_ack_indication', 0x0d: 'alarm_lock_indication', 0x0e: 'alarm_unlock_indication',
    0x11: 'alarm_sq_indication', 0x12: 'alarm_s_indication', 0x13: 'alarm_query', 0x16: 'notify8_indication',
  },
  5: { 1: 'plc_password' },
  7: { 1: 'read_clock', 2: 'set_clock', 3: 'read_clock_following', 4: 'set_clock2' },
};

export const szlNames: Record<number, string> = {
  0x0000: 'szl_id_list', 0x0011: 'module_identification', 0x0111: 'module_identification_record', 0x0f11: 'module_identification_header',
  0x0012: 'cpu_characteristics', 0x0013: 'memory_areas', 0x0014: 'system_areas', 0x0015: 'block_types', 0x0019: 'led_status',
  0x001c: 'component_identification', 0x011c: 'component_identification_record', 0x0022: 'interrupt_status', 0x0025: 'process_image_partitions',
  0x0032: 'communication_status_data', 0x0037: 'ethernet_details', 0x0074: 'led_status', 0x0091: 'module_status',
  0x0092: 'rack_station_status', 0x0094: 'rack_station_status', 0x0096: 'module_status_profinet', 0x00a0: 'diagnostic_buffer',
  0x00b1: 'module_diagnostic_data', 0x0131: 'communication_capability_parameters', 0x0132: 'communication_status_data',
  0x0222: 'interrupt_status', 0x0424: 'modes', 0x0524: 'modes',
};

export interface UserdataParams {
  /** 0x11 request, 0x12 response (push: 0x00). */
  method: number;
  /** 4 = request, 8 = response, 0 = push. */
  type: number;
  group: number;
  subfunction: number;
  sequence: number;
  dataUnitReference?: number;
  /** Responses: another PDU with the same sequence continues the data. */
  moreFollows?: boolean;
  errorCode?: number;
}

export function parseUserdataParams(b: Uint8Array, off: number, end: number): Parsed<UserdataParams> {
  if (end - off < 8) return invalid('app.s7comm.param_too_short');
  const plen = b[off + 3];
  const p: UserdataParams = { method: b[off + 4], type: b[off + 5] >> 4, group: b[off + 5] & 0x0f, subfunction: b[off + 6], sequence: b[off + 7] };
  if (plen >= 8 && end - off >= 12) {
    p.dataUnitReference = b[off + 8];
    p.moreFollows = b[off + 9] !== 0;
    p.errorCode = (b[off + 10] << 8) | b[off + 11];
  }
  return ok(p, end - off);
}

/** The data item of a user data PDU: return code, transport size and the payload range. */
export interface DataItem {
  returnCode: number;
  transportSize: number;
  start: number;
  end: number;
}

export function parseDataItem(b: Uint8Array, off: number, end: number): Parsed<DataItem> {
  if (end - off < 4) return invalid('app.s7comm.data_too_short');
  const n = (b[off + 2] << 8) | b[off + 3];
  return ok({ returnCode: b[off], transportSize: b[off + 1], start: off + 4, end: Math.min(end, off + 4 + n) }, end - off);
}

/** What the SZL records say about the device. */
export interface SzlIdentity {
  order_number?: string;
  firmware_version?: string;
  boot_loader_version?: string;
  automation_system_name?: string;
  module_name?: string;
  plant_name?: string;
  copyright?: string;
  serial_number?: string;
  module_type_name?: string;
  memory_card_serial?: string;
  oem_id?: string;
  location?: string;
  cpu_mode?: string;
}

export interface SzlResponse {
  szlId: number;
  szlIndex: number;
  recordLength: number;
  recordCount: number;
  identity: SzlIdentity;
}

/** Text of a fixed-width field: up to the first NUL, trailing blanks trimmed. */
function text(b: Uint8Array, off: number, end: number): string {
  let s = '';
  for (let i = off; i < end && b[i] !== 0; i++) s += b[i] >= 0x20 && b[i] < 0x7f ? String.fromCharCode(b[i]) : '';
  return s.trim();
}

const componentFields: Record<number, keyof SzlIdentity> = {
  1: 'automation_system_name', 2: 'module_name', 3: 'plant_name', 4: 'copyright', 5: 'serial_number', 7: 'module_type_name',
  8: 'memory_card_serial', 0x0a: 'oem_id', 0x0b: 'location',
};

const modeNames: Record<number, string> = {
  1: 'stop', 2: 'stop', 3: 'stop', 4: 'stop', 5: 'startup', 6: 'startup', 7: 'startup', 8: 'run', 9: 'run', 0x0a: 'hold', 0x0d: 'defect',
};

/** SZL answer payload (after the data item header): id, index, record length and count, then the records. */
export function parseSzlResponse(b: Uint8Array, off: number, end: number): Parsed<SzlResponse> {
  if (end - off < 8) return invalid('app.s7comm.data_too_short');
  const r: SzlResponse = {
    szlId: (b[off] << 8) | b[off + 1], szlIndex: (b[off + 2] << 8) | b[off + 3],
    recordLength: (b[off + 4] << 8) | b[off + 5], recordCount: (b[off + 6] << 8) | b[off + 7], identity: {},
  };
  const id = r.identity;
  const len = r.recordLength;
  if (len === 0) return ok(r, end - off);
  const base = r.szlId & 0x00ff;
  for (let i = 0, o = off + 8; i < r.recordCount && o + len <= end && i < 256; i++, o += len) {
    const index = (b[o] << 8) | b[o + 1];
    if (base === 0x11 && len >= 28) {
      // Index (2), order number MlfB (20), module type (2), version fields Ausbg (2) and Ausbe (2).
      const ausbg = o + 24;
      const ausbe = o + 26;
      if (index === 1) id.order_number = text(b, o + 2, o + 22);
      if (index === 7 && b[ausbg] === 0x56) id.firmware_version = `V${b[ausbg + 1]}.${b[ausbe]}.${b[ausbe + 1]}`;
      if (index === 0x81 && b[ausbg] >= 0x41 && b[ausbg] <= 0x5a) id.boot_loader_version = `${String.fromCharCode(b[ausbg])}${b[ausbg + 1]}.${b[ausbe]}.${b[ausbe + 1]}`;
    } else if (base === 0x1c && len >= 34) {
      const key = componentFields[index];
      if (key) id[key] = text(b, o + 2, o + len);
    } else if (r.szlId === 0x0424 && len >= 4) {
      const mode = modeNames[b[o + 3]];
      if (mode) id.cpu_mode = mode;
    }
  }
  return ok(r, end - off);
}
