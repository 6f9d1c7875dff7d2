/**
 * Aggregation keys that involve a secret (and so finding ids made from them) hold an HMAC of it under a key of
 * this installation, never the secret or a plain hash: weak IoT passwords fall to a dictionary in seconds, and
 * findings travel (reports, cases, STIX). The key is 32 random bytes kept in
 * `$XDG_CONFIG_HOME/bulwark/installation.key` (or `$BULWARK_KEY_FILE`), created on first use with mode 0600;
 * when it cannot be read or written, a key for this process only is used (ids then differ between runs).
 * @module
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';

/** node:crypto when first needed: loading it costs a short run about 10 ms of CPU. */
const nodeCrypto = () => process.getBuiltinModule('node:crypto');

const keyBytes = 32;
let key: Buffer | undefined;

export function installationKeyPath(): string {
  return process.env.BULWARK_KEY_FILE ?? join(process.env.XDG_CONFIG_HOME ?? join(homedir(), '.config'), 'bulwark', 'installation.key');
}

function readKey(path: string): Buffer | undefined {
  try {
    const k = readFileSync(path);
    return k.length >= keyBytes ? k : undefined;
  } catch {
    return undefined;
  }
}

function loadKey(): Buffer {
  const path = installationKeyPath();
  const existing = readKey(path);
  if (existing) return existing;
  const fresh = nodeCrypto().randomBytes(keyBytes);
  try {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    writeFileSync(path, fresh, { mode: 0o600, flag: 'wx' });
    return fresh;
  } catch {
    // Another process may have created it meanwhile; otherwise a per-process key.
    return readKey(path) ?? fresh;
  }
}

/**
 * Digests of recent secrets (at most `maxRecent`, emptied when full; long secrets are not kept): a brute force
 * repeats a short list of passwords, and an HMAC per login attempt was the credential detector's main cost.
 */
const recent = new Map<string, string>();
const maxRecent = 256;
const maxRecentLength = 256;

/** 16 hex characters of HMAC-SHA256(installation key, secret). */
export function secretDigest(secret: string): string {
  const known = recent.get(secret);
  if (known !== undefined) return known;
  key ??= loadKey();
  const digest = nodeCrypto().createHmac('sha256', key).update(secret).digest('hex').slice(0, 16);
  if (secret.length <= maxRecentLength) {
    if (recent.size >= maxRecent) recent.clear();
    recent.set(secret, digest);
  }
  return digest;
}
