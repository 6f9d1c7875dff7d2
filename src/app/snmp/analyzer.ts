/**
 * SNMP analyzer (UDP 161/162): one `snmp.message` per datagram.
 * @module
 */
import type { AppProtocol } from '../types.ts';
import { type SnmpLimits, type SnmpMessage, defaultSnmpLimits, parseMessage, versionNames } from './parser.ts';
import { type SnmpEvent, snmpAnomalies, snmpEvents } from './events.ts';

/** Stateless: every datagram stands alone. */
export type SnmpState = null;

export function eventFields(m: SnmpMessage): SnmpEvent {
  const ev: SnmpEvent = { version: versionNames[m.version] };
  if (m.community !== undefined) ev.community = m.community;
  if (m.version === 3) {
    if (m.msgId !== undefined) ev.msg_id = m.msgId;
    if (m.securityModel !== undefined) ev.security_model = m.securityModel;
    if (m.msgFlags !== undefined) ev.msg_flags = m.msgFlags;
    if (m.engineId !== undefined) ev.engine_id = m.engineId;
    if (m.userName !== undefined) ev.user_name = m.userName;
    if (m.contextName !== undefined) ev.context_name = m.contextName;
    ev.encrypted = m.encrypted;
  }
  const pdu = m.pdu;
  if (!pdu) return ev;
  ev.pdu_type = pdu.type;
  if (pdu.requestId !== undefined) ev.request_id = pdu.requestId;
  if (pdu.type === 'getbulk') {
    ev.non_repeaters = pdu.errorStatus;
    ev.max_repetitions = pdu.errorIndex;
  } else if (pdu.errorStatus !== undefined) {
    ev.error_status = pdu.errorStatus;
    ev.error_index = pdu.errorIndex;
  }
  if (pdu.enterprise !== undefined) {
    ev.enterprise = pdu.enterprise;
    if (pdu.agentAddr !== undefined) ev.agent_addr = pdu.agentAddr;
    ev.generic_trap = pdu.genericTrap;
    ev.specific_trap = pdu.specificTrap;
  }
  ev.varbind_oids = pdu.oids;
  ev.varbind_count = pdu.varbindCount;
  return ev;
}

/** 30 <len> 02 01 <0|1|3> then 04 (community) or 30 (v3 header): the shape of every SNMP message. */
export function probeSnmp(b: Uint8Array): 'yes' | 'no' {
  if (b.length < 8 || b[0] !== 0x30) return 'no';
  let p = 2;
  if (b[1] & 0x80) {
    const n = b[1] & 0x7f;
    if (n === 0 || n > 4) return 'no';
    p += n;
  }
  if (p + 4 > b.length || b[p] !== 0x02 || b[p + 1] !== 0x01) return 'no';
  const v = b[p + 2];
  const next = b[p + 3];
  return ((v === 0 || v === 1) && next === 0x04) || (v === 3 && next === 0x30) ? 'yes' : 'no';
}

export function createSnmp(limits: Partial<SnmpLimits> = {}): AppProtocol<SnmpState> {
  const opts = { ...defaultSnmpLimits, ...limits };
  return {
    name: 'snmp',
    transports: ['udp'],
    ports: [161, 162],
    probe: (bytes) => probeSnmp(bytes),
    newState: () => null,
    data(_state, _dir, bytes, ctx) {
      const m = parseMessage(bytes, 0, bytes.length, opts);
      if (m.status !== 'ok') {
        ctx.anomaly(m.status === 'invalid' ? m.anomaly : 'app.snmp.truncated');
        return;
      }
      if (m.value.anomaly) ctx.anomaly(m.value.anomaly);
      if (m.value.pdu?.capped) ctx.anomaly('app.snmp.too_many_varbinds');
      if (ctx.wants('snmp.message')) ctx.emit('snmp.message', eventFields(m.value) as unknown as Record<string, unknown>);
    },
    events: snmpEvents,
    anomalies: snmpAnomalies,
  };
}

export const snmp: AppProtocol<SnmpState> = createSnmp();
