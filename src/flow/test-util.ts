/**
 * Test helpers of the flow stage (imported by tests only): address parsing and tshark field extraction.
 * @module
 */
import { execFileSync } from 'node:child_process';
import { ipv4FromString, ipv6FromString } from '../decode/address.ts';

/** Bytes of a dotted-quad or IPv6 text address (test input: throws on bad text). */
export function parseIp(text: string): Uint8Array {
  if (text.includes(':')) {
    const b = ipv6FromString(text);
    if (!b) throw new Error(`bad IPv6 ${text}`);
    return b;
  }
  const n = ipv4FromString(text);
  if (n === undefined) throw new Error(`bad IPv4 ${text}`);
  return Uint8Array.of(n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255);
}

/** Big-endian u32 of 4 address bytes at `off`. */
export function u32At(b: Uint8Array, off: number): number {
  return ((b[off] << 24) | (b[off + 1] << 16) | (b[off + 2] << 8) | b[off + 3]) >>> 0;
}

/** Run tshark and return stdout lines (empty lines dropped). */
export function tshark(args: string[]): string[] {
  const out = execFileSync('tshark', args, { encoding: 'utf8', maxBuffer: 256 << 20, stdio: ['ignore', 'pipe', 'ignore'] });
  return out.split('\n').filter((l) => l.length > 0);
}
