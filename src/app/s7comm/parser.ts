/**
 * S7comm parsing: TPKT (RFC 1006) and COTP (ISO 8073) framing, the S7comm header (protocol id 0x32) and
 * the parameters of each job function; S7comm-plus (protocol id 0x72) is recognised by its header.
 * Layouts follow the Wireshark S7comm dissector's documentation and the Snap7 project's notes.
 * @module
 */
import { incomplete, invalid, ok, type Parsed } from '../types.ts';

export const TPKT_HEADER = 4;
/** TPKT length is 16 bits; a frame cannot exceed 65535 bytes. */
export const MAX_TPKT = 65535;

/** Size of the TPKT frame at b[off] (version 3, reserved 0, length ≥ 7), for the framer. */
export function parseTpkt(b: Uint8Array, off: number, end: number): Parsed<number> {
  if (end - off < TPKT_HEADER) return incomplete(TPKT_HEADER - (end - off));
  if (b[off] !== 3 || b[off + 1] !== 0) return invalid('app.s7comm.bad_tpkt');
  const len = (b[off + 2] << 8) | b[off + 3];
  if (len < TPKT_HEADER + 3) return invalid('app.s7comm.bad_tpkt');
  return ok(len, TPKT_HEADER);
}

export const CotpType = { CR: 0xe0, CC: 0xd0, DR: 0x80, DC: 0xc0, DT: 0xf0, ED: 0x10, AK: 0x60, EA: 0x20, RJ: 0x50, ER: 0x70 } as const;

export const cotpTypeNames: Record<number, string> = {
  0xe0: 'connection_request', 0xd0: 'connection_confirm', 0x80: 'disconnect_request', 0xc0: 'disconnect_confirm',
  0xf0: 'data', 0x10: 'expedited_data', 0x60: 'data_ack', 0x20: 'expedited_data_ack', 0x50: 'reject', 0x70: 'tpdu_error',
};

export interface Cotp {
  /** PDU type (high nibble of the code; CR/CC carry the credit in the low nibble). */
  type: number;
  /** Offset just past the COTP header: the user data (DT) or nothing. */
  dataOffset: number;
  /** DT: last data unit of the TSDU (EOT bit). */
  eot: boolean;
  dstRef?: number;
  srcRef?: number;
  srcTsap?: string;
  dstTsap?: string;
  /** TPDU size parameter: the size in bytes (2^value). */
  tpduSize?: number;
}

const hex = (b: Uint8Array, off: number, end: number): string => {
  let s = '';
  for (let i = off; i < end; i++) s += b[i].toString(16).padStart(2, '0');
  return s;
};

/** COTP header in b[off, end) (the payload of one TPKT frame). */
export function parseCotp(b: Uint8Array, off: number, end: number): Parsed<Cotp> {
  if (end - off < 2) return invalid('app.s7comm.bad_cotp');
  const li = b[off];
  if (li < 1 || off + 1 + li > end) return invalid('app.s7comm.bad_cotp');
  const code = b[off + 1];
  const type = (code & 0xf0) === CotpType.CR || (code & 0xf0) === CotpType.CC ? code & 0xf0 : code;
  const c: Cotp = { type, dataOffset: off + 1 + li, eot: false };
  if (type === CotpType.DT) {
    if (li < 2) return invalid('app.s7comm.bad_cotp');
    c.eot = (b[off + 2] & 0x80) !== 0;
  } else if (type === CotpType.CR || type === CotpType.CC) {
    if (li < 6) return invalid('app.s7comm.bad_cotp');
    c.dstRef = (b[off + 2] << 8) | b[off + 3];
    c.srcRef = (b[off + 4] << 8) | b[off + 5];
    // Variable part: parameters (code, length, value) after the class/option byte.
    let p = off + 7;
    const stop = off + 1 + li;
    while (p + 2 <= stop) {
      const pc = b[p];
      const pl = b[p + 1];
      // A CR may carry user data instead of parameters (RDP's cookie): stop at what does not fit.
      if (p + 2 + pl > stop) break;
      if (pc === 0xc1) c.srcTsap = hex(b, p + 2, p + 2 + pl);
      else if (pc === 0xc2) c.dstTsap = hex(b, p + 2, p + 2 + pl);
      else if (pc === 0xc0 && pl === 1 && b[p + 2] < 16) c.tpduSize = 1 << b[p + 2];
      p += 2 + pl;
    }
  }
  return ok(c, 1 + li);
}

export const S7_PROTOCOL_ID = 0x32;
export const S7PLUS_PROTOCOL_ID = 0x72;

export const Rosctr = { JOB: 1, ACK: 2, ACK_DATA: 3, USERDATA: 7 } as const;

export const rosctrNames: Record<number, string> = { 1: 'job', 2: 'ack', 3: 'ack_data', 7: 'userdata' };

export interface S7Header {
  rosctr: number;
  pduReference: number;
  paramOffset: number;
  paramLength: number;
  dataOffset: number;
  dataLength: number;
  /** Ack and ack-data carry an error class and code. */
  errorClass?: number;
  errorCode?: number;
}

/** S7comm header (10 bytes, 12 for ack/ack-data) of one S7 PDU in b[off, end). */
export function parseS7Header(b: Uint8Array, off: number, end: number): Parsed<S7Header> {
  if (end - off < 10) return invalid('app.s7comm.pdu_too_short');
  if (b[off] !== S7_PROTOCOL_ID) return invalid('app.s7comm.bad_protocol_id');
  const rosctr = b[off + 1];
  if (rosctrNames[rosctr] === undefined) return invalid('app.s7comm.bad_rosctr');
  const withError = rosctr === Rosctr.ACK || rosctr === Rosctr.ACK_DATA;
  const headerLength = withError ? 12 : 10;
  if (end - off < headerLength) return invalid('app.s7comm.pdu_too_short');
  const paramLength = (b[off + 6] << 8) | b[off + 7];
  const dataLength = (b[off + 8] << 8) | b[off + 9];
  if (off + headerLength + paramLength + dataLength > end) return invalid('app.s7comm.length_overflow');
  const h: S7Header = {
    rosctr, pduReference: (b[off + 4] << 8) | b[off + 5],
    paramOffset: off + headerLength, paramLength, dataOffset: off + headerLength + paramLength, dataLength,
  };
  if (withError) {
    h.errorClass = b[off + 10];
    h.errorCode = b[off + 11];
  }
  return ok(h, headerLength + paramLength + dataLength);
}

export const jobFunctionNames: Record<number, string> = {
  0x00: 'cpu_services', 0xf0: 'setup_communication', 0x04: 'read_var', 0x05: 'write_var', 0x1a: 'request_download',
  0x1b: 'download_block', 0x1c: 'download_ended', 0x1d: 'start_upload', 0x1e: 'upload', 0x1f: 'end_upload',
  0x28: 'plc_control', 0x29: 'plc_stop',
};

export const areaNames: Record<number, string> = {
  0x03: 'system_info', 0x05: 'system_flags', 0x06: 'analog_inputs_200', 0x07: 'analog_outputs_200', 0x1c: 'counters',
  0x1d: 'timers', 0x1e: 'iec_counters', 0x1f: 'iec_timers', 0x80: 'direct_peripheral', 0x81: 'inputs', 0x82: 'outputs',
  0x83: 'flags', 0x84: 'data_blocks', 0x85: 'instance_data_blocks', 0x86: 'local_data', 0x87: 'previous_local_data',
};

/** Block types in upload/download file names ('_0A00001P': type 0A = DB, number 00001, file system P). */
export const blockTypeNames: Record<string, string> = {
  '08': 'OB', '09': 'CMOD', '0A': 'DB', '0B': 'SDB', '0C': 'FC', '0D': 'SFC', '0E': 'FB', '0F': 'SFB',
};

export const fileSystemNames: Record<string, string> = { P: 'passive', A: 'active', B: 'active_and_passive' };

/** PI services (plc_control): what the service name means. */
export const piServiceNames: Record<string, string> = {
  _INSE: 'activate_block', _DELE: 'delete_block', P_PROGRAM: 'program_start_stop', _MODU: 'copy_ram_to_rom',
  _GARB: 'compress_memory', _N_LOGIN_: 'login', _N_LOGOUT: 'logout', _N_CANCEL: 'cancel_alarm', _N_DASAVE: 'save_data',
  _N_DIGIOF: 'digitizing_off', _N_DIGION: 'digitizing_on', _N_DZERO_: 'set_all_d_numbers_invalid', _N_ENDEXT: 'end_external',
  _N_F_OPER: 'open_file_read_only', _N_OST_OF: 'overstore_off', _N_OST_ON: 'overstore_on', _N_SCALE_: 'unit_of_measurement',
  _N_SETUFR: 'activate_user_frame', _N_STRTLK: 'global_start_disable_set', _N_STRTUL: 'global_start_disable_reset',
  _N_TMRASS: 'reset_active_state', _EXTERN: 'external_program_selection',
};

export interface VarItem {
  syntax_id: number;
  transport_size: number;
  length: number;
  db_number: number;
  area: number;
  area_name: string;
  /** Byte address and bit within it. */
  address: number;
  bit: number;
}

export interface JobParams {
  functionCode: number;
  items?: VarItem[];
  itemCount?: number;
  maxAmqCalling?: number;
  maxAmqCalled?: number;
  pduLength?: number;
  sessionId?: number;
  filename?: string;
  blockType?: string;
  blockNumber?: string;
  fileSystem?: string;
  /** plc_control: service name ('_INSE', 'P_PROGRAM', ...) and its argument text. */
  piService?: string;
  piArgument?: string;
  /** Ack-data of start upload / start download: block length announced (ASCII decimal on the wire). */
  blockLength?: number;
  status?: number;
}

function ascii(b: Uint8Array, off: number, end: number): string {
  let s = '';
  for (let i = off; i < end; i++) s += b[i] >= 0x20 && b[i] < 0x7f ? String.fromCharCode(b[i]) : '.';
  return s;
}

const u16 = (b: Uint8Array, o: number): number => (b[o] << 8) | b[o + 1];
const u32 = (b: Uint8Array, o: number): number => ((b[o] << 24) >>> 0) + (b[o + 1] << 16) + (b[o + 2] << 8) + b[o + 3];

/** Upload/download file name: '_' + block type (2) + number (5) + file system (1). */
function fileName(p: JobParams, name: string): void {
  p.filename = name;
  const m = /^_([0-9A-F]{2})(\d{5})([PAB])$/i.exec(name);
  if (!m) return;
  p.blockType = blockTypeNames[m[1].toUpperCase()] ?? m[1];
  p.blockNumber = m[2];
  p.fileSystem = fileSystemNames[m[3].toUpperCase()];
}

/** Job request parameters in b[off, end) (the param part of the PDU). */
export function parseJobParams(b: Uint8Array, off: number, end: number): Parsed<JobParams> {
  if (end - off < 1) return invalid('app.s7comm.param_too_short');
  const fc = b[off];
  const p: JobParams = { functionCode: fc };
  const len = end - off;
  switch (fc) {
    case 0xf0:
      if (len < 8) return invalid('app.s7comm.param_too_short');
      p.maxAmqCalling = u16(b, off + 2);
      p.maxAmqCalled = u16(b, off + 4);
      p.pduLength = u16(b, off + 6);
      break;
    case 0x04: case 0x05: {
      if (len < 2) return invalid('app.s7comm.param_too_short');
      p.itemCount = b[off + 1];
      const items: VarItem[] = [];
      let o = off + 2;
      for (let i = 0; i < p.itemCount && o + 2 <= end; i++) {
        const specLen = b[o + 1];
        if (o + 2 + specLen > end) return invalid('app.s7comm.param_too_short');
        // S7ANY addressing (syntax id 0x10) is the one PLC programs use; others are skipped by their length.
        if (b[o] === 0x12 && specLen >= 10 && b[o + 2] === 0x10) {
          const addr = (b[o + 9] << 16) | (b[o + 10] << 8) | b[o + 11];
          items.push({
            syntax_id: b[o + 2], transport_size: b[o + 3], length: u16(b, o + 4), db_number: u16(b, o + 6),
            area: b[o + 8], area_name: areaNames[b[o + 8]] ?? 'unknown', address: addr >> 3, bit: addr & 7,
          });
        }
        o += 2 + specLen;
      }
      p.items = items;
      break;
    }
    case 0x1a: case 0x1d: {
      // func, status, 2 unknown, session id (4), file name length, file name.
      if (len < 9) return invalid('app.s7comm.param_too_short');
      p.status = b[off + 1];
      p.sessionId = u32(b, off + 4);
      const n = b[off + 8];
      if (off + 9 + n > end) return invalid('app.s7comm.param_too_short');
      fileName(p, ascii(b, off + 9, off + 9 + n));
      break;
    }
    case 0x1b: case 0x1c: case 0x1e: case 0x1f:
      if (len < 8) return invalid('app.s7comm.param_too_short');
      p.status = b[off + 1];
      p.sessionId = u32(b, off + 4);
      if ((fc === 0x1b || fc === 0x1c) && len >= 9) {
        const n = b[off + 8];
        if (off + 9 + n <= end) fileName(p, ascii(b, off + 9, off + 9 + n));
      }
      break;
    case 0x28: {
      // func, 7 unknown bytes, parameter block length (2), parameter block, service name length, name.
      if (len < 11) return invalid('app.s7comm.param_too_short');
      const blockLen = u16(b, off + 8);
      const at = off + 10 + blockLen;
      if (at + 1 > end) return invalid('app.s7comm.param_too_short');
      const n = b[at];
      if (at + 1 + n > end) return invalid('app.s7comm.param_too_short');
      p.piService = ascii(b, at + 1, at + 1 + n);
      if (blockLen > 0) p.piArgument = ascii(b, off + 10, off + 10 + blockLen);
      break;
    }
    case 0x29: {
      // func, 5 unknown bytes, service name length, 'P_PROGRAM'.
      if (len >= 7) {
        const n = b[off + 6];
        if (off + 7 + n <= end) p.piService = ascii(b, off + 7, off + 7 + n);
      }
      break;
    }
    default:
      break;
  }
  return ok(p, len);
}

/** Ack-data parameters: setup communication values, upload session id and announced block length. */
export function parseAckParams(b: Uint8Array, off: number, end: number, dataOff: number, dataEnd: number): Parsed<JobParams> {
  if (end - off < 1) return invalid('app.s7comm.param_too_short');
  const fc = b[off];
  const p: JobParams = { functionCode: fc };
  const len = end - off;
  if (fc === 0xf0 && len >= 8) {
    p.maxAmqCalling = u16(b, off + 2);
    p.maxAmqCalled = u16(b, off + 4);
    p.pduLength = u16(b, off + 6);
  } else if (fc === 0x04 || fc === 0x05) {
    if (len >= 2) p.itemCount = b[off + 1];
  } else if (fc === 0x1d && len >= 8) {
    p.status = b[off + 1];
    p.sessionId = u32(b, off + 4);
    if (len >= 9) {
      const n = b[off + 8];
      const digits = ascii(b, off + 9, Math.min(end, off + 9 + n));
      if (/^\d+$/.test(digits)) p.blockLength = Number(digits);
    }
  } else if ((fc === 0x1e || fc === 0x1b) && len >= 2) {
    p.status = b[off + 1];
    // Data: length (2), unknown (2), block bytes.
    if (dataEnd - dataOff >= 2) p.blockLength = u16(b, dataOff);
  }
  return ok(p, len);
}

/** Return codes of read var items (ack-data), 0xff = success. */
export function parseReadVarReturnCodes(b: Uint8Array, off: number, end: number, count: number): number[] {
  const out: number[] = [];
  let o = off;
  for (let i = 0; i < count && o + 4 <= end; i++) {
    const rc = b[o];
    const tsize = b[o + 1];
    let n = u16(b, o + 2);
    // Transport sizes 3 (bit), 4 (byte/word), 5 (integer) give the length in bits.
    if (tsize === 3 || tsize === 4 || tsize === 5) n = (n + 7) >> 3;
    out.push(rc);
    o += 4 + n + (n & 1 && i < count - 1 ? 1 : 0);
  }
  return out;
}

/** S7comm-plus header: protocol id 0x72, PDU type, data length; the opcode and function follow. */
export interface S7PlusHeader {
  pduType: number;
  dataLength: number;
  opcode?: number;
  functionCode?: number;
}

export const s7plusPduTypeNames: Record<number, string> = { 0x01: 'connect', 0x02: 'data', 0x03: 'data_fw1_5', 0xff: 'keep_alive' };

/** S7comm-plus function codes (as the Wireshark S7comm-plus dissector names them). */
export const s7plusFunctionNames: Record<number, string> = {
  0x04b1: 'error', 0x04bb: 'explore', 0x04ca: 'create_object', 0x04d4: 'delete_object', 0x04f2: 'set_variable',
  0x04fc: 'get_variable', 0x0506: 'add_link', 0x051a: 'remove_link', 0x0524: 'get_link', 0x0542: 'set_multi_variables',
  0x054c: 'get_multi_variables', 0x0556: 'begin_sequence', 0x0560: 'end_sequence', 0x056b: 'invoke', 0x0586: 'get_var_substreamed',
};

export const s7plusOpcodeNames: Record<number, string> = { 0x31: 'request', 0x32: 'response', 0x33: 'notification', 0x02: 'response2' };

export function parseS7PlusHeader(b: Uint8Array, off: number, end: number): Parsed<S7PlusHeader> {
  if (end - off < 4) return invalid('app.s7comm.pdu_too_short');
  if (b[off] !== S7PLUS_PROTOCOL_ID) return invalid('app.s7comm.bad_protocol_id');
  const h: S7PlusHeader = { pduType: b[off + 1], dataLength: u16(b, off + 2) };
  if (h.pduType === 0xff) return ok(h, end - off);
  if (end - off >= 5) h.opcode = b[off + 4];
  // Request/response: opcode, reserved (2), function (2); notifications carry no function code.
  if (end - off >= 9 && (h.opcode === 0x31 || h.opcode === 0x32 || h.opcode === 0x02)) h.functionCode = u16(b, off + 7);
  return ok(h, end - off);
}
