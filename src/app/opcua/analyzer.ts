/**
 * OPC UA binary analyzer (opc.tcp, TCP 4840): frames messages per direction, decodes HEL/ACK/ERR/RHE, the
 * OpenSecureChannel security policy and mode, GetEndpoints, CreateSession and ActivateSession (identity token,
 * and whether a password crosses the wire readable), and names every other service message. Bodies under
 * SignAndEncrypt (or an OPN under a policy other than None) are reported as encrypted, not decoded.
 * @module
 */
import { StreamBuffer } from '../stream-buffer.ts';
import type { AppContext, AppProtocol, Dir } from '../types.ts';
import type { EventFields } from '../../events/types.ts';
import { opcuaAnomalies, opcuaEvents } from './events.ts';
import {
  type ApplicationDescription, type ChunkHeader, type Endpoint, Encoding, type SecurityHeader, type ServiceBody, parseChunkHeader, parseError,
  parseGenericHeader, parseHello, parseReverseHello, parseSecurityHeader, parseService, securityModeNames, userTokenTypeNames,
} from './parser.ts';
import data from './names.json' with { type: 'json' };

export interface OpcuaOptions {
  /** Largest chunk buffered and decoded (bytes); larger ones are skipped. */
  maxChunk: number;
  /** Largest multi-chunk message reassembled (bytes of body). */
  maxMessage: number;
  /** Endpoint descriptions kept from one GetEndpoints/CreateSession response. */
  maxEndpoints: number;
}

export const defaultOpcuaOptions: OpcuaOptions = { maxChunk: 256 * 1024, maxMessage: 1024 * 1024, maxEndpoints: 16 };

const serviceNames = data.services as Readonly<Record<string, string>>;

/** Service message name of a binary encoding id ('ReadRequest'), undefined when not a known service message. */
export function serviceName(typeId: number): string | undefined {
  return serviceNames[String(typeId)];
}

interface Assembly {
  type: string;
  chunks: number;
  buf: StreamBuffer;
  overflow: boolean;
  header: SecurityHeader;
}

interface Direction {
  buf: StreamBuffer;
  /** Bytes still to discard (rest of a chunk above the cap). */
  skip: number;
  /** Framing lost: nothing more is parsed in this direction. */
  broken: boolean;
  assembly: Assembly | null;
}

export interface OpcuaState {
  dirs: [Direction, Direction];
  policyUri?: string;
  /** MessageSecurityMode of the channel (1 None, 2 Sign, 3 SignAndEncrypt) once an OPN request was readable. */
  mode?: number;
}

/** Fragment of a security policy URI: 'http://opcfoundation.org/UA/SecurityPolicy#None' → 'None'. */
export function policyName(uri: string | undefined): string | undefined {
  if (uri === undefined) return undefined;
  const hash = uri.lastIndexOf('#');
  return hash >= 0 ? uri.slice(hash + 1) : uri;
}

const hex32 = (v: number): string => `0x${v.toString(16).padStart(8, '0')}`;
const severity = (code: number): string => (code >= 0x80000000 ? 'Bad' : code >= 0x40000000 ? 'Uncertain' : 'Good');
const utf8 = new TextDecoder('utf-8');

/** Request handle and (responses) service result of any decoded body. */
function headerOf(body: ServiceBody): { requestHandle: number; serviceResult?: number } {
  return body.kind === 'request' || body.kind === 'response' ? body.value : body.value.header;
}

function statusFields(code: number): EventFields {
  return { status: severity(code), status_code: hex32(code) };
}

function applicationFields(f: EventFields, app: ApplicationDescription): void {
  if (app.applicationUri) f.application_uri = app.applicationUri;
  if (app.applicationName) f.application_name = app.applicationName;
  if (app.productUri) f.product_uri = app.productUri;
}

function endpointObject(e: Endpoint): Record<string, unknown> {
  const o: Record<string, unknown> = {
    security_mode: securityModeNames[e.securityMode] ?? String(e.securityMode),
    user_token_types: e.userTokenTypes.map((t) => userTokenTypeNames[t] ?? String(t)),
    security_level: e.securityLevel,
  };
  if (e.endpointUrl) o.endpoint_url = e.endpointUrl;
  const policy = policyName(e.securityPolicyUri);
  if (policy) o.security_policy = policy;
  applicationFields(o as EventFields, e.server);
  return o;
}

function channelFields(s: OpcuaState, f: EventFields): void {
  const policy = policyName(s.policyUri);
  if (policy) f.security_policy = policy;
  if (s.mode !== undefined) f.security_mode = securityModeNames[s.mode] ?? String(s.mode);
}

/** 'yes' on the connection messages that open a flow (HEL, ACK, RHE, OPN); 'maybe' on other well-formed headers. */
export function probeOpcua(bytes: Uint8Array): 'yes' | 'no' | 'maybe' {
  const h = parseChunkHeader(bytes, 0, bytes.length);
  if (h.status !== 'ok') return 'no';
  const { type, size } = h.value;
  if (type === 'HEL' || type === 'ACK') return size >= 28 && size <= 65536 + 4096 ? 'yes' : 'no';
  if (type === 'RHE' || type === 'OPN') return size >= 20 ? 'yes' : 'no';
  return size >= 24 ? 'maybe' : 'no';
}

export function createOpcua(opts: OpcuaOptions = defaultOpcuaOptions): AppProtocol<OpcuaState> {
  const newDirection = (): Direction => ({ buf: new StreamBuffer(opts.maxChunk, 1024), skip: 0, broken: false, assembly: null });

  /** The whole body of a message (one chunk or reassembled) with its first chunk's security header. */
  function message(s: OpcuaState, dir: Dir, type: string, sec: SecurityHeader, chunks: number, b: Uint8Array, off: number, end: number, ctx: AppContext): void {
    const f: EventFields = { message_type: type, request_id: sec.requestId, secure_channel_id: sec.secureChannelId, encrypted: false, chunks };
    // An OPN under a policy other than None is asymmetrically encrypted; MSG/CLO bodies under SignAndEncrypt too.
    let encrypted = type === 'OPN' ? policyName(sec.policyUri) !== 'None' : s.mode === 3;
    let parsed = encrypted ? undefined : parseService(b, off, end, opts.maxEndpoints);
    if (type !== 'OPN' && s.mode === undefined) {
      // The channel's mode is unknown: its OPN was encrypted (policy other than None) or never seen (joined
      // mid-connection). A known service message in clear means plaintext; anything else is ciphertext. After an
      // encrypted OPN the first message settles the mode: readable → Sign, ciphertext → SignAndEncrypt.
      const readable = parsed?.status === 'ok' && parsed.value.typeId !== undefined && serviceName(parsed.value.typeId) !== undefined;
      if (s.policyUri !== undefined) s.mode = readable ? 2 : 3;
      if (!readable) {
        encrypted = true;
        parsed = undefined;
      }
    }
    if (type === 'OPN' && dir === 0 && ctx.wants('opcua.open_secure_channel')) {
      const o: EventFields = { secure_channel_id: sec.secureChannelId, sender_certificate_length: sec.senderCertificateLength ?? -1 };
      if (sec.policyUri !== undefined) [o.security_policy_uri, o.security_policy] = [sec.policyUri, policyName(sec.policyUri)!];
      if (parsed?.status === 'ok' && parsed.value.body?.kind === 'open_secure_channel_request') {
        const v = parsed.value.body.value;
        o.request_type = v.requestType === 1 ? 'renew' : 'issue';
        o.security_mode = securityModeNames[v.securityMode] ?? String(v.securityMode);
        o.requested_lifetime = v.requestedLifetime;
      }
      ctx.emit('opcua.open_secure_channel', o);
    }
    if (type === 'OPN' && dir === 0) {
      s.policyUri = sec.policyUri;
      s.mode = undefined;
      if (parsed?.status === 'ok' && parsed.value.body?.kind === 'open_secure_channel_request') s.mode = parsed.value.body.value.securityMode;
      else if (policyName(sec.policyUri) === 'None') s.mode = 1;
    }
    if (parsed && parsed.status === 'invalid' && !encrypted) ctx.anomaly(parsed.anomaly);
    const svc = parsed?.status === 'ok' && !encrypted ? parsed.value : undefined;
    if (svc?.typeId !== undefined) {
      f.type_id = svc.typeId;
      f.service = serviceName(svc.typeId) ?? String(svc.typeId);
      let body = svc.body;
      if (!body && f.service !== String(svc.typeId)) {
        const g = parseGenericHeader(b, off, end, /Response$|^ServiceFault$/.test(String(f.service)));
        if (g.status === 'ok') body = g.value;
      }
      if (body) {
        const header = headerOf(body);
        f.request_handle = header.requestHandle;
        if (header.serviceResult !== undefined) Object.assign(f, statusFields(header.serviceResult));
        sessionEvents(s, sec, svc.typeId, body, b, ctx);
      }
    }
    f.encrypted = encrypted;
    if (ctx.wants('opcua.message')) ctx.emit('opcua.message', f);
  }

  function sessionEvents(s: OpcuaState, sec: SecurityHeader, typeId: number, body: ServiceBody, b: Uint8Array, ctx: AppContext): void {
    switch (body.kind) {
      case 'open_secure_channel_response': {
        if (!ctx.wants('opcua.open_secure_channel_response')) return;
        const f: EventFields = { secure_channel_id: body.value.channelId, ...statusFields(body.value.header.serviceResult), token_id: body.value.tokenId, revised_lifetime: body.value.revisedLifetime };
        if (sec.policyUri !== undefined) [f.security_policy_uri, f.security_policy] = [sec.policyUri, policyName(sec.policyUri)!];
        ctx.emit('opcua.open_secure_channel_response', f);
        return;
      }
      case 'create_session_request': {
        if (!ctx.wants('opcua.create_session')) return;
        const v = body.value;
        const f: EventFields = { client_certificate_length: v.clientCertificateLength };
        applicationFields(f, v.client);
        channelFields(s, f);
        if (v.endpointUrl) f.endpoint_url = v.endpointUrl;
        if (v.serverUri) f.server_uri = v.serverUri;
        if (v.sessionName) f.session_name = v.sessionName;
        ctx.emit('opcua.create_session', f);
        return;
      }
      case 'create_session_response': {
        if (!ctx.wants('opcua.create_session_response')) return;
        const v = body.value;
        const f: EventFields = { ...statusFields(v.header.serviceResult), server_certificate_length: v.serverCertificateLength, endpoints: v.endpoints.map(endpointObject) };
        const first = v.endpoints[0];
        if (first) {
          applicationFields(f, first.server);
          if (first.endpointUrl) f.endpoint_url = first.endpointUrl;
        }
        channelFields(s, f);
        ctx.emit('opcua.create_session_response', f);
        return;
      }
      case 'get_endpoints_response': {
        if (!ctx.wants('opcua.get_endpoints_response')) return;
        ctx.emit('opcua.get_endpoints_response', { ...statusFields(body.value.header.serviceResult), endpoints: body.value.endpoints.map(endpointObject) });
        return;
      }
      case 'activate_session_request': {
        if (!ctx.wants('opcua.activate_session')) return;
        const v = body.value;
        const kinds: Record<number, string> = {
          [Encoding.ANONYMOUS_IDENTITY_TOKEN]: 'anonymous', [Encoding.USER_NAME_IDENTITY_TOKEN]: 'user_name',
          [Encoding.X509_IDENTITY_TOKEN]: 'x509', [Encoding.ISSUED_IDENTITY_TOKEN]: 'issued',
        };
        const f: EventFields = { identity_token: v.tokenType === undefined ? 'none' : kinds[v.tokenType] ?? 'unknown' };
        channelFields(s, f);
        if (v.policyId) f.policy_id = v.policyId;
        if (v.userName !== undefined) f.user_name = v.userName;
        if (v.secret) {
          // Part 4 7.36.4: without an EncryptionAlgorithm the secret is the password itself.
          const clear = !v.encryptionAlgorithm;
          f.password_cleartext = clear;
          if (!clear) f.encryption_algorithm = v.encryptionAlgorithm!;
          else if (v.tokenType === Encoding.USER_NAME_IDENTITY_TOKEN && v.secret.len > 0) f.password = utf8.decode(b.subarray(v.secret.off, v.secret.off + Math.min(v.secret.len, 256)));
        }
        ctx.emit('opcua.activate_session', f);
        return;
      }
      case 'response': {
        if (typeId === Encoding.ACTIVATE_SESSION_RESPONSE && ctx.wants('opcua.activate_session_response')) {
          ctx.emit('opcua.activate_session_response', statusFields(body.value.serviceResult));
        }
        return;
      }
    }
  }

  function chunk(s: OpcuaState, d: Direction, dir: Dir, h: ChunkHeader, b: Uint8Array, off: number, end: number, ctx: AppContext): void {
    const body = off + 8;
    switch (h.type) {
      case 'HEL':
      case 'ACK': {
        const type = h.type === 'HEL' ? 'opcua.hello' : 'opcua.acknowledge';
        const v = parseHello(b, body, end, h.type === 'HEL');
        if (v.status !== 'ok') return void ctx.anomaly('app.opcua.truncated');
        if (!ctx.wants(type)) return;
        const f: EventFields = {
          protocol_version: v.value.protocolVersion, receive_buffer_size: v.value.receiveBufferSize, send_buffer_size: v.value.sendBufferSize,
          max_message_size: v.value.maxMessageSize, max_chunk_count: v.value.maxChunkCount,
        };
        if (v.value.endpointUrl !== undefined) f.endpoint_url = v.value.endpointUrl;
        ctx.emit(type, f);
        return;
      }
      case 'ERR': {
        const v = parseError(b, body, end);
        if (v.status !== 'ok') return void ctx.anomaly('app.opcua.truncated');
        if (!ctx.wants('opcua.error')) return;
        const f: EventFields = { status_code: hex32(v.value.error) };
        if (v.value.reason) f.reason = v.value.reason;
        ctx.emit('opcua.error', f);
        return;
      }
      case 'RHE': {
        const v = parseReverseHello(b, body, end);
        if (v.status !== 'ok') return void ctx.anomaly('app.opcua.truncated');
        if (!ctx.wants('opcua.reverse_hello')) return;
        const f: EventFields = {};
        if (v.value.serverUri) f.server_uri = v.value.serverUri;
        if (v.value.endpointUrl) f.endpoint_url = v.value.endpointUrl;
        ctx.emit('opcua.reverse_hello', f);
        return;
      }
    }
    const sec = parseSecurityHeader(h.type, b, body, end);
    if (sec.status !== 'ok') return void ctx.anomaly('app.opcua.truncated');
    const bodyOff = sec.value.bodyOff;
    if (h.chunk === 'F' && !d.assembly) return message(s, dir, h.type, sec.value, 1, b, bodyOff, end, ctx);
    if (h.chunk === 'A') {
      d.assembly = null;
      return;
    }
    let a = d.assembly;
    if (!a) {
      a = { type: h.type, chunks: 0, buf: new StreamBuffer(opts.maxMessage, 4096), overflow: false, header: sec.value };
      d.assembly = a;
    }
    a.chunks++;
    if (!a.overflow && !a.buf.append(b.subarray(bodyOff, end))) {
      a.overflow = true;
      a.buf.clear();
      ctx.anomaly('app.opcua.message_too_large');
    }
    if (h.chunk !== 'F') return;
    d.assembly = null;
    if (a.overflow) return;
    const whole = a.buf.view();
    message(s, dir, a.type, a.header, a.chunks, whole, 0, whole.length, ctx);
  }

  /** Frame and handle chunks in b[off, end); returns the offset reached (the rest is an incomplete chunk). */
  function frame(s: OpcuaState, d: Direction, dir: Dir, b: Uint8Array, off: number, end: number, ctx: AppContext): number {
    while (off < end) {
      const h = parseChunkHeader(b, off, end);
      if (h.status === 'incomplete') return off;
      if (h.status === 'invalid') {
        ctx.anomaly(h.anomaly);
        d.broken = true;
        return end;
      }
      const size = h.value.size;
      if (size <= end - off) {
        chunk(s, d, dir, h.value, b, off, off + size, ctx);
        off += size;
        continue;
      }
      if (size <= opts.maxChunk) return off;
      ctx.anomaly('app.opcua.chunk_too_large');
      d.skip = size - (end - off);
      d.assembly = null;
      return end;
    }
    return off;
  }

  return {
    name: 'opcua',
    transports: ['tcp'],
    ports: [4840],
    probe: (bytes) => probeOpcua(bytes),
    newState: () => ({ dirs: [newDirection(), newDirection()] }),
    data(s, dir, bytes, ctx) {
      const d = s.dirs[dir];
      if (d.broken) return;
      let b = bytes;
      if (d.skip > 0) {
        const n = Math.min(d.skip, b.length);
        d.skip -= n;
        b = b.subarray(n);
        if (b.length === 0) return;
      }
      if (d.buf.length === 0) {
        const used = frame(s, d, dir, b, 0, b.length, ctx);
        if (used < b.length && !d.broken && d.skip === 0 && !d.buf.append(b.subarray(used))) ctx.anomaly('app.opcua.chunk_too_large');
        return;
      }
      if (!d.buf.append(b)) {
        ctx.anomaly('app.opcua.chunk_too_large');
        d.buf.clear();
        d.broken = true;
        return;
      }
      const view = d.buf.view();
      const used = frame(s, d, dir, view, 0, view.length, ctx);
      if (d.skip > 0 || d.broken) d.buf.clear();
      else d.buf.consume(used);
    },
    gap(s, dir) {
      // Bytes lost: chunk boundaries are unknown from here on in this direction.
      const d = s.dirs[dir];
      d.buf.clear();
      d.assembly = null;
      d.broken = true;
    },
    events: opcuaEvents,
    anomalies: opcuaAnomalies,
  };
}

export const opcua = createOpcua();
