/**
 * BACnet/IP parsers (ASHRAE 135): BVLC (Annex J), NPDU (clause 6), APDU headers (clause 20.1) and the
 * services Bulwark reads field by field (Who-Is, I-Am, ReadProperty and its ACK, WriteProperty,
 * DeviceCommunicationControl, ReinitializeDevice, Error). Pure functions: ok / incomplete / invalid.
 * @module
 */
import { type Parsed, incomplete, invalid, ok } from '../types.ts';
import { type AppValue, type ObjectId, type Tag, appValue, readCharString, readObjectId, readTag, readUnsigned } from './tags.ts';

/** BVLC function codes (Annex J.2). */
export const bvlcFunctionNames: Readonly<Record<number, string>> = {
  0x00: 'BVLC-Result', 0x01: 'Write-Broadcast-Distribution-Table', 0x02: 'Read-Broadcast-Distribution-Table',
  0x03: 'Read-Broadcast-Distribution-Table-Ack', 0x04: 'Forwarded-NPDU', 0x05: 'Register-Foreign-Device',
  0x06: 'Read-Foreign-Device-Table', 0x07: 'Read-Foreign-Device-Table-Ack', 0x08: 'Delete-Foreign-Device-Table-Entry',
  0x09: 'Distribute-Broadcast-To-Network', 0x0a: 'Original-Unicast-NPDU', 0x0b: 'Original-Broadcast-NPDU', 0x0c: 'Secure-BVLL',
};

export interface Bvlc {
  function: number;
  /** The BVLC length field differs from the datagram's length (seen in crafted traffic). */
  lengthMismatch: boolean;
  /** Offset of the NPDU in the datagram, when the function carries one. */
  npduOff?: number;
  /** Forwarded-NPDU: address of the original sender ('a.b.c.d:port'). */
  forwardedFrom?: string;
  /** BVLC-Result code; Register-Foreign-Device time-to-live (s). */
  resultCode?: number;
  ttl?: number;
}

/** BVLC header of a BACnet/IP datagram (type 0x81) whose UDP payload is b[off, end). */
export function parseBvlc(b: Uint8Array, off: number, end: number): Parsed<Bvlc> {
  if (end - off < 4) return incomplete(4);
  if (b[off] !== 0x81) return invalid('app.bacnet.bad_bvlc');
  const fn = b[off + 1];
  const length = (b[off + 2] << 8) | b[off + 3];
  if (length < 4 || fn > 0x0c) return invalid('app.bacnet.bad_bvlc');
  // UDP delimits the datagram; a BVLC length that disagrees is reported by the caller, the datagram is used.
  const v: Bvlc = { function: fn, lengthMismatch: length !== end - off };
  const last = end;
  if (fn === 0x04) {
    if (end - off < 10) return invalid('app.bacnet.truncated');
    v.forwardedFrom = `${b[off + 4]}.${b[off + 5]}.${b[off + 6]}.${b[off + 7]}:${(b[off + 8] << 8) | b[off + 9]}`;
    v.npduOff = off + 10;
  } else if (fn === 0x09 || fn === 0x0a || fn === 0x0b) {
    v.npduOff = off + 4;
  } else if (fn === 0x00 && end - off >= 6) {
    v.resultCode = (b[off + 4] << 8) | b[off + 5];
  } else if (fn === 0x05 && end - off >= 6) {
    v.ttl = (b[off + 4] << 8) | b[off + 5];
  }
  return ok(v, last - off);
}

export interface Npdu {
  control: number;
  dnet?: number;
  dadr?: string;
  hopCount?: number;
  snet?: number;
  sadr?: string;
  /** Network-layer message type when the NPDU carries one instead of an APDU. */
  messageType?: number;
  /** Offset of the APDU or of the network message's data. */
  dataOff: number;
}

function hex(b: Uint8Array, off: number, len: number): string {
  let s = '';
  for (let i = off; i < off + len; i++) s += b[i].toString(16).padStart(2, '0');
  return s;
}

/** NPDU header (clause 6.2): version 1, control, optional destination/source, hop count, message type. */
export function parseNpdu(b: Uint8Array, off: number, end: number): Parsed<Npdu> {
  if (end - off < 2) return invalid('app.bacnet.truncated');
  if (b[off] !== 0x01) return invalid('app.bacnet.bad_npdu');
  const control = b[off + 1];
  if (control & 0x50) return invalid('app.bacnet.bad_npdu'); // reserved bits 6 and 4
  let at = off + 2;
  const v: Npdu = { control, dataOff: 0 };
  if (control & 0x20) {
    if (at + 3 > end) return invalid('app.bacnet.truncated');
    v.dnet = (b[at] << 8) | b[at + 1];
    const dlen = b[at + 2];
    at += 3;
    if (at + dlen > end) return invalid('app.bacnet.truncated');
    v.dadr = hex(b, at, dlen);
    at += dlen;
  }
  if (control & 0x08) {
    if (at + 3 > end) return invalid('app.bacnet.truncated');
    v.snet = (b[at] << 8) | b[at + 1];
    const slen = b[at + 2];
    at += 3;
    if (slen === 0 || at + slen > end) return invalid('app.bacnet.bad_npdu');
    v.sadr = hex(b, at, slen);
    at += slen;
  }
  if (control & 0x20) {
    if (at >= end) return invalid('app.bacnet.truncated');
    v.hopCount = b[at++];
  }
  if (control & 0x80) {
    if (at >= end) return invalid('app.bacnet.truncated');
    v.messageType = b[at++];
    if (v.messageType >= 0x80) at += 2; // proprietary: vendor id
    if (at > end) return invalid('app.bacnet.truncated');
  }
  v.dataOff = at;
  return ok(v, at - off);
}

/** Network-layer message names (clause 6.2.4). */
export const networkMessageNames: Readonly<Record<number, string>> = {
  0x00: 'Who-Is-Router-To-Network', 0x01: 'I-Am-Router-To-Network', 0x02: 'I-Could-Be-Router-To-Network',
  0x03: 'Reject-Message-To-Network', 0x04: 'Router-Busy-To-Network', 0x05: 'Router-Available-To-Network',
  0x06: 'Initialize-Routing-Table', 0x07: 'Initialize-Routing-Table-Ack', 0x08: 'Establish-Connection-To-Network',
  0x09: 'Disconnect-Connection-To-Network', 0x0a: 'Challenge-Request', 0x0b: 'Security-Payload', 0x0c: 'Security-Response',
  0x0d: 'Request-Key-Update', 0x0e: 'Update-Key-Set', 0x0f: 'Update-Distribution-Key', 0x10: 'Request-Master-Key',
  0x11: 'Set-Master-Key', 0x12: 'What-Is-Network-Number', 0x13: 'Network-Number-Is',
};

/** Network numbers listed by a network message (I-Am-Router-To-Network, Network-Number-Is, ...). */
export function networkMessageNetworks(type: number, b: Uint8Array, off: number, end: number): number[] {
  const nets: number[] = [];
  if (type === 0x13) {
    // Network-Number-Is: one network number and a 1-byte flag (configured / learned).
    if (off + 2 <= end) nets.push((b[off] << 8) | b[off + 1]);
  } else if (type === 0x00 || type === 0x01 || type === 0x04 || type === 0x05) {
    for (let at = off; at + 2 <= end && nets.length < 64; at += 2) nets.push((b[at] << 8) | b[at + 1]);
  }
  return nets;
}

export const PduType = {
  CONFIRMED_REQUEST: 0, UNCONFIRMED_REQUEST: 1, SIMPLE_ACK: 2, COMPLEX_ACK: 3, SEGMENT_ACK: 4, ERROR: 5, REJECT: 6, ABORT: 7,
} as const;
export const pduTypeNames = ['confirmed_request', 'unconfirmed_request', 'simple_ack', 'complex_ack', 'segment_ack', 'error', 'reject', 'abort'] as const;

export interface ApduHeader {
  type: number;
  /** Service choice (confirmed or unconfirmed service; absent for segment-ack, reject, abort). */
  service?: number;
  invokeId?: number;
  segmented: boolean;
  moreFollows: boolean;
  segmentedResponseAccepted?: boolean;
  sequenceNumber?: number;
  windowSize?: number;
  /** Confirmed request: maximum segments and APDU size the sender accepts (encoded nibbles). */
  maxSegments?: number;
  maxApdu?: number;
  /** Reject/abort reason; segment-ack negative flag; abort/segment-ack sent-by-server flag. */
  reason?: number;
  negative?: boolean;
  server?: boolean;
  /** Offset and end of the service data. */
  dataOff: number;
}

/** APDU fixed header (clause 20.1). */

/**
 * The part confirmed requests and complex acks share after the invoke id: sequence number and window size
 * when segmented, then the service choice; the caller has checked the length.
 */
function readServiceTail(h: ApduHeader, b: Uint8Array, at: number): void {
  if (h.segmented) {
    h.sequenceNumber = b[at++];
    h.windowSize = b[at++];
  }
  h.service = b[at++];
  h.dataOff = at;
}

export function parseApduHeader(b: Uint8Array, off: number, end: number): Parsed<ApduHeader> {
  if (off >= end) return invalid('app.bacnet.truncated');
  const first = b[off];
  const type = first >> 4;
  const need = (n: number): boolean => off + n <= end;
  const h: ApduHeader = { type, segmented: false, moreFollows: false, dataOff: 0 };
  switch (type) {
    case PduType.CONFIRMED_REQUEST: {
      h.segmented = (first & 0x08) !== 0;
      h.moreFollows = (first & 0x04) !== 0;
      h.segmentedResponseAccepted = (first & 0x02) !== 0;
      if (!need(h.segmented ? 6 : 4)) return invalid('app.bacnet.truncated');
      h.maxSegments = (b[off + 1] >> 4) & 0x07;
      h.maxApdu = b[off + 1] & 0x0f;
      h.invokeId = b[off + 2];
      readServiceTail(h, b, off + 3);
      break;
    }
    case PduType.UNCONFIRMED_REQUEST:
      if (!need(2)) return invalid('app.bacnet.truncated');
      h.service = b[off + 1];
      h.dataOff = off + 2;
      break;
    case PduType.SIMPLE_ACK:
      if (!need(3)) return invalid('app.bacnet.truncated');
      h.invokeId = b[off + 1];
      h.service = b[off + 2];
      h.dataOff = off + 3;
      break;
    case PduType.COMPLEX_ACK: {
      h.segmented = (first & 0x08) !== 0;
      h.moreFollows = (first & 0x04) !== 0;
      if (!need(h.segmented ? 5 : 3)) return invalid('app.bacnet.truncated');
      h.invokeId = b[off + 1];
      readServiceTail(h, b, off + 2);
      break;
    }
    case PduType.SEGMENT_ACK:
      if (!need(4)) return invalid('app.bacnet.truncated');
      h.negative = (first & 0x02) !== 0;
      h.server = (first & 0x01) !== 0;
      h.invokeId = b[off + 1];
      h.sequenceNumber = b[off + 2];
      h.windowSize = b[off + 3];
      h.dataOff = off + 4;
      break;
    case PduType.ERROR:
      if (!need(3)) return invalid('app.bacnet.truncated');
      h.invokeId = b[off + 1];
      h.service = b[off + 2];
      h.dataOff = off + 3;
      break;
    case PduType.REJECT:
    case PduType.ABORT:
      if (!need(3)) return invalid('app.bacnet.truncated');
      h.server = type === PduType.ABORT ? (first & 0x01) !== 0 : undefined;
      h.invokeId = b[off + 1];
      h.reason = b[off + 2];
      h.dataOff = off + 3;
      break;
    default:
      return invalid('app.bacnet.bad_pdu_type');
  }
  return ok(h, h.dataOff - off);
}

// ---- services -------------------------------------------------------------------------------------------

/** Read a context-tagged primitive [n] at `off`; undefined when the next tag is something else. */
function contextTag(b: Uint8Array, off: number, end: number, n: number): { tag: Tag; at: number; next: number } | undefined {
  const t = readTag(b, off, end);
  if (t.status !== 'ok' || !t.value.context || t.value.number !== n || t.value.opening || t.value.closing) return undefined;
  return { tag: t.value, at: off + t.value.headerLength, next: off + t.length };
}

export interface WhoIs {
  lowLimit?: number;
  highLimit?: number;
}

export function parseWhoIs(b: Uint8Array, off: number, end: number): Parsed<WhoIs> {
  if (off === end) return ok({}, 0);
  const lo = contextTag(b, off, end, 0);
  const hi = lo && contextTag(b, lo.next, end, 1);
  if (!lo || !hi) return invalid('app.bacnet.bad_service');
  return ok({ lowLimit: readUnsigned(b, lo.at, lo.tag.length), highLimit: readUnsigned(b, hi.at, hi.tag.length) }, hi.next - off);
}

/** Read one application-tagged value of the given tag number. */
function appTag(b: Uint8Array, off: number, end: number, n: number): { value: AppValue; next: number } | undefined {
  const t = readTag(b, off, end);
  if (t.status !== 'ok' || t.value.context || t.value.number !== n) return undefined;
  return { value: appValue(b, off, t.value), next: off + t.length };
}

export interface IAm {
  device: ObjectId;
  maxApdu: number;
  segmentation: number;
  vendorId: number;
}

export function parseIAm(b: Uint8Array, off: number, end: number): Parsed<IAm> {
  const id = appTag(b, off, end, 12);
  const max = id && appTag(b, id.next, end, 2);
  const seg = max && appTag(b, max.next, end, 9);
  const vendor = seg && appTag(b, seg.next, end, 2);
  if (!id?.value.objectId || !max || !seg || !vendor) return invalid('app.bacnet.bad_service');
  return ok({ device: id.value.objectId, maxApdu: Number(max.value.value), segmentation: Number(seg.value.value), vendorId: Number(vendor.value.value) }, vendor.next - off);
}

export interface PropertyRef {
  object: ObjectId;
  property: number;
  arrayIndex?: number;
  /** First value of a ReadProperty-ACK / WriteProperty, and how many primitive values the list held. */
  value?: AppValue;
  valueCount?: number;
  priority?: number;
}

/** Object id [0], property id [1], optional array index [2]: the head of ReadProperty, its ACK and WriteProperty. */
function parsePropertyHead(b: Uint8Array, off: number, end: number): { ref: PropertyRef; next: number } | undefined {
  const obj = contextTag(b, off, end, 0);
  if (!obj || obj.tag.length !== 4) return undefined;
  const prop = contextTag(b, obj.next, end, 1);
  if (!prop || prop.tag.length < 1 || prop.tag.length > 4) return undefined;
  const ref: PropertyRef = { object: readObjectId(b, obj.at), property: readUnsigned(b, prop.at, prop.tag.length) };
  let next = prop.next;
  const idx = contextTag(b, next, end, 2);
  if (idx) {
    ref.arrayIndex = readUnsigned(b, idx.at, idx.tag.length);
    next = idx.next;
  }
  return { ref, next };
}

/** Values between an opening and a closing context tag [n]: the first primitive and the count (nesting bounded). */
function parseValueBlock(b: Uint8Array, off: number, end: number, n: number): { value?: AppValue; count: number; next: number } | undefined {
  const open = readTag(b, off, end);
  if (open.status !== 'ok' || !open.value.opening || open.value.number !== n) return undefined;
  let at = off + open.length;
  let depth = 0;
  let count = 0;
  let value: AppValue | undefined;
  for (let steps = 0; at < end && steps < 4096; steps++) {
    const t = readTag(b, at, end);
    if (t.status !== 'ok') return undefined;
    const tag = t.value;
    if (tag.closing) {
      if (depth === 0) return tag.number === n ? { value, count, next: at + t.length } : undefined;
      depth--;
    } else if (tag.opening) {
      if (++depth > 16) return undefined;
    } else {
      count++;
      if (!value && !tag.context) value = appValue(b, at, tag);
    }
    at += t.length;
  }
  return undefined;
}

export function parseReadProperty(b: Uint8Array, off: number, end: number): Parsed<PropertyRef> {
  const head = parsePropertyHead(b, off, end);
  if (!head) return invalid('app.bacnet.bad_service');
  return ok(head.ref, head.next - off);
}

export function parseReadPropertyAck(b: Uint8Array, off: number, end: number): Parsed<PropertyRef> {
  const head = parsePropertyHead(b, off, end);
  const block = head && parseValueBlock(b, head.next, end, 3);
  if (!head || !block) return invalid('app.bacnet.bad_service');
  return ok({ ...head.ref, value: block.value, valueCount: block.count }, block.next - off);
}

export function parseWriteProperty(b: Uint8Array, off: number, end: number): Parsed<PropertyRef> {
  const head = parsePropertyHead(b, off, end);
  const block = head && parseValueBlock(b, head.next, end, 3);
  if (!head || !block) return invalid('app.bacnet.bad_service');
  const ref: PropertyRef = { ...head.ref, value: block.value, valueCount: block.count };
  let next = block.next;
  const prio = contextTag(b, next, end, 4);
  if (prio) {
    ref.priority = readUnsigned(b, prio.at, prio.tag.length);
    next = prio.next;
  }
  return ok(ref, next - off);
}

export const reinitializedStateNames = ['coldstart', 'warmstart', 'start-backup', 'end-backup', 'start-restore', 'end-restore', 'abort-restore', 'activate-changes'] as const;
export const enableDisableNames = ['enable', 'disable', 'disable-initiation'] as const;

export interface DeviceControl {
  /** ReinitializeDevice: reinitialized-state [0]; DeviceCommunicationControl: enable-disable [1]. */
  state: number;
  /** DeviceCommunicationControl: time duration [0] in minutes. */
  durationMinutes?: number;
  password?: string;
}

/** ReinitializeDevice-Request (clause 16.4): state [0], password [1] optional. */
export function parseReinitializeDevice(b: Uint8Array, off: number, end: number): Parsed<DeviceControl> {
  const state = contextTag(b, off, end, 0);
  if (!state) return invalid('app.bacnet.bad_service');
  const v: DeviceControl = { state: readUnsigned(b, state.at, state.tag.length) };
  let next = state.next;
  const pw = contextTag(b, next, end, 1);
  if (pw) {
    v.password = readCharString(b, pw.at, pw.tag.length);
    next = pw.next;
  }
  return ok(v, next - off);
}

/** DeviceCommunicationControl-Request (clause 16.1): duration [0] optional, enable-disable [1], password [2] optional. */
export function parseDeviceCommunicationControl(b: Uint8Array, off: number, end: number): Parsed<DeviceControl> {
  let next = off;
  const dur = contextTag(b, next, end, 0);
  if (dur) next = dur.next;
  const state = contextTag(b, next, end, 1);
  if (!state) return invalid('app.bacnet.bad_service');
  const v: DeviceControl = { state: readUnsigned(b, state.at, state.tag.length) };
  if (dur) v.durationMinutes = readUnsigned(b, dur.at, dur.tag.length);
  next = state.next;
  const pw = contextTag(b, next, end, 2);
  if (pw) {
    v.password = readCharString(b, pw.at, pw.tag.length);
    next = pw.next;
  }
  return ok(v, next - off);
}

export interface ErrorInfo {
  errorClass: number;
  errorCode: number;
}

/** Error-PDU body: error class and code as application enumerations, possibly inside an opening tag [0]. */
export function parseError(b: Uint8Array, off: number, end: number): Parsed<ErrorInfo> {
  let at = off;
  const t = readTag(b, at, end);
  if (t.status === 'ok' && t.value.opening) at += t.length;
  const cls = appTag(b, at, end, 9);
  const code = cls && appTag(b, cls.next, end, 9);
  if (!cls || !code) return invalid('app.bacnet.bad_service');
  return ok({ errorClass: Number(cls.value.value), errorCode: Number(code.value.value) }, code.next - off);
}

// ---- ReadPropertyMultiple / WritePropertyMultiple (clauses 15.7, 15.10) --------------------------------

/** One property of a ReadPropertyMultiple request or ACK, or of a WritePropertyMultiple request. */
export interface AccessItem extends PropertyRef {
  /** ReadPropertyMultiple-ACK: the property could not be read (error class and code). */
  error?: ErrorInfo;
}

/** Most items taken from one *Multiple message; the rest are counted in `dropped`. */
export const maxAccessItems = 64;

export interface AccessList {
  items: AccessItem[];
  dropped: number;
}

/**
 * The object/property lists of ReadPropertyMultiple (kind 'read'), its ACK ('ack') and WritePropertyMultiple
 * ('write'): sequences of object id [0] and a list [1] of property references, results or values.
 */
export function parseAccessList(b: Uint8Array, off: number, end: number, kind: 'read' | 'ack' | 'write'): Parsed<AccessList> {
  const out: AccessList = { items: [], dropped: 0 };
  let at = off;
  // Context tag numbers inside the list [1]: property id, array index, value, (write) priority.
  const [propTag, indexTag, valueTag] = kind === 'ack' ? [2, 3, 4] : kind === 'write' ? [0, 1, 2] : [0, 1, -1];
  for (let objects = 0; at < end && objects < 1024; objects++) {
    const obj = contextTag(b, at, end, 0);
    if (!obj || obj.tag.length !== 4) return invalid('app.bacnet.bad_service');
    const object = readObjectId(b, obj.at);
    const open = readTag(b, obj.next, end);
    if (open.status !== 'ok' || !open.value.opening || open.value.number !== 1) return invalid('app.bacnet.bad_service');
    at = obj.next + open.length;
    for (let props = 0; ; props++) {
      if (props > 4096) return invalid('app.bacnet.bad_service');
      const t = readTag(b, at, end);
      if (t.status !== 'ok') return invalid('app.bacnet.bad_service');
      if (t.value.closing && t.value.number === 1) {
        at += t.length;
        break;
      }
      const prop = contextTag(b, at, end, propTag);
      if (!prop || prop.tag.length < 1 || prop.tag.length > 4) return invalid('app.bacnet.bad_service');
      const item: AccessItem = { object, property: readUnsigned(b, prop.at, prop.tag.length) };
      at = prop.next;
      const idx = contextTag(b, at, end, indexTag);
      if (idx) {
        item.arrayIndex = readUnsigned(b, idx.at, idx.tag.length);
        at = idx.next;
      }
      if (kind === 'ack') {
        const block = parseValueBlock(b, at, end, 4);
        if (block) {
          [item.value, item.valueCount, at] = [block.value, block.count, block.next];
        } else {
          const errOpen = readTag(b, at, end);
          if (errOpen.status !== 'ok' || !errOpen.value.opening || errOpen.value.number !== 5) return invalid('app.bacnet.bad_service');
          const e = parseError(b, at + errOpen.length, end);
          if (e.status !== 'ok') return invalid('app.bacnet.bad_service');
          item.error = e.value;
          const close = readTag(b, at + errOpen.length + e.length, end);
          if (close.status !== 'ok' || !close.value.closing) return invalid('app.bacnet.bad_service');
          at += errOpen.length + e.length + close.length;
        }
      } else if (kind === 'write') {
        const block = parseValueBlock(b, at, end, valueTag);
        if (!block) return invalid('app.bacnet.bad_service');
        [item.value, item.valueCount, at] = [block.value, block.count, block.next];
        const prio = contextTag(b, at, end, 3);
        if (prio) {
          item.priority = readUnsigned(b, prio.at, prio.tag.length);
          at = prio.next;
        }
      }
      if (out.items.length < maxAccessItems) out.items.push(item);
      else out.dropped++;
    }
  }
  if (out.items.length === 0) return invalid('app.bacnet.bad_service');
  return ok(out, at - off);
}
