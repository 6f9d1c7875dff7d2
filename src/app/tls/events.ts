/**
 * TLS events and anomalies.
 * @module
 */
import type { AnomalySpec, EventSpec } from '../../events/types.ts';

/** Payload of `tls.client_hello`. */
export interface TlsClientHelloEvent {
  record_version: number;
  client_version: number;
  versions: number[];
  cipher_suites: number[];
  compression_methods: number[];
  session_id_length: number;
  extensions: number[];
  sni?: string;
  alpn: string[];
  supported_groups: number[];
  ec_point_formats: number[];
  signature_algorithms: number[];
  sslv2_hello: boolean;
  ja3?: string;
  ja3_hash?: string;
  ja4?: string;
}

/** Payload of `tls.server_hello`. */
export interface TlsServerHelloEvent {
  version: number;
  selected_version?: number;
  cipher_suite: number;
  compression_method: number;
  session_id_length: number;
  extensions: number[];
  alpn?: string;
  ja3s: string;
  ja3s_hash: string;
}

/** Payload of `tls.certificate`. */
export interface TlsCertificateEvent {
  subject: string;
  issuer: string;
  serial: string;
  not_before: string;
  not_after: string;
  san: string[];
  fingerprint_sha256: string;
  self_signed: boolean;
  chain_index: number;
}

/** Payload of `tls.alert`. */
export interface TlsAlertEvent {
  level: number;
  description: number;
}

export const events = [
  {
    type: 'tls.client_hello',
    description: 'A TLS ClientHello (or SSLv2-compatible hello), with JA3 and JA4 fingerprints.',
    fields: {
      record_version: { type: 'number', description: 'Record-layer version (2 for an SSLv2-format hello), e.g. 769 = 0x0301.' },
      client_version: { type: 'number', description: 'legacy_version of the hello, e.g. 771 = TLS 1.2.' },
      versions: { type: 'number[]', description: 'supported_versions extension values in order (TLS 1.3 clients).' },
      cipher_suites: { type: 'number[]', description: 'Offered cipher suites in order (SSLv2 hello: 24-bit cipher specs).' },
      compression_methods: { type: 'number[]', description: 'Offered compression methods.' },
      session_id_length: { type: 'number', description: 'Length of the session id (resumption attempt when > 0).' },
      extensions: { type: 'number[]', description: 'Extension types in order, GREASE included.' },
      sni: { type: 'string', description: 'server_name (host_name) extension.', optional: true },
      alpn: { type: 'string[]', description: 'ALPN protocols offered.' },
      supported_groups: { type: 'number[]', description: 'supported_groups (elliptic curves) in order.' },
      ec_point_formats: { type: 'number[]', description: 'ec_point_formats in order.' },
      signature_algorithms: { type: 'number[]', description: 'signature_algorithms in order.' },
      sslv2_hello: { type: 'boolean', description: 'True when the hello used the SSLv2-compatible record format.' },
      ja3: { type: 'string', description: 'JA3 string (GREASE removed); absent for SSLv2 hellos.', optional: true },
      ja3_hash: { type: 'string', description: 'MD5 of the JA3 string.', optional: true },
      ja4: { type: 'string', description: 'JA4 fingerprint (FoxIO); absent for SSLv2 hellos.', optional: true },
    },
  },
  {
    type: 'tls.server_hello',
    description: 'A TLS ServerHello, with JA3S.',
    fields: {
      version: { type: 'number', description: 'legacy_version of the server hello.' },
      selected_version: { type: 'number', description: 'supported_versions extension (772 = TLS 1.3).', optional: true },
      cipher_suite: { type: 'number', description: 'Selected cipher suite.' },
      compression_method: { type: 'number', description: 'Selected compression method.' },
      session_id_length: { type: 'number', description: 'Length of the session id.' },
      extensions: { type: 'number[]', description: 'Extension types in order.' },
      alpn: { type: 'string', description: 'Selected ALPN protocol.', optional: true },
      ja3s: { type: 'string', description: 'JA3S string.' },
      ja3s_hash: { type: 'string', description: 'MD5 of the JA3S string.' },
    },
  },
  {
    type: 'tls.certificate',
    description: 'One certificate of a chain sent in clear (TLS 1.2 and older).',
    fields: {
      subject: { type: 'string', description: 'Subject distinguished name, "C=US, O=..., CN=...".' },
      issuer: { type: 'string', description: 'Issuer distinguished name.' },
      serial: { type: 'string', description: 'Serial number, upper-case hex.' },
      not_before: { type: 'string', description: 'Start of validity, ISO 8601 UTC.' },
      not_after: { type: 'string', description: 'End of validity, ISO 8601 UTC.' },
      san: { type: 'string[]', description: 'subjectAltName entries: DNS names and IP addresses bare, others as "type:value".' },
      fingerprint_sha256: { type: 'string', description: 'SHA-256 of the DER certificate, lower-case hex.' },
      self_signed: { type: 'boolean', description: 'Subject equals issuer and the signature verifies with its own key.' },
      chain_index: { type: 'number', description: '0 for the leaf (first in the message), then 1, 2, ...' },
    },
  },
  {
    type: 'tls.alert',
    description: 'An alert sent before encryption started in that direction.',
    fields: {
      level: { type: 'number', description: '1 = warning, 2 = fatal.' },
      description: { type: 'number', description: 'Alert description code (RFC 8446 §6), e.g. 40 handshake_failure.' },
    },
  },
] as const satisfies readonly EventSpec[];

export const anomalies: readonly AnomalySpec[] = [
  { id: 'app.tls.bad_record_type', description: 'A record with an unknown content type or a version not 3.x: not TLS, or framing lost.' },
  { id: 'app.tls.bad_record_length', description: 'A record longer than 2^14+2048 bytes, or an empty non-data record.' },
  { id: 'app.tls.bad_handshake', description: 'A handshake message whose inner lengths do not fit.' },
  { id: 'app.tls.handshake_too_long', description: 'A handshake message larger than the reassembly cap.' },
  { id: 'app.tls.bad_certificate', description: 'A certificate in the chain that X.509 parsing rejected.' },
  { id: 'app.tls.too_many_certificates', description: 'A chain longer than the cap; the rest were not reported.' },
  { id: 'app.tls.bad_sslv2_hello', description: 'An SSLv2-format record that is not a well-formed ClientHello.' },
  { id: 'app.tls.bad_alert', description: 'A cleartext alert record whose length is not 2.' },
];
