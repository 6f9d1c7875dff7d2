/**
 * Secrets seen in clear (passwords, tokens, keys, communities) are facts Bulwark records, but printing them by
 * default would spread them further: outputs replace them unless the user asks with --show-secrets. Which
 * fields hold secrets is decided in one place, src/events/secrets.ts.
 * @module
 */
import { isSecretName, secretFieldsOf, type SecretShape } from '../events/secrets.ts';

export { secretFields } from '../events/secrets.ts';

/** The marker a secret becomes: keeps its length, never its characters. */
export function redacted(value: string): string {
  return `[redacted ${value.length} chars]`;
}

/** Secret query parameters and the password of user:password@ inside a URL or request target. */
export function redactUrl(url: string): string {
  let out = url.replace(/^([a-z][a-z0-9+.-]*:\/\/[^/@:?#\s]*:)([^/@?#\s]*)@/i, (_m, head: string, pw: string) => `${head}${redacted(pw)}@`);
  const q = out.indexOf('?');
  if (q < 0) return out;
  const hash = out.indexOf('#', q);
  const end = hash < 0 ? out.length : hash;
  const query = out.slice(q + 1, end).split('&').map((pair) => {
    const eq = pair.indexOf('=');
    if (eq < 0) return pair;
    let name = pair.slice(0, eq);
    try {
      name = decodeURIComponent(name.replace(/\+/g, ' '));
    } catch {
      // keep the raw name
    }
    return isSecretName(name) ? `${pair.slice(0, eq)}=${redacted(pair.slice(eq + 1))}` : pair;
  }).join('&');
  out = `${out.slice(0, q + 1)}${query}${out.slice(end)}`;
  return out;
}

function redactPairs(list: unknown[], all: boolean): unknown[] {
  return list.map((p) => {
    if (typeof p !== 'object' || p === null) return p;
    const { name, value } = p as { name?: unknown; value?: unknown };
    if (typeof value !== 'string' || !(all || (typeof name === 'string' && isSecretName(name)))) return p;
    return { ...(p as object), value: redacted(value) };
  });
}

/** IRC: "PASS secret" and "PRIVMSG NickServ :IDENTIFY [account] secret". */
function redactIrc(record: Record<string, unknown>, key: string, value: unknown): unknown {
  const command = String(record.command ?? '').toUpperCase();
  if (command === 'PASS') {
    if (key === 'params' && Array.isArray(value)) return value.map((v) => (typeof v === 'string' ? redacted(v) : v));
    if (key === 'trailing' && typeof value === 'string') return redacted(value);
    return value;
  }
  if (key === 'trailing' && typeof value === 'string' && (command === 'PRIVMSG' || command === 'NICKSERV' || command === 'NS')) {
    const m = /^(\s*(?:IDENTIFY|LOGIN|REGISTER)\s+(?:\S+\s+)?)(\S+)/i.exec(value);
    if (m !== null) return `${m[1]}${redacted(m[2])}${value.slice(m[0].length)}`;
  }
  return value;
}

function redactValue(shape: SecretShape, record: Record<string, unknown>, key: string, value: unknown): unknown {
  switch (shape) {
    case 'value': return typeof value === 'string' ? redacted(value) : value;
    case 'pairs': return Array.isArray(value) ? redactPairs(value, false) : value;
    case 'all_pairs': return Array.isArray(value) ? redactPairs(value, true) : value;
    case 'url': return typeof value === 'string' ? redactUrl(value) : value;
    case 'irc_params': return redactIrc(record, key, value);
  }
}

/** Copy of an event (or any record with a `type`) with every secret replaced by a marker that keeps its length. */
export function redact<T extends object>(record: T): T {
  const r = record as Record<string, unknown>;
  const fields = secretFieldsOf(String(r.type ?? ''));
  if (fields === undefined) return record;
  let out: Record<string, unknown> | undefined;
  for (const [key, shape] of fields) {
    if (!(key in r)) continue;
    const value = redactValue(shape, r, key, r[key]);
    if (value !== r[key]) {
      out ??= { ...r };
      out[key] = value;
    }
  }
  return (out ?? record) as T;
}
