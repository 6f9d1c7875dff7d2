/**
 * DNP3 (IEEE 1815) parsing: the data link frame (0x05 0x64 start, header CRC, 16-byte user data blocks
 * each with a CRC), the transport header (FIR/FIN/sequence) and the application header (control,
 * function code, internal indications). Pure functions; objects are in objects.ts.
 * @module
 */
import { incomplete, invalid, ok, type Parsed } from '../types.ts';

export const LINK_HEADER = 10;
/** Length octet counts control, destination, source and user data: 5..255, so user data ≤ 250 bytes. */
export const MAX_LINK_FRAME = 292;

/** CRC-16/DNP: polynomial 0x3D65 (reflected 0xA6BC), output complemented, sent low byte first. */
const crcTable = (() => {
  const t = new Uint16Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xa6bc : c >>> 1;
    t[i] = c;
  }
  return t;
})();

export function dnp3Crc(b: Uint8Array, off: number, end: number): number {
  let crc = 0;
  for (let i = off; i < end; i++) crc = (crc >>> 8) ^ crcTable[(crc ^ b[i]) & 0xff];
  return ~crc & 0xffff;
}

function crcOk(b: Uint8Array, off: number, end: number): boolean {
  const c = dnp3Crc(b, off, end);
  return b[end] === (c & 0xff) && b[end + 1] === c >> 8;
}

/** Frame size on the wire for a length octet: header (10) + user data + 2 CRC bytes per 16-byte block. */
export function linkFrameSize(length: number): number {
  const user = length - 5;
  return LINK_HEADER + user + 2 * Math.ceil(user / 16);
}

export interface LinkFrame {
  length: number;
  /** Control octet fields. */
  dir: boolean;
  prm: boolean;
  fcb: boolean;
  fcv: boolean;
  functionCode: number;
  destination: number;
  source: number;
  /** User data with the block CRCs removed (a copy). */
  userData: Uint8Array;
  /** Bytes of the frame on the wire. */
  frameSize: number;
}

/** Size of the link frame at b[off] for the framer: start bytes and length checked, CRCs later. */
export function linkSize(b: Uint8Array, off: number, end: number): Parsed<number> {
  if (end - off < 3) return incomplete(3 - (end - off));
  if (b[off] !== 0x05 || b[off + 1] !== 0x64) return invalid('app.dnp3.bad_start');
  if (b[off + 2] < 5) return invalid('app.dnp3.bad_length');
  return ok(linkFrameSize(b[off + 2]), 3);
}

/** One whole link frame in b[off, end): header CRC and every block CRC are checked. */
export function parseLinkFrame(b: Uint8Array, off: number, end: number): Parsed<LinkFrame> {
  const s = linkSize(b, off, end);
  if (s.status !== 'ok') return s.status === 'incomplete' ? incomplete(s.needed) : invalid(s.anomaly);
  const size = s.value;
  if (end - off < size) return incomplete(size - (end - off));
  if (!crcOk(b, off, off + 8)) return invalid('app.dnp3.bad_header_crc');
  const length = b[off + 2];
  const control = b[off + 3];
  const user = new Uint8Array(length - 5);
  let o = off + LINK_HEADER;
  let u = 0;
  while (u < user.length) {
    const n = Math.min(16, user.length - u);
    if (!crcOk(b, o, o + n)) return invalid('app.dnp3.bad_block_crc');
    user.set(b.subarray(o, o + n), u);
    u += n;
    o += n + 2;
  }
  return ok({
    length, dir: (control & 0x80) !== 0, prm: (control & 0x40) !== 0, fcb: (control & 0x20) !== 0, fcv: (control & 0x10) !== 0,
    functionCode: control & 0x0f, destination: b[off + 4] | (b[off + 5] << 8), source: b[off + 6] | (b[off + 7] << 8),
    userData: user, frameSize: size,
  }, size);
}

export interface TransportHeader {
  fin: boolean;
  fir: boolean;
  sequence: number;
}

export function parseTransport(byte: number): TransportHeader {
  return { fin: (byte & 0x80) !== 0, fir: (byte & 0x40) !== 0, sequence: byte & 0x3f };
}

export const functionNames: Record<number, string> = {
  0: 'confirm', 1: 'read', 2: 'write', 3: 'select', 4: 'operate', 5: 'direct_operate', 6: 'direct_operate_nr',
  7: 'immediate_freeze', 8: 'immediate_freeze_nr', 9: 'freeze_clear', 10: 'freeze_clear_nr', 11: 'freeze_at_time',
  12: 'freeze_at_time_nr', 13: 'cold_restart', 14: 'warm_restart', 15: 'initialize_data', 16: 'initialize_application',
  17: 'start_application', 18: 'stop_application', 19: 'save_configuration', 20: 'enable_unsolicited', 21: 'disable_unsolicited',
  22: 'assign_class', 23: 'delay_measure', 24: 'record_current_time', 25: 'open_file', 26: 'close_file', 27: 'delete_file',
  28: 'get_file_info', 29: 'authenticate_file', 30: 'abort_file', 31: 'activate_config', 32: 'authenticate_req',
  33: 'authenticate_err', 129: 'response', 130: 'unsolicited_response', 131: 'authenticate_resp',
};

/** Internal indication bits, IIN1 bit 0 first, then IIN2 (IEEE 1815 §5.2.2.2, Suricata's names). */
export const iinNames = [
  'all_stations', 'class_1_events', 'class_2_events', 'class_3_events', 'need_time', 'local_control', 'device_trouble', 'device_restart',
  'no_func_code_support', 'object_unknown', 'parameter_error', 'event_buffer_overflow', 'already_executing', 'config_corrupt', 'reserved_2', 'reserved_1',
];

export interface AppHeader {
  fir: boolean;
  fin: boolean;
  con: boolean;
  uns: boolean;
  sequence: number;
  functionCode: number;
  /** Responses (129, 130, 131): IIN1 << 8 | IIN2. */
  iin?: number;
  /** Offset of the first object header. */
  objectsOffset: number;
}

export const isResponse = (fc: number): boolean => fc >= 129;

export function parseAppHeader(b: Uint8Array, off: number, end: number): Parsed<AppHeader> {
  if (end - off < 2) return invalid('app.dnp3.app_too_short');
  const c = b[off];
  const fc = b[off + 1];
  const h: AppHeader = {
    fir: (c & 0x80) !== 0, fin: (c & 0x40) !== 0, con: (c & 0x20) !== 0, uns: (c & 0x10) !== 0, sequence: c & 0x0f,
    functionCode: fc, objectsOffset: off + 2,
  };
  if (isResponse(fc)) {
    if (end - off < 4) return invalid('app.dnp3.app_too_short');
    h.iin = (b[off + 2] << 8) | b[off + 3];
    h.objectsOffset = off + 4;
  }
  return ok(h, h.objectsOffset - off);
}

/** Names of the set IIN bits. */
export function iinIndicators(iin: number): string[] {
  const out: string[] = [];
  const iin1 = iin >> 8;
  const iin2 = iin & 0xff;
  for (let i = 0; i < 8; i++) if (iin1 & (1 << i)) out.push(iinNames[i]);
  for (let i = 0; i < 8; i++) if (iin2 & (1 << i)) out.push(iinNames[8 + i]);
  return out;
}
