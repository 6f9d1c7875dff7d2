/**
 * Secrets never reach titles or explanations: templates get a hint (first character and length) instead.
 * @module
 */

/**
 * Hints of recent secrets (at most `maxRecent`, emptied when full; long secrets are not kept): a brute force
 * repeats a short list of passwords, and the credential detectors hint every attempt.
 */
const recent = new Map<string, string>();
const maxRecent = 256;
const maxRecentLength = 64;

/** "x… (6 characters)" for a secret, "(empty)" for an empty one. */
export function secretHint(secret: string): string {
  const known = recent.get(secret);
  if (known !== undefined) return known;
  const hint = hintOf(secret);
  if (secret.length <= maxRecentLength) {
    if (recent.size >= maxRecent) recent.clear();
    recent.set(secret, hint);
  }
  return hint;
}

function hintOf(secret: string): string {
  if (secret.length === 0) return '(empty)';
  // Characters are code points, as the string iterator counts them (a surrogate pair is one, a lone surrogate
  // one too), counted in place: the credential detectors hint every login attempt, and two spread arrays per
  // attempt cost more than the rest of their work.
  const pair = secret.length > 1 && isHigh(secret.charCodeAt(0)) && isLow(secret.charCodeAt(1));
  const first = pair ? secret.slice(0, 2) : secret[0];
  let n = 0;
  for (let i = 0; i < secret.length; i++, n++) {
    if (isHigh(secret.charCodeAt(i)) && i + 1 < secret.length && isLow(secret.charCodeAt(i + 1))) i++;
  }
  return `${first}… (${n} character${n === 1 ? '' : 's'})`;
}

function isHigh(c: number): boolean {
  return c >= 0xd800 && c <= 0xdbff;
}

function isLow(c: number): boolean {
  return c >= 0xdc00 && c <= 0xdfff;
}
