/**
 * Secrets never reach titles or explanations: templates get a hint (first character and length) instead.
 * @module
 */

/** "x… (6 characters)" for a secret, "(empty)" for an empty one. */
export function secretHint(secret: string): string {
  if (secret.length === 0) return '(empty)';
  const first = [...secret][0];
  const n = [...secret].length;
  return `${first}… (${n} character${n === 1 ? '' : 's'})`;
}
