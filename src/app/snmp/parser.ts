/**
 * SNMP message parser (RFC 1157 v1, RFC 3416 v2c PDUs, RFC 3412/3414 v3 header and USM user name).
 * Values of varbinds are not decoded: only their OIDs are reported. No decryption.
 * @module
 */
import { type Parsed, invalid, ok } from '../types.ts';
import { type Tlv, Tag, expectTlv, hexValue, intValue, oidValue, readTlv, textValue } from './ber.ts';

/** PDU names by context tag number (0xA0 + n). */
export const pduNames = ['get', 'getnext', 'response', 'set', 'trap', 'getbulk', 'inform', 'trapv2', 'report'];

export const versionNames: Readonly<Record<number, string>> = { 0: 'v1', 1: 'v2c', 3: 'v3' };

export interface SnmpLimits {
  /** OIDs kept per PDU; the count is exact regardless. */
  maxVarbinds: number;
}

export const defaultSnmpLimits: SnmpLimits = { maxVarbinds: 64 };

export interface SnmpPdu {
  type: string;
  requestId?: number;
  /** error-status, or non-repeaters for getbulk. */
  errorStatus?: number;
  /** error-index, or max-repetitions for getbulk. */
  errorIndex?: number;
  oids: string[];
  varbindCount: number;
  /** v1 trap header. */
  enterprise?: string;
  agentAddr?: string;
  genericTrap?: number;
  specificTrap?: number;
  /** More varbinds than kept. */
  capped: boolean;
}

export interface SnmpMessage {
  /** Wire value: 0 v1, 1 v2c, 3 v3. */
  version: number;
  community?: string;
  msgId?: number;
  securityModel?: number;
  /** v3 msgFlags: auth (1), priv (2), reportable (4). */
  msgFlags?: number;
  engineId?: string;
  userName?: string;
  contextName?: string;
  /** v3 with privacy: the PDU is encrypted and not parsed. */
  encrypted: boolean;
  pdu?: SnmpPdu;
  /** Malformed after the version: the fields read before the fault are kept. */
  anomaly?: string;
}

function int(b: Uint8Array, off: number, end: number): Parsed<{ value: number; next: number }> {
  const t = expectTlv(b, off, end, Tag.INTEGER);
  if (t.status !== 'ok') return t;
  const v = intValue(b, t.value);
  return v.status === 'ok' ? ok({ value: v.value, next: off + t.length }, t.length) : v;
}

/** Varbind list: SEQUENCE OF SEQUENCE { name OID, value ANY }. */
function parseVarbinds(b: Uint8Array, list: Tlv, pdu: SnmpPdu, limits: SnmpLimits): string | undefined {
  const end = list.valOff + list.valLen;
  let p = list.valOff;
  while (p < end) {
    const vb = expectTlv(b, p, end, Tag.SEQUENCE);
    if (vb.status !== 'ok') return vb.status === 'invalid' ? vb.anomaly : 'app.snmp.truncated';
    pdu.varbindCount++;
    if (pdu.oids.length < limits.maxVarbinds) {
      const name = expectTlv(b, vb.value.valOff, vb.value.valOff + vb.value.valLen, Tag.OID);
      if (name.status !== 'ok') return name.status === 'invalid' ? name.anomaly : 'app.snmp.truncated';
      const oid = oidValue(b, name.value);
      if (oid.status !== 'ok') return oid.status === 'invalid' ? oid.anomaly : 'app.snmp.bad_ber';
      pdu.oids.push(oid.value);
    } else pdu.capped = true;
    p += vb.length;
  }
  return undefined;
}

function parseTrapV1(b: Uint8Array, t: Tlv, pdu: SnmpPdu, limits: SnmpLimits): Parsed<SnmpPdu> {
  const end = t.valOff + t.valLen;
  const ent = expectTlv(b, t.valOff, end, Tag.OID);
  if (ent.status !== 'ok') return ent;
  const oid = oidValue(b, ent.value);
  if (oid.status !== 'ok') return oid;
  pdu.enterprise = oid.value;
  let p = t.valOff + ent.length;
  const addr = expectTlv(b, p, end, Tag.IP_ADDRESS);
  if (addr.status !== 'ok') return addr;
  if (addr.value.valLen === 4) {
    const o = addr.value.valOff;
    pdu.agentAddr = `${b[o]}.${b[o + 1]}.${b[o + 2]}.${b[o + 3]}`;
  }
  p += addr.length;
  const generic = int(b, p, end);
  if (generic.status !== 'ok') return generic;
  pdu.genericTrap = generic.value.value;
  const specific = int(b, generic.value.next, end);
  if (specific.status !== 'ok') return specific;
  pdu.specificTrap = specific.value.value;
  const time = expectTlv(b, specific.value.next, end, Tag.TIMETICKS);
  if (time.status !== 'ok') return time;
  const list = expectTlv(b, specific.value.next + time.length, end, Tag.SEQUENCE);
  if (list.status !== 'ok') return list;
  const bad = parseVarbinds(b, list.value, pdu, limits);
  return bad ? invalid(bad) : ok(pdu, t.valLen);
}

/** A PDU (context tag 0xA0-0xA8) at `off`. */
export function parsePdu(b: Uint8Array, off: number, end: number, limits: SnmpLimits = defaultSnmpLimits): Parsed<SnmpPdu> {
  const t = readTlv(b, off, end);
  if (t.status !== 'ok') return t;
  const n = t.value.tag - 0xa0;
  if (n < 0 || n >= pduNames.length) return invalid('app.snmp.unknown_pdu');
  const pdu: SnmpPdu = { type: pduNames[n], oids: [], varbindCount: 0, capped: false };
  if (n === 4) return parseTrapV1(b, t.value, pdu, limits);
  const pend = t.value.valOff + t.value.valLen;
  const id = int(b, t.value.valOff, pend);
  if (id.status !== 'ok') return id;
  const es = int(b, id.value.next, pend);
  if (es.status !== 'ok') return es;
  const ei = int(b, es.value.next, pend);
  if (ei.status !== 'ok') return ei;
  pdu.requestId = id.value.value;
  pdu.errorStatus = es.value.value;
  pdu.errorIndex = ei.value.value;
  const list = expectTlv(b, ei.value.next, pend, Tag.SEQUENCE);
  if (list.status !== 'ok') return list;
  const bad = parseVarbinds(b, list.value, pdu, limits);
  return bad ? invalid(bad) : ok(pdu, t.length);
}

/** USM security parameters (RFC 3414 2.4): engine id and user name. */
function parseUsm(b: Uint8Array, params: Tlv, msg: SnmpMessage): string | undefined {
  const seq = expectTlv(b, params.valOff, params.valOff + params.valLen, Tag.SEQUENCE);
  if (seq.status !== 'ok') return seq.status === 'invalid' ? seq.anomaly : 'app.snmp.truncated';
  const end = seq.value.valOff + seq.value.valLen;
  const engine = expectTlv(b, seq.value.valOff, end, Tag.OCTET_STRING);
  if (engine.status !== 'ok') return engine.status === 'invalid' ? engine.anomaly : 'app.snmp.truncated';
  let p = seq.value.valOff + engine.length;
  for (let i = 0; i < 2; i++) {
    const n = int(b, p, end);
    if (n.status !== 'ok') return n.status === 'invalid' ? n.anomaly : 'app.snmp.truncated';
    p = n.value.next;
  }
  const user = expectTlv(b, p, end, Tag.OCTET_STRING);
  if (user.status !== 'ok') return user.status === 'invalid' ? user.anomaly : 'app.snmp.truncated';
  if (engine.value.valLen > 0) msg.engineId = hexValue(b, engine.value);
  if (user.value.valLen > 0) msg.userName = textValue(b, user.value);
  return undefined;
}

/** SNMPv3 after the version: header data, security parameters, scoped PDU (when not encrypted). */
function parseV3(b: Uint8Array, p: number, end: number, msg: SnmpMessage, limits: SnmpLimits): Parsed<SnmpMessage> {
  const global = expectTlv(b, p, end, Tag.SEQUENCE);
  if (global.status !== 'ok') return global;
  const gend = global.value.valOff + global.value.valLen;
  const id = int(b, global.value.valOff, gend);
  if (id.status !== 'ok') return id;
  const max = int(b, id.value.next, gend);
  if (max.status !== 'ok') return max;
  const flags = expectTlv(b, max.value.next, gend, Tag.OCTET_STRING);
  if (flags.status !== 'ok') return flags;
  const model = int(b, max.value.next + flags.length, gend);
  if (model.status !== 'ok') return model;
  msg.msgId = id.value.value;
  msg.msgFlags = flags.value.valLen > 0 ? b[flags.value.valOff] : 0;
  msg.securityModel = model.value.value;
  msg.encrypted = (msg.msgFlags & 2) !== 0;
  p += global.length;
  const params = expectTlv(b, p, end, Tag.OCTET_STRING);
  if (params.status !== 'ok') return params;
  if (msg.securityModel === 3) {
    const bad = parseUsm(b, params.value, msg);
    if (bad) return invalid(bad);
  }
  p += params.length;
  if (msg.encrypted) return ok(msg, end);
  const scoped = expectTlv(b, p, end, Tag.SEQUENCE);
  if (scoped.status !== 'ok') return scoped;
  const send = scoped.value.valOff + scoped.value.valLen;
  const ctxEngine = expectTlv(b, scoped.value.valOff, send, Tag.OCTET_STRING);
  if (ctxEngine.status !== 'ok') return ctxEngine;
  const ctxName = expectTlv(b, scoped.value.valOff + ctxEngine.length, send, Tag.OCTET_STRING);
  if (ctxName.status !== 'ok') return ctxName;
  if (ctxName.value.valLen > 0) msg.contextName = textValue(b, ctxName.value);
  const pdu = parsePdu(b, scoped.value.valOff + ctxEngine.length + ctxName.length, send, limits);
  if (pdu.status !== 'ok') return pdu;
  msg.pdu = pdu.value;
  return ok(msg, end);
}

/** A whole SNMP message in b[off, end): SEQUENCE { version, ... }. */
export function parseMessage(b: Uint8Array, off: number, end: number, limits: SnmpLimits = defaultSnmpLimits): Parsed<SnmpMessage> {
  const outer = expectTlv(b, off, end, Tag.SEQUENCE);
  if (outer.status !== 'ok') return outer;
  const mend = outer.value.valOff + outer.value.valLen;
  const ver = int(b, outer.value.valOff, mend);
  if (ver.status !== 'ok') return ver;
  const version = ver.value.value;
  if (!(version in versionNames)) return invalid('app.snmp.bad_version');
  const msg: SnmpMessage = { version, encrypted: false };
  if (version === 3) {
    const r = parseV3(b, ver.value.next, mend, msg, limits);
    if (r.status !== 'ok') msg.anomaly = r.status === 'invalid' ? r.anomaly : 'app.snmp.truncated';
    return ok(msg, outer.length);
  }
  const community = expectTlv(b, ver.value.next, mend, Tag.OCTET_STRING);
  if (community.status !== 'ok') return community;
  msg.community = textValue(b, community.value);
  const pdu = parsePdu(b, ver.value.next + community.length, mend, limits);
  if (pdu.status === 'ok') msg.pdu = pdu.value;
  else msg.anomaly = pdu.status === 'invalid' ? pdu.anomaly : 'app.snmp.truncated';
  return ok(msg, outer.length);
}
