/**
 * Test helpers of the flow stage (imported by tests only): address parsing and tshark field extraction.
 * @module
 */
import { execFileSync } from 'node:child_process';

/** Bytes of a dotted-quad or RFC 4291 IPv6 text address (test input only; trusts its input). */
export function parseIp(text: string): Uint8Array {
  if (!text.includes(':')) return Uint8Array.from(text.split('.').map(Number));
  const out = new Uint8Array(16);
  const [head, tail0] = text.split('::') as [string, string | undefined];
  let tail = tail0;
  const words = (s: string | undefined) => (s ? s.split(':') : []);
  let v4tail: number[] = [];
  if (tail !== undefined && tail.includes('.')) {
    const parts = words(tail);
    v4tail = Array.from(parseIp(parts.pop()!));
    tail = parts.join(':');
  }
  const h = words(head), t = words(tail);
  const groups = [...h, ...new Array(8 - h.length - t.length - v4tail.length / 2).fill('0'), ...t];
  groups.forEach((g, i) => { out[i * 2] = parseInt(g, 16) >> 8; out[i * 2 + 1] = parseInt(g, 16) & 255; });
  if (v4tail.length) out.set(v4tail, 12);
  return out;
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
