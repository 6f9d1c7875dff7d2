/**
 * The one list of event fields that carry secrets. Output redaction (src/output/redact.ts), the cleartext
 * credential detectors (src/detect/lib/logins.ts) and the generated docs all read it, so a secret is either
 * listed here — and then redacted everywhere and reported as a cleartext credential — or nowhere.
 * @module
 */

/**
 * How the secret sits in the field:
 * - `value`: the whole string is the secret;
 * - `pairs`: a list of {name, value}; values whose name is secret-like (see `isSecretName`) are secrets;
 * - `all_pairs`: a list of {name, value}; every value is a secret (the names were chosen for being secret);
 * - `url`: a URL or request target: secret-like query parameters and the password of user:password@ are secrets;
 * - `irc_params`: IRC parameters: PASS's argument, and the password of "IDENTIFY" to NickServ.
 */
export type SecretShape = 'value' | 'pairs' | 'all_pairs' | 'url' | 'irc_params';

export interface SecretField {
  field: string;
  events: readonly string[];
  shape: SecretShape;
  what: string;
}

export const secretFields: readonly SecretField[] = [
  { field: 'password', events: ['telnet.login', 'ftp.login', 'mqtt.connect'], shape: 'value', what: 'login password (telnet, FTP PASS, MQTT CONNECT)' },
  { field: 'basic_password', events: ['http.request', 'rtsp.request'], shape: 'value', what: 'password of Basic credentials' },
  { field: 'authorization_credentials', events: ['http.request'], shape: 'value', what: 'credentials of any other Authorization scheme (Bearer, Token, proprietary, bare tokens)' },
  { field: 'token_headers', events: ['http.request'], shape: 'all_pairs', what: 'API keys, tokens and session ids in other headers (X-Auth-Token, X-Api-Key …)' },
  { field: 'community', events: ['snmp.message'], shape: 'value', what: 'SNMP v1/v2c community string' },
  { field: 'query_params', events: ['http.request'], shape: 'pairs', what: 'query-string values named like a secret (password, token, api_key, session …)' },
  { field: 'form_params', events: ['http.request'], shape: 'pairs', what: 'form field values named like a secret' },
  { field: 'uri', events: ['http.request', 'rtsp.request'], shape: 'url', what: 'secret query parameters and user:password@ inside the request target' },
  { field: 'referer', events: ['http.request'], shape: 'url', what: 'secret query parameters inside the Referer' },
  { field: 'request_uri', events: ['http.response'], shape: 'url', what: 'the request target, echoed on the response' },
  { field: 'location', events: ['http.response'], shape: 'url', what: 'secret query parameters inside a redirect' },
  { field: 'params', events: ['irc.message'], shape: 'irc_params', what: 'IRC PASS argument and NickServ IDENTIFY password' },
  { field: 'trailing', events: ['irc.message'], shape: 'irc_params', what: 'IRC PASS or IDENTIFY password in the trailing parameter' },
  { field: 'password', events: ['opcua.activate_session'], shape: 'value', what: 'OPC UA user-name token password (in clear when the channel has no security)' },
  { field: 'password', events: ['bacnet.reinitialize_device', 'bacnet.device_communication_control'], shape: 'value', what: 'BACnet ReinitializeDevice / DeviceCommunicationControl password' },
];

/** Parameter and field names whose value is a secret: passwords, tokens, keys, session ids. */
const secretName = /pass|pwd|secret|token|api_?key|apikey|credential|^auth|_auth$|session|^sid$|^key$|access_?key|private_?key/i;

export function isSecretName(name: string): boolean {
  return secretName.test(name);
}

/** Password-like (as opposed to token-like) names: a user types these. */
export function isPasswordName(name: string): boolean {
  return /pass|pwd/i.test(name);
}

/** Secret fields of one event type, by field name. */
const byEvent = new Map<string, Map<string, SecretShape>>();
for (const f of secretFields) {
  for (const type of f.events) {
    const m = byEvent.get(type) ?? new Map<string, SecretShape>();
    m.set(f.field, f.shape);
    byEvent.set(type, m);
  }
}

export function secretFieldsOf(eventType: string): ReadonlyMap<string, SecretShape> | undefined {
  return byEvent.get(eventType);
}
