/**
 * Name-based UUIDs (RFC 9562 version 5): the same input always gives the same id, so an export of the
 * same analysis has the same STIX ids and MISP uuids every time.
 * @module
 */
import { createHash } from 'node:crypto';

/** STIX 2.1 §2.9: the namespace for deterministic Cyber-observable Object ids. */
export const stixScoNamespace = '00abedb4-aa42-466c-9c01-fed23315a9b7';
/** Bulwark's own namespace for everything else it names. */
export const bulwarkNamespace = '6f1d6b1e-3a51-5c5e-9a9a-5b0c1a7e2d10';

export function uuidV5(namespace: string, name: string): string {
  const ns = Buffer.from(namespace.replace(/-/g, ''), 'hex');
  const h = createHash('sha1').update(ns).update(name, 'utf8').digest();
  h[6] = (h[6] & 0x0f) | 0x50;
  h[8] = (h[8] & 0x3f) | 0x80;
  const hex = h.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
