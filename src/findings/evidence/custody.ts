/**
 * The chain-of-custody log of an evidence package: append-only, one line per action
 * (`<sha256> <signature> <json>`), each entry naming the previous entry's hash and signed by whoever
 * acted. `custody.head` holds the last entry's number and hash, signed, so dropping entries from the end
 * is detected too. Every byte of both files is covered by a hash or a signature.
 * @module
 */
import { createHash } from 'node:crypto';
import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname, userInfo } from 'node:os';
import { join } from 'node:path';
import { signHex, verifyHex, type SigningKey } from './keys.ts';

export const custodyLog = 'custody.log';
export const custodyHead = 'custody.head';

export type CustodyAction = 'created' | 'copied' | 'verified' | 'exported';

export interface CustodyEntry {
  seq: number;
  /** UTC, ISO 8601. */
  time: string;
  action: CustodyAction;
  /** Who acted: user@host of the process. */
  actor: string;
  /** Raw Ed25519 public key (hex) of the signer. */
  signer: string;
  /** Hash of the previous entry ('' for the first). */
  prev: string;
  details: Record<string, unknown>;
}

const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex');
const linePattern = /^([0-9a-f]{64}) ([0-9a-f]{128}) (\{.*\})$/;
const headPattern = /^([1-9][0-9]{0,9}) ([0-9a-f]{64}) ([0-9a-f]{64}) ([0-9a-f]{128})\n$/;

export function actor(): string {
  let user = 'unknown';
  try {
    user = userInfo().username;
  } catch {
    // No user database entry (containers): keep 'unknown'.
  }
  return `${user}@${hostname()}`;
}

/** Append one action, signed with `key`; creates the log for 'created'. Returns the entry. */
export function appendCustody(dir: string, key: SigningKey, action: CustodyAction, details: Record<string, unknown>, now = new Date()): CustodyEntry {
  const path = join(dir, custodyLog);
  const lines = existsSync(path) ? readFileSync(path, 'utf8').split('\n').filter((l) => l.length > 0) : [];
  const last = lines.length > 0 ? linePattern.exec(lines[lines.length - 1]) : null;
  const entry: CustodyEntry = {
    seq: lines.length + 1, time: now.toISOString(), action, actor: actor(), signer: key.publicHex, prev: last ? last[1] : '', details,
  };
  const json = JSON.stringify(entry);
  const hash = sha256(json);
  appendFileSync(path, `${hash} ${signHex(key, hash)} ${json}\n`);
  const head = `${entry.seq} ${hash} ${key.publicHex}`;
  writeFileSync(join(dir, custodyHead), `${head} ${signHex(key, head)}\n`);
  return entry;
}

/** Check the whole chain; the first broken item, or the entries when all hold. */
export function verifyCustody(dir: string): { ok: true; entries: CustodyEntry[] } | { ok: false; broken: string } {
  const path = join(dir, custodyLog);
  if (!existsSync(path)) return { ok: false, broken: `${custodyLog}: missing` };
  const text = readFileSync(path, 'utf8');
  if (!text.endsWith('\n')) return { ok: false, broken: `${custodyLog}: does not end with a complete entry (truncated?)` };
  const lines = text.slice(0, -1).split('\n');
  const entries: CustodyEntry[] = [];
  let prev = '';
  for (let i = 0; i < lines.length; i++) {
    const where = `${custodyLog} entry ${i + 1}`;
    const m = linePattern.exec(lines[i]);
    if (!m) return { ok: false, broken: `${where}: malformed line` };
    const [, hash, sig, json] = m;
    if (sha256(json) !== hash) return { ok: false, broken: `${where}: hash does not match its content` };
    let e: CustodyEntry;
    try {
      e = JSON.parse(json) as CustodyEntry;
    } catch {
      return { ok: false, broken: `${where}: not JSON` };
    }
    if (e.seq !== i + 1) return { ok: false, broken: `${where}: sequence number ${String(e.seq)} out of order` };
    if (e.prev !== prev) return { ok: false, broken: `${where}: does not follow the previous entry (chain broken)` };
    if (typeof e.signer !== 'string' || !verifyHex(e.signer, hash, sig)) return { ok: false, broken: `${where}: signature does not verify` };
    entries.push(e);
    prev = hash;
  }
  const headPath = join(dir, custodyHead);
  if (!existsSync(headPath)) return { ok: false, broken: `${custodyHead}: missing` };
  const h = headPattern.exec(readFileSync(headPath, 'utf8'));
  if (!h) return { ok: false, broken: `${custodyHead}: malformed` };
  const [, seq, hash, signer, sig] = h;
  if (!verifyHex(signer, `${seq} ${hash} ${signer}`, sig)) return { ok: false, broken: `${custodyHead}: signature does not verify` };
  if (Number(seq) !== entries.length || hash !== prev) return { ok: false, broken: `${custodyLog}: ends at entry ${entries.length}, the signed head names entry ${seq} (entries removed or added)` };
  if (signer !== entries[entries.length - 1].signer) return { ok: false, broken: `${custodyHead}: signed by another key than the last entry` };
  return { ok: true, entries };
}
