/**
 * Secrets seen in clear (passwords, SNMP communities) are facts Bulwark records, but printing them by
 * default would spread them further: outputs replace them unless the user asks with --show-secrets.
 * @module
 */

/** Event fields holding a secret. */
export const secretFields: ReadonlySet<string> = new Set(['password', 'basic_password', 'community', 'will_payload']);

/** Copy of `record` with secret fields replaced by a marker that keeps their length. */
export function redact<T extends object>(record: T): T {
  let out: Record<string, unknown> | undefined;
  for (const key of Object.keys(record)) {
    const value = (record as Record<string, unknown>)[key];
    if (secretFields.has(key) && typeof value === 'string') {
      out ??= { ...(record as Record<string, unknown>) };
      out[key] = `[redacted ${value.length} chars]`;
    }
  }
  return (out ?? record) as T;
}
