/**
 * Evidence references made complete after a run: each names its capture by SHA-256 and carries the byte
 * offset of its packet record, so an evidence package can later cut the packets out and prove they come
 * from that exact file. Detectors only know file and packet number; this pass reads each referenced
 * capture once more (record headers only, no decoding) and hashes it.
 * @module
 */
import { createReadStream } from 'node:fs';
import { openCapture } from '../capture/open.ts';
import type { Finding } from './types.ts';

/** node:crypto when first needed: loading it costs a short run about 10 ms of CPU. */
const nodeCrypto = () => process.getBuiltinModule('node:crypto');

export interface CaptureIdentity {
  file: string;
  sha256: string;
  size: number;
}

/** SHA-256 and size of a file as stored (for gzip: of the compressed bytes). */
export async function hashFile(path: string): Promise<CaptureIdentity> {
  const hash = nodeCrypto().createHash('sha256');
  let size = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: 8 << 20 }) as AsyncIterable<Buffer>) {
    hash.update(chunk);
    size += chunk.length;
  }
  return { file: path, sha256: hash.digest('hex'), size };
}

/** Record offset of each wanted packet number (1-based), by one pass over the file's record headers. */
export async function packetOffsets(path: string, wanted: ReadonlySet<number>): Promise<Map<number, number>> {
  const out = new Map<number, number>();
  if (wanted.size === 0) return out;
  await openCapture(path).read((rec) => {
    if (wanted.has(rec.packetNo)) out.set(rec.packetNo, rec.fileOffset);
  });
  return out;
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
      const [id, offsets] = await Promise.all([hashFile(file), packetOffsets(file, packets)]);
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
