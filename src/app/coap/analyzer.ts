/**
 * CoAP analyzer (UDP 5683/5684): one `coap.message` per datagram.
 * @module
 */
import type { AppProtocol } from '../types.ts';
import { type CoapMessage, Option, codeNames, codeString, parseMessage, stringOption, typeNames, uintOption } from './parser.ts';
import { type CoapEvent, coapAnomalies, coapEvents } from './events.ts';

/** Stateless: every datagram stands alone. */
export type CoapState = null;

function hex(b: Uint8Array, off: number, len: number): string {
  let s = '';
  for (let i = off; i < off + len; i++) s += b[i].toString(16).padStart(2, '0');
  return s;
}

/** Longest value of the integer options reported (RFC 7252 5.10, RFC 7641 2). */
const maxUintLength: Readonly<Record<number, number>> = { [Option.URI_PORT]: 2, [Option.CONTENT_FORMAT]: 2, [Option.OBSERVE]: 3 };

/** Event fields; integer options longer than their format allows are left out and counted. */
export function eventFields(b: Uint8Array, m: CoapMessage, anomaly: (id: string) => void): CoapEvent {
  const ev: CoapEvent = {
    version: m.version, message_type: typeNames[m.type], code: codeString(m.code), message_id: m.messageId,
    token: hex(b, m.tokenOff, m.tokenLen), options: [], payload_length: m.payloadLen,
  };
  const name = codeNames[m.code];
  if (name) ev.code_name = name;
  let path: string | undefined;
  for (const o of m.options) {
    ev.options.push(o.number);
    const max = maxUintLength[o.number];
    if (max !== undefined && o.len > max) {
      anomaly('app.coap.bad_option_value');
      continue;
    }
    switch (o.number) {
      case Option.URI_HOST:
        ev.uri_host = stringOption(b, o);
        break;
      case Option.URI_PORT:
        ev.uri_port = uintOption(b, o);
        break;
      case Option.URI_PATH:
        path = (path ?? '') + '/' + stringOption(b, o);
        break;
      case Option.URI_QUERY:
        (ev.uri_query ??= []).push(stringOption(b, o));
        break;
      case Option.CONTENT_FORMAT:
        ev.content_format = uintOption(b, o);
        break;
      case Option.OBSERVE:
        ev.observe = uintOption(b, o);
        break;
    }
  }
  if (path !== undefined) ev.uri_path = path;
  return ev;
}

/** Code classes CoAP uses over UDP: 0 (requests, empty), 2, 4, 5 (responses). */
function plausibleCode(code: number): boolean {
  const cls = code >> 5;
  return (cls === 0 && (code & 0x1f) <= 7) || cls === 2 || cls === 4 || cls === 5;
}

export const coap: AppProtocol<CoapState> = {
  name: 'coap',
  transports: ['udp'],
  ports: [5683, 5684],
  // Four header bits of structure are not enough to claim a flow on another port.
  probe(bytes) {
    const m = parseMessage(bytes, 0, bytes.length);
    if (m.status !== 'ok' || !plausibleCode(m.value.code)) return 'no';
    // An empty message (0.00) is exactly 4 bytes with no token.
    if (m.value.code === 0 && (bytes.length !== 4 || m.value.type === 1)) return 'no';
    return 'maybe';
  },
  newState: () => null,
  data(_state, _dir, bytes, ctx) {
    const m = parseMessage(bytes, 0, bytes.length);
    if (m.status !== 'ok') {
      ctx.anomaly(m.status === 'invalid' ? m.anomaly : 'app.coap.truncated');
      return;
    }
    if (ctx.wants('coap.message')) ctx.emit('coap.message', eventFields(bytes, m.value, (id) => ctx.anomaly(id)) as unknown as Record<string, unknown>);
  },
  events: coapEvents,
  anomalies: coapAnomalies,
};
