/**
 * SNMP events and anomalies.
 * @module
 */
import type { AnomalySpec, EventSpec } from '../../events/types.ts';

export interface SnmpEvent {
  version: string;
  community?: string;
  pdu_type?: string;
  request_id?: number;
  error_status?: number;
  error_index?: number;
  non_repeaters?: number;
  max_repetitions?: number;
  varbind_oids?: string[];
  varbind_count?: number;
  enterprise?: string;
  agent_addr?: string;
  generic_trap?: number;
  specific_trap?: number;
  msg_id?: number;
  security_model?: number;
  msg_flags?: number;
  engine_id?: string;
  user_name?: string;
  context_name?: string;
  encrypted?: boolean;
}

export const snmpEvents = [
  {
    type: 'snmp.message',
    description: 'One SNMP message (v1, v2c or v3). v1/v2c carry the community string in clear; v3 PDUs are reported only when not encrypted.',
    fields: {
      version: { type: 'string', description: "'v1', 'v2c' or 'v3'." },
      community: { type: 'string', description: 'v1/v2c community string, as sent.', optional: true },
      pdu_type: {
        type: 'string',
        description: 'get, getnext, response, set, trap (v1), getbulk, inform, trapv2 or report; absent when encrypted or malformed.',
        optional: true,
      },
      request_id: { type: 'number', description: 'Request id (not in v1 traps).', optional: true },
      error_status: { type: 'number', description: 'Error status (0 noError, 2 noSuchName, 16 authorizationError, ...).', optional: true },
      error_index: { type: 'number', description: 'Error index.', optional: true },
      non_repeaters: { type: 'number', description: 'getbulk: non-repeaters.', optional: true },
      max_repetitions: { type: 'number', description: 'getbulk: max-repetitions.', optional: true },
      varbind_oids: { type: 'string[]', description: 'OIDs of the variable bindings, dotted (first 64).', optional: true },
      varbind_count: { type: 'number', description: 'Number of variable bindings.', optional: true },
      enterprise: { type: 'string', description: 'v1 trap: enterprise OID.', optional: true },
      agent_addr: { type: 'string', description: 'v1 trap: agent address.', optional: true },
      generic_trap: { type: 'number', description: 'v1 trap: generic trap number (0 coldStart ... 6 enterpriseSpecific).', optional: true },
      specific_trap: { type: 'number', description: 'v1 trap: specific trap code.', optional: true },
      msg_id: { type: 'number', description: 'v3: message id.', optional: true },
      security_model: { type: 'number', description: 'v3: security model (3 USM).', optional: true },
      msg_flags: { type: 'number', description: 'v3: msgFlags bits (1 auth, 2 priv, 4 reportable).', optional: true },
      engine_id: { type: 'string', description: 'v3 USM: authoritative engine id, hex.', optional: true },
      user_name: { type: 'string', description: 'v3 USM: user name (absent in discovery requests).', optional: true },
      context_name: { type: 'string', description: 'v3: context name, when not empty.', optional: true },
      encrypted: { type: 'boolean', description: 'v3: the scoped PDU is encrypted (priv flag), so no PDU fields.', optional: true },
    },
  },
] as const satisfies readonly EventSpec[];

export const snmpAnomalies: readonly AnomalySpec[] = [
  { id: 'app.snmp.bad_ber', description: 'BER structure SNMP does not allow: multi-byte tag, indefinite or 5+ byte length, wrong tag, oversized integer or OID.' },
  { id: 'app.snmp.truncated', description: 'An SNMP message or one of its fields runs past the end of the datagram.' },
  { id: 'app.snmp.bad_version', description: 'The version is not 0 (v1), 1 (v2c) or 3 (v3).' },
  { id: 'app.snmp.unknown_pdu', description: 'The PDU tag is not one of 0xA0-0xA8.' },
  { id: 'app.snmp.too_many_varbinds', description: 'More variable bindings than kept (default 64); the count stays exact.' },
];
