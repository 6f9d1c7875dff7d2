/**
 * MQTT analyzer (TCP): frames control packets per direction and emits connect / connack / publish /
 * subscribe / suback / unsubscribe / disconnect events. Packets above the buffering cap are not kept: a
 * PUBLISH is reported from its prefix, the rest is skipped.
 * @module
 */
import { StreamBuffer } from '../stream-buffer.ts';
import type { AppContext, AppProtocol, Dir, ProbeInfo } from '../types.ts';
import { anomalies, events } from './events.ts';
import type {
  MqttConnackEvent, MqttConnectEvent, MqttDisconnectEvent, MqttPublishEvent, MqttSubackEvent, MqttSubscribeEvent,
  MqttUnsubscribeEvent,
} from './events.ts';
import {
  MQTT_V5, PacketType, flagsValid, parseConnack, parseConnect, parseDisconnect, parseFixedHeader, parsePublish,
  parseSuback, parseSubscribe, parseUnsubscribe, payloadPreview,
} from './parser.ts';

export interface MqttOptions {
  /** Largest packet buffered whole (bytes); bigger ones are skipped (PUBLISH: reported from its prefix). */
  maxPacket: number;
  /** Bytes of a large PUBLISH's body kept to read its topic and payload preview. */
  publishPrefix: number;
}

export const defaultMqttOptions: MqttOptions = { maxPacket: 64 * 1024, publishPrefix: 4096 };

interface Direction {
  buf: StreamBuffer;
  /** Bytes still to discard (rest of a packet above the cap). */
  skip: number;
  /** Framing lost (bad remaining length): nothing more is parsed in this direction. */
  broken: boolean;
}

export interface MqttState {
  dirs: [Direction, Direction];
  /** Protocol level from CONNECT: decides whether v5 properties are present. */
  version: number;
}

const CONNECT_NAME_MQTT = [0x00, 0x04, 0x4d, 0x51, 0x54, 0x54];
const CONNECT_NAME_MQISDP = [0x00, 0x06, 0x4d, 0x51, 0x49, 0x73, 0x64, 0x70];

function startsWithAt(b: Uint8Array, off: number, pattern: readonly number[]): boolean {
  if (b.length - off < pattern.length) return false;
  for (let i = 0; i < pattern.length; i++) if (b[off + i] !== pattern[i]) return false;
  return true;
}

/** 'yes' on a CONNECT naming MQTT/MQIsdp with a known level; 'maybe' on a well-formed first packet. */
export function probeMqtt(bytes: Uint8Array, _dir: Dir, _info?: ProbeInfo): 'yes' | 'no' | 'maybe' {
  const fh = parseFixedHeader(bytes, 0, bytes.length);
  if (fh.status !== 'ok') return 'no';
  const { type, flags, headerLength } = fh.value;
  if (type === PacketType.CONNECT && flags === 0) {
    const at = headerLength;
    if (startsWithAt(bytes, at, CONNECT_NAME_MQTT)) {
      const level = bytes[at + 6];
      return level === 4 || level === 5 ? 'yes' : 'maybe';
    }
    if (startsWithAt(bytes, at, CONNECT_NAME_MQISDP)) return bytes[at + 8] === 3 ? 'yes' : 'maybe';
    return 'no';
  }
  if (type === 0 || type === PacketType.AUTH || !flagsValid(type, flags)) return 'no';
  return 'maybe';
}

function newDirection(opts: MqttOptions): Direction {
  return { buf: new StreamBuffer(opts.maxPacket + 5 + opts.publishPrefix, 512), skip: 0, broken: false };
}

/** Build the MQTT analyzer with explicit caps (tests use small ones). */
export function createMqtt(opts: MqttOptions = defaultMqttOptions): AppProtocol<MqttState> {
  /** Frame and handle packets in b[off, end); returns the offset reached (the rest is an incomplete packet). */
  function frame(s: MqttState, d: Direction, dir: Dir, b: Uint8Array, off: number, end: number, ctx: AppContext): number {
    while (off < end) {
      const fh = parseFixedHeader(b, off, end);
      if (fh.status === 'incomplete') return off;
      if (fh.status === 'invalid') {
        ctx.anomaly(fh.anomaly);
        d.broken = true;
        return end;
      }
      const { type, flags, remainingLength, headerLength } = fh.value;
      const total = headerLength + remainingLength;
      if (total <= end - off) {
        handle(s, dir, type, flags, b, off + headerLength, off + total, ctx);
        off += total;
        continue;
      }
      if (total <= opts.maxPacket) return off;
      // Above the cap: report a PUBLISH from its prefix, then skip what is left of the packet.
      if (type === PacketType.PUBLISH) {
        const need = headerLength + Math.min(remainingLength, opts.publishPrefix);
        if (end - off < need) return off;
        publish(s, flags, b, off + headerLength, off + need, remainingLength, ctx);
      }
      ctx.anomaly('app.mqtt.packet_too_large');
      d.skip = total - (end - off);
      return end;
    }
    return off;
  }

  function publish(s: MqttState, flags: number, b: Uint8Array, off: number, end: number, bodyLength: number, ctx: AppContext): void {
    const p = parsePublish(b, off, end, flags, s.version);
    if (p.status !== 'ok') {
      if (p.status === 'invalid') ctx.anomaly(p.anomaly);
      return;
    }
    const v = p.value;
    if (v.badUtf8) ctx.anomaly('app.mqtt.bad_utf8');
    if (!ctx.wants('mqtt.publish')) return;
    const payloadLength = bodyLength - (v.payloadStart - off);
    const ev: MqttPublishEvent = { topic: v.topic, qos: v.qos, retain: v.retain, dup: v.dup, payload_length: payloadLength };
    if (v.packetId !== undefined) ev.packet_id = v.packetId;
    const preview = payloadPreview(b, v.payloadStart, v.payloadLength);
    if (preview !== undefined) ev.payload_preview = preview;
    ctx.emit('mqtt.publish', { ...ev });
  }

  function handle(s: MqttState, _dir: Dir, type: number, flags: number, b: Uint8Array, off: number, end: number, ctx: AppContext): void {
    if (type === 0 || (type === PacketType.AUTH && s.version !== MQTT_V5)) {
      ctx.anomaly('app.mqtt.bad_packet_type');
      return;
    }
    if (!flagsValid(type, flags)) ctx.anomaly('app.mqtt.bad_flags');
    switch (type) {
      case PacketType.CONNECT: {
        const c = parseConnect(b, off, end);
        if (c.status !== 'ok') {
          if (c.status === 'invalid') ctx.anomaly(c.anomaly);
          return;
        }
        const v = c.value;
        s.version = v.protocolVersion;
        if (v.protocolName !== 'MQTT' && v.protocolName !== 'MQIsdp') ctx.anomaly('app.mqtt.bad_protocol_name');
        if (v.reservedFlag) ctx.anomaly('app.mqtt.reserved_connect_flag');
        if (v.badUtf8) ctx.anomaly('app.mqtt.bad_utf8');
        if (!ctx.wants('mqtt.connect')) return;
        const ev: MqttConnectEvent = {
          protocol_name: v.protocolName, protocol_version: v.protocolVersion, client_id: v.clientId,
          clean_session: v.cleanSession, keep_alive: v.keepAlive,
          flags: { username: v.flagUsername, password: v.flagPassword, will: v.flagWill, will_retain: v.flagWillRetain, clean_session: v.cleanSession },
        };
        if (v.username !== undefined) ev.username = v.username;
        if (v.password !== undefined) ev.password = v.password;
        if (v.willTopic !== undefined) {
          ev.will_topic = v.willTopic;
          ev.will_payload_length = v.willPayloadLength;
          ev.will_qos = v.willQos;
        }
        ctx.emit('mqtt.connect', { ...ev });
        return;
      }
      case PacketType.CONNACK: {
        const c = parseConnack(b, off, end);
        if (c.status === 'invalid') ctx.anomaly(c.anomaly);
        if (c.status !== 'ok' || !ctx.wants('mqtt.connack')) return;
        const ev: MqttConnackEvent = { session_present: c.value.sessionPresent, return_code: c.value.returnCode, protocol_version: s.version };
        ctx.emit('mqtt.connack', { ...ev });
        return;
      }
      case PacketType.PUBLISH:
        publish(s, flags, b, off, end, end - off, ctx);
        return;
      case PacketType.SUBSCRIBE:
      case PacketType.UNSUBSCRIBE: {
        const sub = type === PacketType.SUBSCRIBE ? parseSubscribe(b, off, end, s.version) : parseUnsubscribe(b, off, end, s.version);
        if (sub.status === 'invalid') ctx.anomaly(sub.anomaly);
        if (sub.status !== 'ok') return;
        if (sub.value.badUtf8) ctx.anomaly('app.mqtt.bad_utf8');
        if (type === PacketType.SUBSCRIBE) {
          if (!ctx.wants('mqtt.subscribe')) return;
          const ev: MqttSubscribeEvent = { packet_id: sub.value.packetId, topics: sub.value.topics, qos: sub.value.qos };
          ctx.emit('mqtt.subscribe', { ...ev });
        } else {
          if (!ctx.wants('mqtt.unsubscribe')) return;
          const ev: MqttUnsubscribeEvent = { packet_id: sub.value.packetId, topics: sub.value.topics };
          ctx.emit('mqtt.unsubscribe', { ...ev });
        }
        return;
      }
      case PacketType.SUBACK: {
        const a = parseSuback(b, off, end, s.version);
        if (a.status === 'invalid') ctx.anomaly(a.anomaly);
        if (a.status !== 'ok' || !ctx.wants('mqtt.suback')) return;
        const ev: MqttSubackEvent = { packet_id: a.value.packetId, return_codes: a.value.returnCodes };
        ctx.emit('mqtt.suback', { ...ev });
        return;
      }
      case PacketType.DISCONNECT: {
        if (!ctx.wants('mqtt.disconnect')) return;
        const dc = parseDisconnect(b, off, end);
        const ev: MqttDisconnectEvent = {};
        if (dc.status === 'ok' && dc.value.reasonCode !== undefined) ev.reason_code = dc.value.reasonCode;
        ctx.emit('mqtt.disconnect', { ...ev });
        return;
      }
      default:
        // PUBACK..PUBCOMP, UNSUBACK, PINGREQ/RESP, AUTH: framed, no event.
        return;
    }
  }

  return {
    name: 'mqtt',
    transports: ['tcp'],
    ports: [1883, 8883],
    probe: probeMqtt,
    newState: () => ({ dirs: [newDirection(opts), newDirection(opts)], version: 4 }),
    data(s, dir, bytes, ctx) {
      const d = s.dirs[dir];
      let pos = 0;
      while (pos < bytes.length && !d.broken) {
        if (d.skip > 0) {
          const n = Math.min(d.skip, bytes.length - pos);
          d.skip -= n;
          pos += n;
          continue;
        }
        if (d.buf.length === 0) {
          // Fast path: frame straight from the delivery, keep only an incomplete tail.
          pos = frame(s, d, dir, bytes, pos, bytes.length, ctx);
          if (pos < bytes.length && d.skip === 0 && !d.broken) {
            if (!d.buf.append(bytes.subarray(pos))) {
              ctx.anomaly('app.mqtt.packet_too_large');
              d.broken = true;
            }
            pos = bytes.length;
          }
          continue;
        }
        const n = Math.min(bytes.length - pos, d.buf.cap - d.buf.length);
        d.buf.append(bytes.subarray(pos, pos + n));
        pos += n;
        const view = d.buf.view();
        const used = frame(s, d, dir, view, 0, view.length, ctx);
        d.buf.consume(used);
        if (used === 0 && d.buf.length === d.buf.cap) {
          // Cannot happen with consistent caps; guards progress anyway.
          d.broken = true;
        }
      }
    },
    gap(s, dir, length) {
      const d = s.dirs[dir];
      // Lost bytes inside a packet being skipped change nothing; elsewhere the framing is lost.
      if (d.skip >= length) {
        d.skip -= length;
        return;
      }
      d.buf.clear();
      d.broken = true;
    },
    events,
    anomalies,
  };
}

export const mqtt: AppProtocol<MqttState> = createMqtt();
