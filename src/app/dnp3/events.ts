/**
 * DNP3 events and anomalies (catalogue entries). Field names follow Suricata's dnp3 EVE records
 * (control.*, application.control.*, function_code, objects[].group/variation/qualifier/prefix_code/
 * range_code/start/stop/count/points, iin indicators).
 * @module
 */
import type { AnomalySpec, EventSpec, FieldSpec } from '../../events/types.ts';

const opt = (type: FieldSpec['type'], description: string): FieldSpec => ({ type, description, optional: true });

const common: Record<string, FieldSpec> = {
  source: { type: 'number', description: 'Link-layer source address (the master for requests, the outstation for responses).' },
  destination: { type: 'number', description: 'Link-layer destination address.' },
  control: { type: 'object', description: 'Link control of the frame that completed the fragment: {dir, pri, fcb, fcv, function_code}.' },
  application_control: { type: 'object', description: 'Application control: {fir, fin, con, uns, sequence}.' },
  function_code: { type: 'number', description: 'Application function code.' },
  function: { type: 'string', description: "Function name: 'read', 'write', 'select', 'operate', 'direct_operate', 'cold_restart', 'warm_restart', 'open_file', 'response', ...; 'unknown' otherwise." },
  objects: { type: 'object[]', description: 'Object headers: {group, variation, qualifier, prefix_code, range_code, start, stop, count, points?, points_dropped?, file_name?}; points as {index, prefix, <flags and value fields>}.' },
  complete: { type: 'boolean', description: 'Every object of the fragment was parsed (false when the walk stopped at an unknown or malformed object).' },
};

const response: Record<string, FieldSpec> = {
  ...common,
  iin: { type: 'number', description: 'Internal indications, IIN1 << 8 | IIN2.' },
  iin_indicators: { type: 'string[]', description: "Names of the IIN bits set, e.g. 'device_restart', 'need_time', 'no_func_code_support'." },
  request_function: opt('string', 'Function of the request this response answers (same application sequence), when seen.'),
};

export const events: readonly EventSpec[] = [
  { type: 'dnp3.request', description: 'DNP3 application request from a master to an outstation (reassembled from transport segments).', fields: common },
  { type: 'dnp3.response', description: 'DNP3 solicited response (function 129) or authentication response (131) from an outstation.', fields: response },
  { type: 'dnp3.unsolicited_response', description: 'DNP3 unsolicited response (function 130): an outstation reporting events on its own.', fields: response },
];

export const anomalies: readonly AnomalySpec[] = [
  { id: 'app.dnp3.bad_start', description: 'Link frame without the 0x05 0x64 start octets; the direction is no longer parsed.' },
  { id: 'app.dnp3.bad_length', description: 'Link length octet below 5; the direction is no longer parsed.' },
  { id: 'app.dnp3.frame_too_large', description: 'A link frame above the framing cap (cannot happen with a valid length octet).' },
  { id: 'app.dnp3.bad_header_crc', description: 'Link header CRC mismatch; the frame is dropped.' },
  { id: 'app.dnp3.bad_block_crc', description: 'User data block CRC mismatch; the frame is dropped.' },
  { id: 'app.dnp3.transport_no_first', description: 'Transport segment without FIR while no fragment is being assembled.' },
  { id: 'app.dnp3.transport_sequence', description: 'Transport segment out of sequence; the fragment is dropped.' },
  { id: 'app.dnp3.fragment_too_large', description: 'Reassembled application fragment above the cap; it is dropped.' },
  { id: 'app.dnp3.too_many_assemblies', description: 'More source/destination pairs assembling fragments at once than the cap; the oldest is dropped.' },
  { id: 'app.dnp3.app_too_short', description: 'Application fragment shorter than its header.' },
  { id: 'app.dnp3.object_too_short', description: 'Object header or its points run past the fragment.' },
  { id: 'app.dnp3.bad_qualifier', description: 'Object qualifier with a reserved prefix or range code.' },
  { id: 'app.dnp3.bad_range', description: 'Object range whose stop index is below its start.' },
  { id: 'app.dnp3.unknown_object', description: 'Object type whose size Bulwark does not know; the rest of the fragment is not walked.' },
  { id: 'app.dnp3.too_many_objects', description: 'More object headers in one fragment than the cap.' },
];
