/**
 * MQTT 3.1 / 3.1.1 / 5.0 control packet parsers (OASIS MQTT 3.1.1 §2-3, MQTT 5.0 §2-3). Pure: each takes
 * the stream bytes and an offset pair [off, end) of one packet's variable header + payload (after the fixed
 * header) and returns Parsed<T>. Strings are length-prefixed (2 bytes) and must stay inside the packet.
 * @module
 */
import { incomplete, invalid, ok } from '../types.ts';
import type { Parsed } from '../types.ts';
import { utf8 as utf8Text } from '../text.ts';

export const PacketType = {
  CONNECT: 1, CONNACK: 2, PUBLISH: 3, PUBACK: 4, PUBREC: 5, PUBREL: 6, PUBCOMP: 7, SUBSCRIBE: 8, SUBACK: 9,
  UNSUBSCRIBE: 10, UNSUBACK: 11, PINGREQ: 12, PINGRESP: 13, DISCONNECT: 14, AUTH: 15,
} as const;

/** Protocol level of MQTT 5.0 (3 = 3.1 "MQIsdp", 4 = 3.1.1). */
export const MQTT_V5 = 5;
/** Publish payload preview size (bytes). */
export const PREVIEW_BYTES = 64;

export interface FixedHeader {
  type: number;
  /** Low nibble of the first byte (dup/qos/retain for PUBLISH). */
  flags: number;
  remainingLength: number;
  /** Bytes of the fixed header (1 + length of the varint). */
  headerLength: number;
}

/** Fixed header: type/flags byte and the remaining length varint (1..4 bytes, 7 bits each). */
export function parseFixedHeader(b: Uint8Array, off: number, end: number): Parsed<FixedHeader> {
  if (end - off < 2) return incomplete(2);
  let value = 0;
  let mult = 1;
  for (let i = 0; i < 4; i++) {
    const at = off + 1 + i;
    if (at >= end) return incomplete(i + 2);
    const byte = b[at];
    value += (byte & 0x7f) * mult;
    if ((byte & 0x80) === 0) {
      return ok({ type: b[off] >> 4, flags: b[off] & 0x0f, remainingLength: value, headerLength: i + 2 }, i + 2);
    }
    mult *= 128;
  }
  return invalid('app.mqtt.bad_remaining_length');
}

/** Variable byte integer (MQTT 5 property lengths): value and bytes used. */
export function parseVarint(b: Uint8Array, off: number, end: number): Parsed<number> {
  let value = 0;
  let mult = 1;
  for (let i = 0; i < 4; i++) {
    if (off + i >= end) return invalid('app.mqtt.length_overflow');
    const byte = b[off + i];
    value += (byte & 0x7f) * mult;
    if ((byte & 0x80) === 0) return ok(value, i + 1);
    mult *= 128;
  }
  return invalid('app.mqtt.bad_remaining_length');
}

const utf8 = utf8Text;

/** Strict UTF-8 check (no overlongs, no surrogates, no NUL, which MQTT strings forbid). */
export function isValidMqttUtf8(b: Uint8Array, off: number, end: number): boolean {
  let i = off;
  while (i < end) {
    const c = b[i];
    if (c === 0) return false;
    if (c < 0x80) { i++; continue; }
    let n: number;
    let min: number;
    if ((c & 0xe0) === 0xc0) { n = 1; min = 0x80; } else if ((c & 0xf0) === 0xe0) { n = 2; min = 0x800; } else if ((c & 0xf8) === 0xf0) { n = 3; min = 0x10000; } else return false;
    if (i + n >= end) return false;
    let cp = c & (0x3f >> n);
    for (let k = 1; k <= n; k++) {
      const cc = b[i + k];
      if ((cc & 0xc0) !== 0x80) return false;
      cp = (cp << 6) | (cc & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return false;
    i += n + 1;
  }
  return true;
}

/** A decoded length-prefixed string; `badUtf8` when the bytes are not valid MQTT UTF-8. */
export interface MqttString {
  text: string;
  badUtf8: boolean;
  /** Bytes used including the 2-byte length. */
  length: number;
}

/** Length-prefixed UTF-8 string at `off`, which must end at or before `end`. */
export function parseString(b: Uint8Array, off: number, end: number): Parsed<MqttString> {
  if (end - off < 2) return invalid('app.mqtt.length_overflow');
  const len = (b[off] << 8) | b[off + 1];
  if (off + 2 + len > end) return invalid('app.mqtt.length_overflow');
  const badUtf8 = !isValidMqttUtf8(b, off + 2, off + 2 + len);
  return ok({ text: utf8.decode(b.subarray(off + 2, off + 2 + len)), badUtf8, length: 2 + len }, 2 + len);
}

/** Length-prefixed binary data (password, will payload): offset and length of the bytes. */
function binaryField(b: Uint8Array, off: number, end: number): Parsed<{ start: number; size: number }> {
  if (end - off < 2) return invalid('app.mqtt.length_overflow');
  const size = (b[off] << 8) | b[off + 1];
  if (off + 2 + size > end) return invalid('app.mqtt.length_overflow');
  return ok({ start: off + 2, size }, 2 + size);
}

/** MQTT 5 properties block: skipped, bounded by the packet end. Returns the bytes used. */
export function skipProperties(b: Uint8Array, off: number, end: number): Parsed<number> {
  const len = parseVarint(b, off, end);
  if (len.status !== 'ok') return len;
  if (off + len.length + len.value > end) return invalid('app.mqtt.length_overflow');
  return ok(len.length + len.value, len.length + len.value);
}

export interface MqttConnect {
  protocolName: string;
  protocolVersion: number;
  flagUsername: boolean;
  flagPassword: boolean;
  flagWill: boolean;
  flagWillRetain: boolean;
  willQos: number;
  cleanSession: boolean;
  /** Reserved flag bit 0 must be zero. */
  reservedFlag: boolean;
  keepAlive: number;
  clientId: string;
  willTopic?: string;
  willPayloadLength?: number;
  username?: string;
  password?: string;
  badUtf8: boolean;
}

/** CONNECT (§3.1): protocol name, level, flags, keep alive, [v5 properties], payload fields in flag order. */
export function parseConnect(b: Uint8Array, off: number, end: number): Parsed<MqttConnect> {
  const name = parseString(b, off, end);
  if (name.status !== 'ok') return name;
  let at = off + name.length;
  if (end - at < 4) return invalid('app.mqtt.length_overflow');
  const version = b[at];
  const flags = b[at + 1];
  const keepAlive = (b[at + 2] << 8) | b[at + 3];
  at += 4;
  if (version === MQTT_V5) {
    const props = skipProperties(b, at, end);
    if (props.status !== 'ok') return props;
    at += props.length;
  }
  const c: MqttConnect = {
    protocolName: name.value.text,
    protocolVersion: version,
    flagUsername: (flags & 0x80) !== 0,
    flagPassword: (flags & 0x40) !== 0,
    flagWillRetain: (flags & 0x20) !== 0,
    willQos: (flags >> 3) & 3,
    flagWill: (flags & 0x04) !== 0,
    cleanSession: (flags & 0x02) !== 0,
    reservedFlag: (flags & 0x01) !== 0,
    keepAlive,
    clientId: '',
    badUtf8: name.value.badUtf8,
  };
  const id = parseString(b, at, end);
  if (id.status !== 'ok') return id;
  c.clientId = id.value.text;
  c.badUtf8 ||= id.value.badUtf8;
  at += id.length;
  if (c.flagWill) {
    if (version === MQTT_V5) {
      const props = skipProperties(b, at, end);
      if (props.status !== 'ok') return props;
      at += props.length;
    }
    const topic = parseString(b, at, end);
    if (topic.status !== 'ok') return topic;
    c.willTopic = topic.value.text;
    c.badUtf8 ||= topic.value.badUtf8;
    at += topic.length;
    const payload = binaryField(b, at, end);
    if (payload.status !== 'ok') return payload;
    c.willPayloadLength = payload.value.size;
    at += payload.length;
  }
  if (c.flagUsername) {
    const user = parseString(b, at, end);
    if (user.status !== 'ok') return user;
    c.username = user.value.text;
    c.badUtf8 ||= user.value.badUtf8;
    at += user.length;
  }
  if (c.flagPassword) {
    const pass = binaryField(b, at, end);
    if (pass.status !== 'ok') return pass;
    c.password = utf8.decode(b.subarray(pass.value.start, pass.value.start + pass.value.size));
    at += pass.length;
  }
  return ok(c, end - off);
}

export interface MqttConnack {
  sessionPresent: boolean;
  returnCode: number;
}

/** CONNACK (§3.2): acknowledge flags, return code (v3) / reason code (v5); v5 properties ignored. */
export function parseConnack(b: Uint8Array, off: number, end: number): Parsed<MqttConnack> {
  if (end - off < 2) return invalid('app.mqtt.length_overflow');
  return ok({ sessionPresent: (b[off] & 1) !== 0, returnCode: b[off + 1] }, end - off);
}

export interface MqttPublish {
  topic: string;
  qos: number;
  retain: boolean;
  dup: boolean;
  packetId?: number;
  /** Offset of the payload in the input and its length within [off, end). */
  payloadStart: number;
  payloadLength: number;
  badUtf8: boolean;
}

/**
 * PUBLISH (§3.3): topic, packet id when qos > 0, [v5 properties], payload. `end` may stop before the
 * packet's end (a large packet parsed from its prefix): `payloadLength` then counts only what is present.
 */
export function parsePublish(b: Uint8Array, off: number, end: number, flags: number, version: number): Parsed<MqttPublish> {
  const qos = (flags >> 1) & 3;
  if (qos === 3) return invalid('app.mqtt.bad_qos');
  const topic = parseString(b, off, end);
  if (topic.status !== 'ok') return topic;
  let at = off + topic.length;
  let packetId: number | undefined;
  if (qos > 0) {
    if (end - at < 2) return invalid('app.mqtt.length_overflow');
    packetId = (b[at] << 8) | b[at + 1];
    at += 2;
  }
  if (version === MQTT_V5) {
    const props = skipProperties(b, at, end);
    if (props.status !== 'ok') return props;
    at += props.length;
  }
  return ok({
    topic: topic.value.text, qos, retain: (flags & 1) !== 0, dup: (flags & 8) !== 0, packetId,
    payloadStart: at, payloadLength: end - at, badUtf8: topic.value.badUtf8,
  }, end - off);
}

/** Printable text preview of a payload (first PREVIEW_BYTES), or undefined when not printable UTF-8. */
export function payloadPreview(b: Uint8Array, start: number, length: number): string | undefined {
  const n = Math.min(length, PREVIEW_BYTES);
  for (let i = start; i < start + n; i++) {
    const c = b[i];
    if (c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) return undefined;
    if (c === 0x7f) return undefined;
  }
  // A multi-byte sequence cut by the preview limit is not an error: trim it before decoding.
  let stop = start + n;
  if (n < length) {
    let back = stop - 1;
    while (back > start && back > stop - 4 && (b[back] & 0xc0) === 0x80) back--;
    if (b[back] >= 0xc0) stop = back;
  }
  if (!isValidMqttUtf8(b, start, stop)) return undefined;
  return utf8.decode(b.subarray(start, stop));
}

export interface MqttSubscribe {
  packetId: number;
  topics: string[];
  qos: number[];
  badUtf8: boolean;
}

/** Topic filters are capped per packet to bound the event size. */
export const MAX_TOPICS = 64;

/** SUBSCRIBE (§3.8): packet id, [v5 properties], (topic filter, options byte)+. */
export function parseSubscribe(b: Uint8Array, off: number, end: number, version: number): Parsed<MqttSubscribe> {
  return topicList(b, off, end, version, true);
}

export type MqttUnsubscribe = MqttSubscribe;

/** UNSUBSCRIBE (§3.10): packet id, [v5 properties], topic filter+. */
export function parseUnsubscribe(b: Uint8Array, off: number, end: number, version: number): Parsed<MqttUnsubscribe> {
  return topicList(b, off, end, version, false);
}

function topicList(b: Uint8Array, off: number, end: number, version: number, withQos: boolean): Parsed<MqttSubscribe> {
  if (end - off < 2) return invalid('app.mqtt.length_overflow');
  const out: MqttSubscribe = { packetId: (b[off] << 8) | b[off + 1], topics: [], qos: [], badUtf8: false };
  let at = off + 2;
  if (version === MQTT_V5) {
    const props = skipProperties(b, at, end);
    if (props.status !== 'ok') return props;
    at += props.length;
  }
  while (at < end && out.topics.length < MAX_TOPICS) {
    const topic = parseString(b, at, end);
    if (topic.status !== 'ok') return topic;
    at += topic.length;
    out.topics.push(topic.value.text);
    out.badUtf8 ||= topic.value.badUtf8;
    if (withQos) {
      if (at >= end) return invalid('app.mqtt.length_overflow');
      out.qos.push(b[at] & 3);
      at++;
    }
  }
  if (out.topics.length === 0) return invalid('app.mqtt.empty_topic_list');
  return ok(out, end - off);
}

export interface MqttSuback {
  packetId: number;
  returnCodes: number[];
}

/** SUBACK (§3.9): packet id, [v5 properties], one return code per requested topic. */
export function parseSuback(b: Uint8Array, off: number, end: number, version: number): Parsed<MqttSuback> {
  if (end - off < 2) return invalid('app.mqtt.length_overflow');
  let at = off + 2;
  if (version === MQTT_V5) {
    const props = skipProperties(b, at, end);
    if (props.status !== 'ok') return props;
    at += props.length;
  }
  const returnCodes: number[] = [];
  for (; at < end && returnCodes.length < MAX_TOPICS; at++) returnCodes.push(b[at]);
  return ok({ packetId: (b[off] << 8) | b[off + 1], returnCodes }, end - off);
}

/** DISCONNECT (§3.14): empty in v3; v5 may carry a reason code (absent = 0, normal). */
export function parseDisconnect(b: Uint8Array, off: number, end: number): Parsed<{ reasonCode?: number }> {
  return ok({ reasonCode: end > off ? b[off] : undefined }, end - off);
}

/** Required low-nibble flags per packet type (§2.2.2); PUBLISH (3) is free. -1 = no fixed value. */
const requiredFlags = [-1, 0, 0, -1, 0, 0, 2, 0, 2, 0, 2, 0, 0, 0, 0, 0];

/** True when the fixed header's flags are the ones the type requires. */
export function flagsValid(type: number, flags: number): boolean {
  const need = requiredFlags[type & 0x0f];
  return need === -1 || need === flags;
}
