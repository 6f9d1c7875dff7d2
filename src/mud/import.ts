/**
 * Importing a vendor's MUD file: from a file, or from the MUD URL a device announced (DHCP option 161 —
 * the `mud_url` field of dhcp.* events and the device's `mud_url` evidence —, or the id-pe-mud-url X.509
 * extension of its certificate, RFC 8520 section 11). The file is validated; its signature is looked for at
 * `mud-signature` (or beside the file, `.json` → `.p7s`) and checked (src/mud/signature.ts).
 * @module
 */
import { readFileSync, existsSync } from 'node:fs';
import { get } from 'node:https';
import { maxMudBytes, parseMud } from './document.ts';
import { verifyMudSignature } from './signature.ts';
import type { MudFile, SignatureCheck } from './types.ts';

export interface ImportResult {
  ok: boolean;
  mud?: MudFile;
  errors: string[];
  warnings: string[];
  signature: SignatureCheck;
  source: string;
}

/** Fetch an https URL with a size and time limit (RFC 8520: MUD URLs are https). `ca` adds trust anchors. */
export function fetchHttps(url: string, options: { ca?: string; timeoutMs?: number; maxBytes?: number } = {}): Promise<Uint8Array> {
  const maxBytes = options.maxBytes ?? maxMudBytes;
  return new Promise((resolve, reject) => {
    let u: URL;
    try {
      u = new URL(url);
    } catch {
      reject(new Error(`not a URL: ${url}`));
      return;
    }
    if (u.protocol !== 'https:') {
      reject(new Error(`MUD URLs must use https (RFC 8520 section 1.5): ${url}`));
      return;
    }
    const req = get(u, { ca: options.ca, timeout: options.timeoutMs ?? 10_000, headers: { accept: 'application/mud+json, application/json' } }, (res) => {
      if ((res.statusCode ?? 0) >= 300) {
        res.resume();
        reject(new Error(`${url}: HTTP ${res.statusCode}`));
        return;
      }
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        size += c.length;
        if (size > maxBytes) {
          req.destroy(new Error(`${url}: larger than ${maxBytes} bytes`));
          return;
        }
        chunks.push(c);
      });
      res.on('end', () => resolve(Buffer.concat(chunks)));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`${url}: timed out`)));
    req.on('error', reject);
  });
}

/** Where the signature of a MUD file is: its mud-signature leaf, else the URL with .json replaced by .p7s. */
export function signatureLocation(mud: MudFile, source: string): string {
  const leaf = mud['ietf-mud:mud']['mud-signature'];
  if (leaf) return leaf;
  return source.endsWith('.json') ? source.replace(/\.json$/, '.p7s') : `${source}.p7s`;
}

/** Validate bytes as a MUD file and check the given signature. */
export function importBytes(bytes: Uint8Array, signature: Uint8Array | undefined, source: string, caPem?: string): ImportResult {
  const parsed = parseMud(Buffer.from(bytes).toString('utf8'));
  const signatureCheck = verifyMudSignature(bytes, signature, caPem);
  if (!parsed.ok) return { ok: false, errors: parsed.errors, warnings: parsed.warnings, signature: signatureCheck, source };
  return { ok: true, mud: parsed.mud, errors: [], warnings: parsed.warnings, signature: signatureCheck, source };
}

/** Import from a local file; the signature is `sigPath`, else the `.p7s` beside the file when there is one. */
export function importFile(path: string, sigPath?: string, caPem?: string): ImportResult {
  const bytes = readFileSync(path);
  const sibling = path.replace(/\.json$/, '') + '.p7s';
  const sig = sigPath ?? (existsSync(sibling) ? sibling : undefined);
  return importBytes(bytes, sig ? readFileSync(sig) : undefined, path, caPem);
}

/** Import from a MUD URL; the signature is fetched from mud-signature (or .p7s); a missing one is "unsigned". */
export async function importUrl(url: string, options: { ca?: string; trustPem?: string } = {}): Promise<ImportResult> {
  const bytes = await fetchHttps(url, { ca: options.ca });
  const parsed = parseMud(Buffer.from(bytes).toString('utf8'));
  let sig: Uint8Array | undefined;
  if (parsed.ok) {
    try {
      sig = await fetchHttps(signatureLocation(parsed.mud, url), { ca: options.ca, maxBytes: 65536 });
    } catch {
      sig = undefined;
    }
  }
  return importBytes(bytes, sig, url, options.trustPem);
}

/**
 * The MUD URL in a certificate's id-pe-mud-url extension (OID 1.3.6.1.5.5.7.1.25, an IA5String inside the
 * extension's OCTET STRING), from PEM or DER bytes. A bounded DER walk; undefined when absent or malformed.
 */
export function mudUrlFromCertificate(cert: Uint8Array): string | undefined {
  let der = cert;
  const text = Buffer.from(cert).toString('latin1');
  const pem = /-----BEGIN CERTIFICATE-----([\s\S]+?)-----END CERTIFICATE-----/.exec(text);
  if (pem) der = Buffer.from(pem[1].replace(/\s+/g, ''), 'base64');
  const oid = Buffer.from([0x06, 0x08, 0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x01, 0x19]);
  const at = Buffer.from(der).indexOf(oid);
  if (at < 0) return undefined;
  let i = at + oid.length;
  const readLen = (): number => {
    if (i >= der.length) return -1;
    let len = der[i++];
    if (len < 0x80) return len;
    const n = len & 0x7f;
    if (n === 0 || n > 3) return -1;
    len = 0;
    for (let k = 0; k < n; k++) {
      if (i >= der.length) return -1;
      len = len * 256 + der[i++];
    }
    return len;
  };
  if (der[i] === 0x01) { // critical BOOLEAN
    i++;
    const l = readLen();
    if (l < 0) return undefined;
    i += l;
  }
  if (der[i++] !== 0x04) return undefined; // extnValue OCTET STRING
  if (readLen() < 0) return undefined;
  if (der[i++] !== 0x16) return undefined; // IA5String
  const len = readLen();
  if (len < 0 || i + len > der.length) return undefined;
  const url = Buffer.from(der.subarray(i, i + len)).toString('latin1');
  return /^[\x21-\x7e]+$/.test(url) ? url : undefined;
}
