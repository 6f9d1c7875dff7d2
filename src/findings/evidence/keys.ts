/**
 * The local Ed25519 signing key (created on first use) and the HMAC key for pseudonyms. Both live in the
 * key folder: $BULWARK_KEYS, else ~/.config/bulwark/keys. The private key never leaves it.
 * @module
 */
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes, sign, verify, type KeyObject } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

export function keyDir(): string {
  return process.env.BULWARK_KEYS ?? join(homedir(), '.config', 'bulwark', 'keys');
}

export interface SigningKey {
  privateKey: KeyObject;
  /** Raw 32-byte public key, lowercase hex. */
  publicHex: string;
  /** First 16 bytes of SHA-256 of the raw public key, hex, colon-free: what people compare. */
  fingerprint: string;
  path: string;
  /** True when this call created the key. */
  created: boolean;
}

const signingFile = 'signing-ed25519.pem';

/** The local signing key, created (mode 0600) on first use. */
export function signingKey(dir = keyDir()): SigningKey {
  const path = join(dir, signingFile);
  let created = false;
  if (!existsSync(path)) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const { privateKey } = generateKeyPairSync('ed25519');
    writeFileSync(path, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600, flag: 'wx' });
    created = true;
  }
  const privateKey = createPrivateKey(readFileSync(path));
  const publicHex = rawPublicHex(createPublicKey(privateKey));
  return { privateKey, publicHex, fingerprint: fingerprintOf(publicHex), path, created };
}

export function rawPublicHex(key: KeyObject): string {
  const jwk = key.export({ format: 'jwk' });
  return Buffer.from(String(jwk.x), 'base64url').toString('hex');
}

export function fingerprintOf(publicHex: string): string {
  return createHash('sha256').update(Buffer.from(publicHex, 'hex')).digest('hex').slice(0, 32);
}

export function publicKeyFromHex(hex: string): KeyObject | undefined {
  if (!/^[0-9a-f]{64}$/.test(hex)) return undefined;
  try {
    return createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(hex, 'hex').toString('base64url') }, format: 'jwk' });
  } catch {
    return undefined;
  }
}

export function publicKeyPem(publicHex: string): string {
  const key = publicKeyFromHex(publicHex);
  if (!key) throw new Error('bad public key');
  return key.export({ type: 'spki', format: 'pem' }).toString();
}

export function signHex(key: SigningKey, data: Uint8Array | string): string {
  return sign(null, typeof data === 'string' ? Buffer.from(data) : data, key.privateKey).toString('hex');
}

/** Signature check with a hex public key and a hex signature; false for anything malformed. */
export function verifyHex(publicHex: string, data: Uint8Array | string, sigHex: string): boolean {
  const key = publicKeyFromHex(publicHex);
  if (!key || !/^[0-9a-f]{128}$/.test(sigHex)) return false;
  try {
    return verify(null, typeof data === 'string' ? Buffer.from(data) : data, key, Buffer.from(sigHex, 'hex'));
  } catch {
    return false;
  }
}

/** The local 32-byte HMAC key for pseudonyms (created on first use). */
export function pseudonymKey(dir = keyDir()): Buffer {
  const path = join(dir, 'pseudonym.key');
  if (!existsSync(path)) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    writeFileSync(path, randomBytes(32).toString('hex') + '\n', { mode: 0o600, flag: 'wx' });
  }
  return Buffer.from(readFileSync(path, 'utf8').trim(), 'hex');
}
