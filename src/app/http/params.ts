/**
 * URL-encoded name/value lists (query strings, application/x-www-form-urlencoded bodies) and cookie names.
 * @module
 */

export interface NameValue {
  name: string;
  value: string;
}

export interface ParamLimits {
  /** Pairs kept; more is reported through `truncated`. */
  maxParams: number;
  /** Characters kept of each name and value. */
  maxValueChars: number;
}

export const defaultParamLimits: ParamLimits = { maxParams: 32, maxValueChars: 512 };

/** Percent-decode (and '+' as space); undecodable input is kept as it is. */
export function formDecode(s: string): string {
  const plus = s.replace(/\+/g, ' ');
  if (!plus.includes('%')) return plus;
  try {
    return decodeURIComponent(plus);
  } catch {
    return plus;
  }
}

/** `a=1&b=2` → pairs, bounded. `truncated` is true when pairs were left out. */
export function parseUrlEncoded(s: string, limits: ParamLimits = defaultParamLimits): { params: NameValue[]; truncated: boolean } {
  const params: NameValue[] = [];
  let pos = 0;
  while (pos <= s.length) {
    let amp = s.indexOf('&', pos);
    if (amp < 0) amp = s.length;
    if (amp > pos) {
      if (params.length >= limits.maxParams) return { params, truncated: true };
      const part = s.slice(pos, amp);
      const eq = part.indexOf('=');
      const name = formDecode(eq < 0 ? part : part.slice(0, eq)).slice(0, limits.maxValueChars);
      const value = eq < 0 ? '' : formDecode(part.slice(eq + 1)).slice(0, limits.maxValueChars);
      params.push({ name, value });
    }
    pos = amp + 1;
  }
  return { params, truncated: false };
}

/** Query string of a request target (after '?', before '#'), or undefined. */
export function queryOf(uri: string): string | undefined {
  const q = uri.indexOf('?');
  if (q < 0) return undefined;
  const hash = uri.indexOf('#', q);
  return uri.slice(q + 1, hash < 0 ? uri.length : hash);
}

/** Names in a Cookie header (`a=1; b=2`), bounded. */
export function cookieNames(value: string, max = 32): string[] {
  const names: string[] = [];
  for (const part of value.split(';', max)) {
    const eq = part.indexOf('=');
    const name = (eq < 0 ? part : part.slice(0, eq)).trim();
    if (name) names.push(name.slice(0, 256));
  }
  return names;
}
