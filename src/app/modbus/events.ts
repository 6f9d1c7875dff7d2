/**
 * Modbus/TCP events and anomalies (catalogue entries). Field names follow Zeek's modbus events
 * (tid, uid → transaction_id, unit_id; start_address, quantity) and Suricata's modbus EVE records
 * (function_code, category, access_type, exception).
 * @module
 */
import type { AnomalySpec, EventSpec, FieldSpec } from '../../events/types.ts';

const opt = (type: FieldSpec['type'], description: string): FieldSpec => ({ type, description, optional: true });

const header: Record<string, FieldSpec> = {
  transaction_id: { type: 'number', description: 'MBAP transaction identifier (pairs a response with its request).' },
  unit_id: { type: 'number', description: 'MBAP unit identifier: the addressed server/slave behind a gateway (255 or 0 for the TCP device itself).' },
  function_code: { type: 'number', description: 'Function code (without the exception bit).' },
  function: { type: 'string', description: "Function name, e.g. 'read_coils', 'write_single_register', 'diagnostics'; 'unknown' for codes the specification does not assign." },
};

const pduFields: Record<string, FieldSpec> = {
  category: { type: 'string', description: "Function code category: 'public_assigned', 'public_unassigned', 'user_defined' or 'reserved'." },
  access: opt('string', "What the function does to the data model: 'read', 'write' or 'read_write'."),
  address: opt('number', 'Starting (or single) address of coils/registers (0-based, as on the wire).'),
  quantity: opt('number', 'Quantity of coils or registers.'),
  values: opt('number[]', 'Values written or read: register words, or coil/input states (0/1).'),
  byte_count: opt('number', 'Byte count field.'),
  sub_function: opt('number', 'Diagnostics (08) sub-function code.'),
  sub_function_name: opt('string', "Diagnostics sub-function name, e.g. 'restart_communications_option', 'force_listen_only_mode'."),
  data: opt('number[]', 'Diagnostics data words, or the exception status byte (07).'),
  and_mask: opt('number', 'Mask write register (22) AND mask.'),
  or_mask: opt('number', 'Mask write register (22) OR mask.'),
  read_address: opt('number', 'Read/write multiple registers (23): read starting address.'),
  read_quantity: opt('number', 'Read/write multiple registers (23): quantity to read.'),
  write_address: opt('number', 'Read/write multiple registers (23): write starting address.'),
  write_quantity: opt('number', 'Read/write multiple registers (23): quantity to write.'),
  mei_type: opt('number', 'Encapsulated interface (43) MEI type: 14 read device identification, 13 CANopen.'),
  read_device_id_code: opt('number', 'Read device identification code: 1 basic, 2 regular, 3 extended, 4 one object.'),
  object_id: opt('number', 'Read device identification: first object id asked for.'),
  file_records: opt('object[]', 'File record references (20, 21): {file, record, length}.'),
};

const responseOnly: Record<string, FieldSpec> = {
  paired: { type: 'boolean', description: 'The request with this transaction id was seen on the connection.' },
  request_address: opt('number', 'Starting address of the paired request (reads: where the returned values come from).'),
  request_quantity: opt('number', 'Quantity of the paired request.'),
  server_id: opt('string', 'Report server id (17): the device-specific id bytes, hex.'),
  run_indicator: opt('boolean', 'Report server id (17): run indicator status (true = ON).'),
  server_id_text: opt('string', 'Report server id (17): printable text in the answer (often the vendor or product).'),
  status: opt('number', 'Get comm event counter/log (11, 12): status word.'),
  event_count: opt('number', 'Get comm event counter/log (11, 12): event count.'),
  message_count: opt('number', 'Get comm event log (12): message count.'),
};

export interface ModbusDeviceIdentificationEvent {
  unit_id: number;
  read_device_id_code: number;
  conformity_level: number;
  more_follows: boolean;
  objects: { id: number; name: string; value: string }[];
  vendor_name?: string;
  product_code?: string;
  revision?: string;
  vendor_url?: string;
  product_name?: string;
  model_name?: string;
  user_application_name?: string;
}

export const events: readonly EventSpec[] = [
  {
    type: 'modbus.request',
    description: 'Modbus/TCP request from a client (master) to a server (slave): function code and its fields.',
    fields: { ...header, ...pduFields },
  },
  {
    type: 'modbus.response',
    description: 'Modbus/TCP normal response, paired with its request by transaction id.',
    fields: { ...header, ...pduFields, ...responseOnly },
  },
  {
    type: 'modbus.exception',
    description: 'Modbus/TCP exception response: the server refused or failed the request.',
    fields: {
      ...header,
      exception_code: { type: 'number', description: 'Exception code (1 illegal function, 2 illegal data address, 3 illegal data value, 4 server device failure, 6 busy, 11 gateway target failed to respond, ...).' },
      exception: { type: 'string', description: "Exception name, e.g. 'illegal_function'; 'unknown' for unassigned codes." },
      paired: { type: 'boolean', description: 'The request with this transaction id was seen on the connection.' },
    },
  },
  {
    type: 'modbus.device_identification',
    description: 'Read Device Identification (43/14) answer: the identity objects the device reports.',
    fields: {
      unit_id: { type: 'number', description: 'MBAP unit identifier of the answering device.' },
      read_device_id_code: { type: 'number', description: 'Read device identification code of the answer (1 basic, 2 regular, 3 extended, 4 one object).' },
      conformity_level: { type: 'number', description: 'Conformity level (0x01/0x81 basic, 0x02/0x82 regular, 0x03/0x83 extended).' },
      more_follows: { type: 'boolean', description: 'More objects follow in another transaction.' },
      objects: { type: 'object[]', description: 'Objects as sent: {id, name, value}.' },
      vendor_name: opt('string', 'Object 0: vendor name.'),
      product_code: opt('string', 'Object 1: product code.'),
      revision: opt('string', 'Object 2: major/minor revision (firmware).'),
      vendor_url: opt('string', 'Object 3: vendor URL.'),
      product_name: opt('string', 'Object 4: product name.'),
      model_name: opt('string', 'Object 5: model name.'),
      user_application_name: opt('string', 'Object 6: user application name.'),
    },
  },
];

export const anomalies: readonly AnomalySpec[] = [
  { id: 'app.modbus.bad_protocol_id', description: 'MBAP protocol identifier is not 0 (not Modbus, or framing lost); the direction is no longer parsed.' },
  { id: 'app.modbus.bad_length', description: 'MBAP length outside 2..254; the direction is no longer parsed.' },
  { id: 'app.modbus.pdu_too_short', description: 'PDU shorter than its function code requires.' },
  { id: 'app.modbus.bad_coil_value', description: 'Write single coil with a value other than 0xFF00 or 0x0000.' },
  { id: 'app.modbus.device_id_overflow', description: 'Read device identification object runs past the PDU.' },
  { id: 'app.modbus.unmatched_response', description: 'Response whose transaction id matches no outstanding request.' },
  { id: 'app.modbus.function_mismatch', description: 'Response function code differs from its request.' },
  { id: 'app.modbus.frame_too_large', description: 'A frame longer than the largest legal MBAP frame; the direction is no longer parsed.' },
  { id: 'app.modbus.too_many_pending', description: 'Outstanding requests above the cap; the oldest is forgotten.' },
];
