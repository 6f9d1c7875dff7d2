/**
 * BACnet/IP events and anomalies.
 * @module
 */
import type { AnomalySpec, EventSpec, FieldSpec } from '../../events/types.ts';

const s = (description: string, optional = false): FieldSpec => ({ type: 'string', description, optional });
const n = (description: string, optional = false): FieldSpec => ({ type: 'number', description, optional });

const property: Record<string, FieldSpec> = {
  invoke_id: n('Invoke id pairing the request with its answer.'),
  object_type: s("Object type name ('device', 'analog-input', ...; 'proprietary-<n>' or the number as text when unnamed)."),
  object_type_id: n('Object type number.'),
  object_instance: n('Object instance number.'),
  property: s("Property identifier name ('present-value', 'object-name', ...)."),
  property_id: n('Property identifier number.'),
  array_index: n('Property array index, when given.', true),
};
const value: Record<string, FieldSpec> = {
  value: s('First primitive value: text for strings, decimal for numbers (reals to float precision), true/false, hex for octet strings, "type:instance" for object ids.', true),
  value_type: s("Application tag of that value: 'real', 'character_string', 'enumerated', 'unsigned', 'boolean', ...", true),
  value_name: s("Name of an enumerated value where the property's enumeration is known (event-state: 'normal', ...; binary present-value: 'active').", true),
  value_count: n('Primitive values in the property value (more than 1 for lists and arrays).', true),
};

export const bacnetEvents: readonly EventSpec[] = [
  {
    type: 'bacnet.apdu',
    description: 'Every BACnet APDU: its BVLC function, PDU type, service, invoke id and result (as ICSNPP bacnet.log).',
    fields: {
      bvlc_function: s("BVLC function ('Original-Unicast-NPDU', 'Original-Broadcast-NPDU', 'Forwarded-NPDU', ...)."),
      pdu_type: s("APDU type: 'confirmed_request', 'unconfirmed_request', 'simple_ack', 'complex_ack', 'segment_ack', 'error', 'reject' or 'abort'."),
      service: s("Service in snake case ('read_property', 'who_is', 'reinitialize_device', ...); for reject/abort/segment-ack the service of the request with that invoke id, when seen.", true),
      service_choice: n('Service choice number.', true),
      invoke_id: n('Invoke id (confirmed services).', true),
      result: s("Outcome carried by the PDU: error code ('password-failure'), reject or abort reason.", true),
      error_class: s("Error class ('security', 'device', ...).", true),
      segmented: { type: 'boolean', description: 'The PDU is one segment of a segmented message.', optional: true },
      more_follows: { type: 'boolean', description: 'More segments follow.', optional: true },
      sequence_number: n('Segment sequence number.', true),
      window_size: n('Proposed or actual window size.', true),
      forwarded_from: s("Forwarded-NPDU: original sender 'a.b.c.d:port'.", true),
      snet: n('NPDU source network number.', true),
      sadr: s('NPDU source MAC address, hex.', true),
      dnet: n('NPDU destination network number (65535: global broadcast).', true),
      dadr: s('NPDU destination MAC address, hex ("" for a broadcast).', true),
    },
  },
  {
    type: 'bacnet.who_is',
    description: 'Who-Is: a device discovery request, optionally for an instance range.',
    fields: { low_limit: n('Lowest device instance asked for.', true), high_limit: n('Highest device instance asked for.', true) },
  },
  {
    type: 'bacnet.i_am',
    description: 'I-Am: a device announces its instance number, vendor and capabilities.',
    fields: {
      device_instance: n('Device object instance number.'),
      object_type: s("Object type of the announced identifier (normally 'device')."),
      max_apdu: n('Largest APDU the device accepts.'),
      segmentation: s("Segmentation supported: 'segmented-both', 'segmented-transmit', 'segmented-receive' or 'no-segmentation'."),
      vendor_id: n('ASHRAE vendor identifier.'),
      vendor: s('Vendor name from the ASHRAE vendor-id registry.', true),
    },
  },
  {
    type: 'bacnet.read_property',
    description: 'ReadProperty request.',
    fields: { ...property },
  },
  {
    type: 'bacnet.read_property_ack',
    description: 'ReadProperty complex ACK: the property and its value.',
    fields: { ...property, ...value },
  },
  {
    type: 'bacnet.write_property',
    description: 'WriteProperty request: the property, the value written and its priority.',
    fields: { ...property, ...value, priority: n('Command priority 1 (highest) .. 16.', true) },
  },
  {
    type: 'bacnet.read_property_multiple',
    description: 'ReadPropertyMultiple request: the objects and properties asked for.',
    fields: {
      invoke_id: n('Invoke id.'),
      properties: { type: 'object[]', description: 'Each: object_type, object_type_id, object_instance, property, property_id, array_index (first 64).' },
      properties_dropped: n('Properties beyond the first 64, not listed.'),
    },
  },
  {
    type: 'bacnet.read_property_multiple_ack',
    description: 'ReadPropertyMultiple complex ACK: each property with its value or the error that kept it from being read.',
    fields: {
      invoke_id: n('Invoke id.'),
      results: { type: 'object[]', description: 'Each: object_type, object_type_id, object_instance, property, property_id, array_index, and value/value_type/value_name/value_count or error_class/error_code (first 64).' },
      results_dropped: n('Results beyond the first 64, not listed.'),
    },
  },
  {
    type: 'bacnet.write_property_multiple',
    description: 'WritePropertyMultiple request: every property written, with its value and priority.',
    fields: {
      invoke_id: n('Invoke id.'),
      writes: { type: 'object[]', description: 'Each: object_type, object_type_id, object_instance, property, property_id, array_index, value, value_type, value_name, value_count, priority (first 64).' },
      writes_dropped: n('Writes beyond the first 64, not listed.'),
    },
  },
  {
    type: 'bacnet.reinitialize_device',
    description: 'ReinitializeDevice request: restart or backup/restore a device.',
    fields: {
      invoke_id: n('Invoke id.'),
      state: s("Reinitialized state: 'coldstart', 'warmstart', 'start-backup', 'end-backup', 'start-restore', 'end-restore', 'abort-restore', 'activate-changes'."),
      password: s('Password, as sent (BACnet sends it in clear).', true),
    },
  },
  {
    type: 'bacnet.device_communication_control',
    description: 'DeviceCommunicationControl request: enable or silence a device.',
    fields: {
      invoke_id: n('Invoke id.'),
      enable_disable: s("'enable', 'disable' or 'disable-initiation'."),
      duration_minutes: n('How long the state holds (minutes); absent: indefinitely.', true),
      password: s('Password, as sent (BACnet sends it in clear).', true),
    },
  },
  {
    type: 'bacnet.network_message',
    description: 'NPDU network-layer message (router discovery, network numbers).',
    fields: {
      message_type: n('Message type number.'),
      message: s("Message name ('Who-Is-Router-To-Network', 'I-Am-Router-To-Network', 'Network-Number-Is', ...)."),
      networks: { type: 'number[]', description: 'Network numbers the message lists.' },
    },
  },
  {
    type: 'bacnet.bvlc',
    description: 'BVLC control message without an NPDU (BVLC-Result, Register-Foreign-Device, broadcast/foreign-device tables).',
    fields: {
      bvlc_function: s('BVLC function name.'),
      result_code: n('BVLC-Result code (0 successful, 0x10 .. 0x60 NAKs).', true),
      ttl: n('Register-Foreign-Device time to live, seconds.', true),
    },
  },
];

export const bacnetAnomalies: readonly AnomalySpec[] = [
  { id: 'app.bacnet.truncated', description: 'A BVLC, NPDU, APDU or tag ends before its stated length.' },
  { id: 'app.bacnet.bad_bvlc', description: 'BVLC type is not 0x81 (BACnet/IP), unknown function or length below 4.' },
  { id: 'app.bacnet.bvlc_length_mismatch', description: 'The BVLC length differs from the UDP payload length; the datagram is decoded as UDP delimits it.' },
  { id: 'app.bacnet.bad_npdu', description: 'NPDU version not 1, reserved control bits set, or a zero-length source address.' },
  { id: 'app.bacnet.bad_pdu_type', description: 'APDU type 8-15 (reserved).' },
  { id: 'app.bacnet.bad_service', description: 'Service data of Who-Is, I-Am, ReadProperty(-ACK), WriteProperty, ReinitializeDevice, DeviceCommunicationControl or Error does not have the required tags.' },
  { id: 'app.bacnet.segment_out_of_order', description: 'A segment arrives with an unexpected sequence number or for another invoke id: reassembly restarts.' },
  { id: 'app.bacnet.segmented_too_large', description: 'A segmented message grows past maxSegmentedBytes: its segments are reported, its content is not parsed.' },
];
