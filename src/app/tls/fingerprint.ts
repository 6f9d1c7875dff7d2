/**
 * Client/server hello fingerprints: JA3 / JA3S (Salesforce) and JA4 (FoxIO, technical_details/JA4.md).
 * GREASE values (RFC 8701: 0x?a?a with equal bytes) are left out everywhere.
 * @module
 */
import type { ClientHello, ServerHello } from './parser.ts';

/** node:crypto when first needed: loading it costs a short run about 10 ms of CPU. */
const nodeCrypto = () => process.getBuiltinModule('node:crypto');

export const isGrease = (v: number): boolean => (v & 0x0f0f) === 0x0a0a && (v >> 8) === (v & 0xff);

const noGrease = (list: readonly number[]): number[] => list.filter((v) => !isGrease(v));

export const md5 = (s: string): string => nodeCrypto().createHash('md5').update(s).digest('hex');
const sha256_12 = (s: string): string => nodeCrypto().createHash('sha256').update(s).digest('hex').slice(0, 12);

/** JA3 string: version,ciphers,extensions,groups,point formats (decimal, '-' joined). */
export function ja3String(h: ClientHello): string {
  return [
    String(h.clientVersion),
    noGrease(h.cipherSuites).join('-'),
    noGrease(h.extensions).join('-'),
    noGrease(h.supportedGroups).join('-'),
    h.ecPointFormats.join('-'),
  ].join(',');
}

/** JA3S string: version,cipher,extensions. */
export function ja3sString(h: ServerHello): string {
  return [String(h.version), String(h.cipherSuite), noGrease(h.extensions).join('-')].join(',');
}

const versionCodes: Record<number, string> = {
  0x0304: '13', 0x0303: '12', 0x0302: '11', 0x0301: '10', 0x0300: 's3', 0x0002: 's2', 0xfeff: 'd1', 0xfefd: 'd2', 0xfefc: 'd3',
};

const hex4 = (v: number): string => v.toString(16).padStart(4, '0');
const twoDigits = (n: number): string => String(Math.min(n, 99)).padStart(2, '0');
const isAlnum = (b: number): boolean => (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a);

/** JA4 ALPN part: first and last character of the first ALPN value, hex nibbles when not alphanumeric. */
export function ja4Alpn(first: Uint8Array | undefined): string {
  if (!first || first.length === 0) return '00';
  const a = first[0];
  const z = first[first.length - 1];
  if (isAlnum(a) && isAlnum(z)) return String.fromCharCode(a, z);
  const hex = Buffer.from(first).toString('hex');
  return hex[0] + hex[hex.length - 1];
}

/** JA4 cipher part (b): sorted 4-hex list hashed, or twelve zeros when empty. */
export function ja4CipherHash(ciphers: readonly number[]): string {
  const list = noGrease(ciphers).sort((x, y) => x - y);
  return list.length === 0 ? '000000000000' : sha256_12(list.map(hex4).join(','));
}

/** JA4 extension part (c): sorted extensions without SNI/ALPN, then '_' and signature algorithms in order. */
export function ja4ExtensionHash(extensions: readonly number[], sigAlgs: readonly number[]): string {
  const list = noGrease(extensions).filter((e) => e !== 0x0000 && e !== 0x0010).sort((x, y) => x - y);
  if (list.length === 0) return '000000000000';
  const sigs = noGrease(sigAlgs);
  const s = list.map(hex4).join(',') + (sigs.length > 0 ? '_' + sigs.map(hex4).join(',') : '');
  return sha256_12(s);
}

/** JA4 of a ClientHello over TCP ('t'). */
export function ja4(h: ClientHello, transport: 't' | 'q' | 'd' = 't'): string {
  const versions = noGrease(h.supportedVersions);
  const v = versions.length > 0 ? Math.max(...versions) : h.clientVersion;
  const a = transport + (versionCodes[v] ?? '00') + (h.extensions.includes(0x0000) ? 'd' : 'i') +
    twoDigits(noGrease(h.cipherSuites).length) + twoDigits(noGrease(h.extensions).length) + ja4Alpn(h.alpnFirst);
  return `${a}_${ja4CipherHash(h.cipherSuites)}_${ja4ExtensionHash(h.extensions, h.signatureAlgorithms)}`;
}
