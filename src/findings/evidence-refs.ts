/**
 * Evidence references made complete after a run: each names its capture by SHA-256 and carries the byte
 * offset of its packet record, so an evidence package can later cut the packets out and prove they come
 * from that exact file. Detectors only know file and packet number; this pass reads each referenced
 * capture once more, hashing its bytes and walking its record headers (no decoding) in the same read.
 * @module
 */
import type { Hash } from 'node:crypto';
import { openCapture } from '../capture/open.ts';
import type { Finding } from './types.ts';

/** node:crypto when first needed: loading it costs a short run about 10 ms of CPU. */
const nodeCrypto = () => process.getBuiltinModule('node:crypto');
/** node:fs/promises when first needed (a run with findings): 3 ms of a short run's start otherwise. */
const fsPromises = () => process.getBuiltinModule('node:fs/promises');

export interface CaptureIdentity {
  file: string;
  sha256: string;
  size: number;
}

/** Bytes read at a time when hashing: one reused buffer, so hashing a big capture makes no garbage. */
const HASH_READ_BYTES = 1 << 20;

/** Feeds the file's bytes from `position` to its end into `hash`; returns the file's size. */
async function hashFrom(path: string, position: number, hash: Hash): Promise<number> {
  const fh = await fsPromises().open(path, 'r');
  try {
    const buf = Buffer.allocUnsafe(HASH_READ_BYTES);
    for (;;) {
      const { bytesRead } = await fh.read(buf, 0, buf.length, position);
      if (bytesRead === 0) return position;
      hash.update(buf.subarray(0, bytesRead));
      position += bytesRead;
    }
  } finally {
    await fh.close();
  }
}

/** SHA-256 and size of a file as stored (for gzip: of the compressed bytes). */
export async function hashFile(path: string): Promise<CaptureIdentity> {
  const hash = nodeCrypto().createHash('sha256');
  const size = await hashFrom(path, 0, hash);
  return { file: path, sha256: hash.digest('hex'), size };
}

/**
 * The file's identity and the record offset of each wanted packet number (1-based), in one read: the capture
 * reader walks the record headers and hands each chunk it reads to the hash. Where the reader stops early (a
 * corrupt record or gzip stream), the rest of the file is hashed on its own, so the digest is always the file's.
 */
export async function identifyAndLocate(path: string, wanted: ReadonlySet<number>): Promise<{ id: CaptureIdentity; offsets: Map<number, number> }> {
  const hash = nodeCrypto().createHash('sha256');
  let hashed = 0;
  const offsets = new Map<number, number>();
  const onRawBytes = (bytes: Uint8Array): void => {
    hash.update(bytes);
    hashed += bytes.length;
  };
  await openCapture(path, { onRawBytes }).read((rec) => {
    if (wanted.has(rec.packetNo)) offsets.set(rec.packetNo, rec.fileOffset);
  });
  const size = await hashFrom(path, hashed, hash);
  return { id: { file: path, sha256: hash.digest('hex'), size }, offsets };
}

/**
 * Fill `sha256` and `offset` of every evidence reference (in place) and return the identities of the
 * captures referenced. Standard input ('-') cannot be read twice: its references keep file and packet only.
 */
export async function resolveEvidence(findings: readonly Finding[]): Promise<CaptureIdentity[]> {
  const wanted = new Map<string, Set<number>>();
  for (const f of findings) {
    for (const e of f.evidence) {
      if (e.file === '-' || e.file === '') continue;
      let set = wanted.get(e.file);
      if (set === undefined) wanted.set(e.file, (set = new Set()));
      set.add(e.packet);
    }
  }
  const identities: CaptureIdentity[] = [];
  const byFile = new Map<string, { id: CaptureIdentity; offsets: Map<number, number> }>();
  for (const [file, packets] of wanted) {
    try {
      // Only a regular file can be read again: a named pipe would wait for a writer that has gone.
      if (!(await fsPromises().stat(file)).isFile()) continue;
      const { id, offsets } = await identifyAndLocate(file, packets);
      identities.push(id);
      byFile.set(file, { id, offsets });
    } catch {
      // The file went away or became unreadable since the run: its references stay as they are.
    }
  }
  for (const f of findings) {
    for (const e of f.evidence) {
      const r = byFile.get(e.file);
      if (r === undefined) continue;
      e.sha256 = r.id.sha256;
      const offset = r.offsets.get(e.packet);
      if (offset !== undefined) e.offset = offset;
    }
  }
  return identities;
}
