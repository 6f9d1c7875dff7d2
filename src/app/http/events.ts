/**
 * HTTP/1.x events and anomalies.
 * @module
 */
import type { AnomalySpec, EventSpec } from '../../events/types.ts';

export interface NameValuePair {
  name: string;
  value: string;
}

/** Payload of `http.request`. */
export interface HttpRequestEvent {
  method: string;
  uri: string;
  version: string;
  host?: string;
  user_agent?: string;
  referer?: string;
  content_type?: string;
  content_length?: number;
  authorization_scheme?: string;
  basic_user?: string;
  basic_password?: string;
  authorization_credentials?: string;
  token_headers?: NameValuePair[];
  query_params?: NameValuePair[];
  form_params?: NameValuePair[];
  cookie_names?: string[];
}

/** Payload of `http.response`. */
export interface HttpResponseEvent {
  status: number;
  reason: string;
  version: string;
  server?: string;
  content_type?: string;
  content_length?: number;
  www_authenticate?: string;
  location?: string;
  request_method?: string;
  request_uri?: string;
}

export const events = [
  {
    type: 'http.request',
    description: 'An HTTP/1.x request head (body skipped; the start of a URL-encoded form body is parsed).',
    fields: {
      method: { type: 'string', description: 'Request method, e.g. GET.' },
      uri: { type: 'string', description: 'Request target as sent.' },
      version: { type: 'string', description: 'Protocol version, e.g. HTTP/1.1.' },
      host: { type: 'string', description: 'Host header.', optional: true },
      user_agent: { type: 'string', description: 'User-Agent header.', optional: true },
      referer: { type: 'string', description: 'Referer header.', optional: true },
      content_type: { type: 'string', description: 'Content-Type header.', optional: true },
      content_length: { type: 'number', description: 'Content-Length header.', optional: true },
      authorization_scheme: { type: 'string', description: 'Scheme of Authorization (or Proxy-Authorization), e.g. Basic.', optional: true },
      basic_user: { type: 'string', description: 'User name decoded from Basic credentials.', optional: true },
      basic_password: { type: 'string', description: 'Password decoded from Basic credentials.', optional: true },
      authorization_credentials: { type: 'string', description: 'Credentials of any other Authorization scheme (Bearer, Token, proprietary, or a bare token without a scheme), as sent; Digest responses are not kept. A secret: redacted in output.', optional: true },
      token_headers: { type: 'object[]', description: 'Other headers carrying a secret {name, value} (names with token, api-key, auth, session, secret, password), bounded. Secrets: values redacted in output.', optional: true },
      query_params: { type: 'object[]', description: 'Query string pairs {name, value}, percent-decoded, bounded.', optional: true },
      form_params: { type: 'object[]', description: 'Pairs {name, value} from the first 4 KiB of an application/x-www-form-urlencoded body.', optional: true },
      cookie_names: { type: 'string[]', description: 'Names of the cookies sent (values not kept).', optional: true },
    },
  },
  {
    type: 'http.response',
    description: 'An HTTP/1.x response head, matched in order to its request (pipelining).',
    fields: {
      status: { type: 'number', description: 'Status code.' },
      reason: { type: 'string', description: 'Reason phrase.' },
      version: { type: 'string', description: 'Protocol version, e.g. HTTP/1.1.' },
      server: { type: 'string', description: 'Server header.', optional: true },
      content_type: { type: 'string', description: 'Content-Type header.', optional: true },
      content_length: { type: 'number', description: 'Content-Length header.', optional: true },
      www_authenticate: { type: 'string', description: 'WWW-Authenticate (or Proxy-Authenticate) header.', optional: true },
      location: { type: 'string', description: 'Location header.', optional: true },
      request_method: { type: 'string', description: 'Method of the request this answers.', optional: true },
      request_uri: { type: 'string', description: 'Target of the request this answers.', optional: true },
    },
  },
] as const satisfies readonly EventSpec[];

export const anomalies: readonly AnomalySpec[] = [
  { id: 'app.http.header_too_long', description: 'A message head (or chunk trailer) exceeded the head size cap without ending.' },
  { id: 'app.http.too_many_headers', description: 'More header fields than the cap; the extra ones were ignored.' },
  { id: 'app.http.bad_start_line', description: 'A message head began with an empty line where a start line was expected.' },
  { id: 'app.http.bad_header_line', description: 'A header line without a colon or with an empty name.' },
  { id: 'app.http.bad_request_line', description: 'A request line not of the form METHOD SP target SP HTTP/x.y.' },
  { id: 'app.http.bad_status_line', description: 'A status line not of the form HTTP/x.y SP 3DIGIT [SP reason].' },
  { id: 'app.http.bad_version', description: 'The protocol version of a start line is not PROTO/digit.digit.' },
  { id: 'app.http.bad_content_length', description: 'A Content-Length value that is not a decimal number.' },
  { id: 'app.http.bad_chunk_size', description: 'A chunk-size line that is not hexadecimal or is too long.' },
  { id: 'app.http.too_many_params', description: 'More query/form/cookie entries than the cap; the extra ones were ignored.' },
  { id: 'app.http.too_many_pending', description: 'More unanswered pipelined requests than the cap; the oldest was forgotten.' },
  { id: 'app.http.unsolicited_response', description: 'A response with no outstanding request to match.' },
];
