/**
 * The JSON form of records Bulwark writes (events.jsonl, flows.jsonl, findings, --json): one naming convention
 * (snake_case; `orig_`/`resp_` for the two sides of a flow, `src_`/`dst_` for the sender and receiver of one
 * message, as Zeek does), an ISO 8601 UTC `timestamp` beside every epoch `ts`, enumerations as names beside their
 * numbers, times rounded to the microsecond the capture holds (no float noise), and no field that shares a Zeek
 * name with another meaning. docs/json.md maps every field to Zeek and Suricata EVE.
 * @module
 */

/** ISO 8601 UTC with microseconds: what pcap timestamps resolve. */
export function isoTime(ts: number): string {
  const micros = Math.round(ts * 1e6);
  const ms = Math.floor(micros / 1000);
  const iso = new Date(ms).toISOString(); // 2024-01-01T00:00:00.040Z
  return `${iso.slice(0, 23)}${String(micros % 1000).padStart(3, '0')}Z`;
}

/** Round a non-integer to 6 decimals (the microseconds a capture resolves; more digits are float noise). */
export function round6(x: number): number {
  return Number.isInteger(x) ? x : Math.round(x * 1e6) / 1e6;
}

const tlsVersions: Record<number, string> = { 0x0002: 'SSLv2', 0x0300: 'SSLv3', 0x0301: 'TLSv1.0', 0x0302: 'TLSv1.1', 0x0303: 'TLSv1.2', 0x0304: 'TLSv1.3' };
const dnsTypes: Record<number, string> = {
  1: 'A', 2: 'NS', 5: 'CNAME', 6: 'SOA', 12: 'PTR', 13: 'HINFO', 15: 'MX', 16: 'TXT', 28: 'AAAA', 33: 'SRV', 35: 'NAPTR', 41: 'OPT',
  43: 'DS', 46: 'RRSIG', 47: 'NSEC', 48: 'DNSKEY', 64: 'SVCB', 65: 'HTTPS', 255: 'ANY',
};
const dnsRcodes: Record<number, string> = { 0: 'NOERROR', 1: 'FORMERR', 2: 'SERVFAIL', 3: 'NXDOMAIN', 4: 'NOTIMP', 5: 'REFUSED', 9: 'NOTAUTH' };
const dnsOpcodes: Record<number, string> = { 0: 'QUERY', 1: 'IQUERY', 2: 'STATUS', 4: 'NOTIFY', 5: 'UPDATE' };
const mqtt3Return: Record<number, string> = {
  0: 'accepted', 1: 'unacceptable_protocol_version', 2: 'identifier_rejected', 3: 'server_unavailable', 4: 'bad_user_name_or_password', 5: 'not_authorized',
  0x86: 'bad_user_name_or_password', 0x87: 'not_authorized',
};
const ntpModes: Record<number, string> = { 1: 'symmetric_active', 2: 'symmetric_passive', 3: 'client', 4: 'server', 5: 'broadcast', 6: 'control', 7: 'private' };
const snmpErrors: Record<number, string> = { 0: 'noError', 1: 'tooBig', 2: 'noSuchName', 3: 'badValue', 4: 'readOnly', 5: 'genErr', 6: 'noAccess', 16: 'authorizationError' };

/** Per event type: numeric enumeration fields and their names (written as `<field>_name`). */
const enumNames: Record<string, Record<string, Record<number, string>>> = {
  'tls.client_hello': { client_version: tlsVersions },
  'tls.server_hello': { version: tlsVersions, selected_version: tlsVersions },
  'dns.query': { qtype: dnsTypes, opcode: dnsOpcodes },
  'dns.response': { qtype: dnsTypes, rcode: dnsRcodes, opcode: dnsOpcodes },
  'mqtt.connack': { return_code: mqtt3Return },
  'ntp.message': { mode: ntpModes },
  'snmp.message': { error_status: snmpErrors },
};

/**
 * Per event type: enumerations inside lists. A list of objects gets `<field>_name` in each item (DNS records'
 * `type`, questions' `qtype`); a list of numbers gets a parallel `<list>_names` (TLS supported_versions).
 */
const nestedEnumNames: Record<string, Record<string, { field?: string; names: Record<number, string> }>> = {
  'dns.query': { questions: { field: 'qtype', names: dnsTypes }, answers: { field: 'type', names: dnsTypes }, authority: { field: 'type', names: dnsTypes } },
  'dns.response': { questions: { field: 'qtype', names: dnsTypes }, answers: { field: 'type', names: dnsTypes }, authority: { field: 'type', names: dnsTypes }, additional: { field: 'type', names: dnsTypes } },
  'tls.client_hello': { versions: { names: tlsVersions } },
};

const enumName = (names: Record<number, string>, value: number): string => names[value] ?? `unknown(${value})`;

/** A list with its nested enumerations named (new objects; the input list is not changed). */
function nameNested(list: unknown[], spec: { field?: string; names: Record<number, string> }): unknown[] {
  return list.map((item) => {
    if (spec.field === undefined || item === null || typeof item !== 'object' || Array.isArray(item)) return item;
    const value = (item as Record<string, unknown>)[spec.field];
    return typeof value === 'number' ? { ...item, [`${spec.field}_name`]: enumName(spec.names, value) } : item;
  });
}

/** Flow fields renamed on output: Zeek's orig_bytes/resp_bytes are payload bytes, ours are frame bytes. */
const flowRenames: Record<string, string> = { orig_bytes: 'orig_wire_bytes', resp_bytes: 'resp_wire_bytes' };

/** The JSON form of an event, flow record or finding (a new object; the input is not changed). */
export function jsonForm(record: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const type = String(record.type ?? '');
  const isFlow = type === 'flow';
  const enums = enumNames[type];
  const nested = nestedEnumNames[type];
  for (const [key, value] of Object.entries(record)) {
    const name = isFlow ? (flowRenames[key] ?? key) : key;
    out[name] = typeof value === 'number' ? round6(value) : value;
    const inner = nested?.[key];
    if (inner !== undefined && Array.isArray(value)) {
      if (inner.field !== undefined) out[name] = nameNested(value, inner);
      else if (value.every((v) => typeof v === 'number')) out[`${key}_names`] = value.map((v: number) => enumName(inner.names, v));
    }
    if (key === 'ts' && typeof value === 'number') out.timestamp = isoTime(value);
    else if (key === 'first_ts' && typeof value === 'number') out.timestamp ??= isoTime(value);
    else if (key === 'last_ts' && typeof value === 'number') out.end_timestamp = isoTime(value);
    if (enums !== undefined && typeof value === 'number') {
      const names = enums[key];
      if (names !== undefined) out[`${key}_name`] = enumName(names, value);
    }
  }
  return out;
}
