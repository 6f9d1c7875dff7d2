/**
 * Aggregation keys that involve a secret: a short hash, so the key (and the finding id made from it)
 * never holds the secret itself.
 * @module
 */
import { createHash } from 'node:crypto';

export function secretDigest(secret: string): string {
  return createHash('sha256').update(secret).digest('hex').slice(0, 16);
}
