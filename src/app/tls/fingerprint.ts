/**
 * Client/server hello fingerprints: JA3 / JA3S (Salesforce) and JA4 (FoxIO, technical_details/JA4.md).
 * GREASE values (RFC 8701: 0x?a?a with equal bytes) are left out everywhere.
 * @module
 */
import type * as NodeCrypto from 'node:crypto';
import type { ClientHello, ServerHello } from './parser.ts';

/**
 * node:crypto when first needed: loading it costs a short run about 10 ms of CPU. Kept once loaded: asking
 * process.getBuiltinModule at every call cost 0.2 % of the mixed workload's CPU.
 */
let crypto: typeof NodeCrypto | undefined;
const nodeCrypto = () => (crypto ??= process.getBuiltinModule('node:crypto'));

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

/** The fingerprints of a (non-SSLv2) ClientHello over TCP: the JA3 string, its MD5 and the JA4. */
export interface HelloFingerprints {
  ja3: string;
  ja3Hash: string;
  ja4: string;
}

/**
 * Recent ClientHellos' fingerprints, by what they are computed from: a client sends the same hello on every
 * connection, so its JA3 and JA4 (two hashes, sorts and joins: 245 µs a hello, 2.9 % of the mixed workload's
 * CPU) come from here. Direct-mapped: a slot holds one hello's inputs (helloInputs) and their fingerprints.
 */
const HELLO_SLOTS = 256;
const helloKeys: (number[] | undefined)[] = new Array<number[] | undefined>(HELLO_SLOTS).fill(undefined);
const helloValues: (HelloFingerprints | undefined)[] = new Array<HelloFingerprints | undefined>(HELLO_SLOTS).fill(undefined);

/**
 * ja4Alpn's input reduced to what it reads: the first ALPN value's first and last byte, or -1 when there is none.
 * (Its answer is a function of those two bytes alone.)
 */
function alpnEnds(first: Uint8Array | undefined): number {
  return first === undefined || first.length === 0 ? -1 : (first[0] << 8) | first[first.length - 1];
}

/** The lists ja3String and ja4 read, in the order helloInputs lays them out. */
function helloLists(h: ClientHello): readonly (readonly number[])[] {
  return [h.cipherSuites, h.extensions, h.supportedGroups, h.ecPointFormats, h.supportedVersions, h.signatureAlgorithms];
}

/** FNV-1a step over one number. */
const mix = (hash: number, v: number): number => Math.imul(hash ^ v, 0x01000193);

/** Everything ja3String and ja4 (over TCP) read of `h`, as one list: version, ALPN ends, then each list with its length first. */
function helloInputs(h: ClientHello): number[] {
  const out = [h.clientVersion, alpnEnds(h.alpnFirst)];
  for (const list of helloLists(h)) {
    out.push(list.length);
    for (let i = 0; i < list.length; i++) out.push(list[i]);
  }
  return out;
}

/** Whether `key` (helloInputs of an earlier hello) equals helloInputs(h), compared without building it. */
function sameInputs(key: readonly number[], h: ClientHello, lists: readonly (readonly number[])[]): boolean {
  if (key[0] !== h.clientVersion || key[1] !== alpnEnds(h.alpnFirst)) return false;
  let k = 2;
  for (const list of lists) {
    if (key[k++] !== list.length) return false;
    for (let i = 0; i < list.length; i++) if (key[k++] !== list[i]) return false;
  }
  return k === key.length;
}

/** JA3, its MD5 and JA4 (TCP) of a ClientHello that is not SSLv2: the same as ja3String, md5 and ja4, remembered. */
export function helloFingerprints(h: ClientHello): HelloFingerprints {
  const lists = helloLists(h);
  let hash = mix(mix(0x811c9dc5, h.clientVersion), alpnEnds(h.alpnFirst));
  for (const list of lists) {
    hash = mix(hash, list.length);
    for (let i = 0; i < list.length; i++) hash = mix(hash, list[i]);
  }
  const slot = (hash >>> 0) & (HELLO_SLOTS - 1);
  const key = helloKeys[slot];
  const known = helloValues[slot];
  if (key !== undefined && known !== undefined && sameInputs(key, h, lists)) return known;
  const ja3 = ja3String(h);
  const value = { ja3, ja3Hash: md5(ja3), ja4: ja4(h) };
  helloKeys[slot] = helloInputs(h);
  helloValues[slot] = value;
  return value;
}

/** MD5s of recent JA3S strings: a server answers every connection with the same hello. Cleared when full. */
const ja3sHashes = new Map<string, string>();

/** md5(ja3s), remembered (a JA3S string is short: looking it up costs less than hashing it). */
export function ja3sHash(ja3s: string): string {
  let hash = ja3sHashes.get(ja3s);
  if (hash === undefined) {
    hash = md5(ja3s);
    if (ja3sHashes.size >= 1024) ja3sHashes.clear();
    ja3sHashes.set(ja3s, hash);
  }
  return hash;
}
