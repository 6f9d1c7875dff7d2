/**
 * MUD file signatures (RFC 8520 section 13): a detached CMS SignedData (DER) over the file's exact bytes.
 * Node has no CMS, so the check runs OpenSSL's maintained `openssl cms -verify`, with the content and the
 * signature passed as files (no shell). Outcomes: valid; valid but the certificate chain has expired (the
 * signature itself verifies when time checks are off — the Cisco example's CA expired in 2019); valid but
 * the signer is not verified against a trust anchor (no CA given); invalid (digest or signature mismatch);
 * unsigned; unverifiable (OpenSSL missing or the signature unreadable).
 * @module
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SignatureCheck } from './types.ts';

function openssl(args: string[]): { ok: boolean; out: string } {
  try {
    const out = execFileSync('openssl', args, { stdio: ['ignore', 'pipe', 'pipe'], timeout: 10_000, encoding: 'utf8' });
    return { ok: true, out };
  } catch (err) {
    const e = err as { stderr?: string; code?: string; message: string };
    return { ok: false, out: e.code === 'ENOENT' ? 'ENOENT' : String(e.stderr ?? e.message) };
  }
}

/** Subject of the signing certificate inside the CMS structure. */
function signerOf(sigPath: string): string | undefined {
  const r = openssl(['cms', '-cmsout', '-print', '-inform', 'DER', '-in', sigPath]);
  if (!r.ok) return undefined;
  const m = /subject:\s*(.+)/.exec(r.out);
  return m?.[1]?.trim();
}

/**
 * Verify `signature` (DER CMS) over `content` (the MUD file's bytes). `caPem`: trust anchor(s); without it
 * only the signature is checked against the certificate it carries.
 */
export function verifyMudSignature(content: Uint8Array, signature: Uint8Array | undefined, caPem?: string): SignatureCheck {
  if (signature === undefined) return { status: 'unsigned', detail: 'no signature (.p7s) found for this MUD file' };
  const dir = mkdtempSync(join(tmpdir(), 'bulwark-mud-sig-'));
  try {
    const contentPath = join(dir, 'mud.json');
    const sigPath = join(dir, 'mud.p7s');
    writeFileSync(contentPath, content);
    writeFileSync(sigPath, signature);
    const signer = signerOf(sigPath);
    if (signer === undefined) {
      const probe = openssl(['version']);
      return probe.ok
        ? { status: 'unverifiable', detail: 'the signature is not a readable DER CMS structure' }
        : { status: 'unverifiable', detail: 'OpenSSL is not installed: the signature cannot be checked' };
    }
    const base = ['cms', '-verify', '-binary', '-inform', 'DER', '-in', sigPath, '-content', contentPath, '-out', join(dir, 'out'), '-purpose', 'any'];
    if (caPem === undefined) {
      const r = openssl([...base, '-noverify']);
      return r.ok
        ? { status: 'valid-unverified-signer', detail: 'signature matches the file, but no trust anchor was given to verify the signer', signer }
        : { status: 'invalid', detail: `signature does not match the file: ${firstLine(r.out)}`, signer };
    }
    const caPath = join(dir, 'ca.pem');
    writeFileSync(caPath, caPem);
    const full = openssl([...base, '-CAfile', caPath]);
    if (full.ok) return { status: 'valid', detail: 'signature matches and the signer chains to the given CA', signer };
    if (/expired/i.test(full.out)) {
      const noTime = openssl([...base, '-CAfile', caPath, '-no_check_time']);
      if (noTime.ok) return { status: 'valid-chain-expired', detail: `signature matches and the signer chains to the given CA, but a certificate of the chain has expired (${firstLine(full.out)})`, signer };
    }
    return { status: 'invalid', detail: `verification failed: ${firstLine(full.out)}`, signer };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function firstLine(text: string): string {
  const lines = text.split('\n').map((l) => l.trim()).filter(Boolean);
  const informative = lines.find((l) => /expired|digest|mismatch/i.test(l)) ?? lines.find((l) => /error|fail/i.test(l)) ?? lines[0] ?? 'unknown error';
  return informative.slice(0, 200);
}
