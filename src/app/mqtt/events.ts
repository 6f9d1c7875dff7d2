/**
 * MQTT events and anomalies (catalogue entries). Field names follow Suricata's mqtt EVE records where one
 * exists (client_id, protocol_version, flags.*, return_code, topic, qos, retain, dup).
 * @module
 */
import type { AnomalySpec, EventSpec } from '../../events/types.ts';

export interface MqttConnectFlags {
  username: boolean;
  password: boolean;
  will: boolean;
  will_retain: boolean;
  clean_session: boolean;
}

export interface MqttConnectEvent {
  protocol_name: string;
  protocol_version: number;
  client_id: string;
  username?: string;
  password?: string;
  will_topic?: string;
  will_payload_length?: number;
  will_qos?: number;
  clean_session: boolean;
  keep_alive: number;
  flags: MqttConnectFlags;
}

export interface MqttConnackEvent {
  session_present: boolean;
  return_code: number;
  protocol_version: number;
}

export interface MqttPublishEvent {
  topic: string;
  qos: number;
  retain: boolean;
  dup: boolean;
  packet_id?: number;
  payload_length: number;
  payload_preview?: string;
}

export interface MqttSubscribeEvent {
  packet_id: number;
  topics: string[];
  qos: number[];
}

export interface MqttSubackEvent {
  packet_id: number;
  return_codes: number[];
}

export interface MqttUnsubscribeEvent {
  packet_id: number;
  topics: string[];
}

export interface MqttDisconnectEvent {
  reason_code?: number;
}

export const events = [
  {
    type: 'mqtt.connect',
    description: 'MQTT CONNECT: a client opened a session (credentials as sent, in clear).',
    fields: {
      protocol_name: { type: 'string', description: "Protocol name: 'MQTT' (3.1.1, 5.0) or 'MQIsdp' (3.1)." },
      protocol_version: { type: 'number', description: 'Protocol level: 3 (3.1), 4 (3.1.1), 5 (5.0).' },
      client_id: { type: 'string', description: 'Client identifier (may be empty).' },
      username: { type: 'string', description: 'User name, when the username flag is set.', optional: true },
      password: { type: 'string', description: 'Password as sent (UTF-8 decoded), when the password flag is set.', optional: true },
      will_topic: { type: 'string', description: 'Will topic, when the will flag is set.', optional: true },
      will_payload_length: { type: 'number', description: 'Will message length in bytes.', optional: true },
      will_qos: { type: 'number', description: 'Will QoS, when the will flag is set.', optional: true },
      clean_session: { type: 'boolean', description: 'Clean session (3.x) / clean start (5.0) flag.' },
      keep_alive: { type: 'number', description: 'Keep alive interval, seconds.' },
      flags: { type: 'object', description: 'Connect flags: username, password, will, will_retain, clean_session (booleans).' },
    },
  },
  {
    type: 'mqtt.connack',
    description: 'MQTT CONNACK: the broker answered a CONNECT.',
    fields: {
      session_present: { type: 'boolean', description: 'Session present flag.' },
      return_code: { type: 'number', description: 'Return code (3.x: 0 accepted, 4 bad user name or password, 5 not authorized) or reason code (5.0).' },
      protocol_version: { type: 'number', description: 'Protocol level of the session (from its CONNECT; 4 when unseen).' },
    },
  },
  {
    type: 'mqtt.publish',
    description: 'MQTT PUBLISH: a message on a topic (either direction).',
    fields: {
      topic: { type: 'string', description: 'Topic name.' },
      qos: { type: 'number', description: 'QoS level 0, 1 or 2.' },
      retain: { type: 'boolean', description: 'Retain flag.' },
      dup: { type: 'boolean', description: 'Duplicate delivery flag.' },
      packet_id: { type: 'number', description: 'Packet identifier (QoS 1 and 2).', optional: true },
      payload_length: { type: 'number', description: 'Payload length in bytes.' },
      payload_preview: { type: 'string', description: 'First 64 bytes of the payload as text, when printable UTF-8.', optional: true },
    },
  },
  {
    type: 'mqtt.subscribe',
    description: 'MQTT SUBSCRIBE: topic filters a client asks for.',
    fields: {
      packet_id: { type: 'number', description: 'Packet identifier.' },
      topics: { type: 'string[]', description: 'Topic filters (at most 64).' },
      qos: { type: 'number[]', description: 'Requested QoS per topic filter (same order).' },
    },
  },
  {
    type: 'mqtt.suback',
    description: 'MQTT SUBACK: the broker answered a SUBSCRIBE.',
    fields: {
      packet_id: { type: 'number', description: 'Packet identifier.' },
      return_codes: { type: 'number[]', description: 'Granted QoS or failure (0x80) per topic filter.' },
    },
  },
  {
    type: 'mqtt.unsubscribe',
    description: 'MQTT UNSUBSCRIBE: topic filters a client drops.',
    fields: {
      packet_id: { type: 'number', description: 'Packet identifier.' },
      topics: { type: 'string[]', description: 'Topic filters (at most 64).' },
    },
  },
  {
    type: 'mqtt.disconnect',
    description: 'MQTT DISCONNECT.',
    fields: {
      reason_code: { type: 'number', description: 'Reason code (5.0 only).', optional: true },
    },
  },
] as const satisfies readonly EventSpec[];

export const anomalies: readonly AnomalySpec[] = [
  { id: 'app.mqtt.bad_remaining_length', description: 'Remaining length varint longer than 4 bytes: the stream cannot be framed further.' },
  { id: 'app.mqtt.length_overflow', description: 'A length-prefixed field or properties block runs past the end of its packet.' },
  { id: 'app.mqtt.bad_utf8', description: 'A string field is not valid MQTT UTF-8 (malformed, surrogate or NUL).' },
  { id: 'app.mqtt.bad_packet_type', description: 'Reserved packet type 0 (or 15 before MQTT 5.0).' },
  { id: 'app.mqtt.bad_flags', description: 'Fixed-header flags differ from the ones the packet type requires.' },
  { id: 'app.mqtt.bad_qos', description: 'PUBLISH with QoS 3 (reserved).' },
  { id: 'app.mqtt.bad_protocol_name', description: "CONNECT protocol name is neither 'MQTT' nor 'MQIsdp'." },
  { id: 'app.mqtt.reserved_connect_flag', description: 'CONNECT reserved flag bit 0 is set.' },
  { id: 'app.mqtt.empty_topic_list', description: 'SUBSCRIBE or UNSUBSCRIBE without any topic filter.' },
  { id: 'app.mqtt.packet_too_large', description: 'Packet larger than the buffering cap: parsed from its prefix (PUBLISH) or skipped.' },
];
