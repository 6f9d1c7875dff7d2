/**
 * Authorization header values (HTTP and RTSP): scheme, Basic credentials, Digest parameters.
 * @module
 */

export interface AuthFacts {
  scheme: string;
  basic_user?: string;
  basic_password?: string;
  digest_username?: string;
  digest_realm?: string;
  /** Credentials of any scheme other than Basic and Digest (Bearer, Token, proprietary, or a bare token). */
  credentials?: string;
}

/** A word that can be a scheme name (RFC 9110 token, short, letters first). */
const schemeLike = /^[A-Za-z][A-Za-z0-9._~+/-]{0,23}$/;

/** Base64 alphabet check: Buffer.from(…, 'base64') silently skips junk, so reject it first. */
const base64Re = /^[A-Za-z0-9+/_-]+={0,2}$/;

/** Decode `user:password` from a Basic token; undefined when the token is not valid base64 or has no colon. */
export function decodeBasic(token: string): { user: string; password: string } | undefined {
  if (token.length === 0 || token.length > 4096 || !base64Re.test(token)) return undefined;
  const decoded = Buffer.from(token, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  return { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/** Parameters of an auth-param list: `name=token` or `name="quoted"` separated by commas (bounded). */
export function authParams(s: string, max = 32): Map<string, string> {
  const out = new Map<string, string>();
  const re = /\s*([A-Za-z0-9_-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^,\s]*))\s*,?/y;
  let count = 0;
  while (re.lastIndex < s.length && count < max) {
    const m = re.exec(s);
    if (!m) break;
    out.set(m[1].toLowerCase(), m[2] !== undefined ? m[2].replace(/\\(.)/g, '$1') : m[3]);
    count++;
  }
  return out;
}

/** Facts of an Authorization / Proxy-Authorization value. */
export function parseAuthorization(value: string): AuthFacts {
  const sp = value.search(/\s/);
  // A lone value that is not a scheme name is a bare token (proprietary APIs send "Authorization: 3f9a…"):
  // it must not be reported as the scheme, which is not a secret field.
  if (sp < 0 && (!schemeLike.test(value) || /\d/.test(value) && value.length > 12)) return { scheme: '(none)', credentials: value };
  const scheme = sp < 0 ? value : value.slice(0, sp);
  const rest = sp < 0 ? '' : value.slice(sp + 1).trim();
  const facts: AuthFacts = { scheme };
  const lower = scheme.toLowerCase();
  if (lower === 'basic') {
    const creds = decodeBasic(rest);
    if (creds) {
      facts.basic_user = creds.user;
      facts.basic_password = creds.password;
    }
  } else if (lower === 'digest') {
    const params = authParams(rest);
    facts.digest_username = params.get('username');
    facts.digest_realm = params.get('realm');
  } else if (rest !== '') {
    facts.credentials = rest;
  }
  return facts;
}
