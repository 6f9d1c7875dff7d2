/**
 * CoAP events and anomalies.
 * @module
 */
import type { AnomalySpec, EventSpec } from '../../events/types.ts';

export interface CoapEvent {
  version: number;
  message_type: string;
  code: string;
  code_name?: string;
  message_id: number;
  token: string;
  uri_host?: string;
  uri_port?: number;
  uri_path?: string;
  uri_query?: string[];
  content_format?: number;
  observe?: number;
  options: number[];
  payload_length: number;
}

export const coapEvents = [
  {
    type: 'coap.message',
    description: 'One CoAP message (request, response, empty ACK/RST) over UDP.',
    fields: {
      version: { type: 'number', description: 'Protocol version (1).' },
      message_type: { type: 'string', description: 'CON, NON, ACK or RST.' },
      code: { type: 'string', description: 'Code as "class.detail": "0.01" GET, "2.05" Content, "4.04" Not Found, "0.00" empty.' },
      code_name: { type: 'string', description: 'Method or response name for registered codes (GET, POST, Content, Not Found, ...).', optional: true },
      message_id: { type: 'number', description: 'Message id (matches a CON with its ACK).' },
      token: { type: 'string', description: 'Token, hex ("" when empty).' },
      uri_host: { type: 'string', description: 'Uri-Host option.', optional: true },
      uri_port: { type: 'number', description: 'Uri-Port option.', optional: true },
      uri_path: { type: 'string', description: 'Uri-Path segments joined with "/", with a leading "/".', optional: true },
      uri_query: { type: 'string[]', description: 'Uri-Query options, in order.', optional: true },
      content_format: { type: 'number', description: 'Content-Format (0 text/plain, 40 link-format, 50 json, 60 cbor, ...).', optional: true },
      observe: { type: 'number', description: 'Observe option (0 register, 1 deregister in requests; sequence number in notifications).', optional: true },
      options: { type: 'number[]', description: 'Option numbers in order.' },
      payload_length: { type: 'number', description: 'Payload bytes after the 0xFF marker.' },
    },
  },
] as const satisfies readonly EventSpec[];

export const coapAnomalies: readonly AnomalySpec[] = [
  { id: 'app.coap.truncated', description: 'A CoAP message ends inside its header, token or an option value.' },
  { id: 'app.coap.bad_version', description: 'The version field is not 1.' },
  { id: 'app.coap.bad_token_length', description: 'Token length 9-15 (reserved).' },
  { id: 'app.coap.bad_option', description: 'Reserved option delta/length nibble 15, or a payload marker with no payload.' },
  { id: 'app.coap.bad_option_value', description: 'Uri-Port, Content-Format or Observe longer than its format allows; left out of the event.' },
  { id: 'app.coap.too_many_options', description: 'More than 64 options in one message.' },
];
