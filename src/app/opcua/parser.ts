/**
 * OPC UA Connection Protocol and Secure Conversation (IEC 62541-6 clauses 6.7 and 7.1): message headers,
 * HEL/ACK/ERR/RHE, the OPN and MSG security headers, and the session services Bulwark reads field by field
 * (OpenSecureChannel, GetEndpoints, CreateSession, ActivateSession). Pure functions; no throw.
 * @module
 */
import { type Parsed, incomplete, invalid, ok } from '../types.ts';
import { Reader } from './binary.ts';

export interface ChunkHeader {
  /** 'HEL', 'ACK', 'ERR', 'RHE', 'OPN', 'MSG' or 'CLO'. */
  type: string;
  /** 'F' final, 'C' intermediate, 'A' abort. */
  chunk: string;
  size: number;
}

const messageTypes = new Set(['HEL', 'ACK', 'ERR', 'RHE', 'OPN', 'MSG', 'CLO']);

/** The 8-byte header of every OPC UA TCP message. */
export function parseChunkHeader(b: Uint8Array, off: number, end: number): Parsed<ChunkHeader> {
  if (end - off < 8) return incomplete(8);
  // First letters of HEL, ACK, ERR, RHE, OPN, MSG, CLO: most other TCP payloads stop here, before any string is made.
  const c = b[off];
  if (c !== 0x48 && c !== 0x41 && c !== 0x45 && c !== 0x52 && c !== 0x4f && c !== 0x4d && c !== 0x43) return invalid('app.opcua.bad_message_type');
  const type = String.fromCharCode(c, b[off + 1], b[off + 2]);
  const chunk = String.fromCharCode(b[off + 3]);
  if (!messageTypes.has(type) || (chunk !== 'F' && chunk !== 'C' && chunk !== 'A')) return invalid('app.opcua.bad_message_type');
  const size = (b[off + 4] | (b[off + 5] << 8) | (b[off + 6] << 16)) + b[off + 7] * 0x1000000;
  // Connection messages are single chunks; secure-channel chunks carry at least their 16-byte headers.
  if (size < 8 || ((type === 'HEL' || type === 'ACK' || type === 'ERR' || type === 'RHE') && chunk !== 'F')) return invalid('app.opcua.bad_message_size');
  return ok({ type, chunk, size }, 8);
}

export interface Hello {
  protocolVersion: number;
  receiveBufferSize: number;
  sendBufferSize: number;
  maxMessageSize: number;
  maxChunkCount: number;
  endpointUrl?: string;
}

/** HEL (with its endpoint URL) or ACK body. */
export function parseHello(b: Uint8Array, off: number, end: number, withUrl: boolean): Parsed<Hello> {
  const r = new Reader(b, off, end);
  const v: Hello = { protocolVersion: r.u32(), receiveBufferSize: r.u32(), sendBufferSize: r.u32(), maxMessageSize: r.u32(), maxChunkCount: r.u32() };
  if (withUrl) v.endpointUrl = r.string();
  return r.failed ? invalid('app.opcua.truncated') : ok(v, r.at - off);
}

export function parseError(b: Uint8Array, off: number, end: number): Parsed<{ error: number; reason?: string }> {
  const r = new Reader(b, off, end);
  const v = { error: r.u32(), reason: r.string() };
  return r.failed ? invalid('app.opcua.truncated') : ok(v, r.at - off);
}

export function parseReverseHello(b: Uint8Array, off: number, end: number): Parsed<{ serverUri?: string; endpointUrl?: string }> {
  const r = new Reader(b, off, end);
  const v = { serverUri: r.string(), endpointUrl: r.string() };
  return r.failed ? invalid('app.opcua.truncated') : ok(v, r.at - off);
}

export interface SecurityHeader {
  secureChannelId: number;
  /** OPN: asymmetric security header. */
  policyUri?: string;
  senderCertificateLength?: number;
  receiverThumbprintLength?: number;
  /** MSG/CLO: symmetric token id. */
  tokenId?: number;
  sequenceNumber: number;
  requestId: number;
  /** Offset of the (possibly encrypted) body. */
  bodyOff: number;
}

/** Security and sequence headers of an OPN, MSG or CLO chunk whose payload (after the 8-byte header) is b[off, end). */
export function parseSecurityHeader(type: string, b: Uint8Array, off: number, end: number): Parsed<SecurityHeader> {
  const r = new Reader(b, off, end);
  const v: SecurityHeader = { secureChannelId: r.u32(), sequenceNumber: 0, requestId: 0, bodyOff: 0 };
  if (type === 'OPN') {
    v.policyUri = r.string();
    v.senderCertificateLength = r.byteString().len;
    v.receiverThumbprintLength = r.byteString().len;
  } else {
    v.tokenId = r.u32();
  }
  v.sequenceNumber = r.u32();
  v.requestId = r.u32();
  v.bodyOff = r.at;
  return r.failed ? invalid('app.opcua.truncated') : ok(v, r.at - off);
}

/** Binary encoding ids (IEC 62541-6 NodeIds) of the messages decoded field by field. */
export const Encoding = {
  SERVICE_FAULT: 397, GET_ENDPOINTS_REQUEST: 428, GET_ENDPOINTS_RESPONSE: 431,
  OPEN_SECURE_CHANNEL_REQUEST: 446, OPEN_SECURE_CHANNEL_RESPONSE: 449, CLOSE_SECURE_CHANNEL_REQUEST: 452,
  CREATE_SESSION_REQUEST: 461, CREATE_SESSION_RESPONSE: 464, ACTIVATE_SESSION_REQUEST: 467, ACTIVATE_SESSION_RESPONSE: 470,
  ANONYMOUS_IDENTITY_TOKEN: 321, USER_NAME_IDENTITY_TOKEN: 324, X509_IDENTITY_TOKEN: 327, ISSUED_IDENTITY_TOKEN: 940,
} as const;

export const securityModeNames: Readonly<Record<number, string>> = { 0: 'Invalid', 1: 'None', 2: 'Sign', 3: 'SignAndEncrypt' };
export const applicationTypeNames = ['Server', 'Client', 'ClientAndServer', 'DiscoveryServer'] as const;
export const userTokenTypeNames = ['anonymous', 'user_name', 'x509', 'issued'] as const;

export interface RequestHeader {
  requestHandle: number;
  timeoutHint: number;
}

function requestHeader(r: Reader): RequestHeader {
  r.nodeId(); // authentication token
  r.skip(8); // timestamp
  const requestHandle = r.u32();
  r.u32(); // return diagnostics
  r.string(); // audit entry id
  const timeoutHint = r.u32();
  r.extensionObject();
  return { requestHandle, timeoutHint };
}

export interface ResponseHeader {
  requestHandle: number;
  serviceResult: number;
}

function responseHeader(r: Reader): ResponseHeader {
  r.skip(8);
  const requestHandle = r.u32();
  const serviceResult = r.u32();
  r.diagnosticInfo();
  r.stringArray();
  r.extensionObject();
  return { requestHandle, serviceResult };
}

export interface ApplicationDescription {
  applicationUri?: string;
  productUri?: string;
  applicationName?: string;
  applicationType: number;
  discoveryUrls: string[];
}

function applicationDescription(r: Reader): ApplicationDescription {
  const applicationUri = r.string();
  const productUri = r.string();
  const applicationName = r.localizedText().text;
  const applicationType = r.u32();
  r.string(); // gateway server uri
  r.string(); // discovery profile uri
  return { applicationUri, productUri, applicationName, applicationType, discoveryUrls: r.stringArray() };
}

export interface Endpoint {
  endpointUrl?: string;
  server: ApplicationDescription;
  serverCertificateLength: number;
  securityMode: number;
  securityPolicyUri?: string;
  userTokenTypes: number[];
  securityLevel: number;
}

function endpointDescription(r: Reader): Endpoint {
  const endpointUrl = r.string();
  const server = applicationDescription(r);
  const serverCertificateLength = r.byteString().len;
  const securityMode = r.u32();
  const securityPolicyUri = r.string();
  const userTokenTypes: number[] = [];
  const n = r.arrayLength(4);
  for (let i = 0; i < n && !r.failed; i++) {
    r.string(); // policy id
    const type = r.u32();
    r.string(); // issued token type
    r.string(); // issuer endpoint url
    r.string(); // security policy uri
    if (userTokenTypes.length < 16 && !userTokenTypes.includes(type)) userTokenTypes.push(type);
  }
  r.string(); // transport profile uri
  const securityLevel = r.u8();
  return { endpointUrl, server, serverCertificateLength, securityMode, securityPolicyUri, userTokenTypes, securityLevel };
}

function endpoints(r: Reader, max: number): Endpoint[] {
  const n = r.arrayLength(16);
  const out: Endpoint[] = [];
  for (let i = 0; i < n && !r.failed && i < max; i++) out.push(endpointDescription(r));
  return out;
}

export interface OpenSecureChannelRequest {
  header: RequestHeader;
  clientProtocolVersion: number;
  requestType: number;
  securityMode: number;
  clientNonceLength: number;
  requestedLifetime: number;
}

export interface OpenSecureChannelResponse {
  header: ResponseHeader;
  channelId: number;
  tokenId: number;
  revisedLifetime: number;
}

export interface CreateSessionRequest {
  header: RequestHeader;
  client: ApplicationDescription;
  serverUri?: string;
  endpointUrl?: string;
  sessionName?: string;
  clientCertificateLength: number;
}

export interface CreateSessionResponse {
  header: ResponseHeader;
  serverCertificateLength: number;
  endpoints: Endpoint[];
}

export interface ActivateSessionRequest {
  header: RequestHeader;
  /** Encoding id of the identity token (321 anonymous, 324 user name, 327 X.509, 940 issued); undefined: none. */
  tokenType?: number;
  policyId?: string;
  userName?: string;
  /** Password (or issued token) bytes: offset and length in the message. */
  secret?: { off: number; len: number };
  encryptionAlgorithm?: string;
  certificateLength?: number;
}

export type ServiceBody =
  | { kind: 'open_secure_channel_request'; value: OpenSecureChannelRequest }
  | { kind: 'open_secure_channel_response'; value: OpenSecureChannelResponse }
  | { kind: 'create_session_request'; value: CreateSessionRequest }
  | { kind: 'create_session_response'; value: CreateSessionResponse }
  | { kind: 'activate_session_request'; value: ActivateSessionRequest }
  | { kind: 'get_endpoints_response'; value: { header: ResponseHeader; endpoints: Endpoint[] } }
  | { kind: 'request'; value: RequestHeader }
  | { kind: 'response'; value: ResponseHeader };

export interface Service {
  /** Binary encoding id of the message (the NodeId before the body); undefined when not numeric. */
  typeId?: number;
  body?: ServiceBody;
}

function identityToken(r: Reader, v: ActivateSessionRequest): void {
  const token = r.extensionObject();
  if (token.typeId.numeric === 0 && token.typeId.namespace === 0 && !token.body) return; // no token
  v.tokenType = token.typeId.numeric;
  if (!token.body || token.body.len < 0) return;
  const t = new Reader(r.b, token.body.off, token.body.off + token.body.len);
  v.policyId = t.string();
  if (v.tokenType === Encoding.USER_NAME_IDENTITY_TOKEN) {
    v.userName = t.string();
    v.secret = t.byteString();
    v.encryptionAlgorithm = t.string();
  } else if (v.tokenType === Encoding.X509_IDENTITY_TOKEN) {
    v.certificateLength = t.byteString().len;
  } else if (v.tokenType === Encoding.ISSUED_IDENTITY_TOKEN) {
    v.secret = t.byteString();
    v.encryptionAlgorithm = t.string();
  }
  if (t.failed) r.failed = true;
}

/** Decode the body of a (plaintext) OPN/MSG/CLO message: its type id, then the services Bulwark reads. */
export function parseService(b: Uint8Array, off: number, end: number, maxEndpoints = 16): Parsed<Service> {
  const r = new Reader(b, off, end);
  const typeNode = r.nodeId();
  if (r.failed) return invalid('app.opcua.truncated');
  if (typeNode.namespace !== 0 || typeNode.numeric === undefined) return ok({}, r.at - off);
  const typeId = typeNode.numeric;
  let body: ServiceBody | undefined;
  switch (typeId) {
    case Encoding.OPEN_SECURE_CHANNEL_REQUEST: {
      const header = requestHeader(r);
      body = { kind: 'open_secure_channel_request', value: { header, clientProtocolVersion: r.u32(), requestType: r.u32(), securityMode: r.u32(), clientNonceLength: r.byteString().len, requestedLifetime: r.u32() } };
      break;
    }
    case Encoding.OPEN_SECURE_CHANNEL_RESPONSE: {
      const header = responseHeader(r);
      r.u32(); // server protocol version
      const channelId = r.u32();
      const tokenId = r.u32();
      r.skip(8);
      body = { kind: 'open_secure_channel_response', value: { header, channelId, tokenId, revisedLifetime: r.u32() } };
      break;
    }
    case Encoding.CREATE_SESSION_REQUEST: {
      const header = requestHeader(r);
      const client = applicationDescription(r);
      const serverUri = r.string();
      const endpointUrl = r.string();
      const sessionName = r.string();
      r.byteString(); // client nonce
      body = { kind: 'create_session_request', value: { header, client, serverUri, endpointUrl, sessionName, clientCertificateLength: r.byteString().len } };
      break;
    }
    case Encoding.CREATE_SESSION_RESPONSE: {
      const header = responseHeader(r);
      r.nodeId(); // session id
      r.nodeId(); // authentication token
      r.f64(); // revised session timeout
      r.byteString(); // server nonce
      const serverCertificateLength = r.byteString().len;
      body = { kind: 'create_session_response', value: { header, serverCertificateLength, endpoints: endpoints(r, maxEndpoints) } };
      break;
    }
    case Encoding.ACTIVATE_SESSION_REQUEST: {
      const header = requestHeader(r);
      r.string(); // client signature: algorithm
      r.byteString(); // client signature: signature
      const certs = r.arrayLength(8);
      for (let i = 0; i < certs && !r.failed; i++) {
        r.byteString();
        r.byteString();
      }
      r.stringArray(); // locale ids
      const v: ActivateSessionRequest = { header };
      identityToken(r, v);
      body = { kind: 'activate_session_request', value: v };
      break;
    }
    case Encoding.GET_ENDPOINTS_RESPONSE: {
      const header = responseHeader(r);
      body = { kind: 'get_endpoints_response', value: { header, endpoints: endpoints(r, maxEndpoints) } };
      break;
    }
    default:
      // Every other service starts with its request or response header: the type name says which.
      body = undefined;
  }
  if (r.failed) return invalid('app.opcua.bad_service');
  return ok({ typeId, body }, r.at - off);
}

/** Request or response header of any other service message (named by `serviceName`). */
export function parseGenericHeader(b: Uint8Array, off: number, end: number, response: boolean): Parsed<ServiceBody> {
  const r = new Reader(b, off, end);
  r.nodeId();
  const body: ServiceBody = response ? { kind: 'response', value: responseHeader(r) } : { kind: 'request', value: requestHeader(r) };
  return r.failed ? invalid('app.opcua.bad_service') : ok(body, r.at - off);
}
