/**
 * Evidence packages: the packets that prove a finding or a case, cut from the source captures into
 * `evidence.pcapng`, with the findings (and case) as JSON, a `manifest.json` naming every file and every
 * source capture by SHA-256, an Ed25519 signature over the manifest and the custody log.
 * `verifyPackage` checks all of it and names the first broken item.
 * @module
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { openCapture } from '../../capture/open.ts';
import { hashFile, type CaptureIdentity } from '../evidence-refs.ts';
import type { Case, Finding } from '../types.ts';
import { appendCustody, custodyHead, custodyLog, verifyCustody, type CustodyEntry } from './custody.ts';
import { fingerprintOf, signHex, verifyHex, type SigningKey } from './keys.ts';
import { writePcapng, type EvidencePacket } from './pcapng-writer.ts';
import { readRing } from './ring.ts';

export const toolName = 'bulwark';
export const toolVersion = '0.1.0';
export const manifestFile = 'manifest.json';
export const signatureFile = 'manifest.sig';
export const pcapngFile = 'evidence.pcapng';

export interface PackageSubject {
  kind: 'finding' | 'case';
  id: string;
  findings: Finding[];
  case?: Case;
}

export interface Manifest {
  format: 'bulwark-evidence';
  version: 1;
  tool: { name: string; version: string };
  /** UTC, ISO 8601. */
  created: string;
  parameters: Record<string, unknown>;
  subject: { kind: 'finding' | 'case'; id: string; title: string; findings: string[] };
  sources: { file: string; sha256: string; size: number }[];
  files: { path: string; sha256: string; size: number; packets?: number }[];
  signer: { algorithm: 'Ed25519'; public_key: string; fingerprint: string };
}

const sha256 = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

/** A packet wanted from a source, with the findings it proves. */
interface Wanted {
  packet: number;
  offset?: number;
  findings: string[];
}

/**
 * Cut the proving packets out of the captures. Each reference names its capture by SHA-256; the
 * captures given are hashed and matched, and a record whose offset differs from the reference's means
 * the file is not the one analysed: refused. A reference of a live capture (no capture file: its `file`
 * is the source, e.g. 'interface:eth0') is cut from the live sensor's packet ring `ringDir`; the ring's
 * segment files read become the package's sources (hashed as they were when cut).
 */
export async function cutPackets(findings: readonly Finding[], captures: readonly string[], ringDir?: string): Promise<{ packets: EvidencePacket[]; sources: CaptureIdentity[] }> {
  const live = findings.flatMap((f) => f.evidence.filter((e) => !e.sha256 && ringDir !== undefined).map((e) => ({ f, e })));
  const fromRing = live.length > 0 ? cutFromRing(ringDir!, live) : { packets: [], sources: [] };
  const filed = findings.map((f) => ({ ...f, evidence: f.evidence.filter((e) => e.sha256 || ringDir === undefined) }));
  const fromFiles = await cutFromCaptures(filed, captures);
  return { packets: [...fromFiles.packets, ...fromRing.packets], sources: [...fromFiles.sources, ...fromRing.sources] };
}

function cutFromRing(dir: string, refs: readonly { f: Finding; e: Finding['evidence'][number] }[]): { packets: EvidencePacket[]; sources: CaptureIdentity[] } {
  const wanted = new Map<string, Set<number>>();
  const owners = new Map<string, string[]>();
  for (const { f, e } of refs) {
    let set = wanted.get(e.file);
    if (!set) wanted.set(e.file, (set = new Set()));
    set.add(e.packet);
    const key = `${e.file}\0${e.packet}`;
    const list = owners.get(key) ?? [];
    if (!list.includes(f.id)) list.push(f.id);
    owners.set(key, list);
  }
  const cut = readRing(dir, wanted);
  const packets: EvidencePacket[] = [];
  for (const [source, numbers] of wanted) {
    const found = cut.packets.get(source);
    const missing = [...numbers].filter((n) => !found?.has(n));
    if (missing.length > 0) throw new Error(`packets ${missing.slice(0, 5).join(', ')} of ${source} are no longer in the packet ring ${dir} (rotated out: a larger --ring-mb keeps more)`);
    for (const n of [...numbers].sort((a, b) => a - b)) {
      const p = found!.get(n)!;
      packets.push({ ...p, comment: `bulwark finding ${owners.get(`${source}\0${n}`)!.join(', ')}; source ${source} packet ${n} (live, from the packet ring)` });
    }
  }
  const sources = cut.segments.map((path) => {
    const bytes = readFileSync(path);
    return { file: path, sha256: sha256(bytes), size: bytes.length };
  });
  return { packets, sources };
}

async function cutFromCaptures(findings: readonly Finding[], captures: readonly string[]): Promise<{ packets: EvidencePacket[]; sources: CaptureIdentity[] }> {
  const bySha = new Map<string, CaptureIdentity>();
  for (const path of captures) {
    const id = await hashFile(path);
    if (!bySha.has(id.sha256)) bySha.set(id.sha256, id);
  }
  const wanted = new Map<string, Map<number, Wanted>>();
  for (const f of findings) {
    for (const e of f.evidence) {
      const sha = e.sha256;
      if (!sha) throw new Error(`finding ${f.id}: packet ${e.packet} of ${e.file} has no capture hash (read from standard input?): cannot be cut`);
      if (!bySha.has(sha)) throw new Error(`finding ${f.id}: capture ${basename(e.file)} (SHA-256 ${sha}) is not among the captures given`);
      let perFile = wanted.get(sha);
      if (!perFile) wanted.set(sha, (perFile = new Map()));
      const w = perFile.get(e.packet);
      if (w) {
        if (!w.findings.includes(f.id)) w.findings.push(f.id);
      } else perFile.set(e.packet, { packet: e.packet, offset: e.offset, findings: [f.id] });
    }
  }
  const packets: EvidencePacket[] = [];
  const sources: CaptureIdentity[] = [];
  for (const [sha, perFile] of wanted) {
    const src = bySha.get(sha)!;
    sources.push(src);
    const found = new Map<number, EvidencePacket>();
    let mismatch: string | undefined;
    await openCapture(src.file).read((rec) => {
      const w = perFile.get(rec.packetNo);
      if (!w) return;
      if (w.offset !== undefined && w.offset !== rec.fileOffset) mismatch ??= `packet ${rec.packetNo} is at offset ${rec.fileOffset}, the finding says ${w.offset}`;
      found.set(rec.packetNo, {
        linkType: rec.linkType, tsSec: rec.tsSec, tsNsec: rec.tsNsec, origLen: rec.origLen,
        data: Uint8Array.prototype.slice.call(rec.data, rec.offset, rec.offset + rec.caplen),
        comment: `bulwark finding ${w.findings.join(', ')}; source ${basename(src.file)} sha256 ${sha} packet ${rec.packetNo}${w.offset !== undefined ? ` offset ${w.offset}` : ''}`,
      });
    });
    if (mismatch) throw new Error(`${src.file}: ${mismatch}`);
    const missing = [...perFile.keys()].filter((n) => !found.has(n));
    if (missing.length > 0) throw new Error(`${src.file}: packets ${missing.slice(0, 5).join(', ')} not found`);
    for (const n of [...found.keys()].sort((a, b) => a - b)) packets.push(found.get(n)!);
  }
  return { packets, sources };
}

/** Write a new package into `dir` (which must be empty or absent). Returns the manifest. */
export async function createPackage(dir: string, subject: PackageSubject, captures: readonly string[], key: SigningKey, parameters: Record<string, unknown>, now = new Date(), ringDir?: string): Promise<Manifest> {
  if (existsSync(dir) && readdirSync(dir).length > 0) throw new Error(`${dir} is not empty: an evidence package is written once`);
  const { packets, sources } = await cutPackets(subject.findings, captures, ringDir);
  mkdirSync(dir, { recursive: true });
  const title = subject.case?.title ?? subject.findings[0]?.title ?? subject.id;
  const pcapng = writePcapng(packets, `${toolName} ${toolVersion}`, `Evidence for ${subject.kind} ${subject.id}: ${title}`);
  const files: { path: string; bytes: Uint8Array; packets?: number }[] = [
    { path: pcapngFile, bytes: pcapng, packets: packets.length },
    { path: 'findings.json', bytes: Buffer.from(JSON.stringify(subject.findings, null, 2) + '\n') },
  ];
  if (subject.case) files.push({ path: 'case.json', bytes: Buffer.from(JSON.stringify(subject.case, null, 2) + '\n') });
  for (const f of files) writeFileSync(join(dir, f.path), f.bytes, { flag: 'wx' });
  const manifest: Manifest = {
    format: 'bulwark-evidence',
    version: 1,
    tool: { name: toolName, version: toolVersion },
    created: now.toISOString(),
    parameters,
    subject: { kind: subject.kind, id: subject.id, title, findings: subject.findings.map((f) => f.id) },
    sources: sources.map((s) => ({ file: s.file, sha256: s.sha256, size: s.size })),
    files: files.map((f) => ({ path: f.path, sha256: sha256(f.bytes), size: f.bytes.length, ...(f.packets !== undefined ? { packets: f.packets } : {}) })),
    signer: { algorithm: 'Ed25519', public_key: key.publicHex, fingerprint: key.fingerprint },
  };
  const manifestBytes = Buffer.from(JSON.stringify(manifest, null, 2) + '\n');
  writeFileSync(join(dir, manifestFile), manifestBytes, { flag: 'wx' });
  writeFileSync(join(dir, signatureFile), signHex(key, manifestBytes) + '\n', { flag: 'wx' });
  appendCustody(dir, key, 'created', { manifest_sha256: sha256(manifestBytes), subject: `${subject.kind} ${subject.id}`, packets: packets.length }, now);
  return manifest;
}

export type VerifyResult =
  | { ok: true; manifest: Manifest; custody: CustodyEntry[]; fingerprint: string }
  | { ok: false; broken: string };

/**
 * Check a package: the manifest's signature, every file's SHA-256 and size, no file added, the custody
 * chain and its signed head, the first custody entry naming this manifest; with `captures`, also that the
 * sources hash as recorded. Read-only.
 */
export async function verifyPackage(dir: string, captures: readonly string[] = []): Promise<VerifyResult> {
  const fail = (broken: string): VerifyResult => ({ ok: false, broken });
  const mPath = join(dir, manifestFile);
  if (!existsSync(mPath)) return fail(`${manifestFile}: missing`);
  const manifestBytes = readFileSync(mPath);
  let manifest: Manifest;
  try {
    manifest = JSON.parse(manifestBytes.toString('utf8')) as Manifest;
  } catch {
    return fail(`${manifestFile}: not JSON`);
  }
  const sPath = join(dir, signatureFile);
  if (!existsSync(sPath)) return fail(`${signatureFile}: missing`);
  const sig = /^([0-9a-f]{128})\n$/.exec(readFileSync(sPath, 'latin1'));
  if (!sig) return fail(`${signatureFile}: malformed`);
  const signer = manifest?.signer?.public_key;
  if (typeof signer !== 'string' || !verifyHex(signer, manifestBytes, sig[1])) return fail(`${manifestFile}: signature does not verify`);
  if (manifest.format !== 'bulwark-evidence' || !Array.isArray(manifest.files)) return fail(`${manifestFile}: not a Bulwark evidence manifest`);
  const known = new Set([manifestFile, signatureFile, custodyLog, custodyHead]);
  for (const f of manifest.files) {
    known.add(f.path);
    const p = join(dir, f.path);
    if (basename(f.path) !== f.path) return fail(`${manifestFile}: file name ${f.path} leaves the package`);
    if (!existsSync(p)) return fail(`${f.path}: missing`);
    const bytes = readFileSync(p);
    if (bytes.length !== f.size) return fail(`${f.path}: ${bytes.length} bytes, the manifest says ${f.size}`);
    if (sha256(bytes) !== f.sha256) return fail(`${f.path}: SHA-256 differs from the manifest`);
  }
  for (const name of readdirSync(dir).sort()) if (!known.has(name)) return fail(`${name}: not in the manifest`);
  const custody = verifyCustody(dir);
  if (!custody.ok) return fail(custody.broken);
  const first = custody.entries[0];
  if (first.action !== 'created' || first.details.manifest_sha256 !== sha256(manifestBytes)) return fail(`${custodyLog} entry 1: does not record the creation of this manifest`);
  if (first.signer !== signer) return fail(`${custodyLog} entry 1: signed by another key than the manifest`);
  for (const path of captures) {
    const id = await hashFile(path);
    if (!manifest.sources.some((s) => s.sha256 === id.sha256)) return fail(`${path}: SHA-256 ${id.sha256} is none of the package's sources`);
  }
  return { ok: true, manifest, custody: custody.entries, fingerprint: fingerprintOf(signer) };
}

/** Record an action in a verified package's custody log. */
export function recordCustody(dir: string, key: SigningKey, action: 'verified' | 'copied' | 'exported', details: Record<string, unknown>): void {
  appendCustody(dir, key, action, details);
}
