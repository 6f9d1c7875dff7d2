/**
 * OPC UA binary (opc.tcp) events and anomalies.
 * @module
 */
import type { AnomalySpec, EventSpec, FieldSpec } from '../../events/types.ts';

const s = (description: string, optional = false): FieldSpec => ({ type: 'string', description, optional });
const n = (description: string, optional = false): FieldSpec => ({ type: 'number', description, optional });

const buffers: Record<string, FieldSpec> = {
  protocol_version: n('Protocol version (0).'),
  receive_buffer_size: n('Largest chunk the sender accepts.'),
  send_buffer_size: n('Largest chunk the sender sends.'),
  max_message_size: n('Largest message (0: no limit).'),
  max_chunk_count: n('Most chunks per message (0: no limit).'),
};
const status: Record<string, FieldSpec> = {
  status: s("Severity of the service result: 'Good', 'Uncertain' or 'Bad'."),
  status_code: s("Service result StatusCode, hex ('0x00000000' Good, '0x80210000' BadIdentityTokenRejected, ...)."),
};
const channel: Record<string, FieldSpec> = {
  security_policy: s("Security policy of the channel, the URI's fragment ('None', 'Basic256Sha256', 'Aes128_Sha256_RsaOaep', ...), when seen.", true),
  security_mode: s("Message security mode of the channel: 'None', 'Sign' or 'SignAndEncrypt', when seen.", true),
};
const application: Record<string, FieldSpec> = {
  application_uri: s('ApplicationUri of the application description.', true),
  application_name: s('ApplicationName (text of the LocalizedText).', true),
  product_uri: s('ProductUri.', true),
};

export const opcuaEvents: readonly EventSpec[] = [
  {
    type: 'opcua.hello',
    description: 'HEL: a client opens an OPC UA TCP connection to an endpoint.',
    fields: { ...buffers, endpoint_url: s('Endpoint URL the client asks for (opc.tcp://host:port/path).', true) },
  },
  { type: 'opcua.acknowledge', description: 'ACK: the server accepts the connection with its buffer limits.', fields: { ...buffers } },
  {
    type: 'opcua.error',
    description: 'ERR: the connection is refused or closed with an error.',
    fields: { status_code: s('Error StatusCode, hex.'), reason: s('Reason text.', true) },
  },
  {
    type: 'opcua.reverse_hello',
    description: 'RHE: a server connects to a client (reverse connect) and announces itself.',
    fields: { server_uri: s('ApplicationUri of the server.', true), endpoint_url: s('Endpoint URL of the server.', true) },
  },
  {
    type: 'opcua.open_secure_channel',
    description: 'OpenSecureChannel request: the security policy (always visible) and, when the body is not encrypted, the mode.',
    fields: {
      secure_channel_id: n('Secure channel id (0 on the first request).'),
      security_policy_uri: s('SecurityPolicyUri of the asymmetric security header.', true),
      security_policy: s("Its fragment: 'None', 'Basic256Sha256', ...", true),
      sender_certificate_length: n('Bytes of the sender certificate (-1 or 0: none).'),
      request_type: s("'issue' or 'renew' (when the body is readable).", true),
      security_mode: s("Requested MessageSecurityMode: 'None', 'Sign' or 'SignAndEncrypt' (when the body is readable: policy None).", true),
      requested_lifetime: n('Requested token lifetime, ms.', true),
    },
  },
  {
    type: 'opcua.open_secure_channel_response',
    description: 'OpenSecureChannel response: the channel and token ids granted.',
    fields: {
      secure_channel_id: n('Secure channel id.'),
      security_policy_uri: s('SecurityPolicyUri of the response.', true),
      security_policy: s('Its fragment.', true),
      status: s("'Good', 'Uncertain' or 'Bad' (readable body only).", true),
      status_code: s('Service result, hex (readable body only).', true),
      token_id: n('Security token id.', true),
      revised_lifetime: n('Token lifetime granted, ms.', true),
    },
  },
  {
    type: 'opcua.create_session',
    description: 'CreateSession request: the client application and the endpoint it wants.',
    fields: {
      ...application, ...channel,
      endpoint_url: s('EndpointUrl.', true),
      server_uri: s('ServerUri the client expects.', true),
      session_name: s('SessionName.', true),
      client_certificate_length: n('Bytes of the client certificate (-1 or 0: none).'),
    },
  },
  {
    type: 'opcua.create_session_response',
    description: 'CreateSession response: the server application (from its first endpoint description).',
    fields: {
      ...status, ...application, ...channel,
      endpoint_url: s('EndpointUrl of the first endpoint description.', true),
      server_certificate_length: n('Bytes of the server certificate (-1 or 0: none).'),
      endpoints: { type: 'object[]', description: 'Endpoint descriptions (see opcua.get_endpoints_response).' },
    },
  },
  {
    type: 'opcua.get_endpoints_response',
    description: 'GetEndpoints response: every endpoint the server offers, with its security mode, policy and user token types.',
    fields: {
      ...status,
      endpoints: { type: 'object[]', description: 'Each: endpoint_url, security_mode, security_policy, user_token_types (anonymous, user_name, x509, issued), application_uri, application_name, product_uri, security_level.' },
    },
  },
  {
    type: 'opcua.activate_session',
    description: 'ActivateSession request: the user identity token the client logs in with.',
    fields: {
      ...channel,
      identity_token: s("'anonymous', 'user_name', 'x509', 'issued', 'none' (no token) or 'unknown'."),
      policy_id: s('PolicyId of the token.', true),
      user_name: s('UserName of a user-name token.', true),
      password_cleartext: { type: 'boolean', description: 'A user-name password (or issued token) readable on the wire: no token encryption and no message encryption.', optional: true },
      password: s('The password, when in clear (UTF-8).', true),
      encryption_algorithm: s('Token EncryptionAlgorithm URI, when the secret is encrypted.', true),
    },
  },
  {
    type: 'opcua.activate_session_response',
    description: 'ActivateSession response: whether the login was accepted.',
    fields: { ...status },
  },
  {
    type: 'opcua.message',
    description: 'Every service message of a secure channel (MSG/OPN/CLO): the service, request id and result.',
    fields: {
      message_type: s("'OPN', 'MSG' or 'CLO'."),
      service: s("Service message name ('ReadRequest', 'WriteResponse', 'ServiceFault', ...) or the encoding id as text; absent when encrypted.", true),
      type_id: n('Binary encoding id of the message.', true),
      request_id: n('Sequence-header request id (pairs a response with its request).'),
      secure_channel_id: n('Secure channel id.'),
      request_handle: n('Request handle of the request/response header.', true),
      status: s("Result severity of a response: 'Good', 'Uncertain' or 'Bad'.", true),
      status_code: s('Service result of a response, hex.', true),
      encrypted: { type: 'boolean', description: 'The body is encrypted (SignAndEncrypt, or an OPN under a policy other than None): not decoded.' },
      chunks: n('Chunks the message came in.'),
    },
  },
];

export const opcuaAnomalies: readonly AnomalySpec[] = [
  { id: 'app.opcua.bad_message_type', description: 'A message header whose type is not HEL/ACK/ERR/RHE/OPN/MSG/CLO or whose chunk type is not F/C/A: framing is lost for the direction.' },
  { id: 'app.opcua.bad_message_size', description: 'Message size below 8, or a connection message split into chunks.' },
  { id: 'app.opcua.truncated', description: 'A message ends inside its header or a field.' },
  { id: 'app.opcua.bad_service', description: 'A readable service body does not decode (lengths past the end, bad NodeId encoding).' },
  { id: 'app.opcua.chunk_too_large', description: 'A chunk above maxChunk bytes: skipped, not decoded.' },
  { id: 'app.opcua.message_too_large', description: 'A multi-chunk message above maxMessage bytes: its chunks are counted, its body is not decoded.' },
];
