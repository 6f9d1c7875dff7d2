/**
 * Site and sensor names as NATS subject tokens, apart from the message codec so that checking a command
 * line's names does not load ajv and the NATS client.
 * @module
 */

/** Site and sensor names: one subject token each (no dots, wildcards or spaces). */
export const namePattern = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;
export function checkName(what: string, name: string): string | undefined {
  if (!namePattern.test(name)) return `${what} '${name}' must be 1-64 letters, digits, '_' or '-', starting with a letter or digit (it is a NATS subject token)`;
  return undefined;
}
