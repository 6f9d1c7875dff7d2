/**
 * Facts of one X.509 certificate (DER) via node:crypto. Malformed input is an anomaly, never an exception.
 * @module
 */
import type * as NodeCrypto from 'node:crypto';
import { invalid, ok } from '../types.ts';
import type { Parsed } from '../types.ts';

/**
 * node:crypto when first needed: loading it costs a short run about 10 ms of CPU. Kept once loaded: asking
 * process.getBuiltinModule at every call cost 0.2 % of the mixed workload's CPU.
 */
let crypto: typeof NodeCrypto | undefined;
const nodeCrypto = () => (crypto ??= process.getBuiltinModule('node:crypto'));

export interface CertificateFacts {
  subject: string;
  issuer: string;
  /** Serial number, upper-case hex as OpenSSL prints it. */
  serial: string;
  not_before: string;
  not_after: string;
  san: string[];
  /** SHA-256 of the DER bytes, lower-case hex. */
  fingerprint_sha256: string;
  self_signed: boolean;
}

/** OpenSSL's multi-line name ("C=US\nO=X") as one line ("C=US, O=X"). */
const oneLine = (name: string): string => name.split('\n').filter((s) => s.length > 0).join(', ');

/** ISO 8601 UTC without milliseconds. */
function iso(d: Date | undefined, fallback: string): string {
  const t = d ?? new Date(fallback);
  return Number.isNaN(t.getTime()) ? fallback : t.toISOString().replace('.000Z', 'Z');
}

/** Split Node's subjectAltName ("DNS:a, IP Address:1.2.3.4, email:\"x, y\"") into entries. */
export function splitSan(san: string | undefined, max = 256): string[] {
  if (!san) return [];
  const out: string[] = [];
  const re = /([A-Za-z ]+):("(?:[^"\\]|\\.)*"|[^,]*)(?:, |$)/gy;
  let m: RegExpExecArray | null;
  while (out.length < max && (m = re.exec(san)) !== null && m[0].length > 0) {
    let value = m[2];
    if (value.startsWith('"')) {
      try {
        value = JSON.parse(value) as string;
      } catch {
        /* keep as is */
      }
    }
    out.push(m[1] === 'DNS' || m[1] === 'IP Address' ? value : `${m[1]}:${value}`);
  }
  return out;
}

// Devices present the same few certificates again and again: parsing and verifying one with X509Certificate
// costs ~0.1 ms (15 % of a pipeline run on IoT traffic), hashing it far less. Bounded; results are frozen.
const CACHE_MAX = 1024;
const cache = new Map<string, Parsed<CertificateFacts>>();

/**
 * The last certificates parsed, by their DER bytes: a certificate seen before is found without its SHA-256 (that
 * hash was 0.65 % of the mixed workload's CPU). Direct-mapped: a slot, picked by a hash of the length and the last
 * 32 bytes (the end of the signature), holds one certificate's bytes (up to 4 KiB: larger ones are found by their
 * SHA-256 only) and its parse; a hit is confirmed by comparing every byte.
 */
const DER_SLOTS = 256;
const MAX_DER_KEPT = 4096;
const derKeys: (Buffer | undefined)[] = new Array<Buffer | undefined>(DER_SLOTS).fill(undefined);
const derParses: (Parsed<CertificateFacts> | undefined)[] = new Array<Parsed<CertificateFacts> | undefined>(DER_SLOTS).fill(undefined);

function derSlot(der: Uint8Array): number {
  let h = Math.imul(0x811c9dc5 ^ der.length, 0x01000193);
  for (let i = Math.max(0, der.length - 32); i < der.length; i++) h = Math.imul(h ^ der[i], 0x01000193);
  return (h >>> 0) & (DER_SLOTS - 1);
}

export function parseCertificate(der: Uint8Array): Parsed<CertificateFacts> {
  const slot = derSlot(der);
  const key = derKeys[slot];
  const known = derParses[slot];
  if (key !== undefined && known !== undefined && key.equals(der)) return known;
  const parsed = parseByFingerprint(der);
  if (der.length <= MAX_DER_KEPT) {
    derKeys[slot] = Buffer.from(der);
    derParses[slot] = parsed;
  }
  return parsed;
}

/** parseCertificate by the certificate's SHA-256 (the cache below). */
function parseByFingerprint(der: Uint8Array): Parsed<CertificateFacts> {
  const fingerprint = nodeCrypto().hash('sha256', der, 'hex');
  let parsed = cache.get(fingerprint);
  if (parsed === undefined) {
    parsed = parseUncached(der, fingerprint);
    if (parsed.status === 'ok') Object.freeze(Object.freeze(parsed.value).san);
    if (cache.size >= CACHE_MAX) cache.clear();
    cache.set(fingerprint, parsed);
  }
  return parsed;
}

function parseUncached(der: Uint8Array, fingerprint: string): Parsed<CertificateFacts> {
  try {
    const x = new (nodeCrypto().X509Certificate)(der);
    let selfSigned = false;
    if (x.subject === x.issuer) {
      try {
        selfSigned = x.verify(x.publicKey);
      } catch {
        selfSigned = false;
      }
    }
    const dates = x as unknown as { validFromDate?: Date; validToDate?: Date };
    return ok({
      subject: oneLine(x.subject),
      issuer: oneLine(x.issuer),
      serial: x.serialNumber,
      not_before: iso(dates.validFromDate, x.validFrom),
      not_after: iso(dates.validToDate, x.validTo),
      san: splitSan(x.subjectAltName),
      fingerprint_sha256: fingerprint,
      self_signed: selfSigned,
    }, der.length);
  } catch {
    return invalid('app.tls.bad_certificate');
  }
}
