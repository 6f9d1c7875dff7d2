/**
 * RTSP/1.0 events and anomalies.
 * @module
 */
import type { AnomalySpec, EventSpec } from '../../events/types.ts';

/** Payload of `rtsp.request`. */
export interface RtspRequestEvent {
  method: string;
  uri: string;
  cseq?: number;
  user_agent?: string;
  authorization_scheme?: string;
  basic_user?: string;
  basic_password?: string;
  digest_username?: string;
  digest_realm?: string;
}

/** Payload of `rtsp.response`. */
export interface RtspResponseEvent {
  status: number;
  reason: string;
  server?: string;
  cseq?: number;
  www_authenticate?: string;
}

export const events = [
  {
    type: 'rtsp.request',
    description: 'An RTSP/1.0 request (camera and media streaming control).',
    fields: {
      method: { type: 'string', description: 'Method, e.g. DESCRIBE, SETUP, PLAY.' },
      uri: { type: 'string', description: 'Request URI, e.g. rtsp://10.2.2.2:8554/.' },
      cseq: { type: 'number', description: 'CSeq header.', optional: true },
      user_agent: { type: 'string', description: 'User-Agent header.', optional: true },
      authorization_scheme: { type: 'string', description: 'Scheme of the Authorization header (Basic, Digest).', optional: true },
      basic_user: { type: 'string', description: 'User name decoded from Basic credentials.', optional: true },
      basic_password: { type: 'string', description: 'Password decoded from Basic credentials.', optional: true },
      digest_username: { type: 'string', description: 'username parameter of Digest credentials.', optional: true },
      digest_realm: { type: 'string', description: 'realm parameter of Digest credentials.', optional: true },
    },
  },
  {
    type: 'rtsp.response',
    description: 'An RTSP/1.0 response.',
    fields: {
      status: { type: 'number', description: 'Status code.' },
      reason: { type: 'string', description: 'Reason phrase.' },
      server: { type: 'string', description: 'Server header.', optional: true },
      cseq: { type: 'number', description: 'CSeq header (matches the request).', optional: true },
      www_authenticate: { type: 'string', description: 'WWW-Authenticate header.', optional: true },
    },
  },
] as const satisfies readonly EventSpec[];

export const anomalies: readonly AnomalySpec[] = [
  { id: 'app.rtsp.header_too_long', description: 'A message head exceeded the head size cap without ending.' },
  { id: 'app.rtsp.too_many_headers', description: 'More header fields than the cap; the extra ones were ignored.' },
  { id: 'app.rtsp.bad_start_line', description: 'A head began with an empty line.' },
  { id: 'app.rtsp.bad_header_line', description: 'A header line without a colon or with an empty name.' },
  { id: 'app.rtsp.bad_request_line', description: 'A request line not of the form METHOD SP uri SP RTSP/x.y.' },
  { id: 'app.rtsp.bad_status_line', description: 'A status line not of the form RTSP/x.y SP 3DIGIT [SP reason].' },
  { id: 'app.rtsp.bad_version', description: 'The protocol version of a start line is not RTSP/digit.digit.' },
  { id: 'app.rtsp.bad_content_length', description: 'A Content-Length value that is not a decimal number.' },
  { id: 'app.rtsp.bad_interleaved', description: 'Binary data where an interleaved frame ($) or a message was expected.' },
];
