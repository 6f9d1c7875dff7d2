/**
 * S7comm events and anomalies (catalogue entries). Names follow ICSNPP-S7comm's logs where it has one
 * (rosctr, pdu_reference, function, subfunction, error class/code; SZL id/index/return code; upload and
 * download file names, block type and number; known devices' names and serial).
 * @module
 */
import type { AnomalySpec, EventSpec, FieldSpec } from '../../events/types.ts';

const opt = (type: FieldSpec['type'], description: string): FieldSpec => ({ type, description, optional: true });

const jobFields: Record<string, FieldSpec> = {
  pdu_reference: { type: 'number', description: 'PDU reference (as on the wire, big-endian; pairs a job with its ack).' },
  function_code: { type: 'number', description: 'Job function code: 0xf0 setup communication, 0x04 read var, 0x05 write var, 0x1a-0x1c download, 0x1d-0x1f upload, 0x28 PI service (PLC control), 0x29 PLC stop.' },
  function: { type: 'string', description: "Function name: 'setup_communication', 'read_var', 'write_var', 'request_download', 'download_block', 'download_ended', 'start_upload', 'upload', 'end_upload', 'plc_control', 'plc_stop', 'cpu_services' or 'unknown'." },
  item_count: opt('number', 'Read/write var: number of items.'),
  items: opt('object[]', 'Read/write var items (S7ANY): {syntax_id, transport_size, length, db_number, area, area_name, address, bit}.'),
  max_amq_calling: opt('number', 'Setup communication: parallel jobs the caller allows.'),
  max_amq_called: opt('number', 'Setup communication: parallel jobs the callee allows.'),
  pdu_length: opt('number', 'Setup communication: PDU length proposed (job) or granted (ack-data).'),
  session_id: opt('number', 'Upload/download session id.'),
  filename: opt('string', "Upload/download file name, e.g. '_0A00001P'."),
  block_type: opt('string', "Block type from the file name: 'OB', 'DB', 'SDB', 'FC', 'SFC', 'FB', 'SFB'."),
  block_number: opt('string', "Block number from the file name, e.g. '00001'."),
  destination_filesystem: opt('string', "File system from the file name: 'passive', 'active', 'active_and_passive'."),
  pi_service: opt('string', "PI service name (PLC control / PLC stop): '_INSE', '_DELE', 'P_PROGRAM', '_MODU', '_GARB', ..."),
  pi_service_name: opt('string', "What the PI service does: 'activate_block', 'delete_block', 'program_start_stop', 'copy_ram_to_rom', 'compress_memory', ..."),
  pi_argument: opt('string', 'PI service parameter block as text (block list for _INSE/_DELE, "C " for a cold start of P_PROGRAM).'),
};

export const events: readonly EventSpec[] = [
  {
    type: 's7comm.cotp_connect',
    description: 'COTP connection request or confirm of an ISO-on-TCP (RFC 1006) connection: the TSAPs name the rack and slot addressed.',
    fields: {
      cotp_type: { type: 'string', description: "'connection_request' or 'connection_confirm'." },
      src_ref: { type: 'number', description: 'Source reference.' },
      dst_ref: { type: 'number', description: 'Destination reference.' },
      src_tsap: opt('string', 'Calling TSAP, hex.'),
      dst_tsap: opt('string', 'Called TSAP, hex.'),
      tpdu_size: opt('number', 'Maximum TPDU size, bytes.'),
      connection_type: opt('number', 'From a two-byte called TSAP: 1 PG (programming device), 2 OP (HMI), 3 S7 basic.'),
      rack: opt('number', 'From a two-byte called TSAP: rack number.'),
      slot: opt('number', 'From a two-byte called TSAP: CPU slot.'),
    },
  },
  { type: 's7comm.job', description: 'S7comm job request (ROSCTR 1): a command to the PLC (read/write variables, upload/download blocks, start/stop, ...).', fields: jobFields },
  {
    type: 's7comm.ack_data',
    description: 'S7comm ack-data (ROSCTR 3): the answer to a job, with its error class and code.',
    fields: {
      ...jobFields,
      error_class: { type: 'number', description: 'Error class (0 = no error; 0x81 application relationship, 0x82 object definition, 0x83 no resources, 0x84 service processing, 0x85 supplies, 0x87 access).' },
      error_code: { type: 'number', description: 'Error code within the class.' },
      return_codes: opt('number[]', 'Read/write var: per-item return code (0xff = success, 0x05 address out of range, 0x0a object does not exist, ...).'),
      block_length: opt('number', 'Upload: block length announced or carried.'),
    },
  },
  {
    type: 's7comm.ack',
    description: 'S7comm ack without data (ROSCTR 2): usually an error answer to a job.',
    fields: {
      pdu_reference: { type: 'number', description: 'PDU reference of the job answered.' },
      error_class: { type: 'number', description: 'Error class.' },
      error_code: { type: 'number', description: 'Error code.' },
    },
  },
  {
    type: 's7comm.userdata',
    description: 'S7comm user data (ROSCTR 7): programming, CPU, block, security and time functions.',
    fields: {
      pdu_reference: { type: 'number', description: 'PDU reference.' },
      method: { type: 'string', description: "'request', 'response' or 'push'." },
      function_group: { type: 'number', description: 'Function group (1 programmer commands, 3 block functions, 4 CPU functions, 5 security, 7 time functions, ...).' },
      function_group_name: { type: 'string', description: "Function group name, e.g. 'cpu_functions'." },
      subfunction: { type: 'number', description: 'Sub-function code within the group.' },
      subfunction_name: { type: 'string', description: "Sub-function name, e.g. 'read_szl', 'list_blocks', 'set_clock', 'plc_password'; 'unknown' otherwise." },
      sequence: { type: 'number', description: 'Sequence number (joins fragments of one answer).' },
      error_code: opt('number', 'Responses: error code (0 = no error).'),
      return_code: opt('number', 'Return code of the data item (0xff = success).'),
      more_follows: opt('boolean', 'Responses: the data continues in another PDU.'),
    },
  },
  {
    type: 's7comm.szl',
    description: 'SZL (system status list) read: request or (reassembled) answer, with the identity and mode fields of module/component identification and mode lists.',
    fields: {
      pdu_reference: { type: 'number', description: 'PDU reference (of the last fragment for a joined answer).' },
      method: { type: 'string', description: "'request' or 'response'." },
      szl_id: { type: 'number', description: 'SZL id (0x0011 module identification, 0x001c component identification, 0x0424 modes, ...).' },
      szl_id_name: { type: 'string', description: "SZL id name, e.g. 'module_identification'; 'unknown' otherwise." },
      szl_index: { type: 'number', description: 'SZL index.' },
      return_code: { type: 'number', description: 'Data item return code (0xff = success).' },
      record_count: opt('number', 'Responses: number of records.'),
      order_number: opt('string', 'Module identification: order number (MLFB), e.g. "6ES7 315-2EH14-0AB0".'),
      firmware_version: opt('string', 'Module identification: firmware version, e.g. "V3.2.7".'),
      boot_loader_version: opt('string', 'Module identification: boot loader version.'),
      automation_system_name: opt('string', 'Component identification: automation system (station) name.'),
      module_name: opt('string', 'Component identification: module name.'),
      plant_name: opt('string', 'Component identification: plant designation.'),
      copyright: opt('string', 'Component identification: copyright entry.'),
      serial_number: opt('string', 'Component identification: module serial number.'),
      module_type_name: opt('string', 'Component identification: module type name, e.g. "CPU 315-2 PN/DP".'),
      memory_card_serial: opt('string', 'Component identification: memory card serial number.'),
      oem_id: opt('string', 'Component identification: OEM id.'),
      location: opt('string', 'Component identification: location designation.'),
      cpu_mode: opt('string', "Modes (0x0424): 'run', 'stop', 'startup', 'hold' or 'defect'."),
    },
  },
  {
    type: 's7comm.plus',
    description: 'S7comm-plus PDU (protocol id 0x72, S7-1200/1500 and TIA Portal): recognised and named, not decoded further.',
    fields: {
      pdu_type: { type: 'number', description: 'PDU type: 1 connect, 2 data, 3 data (firmware 1.5), 0xff keep-alive.' },
      pdu_type_name: { type: 'string', description: "'connect', 'data', 'data_fw1_5', 'keep_alive' or 'unknown'." },
      data_length: { type: 'number', description: 'Data length from the header.' },
      opcode: opt('number', 'Opcode: 0x31 request, 0x32 response, 0x33 notification.'),
      opcode_name: opt('string', "'request', 'response', 'notification' or 'response2'."),
      function_code: opt('number', 'Function code of a request/response (e.g. 0x04ca CreateObject, 0x0542 SetMultiVariables).'),
      function: opt('string', "Function name, e.g. 'create_object', 'set_multi_variables', 'delete_object', 'invoke'; 'unknown' otherwise."),
    },
  },
];

export const anomalies: readonly AnomalySpec[] = [
  { id: 'app.s7comm.bad_tpkt', description: 'TPKT header is not version 3 or its length is below 7; the direction is no longer parsed.' },
  { id: 'app.s7comm.frame_too_large', description: 'A TPKT frame longer than the framing cap; the direction is no longer parsed.' },
  { id: 'app.s7comm.bad_cotp', description: 'COTP header length or parameters run past the TPKT frame.' },
  { id: 'app.s7comm.tsdu_too_large', description: 'COTP data units of one TSDU add up to more than the reassembly cap; the TSDU is dropped.' },
  { id: 'app.s7comm.bad_protocol_id', description: 'COTP data that is neither S7comm (0x32) nor S7comm-plus (0x72).' },
  { id: 'app.s7comm.bad_rosctr', description: 'S7comm header with an unknown ROSCTR.' },
  { id: 'app.s7comm.pdu_too_short', description: 'S7comm PDU shorter than its header.' },
  { id: 'app.s7comm.length_overflow', description: 'S7comm parameter and data lengths run past the PDU.' },
  { id: 'app.s7comm.param_too_short', description: 'S7comm parameter part shorter than its function requires.' },
  { id: 'app.s7comm.data_too_short', description: 'S7comm data part shorter than its item header.' },
  { id: 'app.s7comm.szl_too_large', description: 'A fragmented SZL answer above the reassembly cap; it is dropped.' },
];
