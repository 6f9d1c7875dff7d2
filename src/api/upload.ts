/**
 * Capture upload: the raw request body streamed to disk while hashing, bounded in size, checked for a
 * capture magic number, and stored under its SHA-256 (the client's file name is only a label).
 * @module
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { ApiError } from './http-errors.ts';

export interface StoredUpload {
  path: string;
  sha256: string;
  size: number;
  filename: string;
}

/** Extension by magic number; undefined when the bytes are no pcap, pcapng or gzip. */
export function captureExtension(head: Uint8Array): string | undefined {
  if (head.length < 4) return undefined;
  const m = ((head[0] << 24) | (head[1] << 16) | (head[2] << 8) | head[3]) >>> 0;
  if (m === 0xa1b2c3d4 || m === 0xd4c3b2a1 || m === 0xa1b23c4d || m === 0x4d3cb2a1) return 'pcap';
  if (m === 0x0a0d0d0a) return 'pcapng';
  if (head[0] === 0x1f && head[1] === 0x8b) return 'gz';
  return undefined;
}

/** A display name from X-Filename: percent-decoded, path parts and control characters removed, bounded. */
export function cleanFilename(header: string | undefined): string {
  let name = header ?? '';
  try {
    name = decodeURIComponent(name);
  } catch {
    // Keep it as sent.
  }
  // eslint-disable-next-line no-control-regex
  name = basename(name.replaceAll('\\', '/')).replace(/[\u0000-\u001f\u007f]/g, '').trim().slice(0, 200);
  return name === '' || name === '.' || name === '..' ? 'capture' : name;
}

/** An upload that sends nothing for this long is ended (408): slow clients must not hold descriptors forever. */
export const UPLOAD_IDLE_MS = 30_000;
/** After this long, an upload averaging under MIN_UPLOAD_RATE bytes/s is ended too (slowloris by trickle). */
export const UPLOAD_GRACE_MS = 60_000;
export const MIN_UPLOAD_RATE = 4096;

const PART = /^\.upload-[0-9a-f]{16}\.part$/;

/**
 * Removes partial uploads a killed server left behind (`.upload-*.part`); called when `serve` starts, when no
 * upload of this folder can be running. Returns how many were removed.
 */
export function removeStaleUploads(uploadDir: string): number {
  let removed = 0;
  let names: string[];
  try {
    names = readdirSync(uploadDir);
  } catch {
    return 0;
  }
  for (const name of names) {
    if (!PART.test(name)) continue;
    rmSync(join(uploadDir, name), { force: true });
    removed++;
  }
  return removed;
}

export interface UploadTiming {
  idleMs: number;
  graceMs: number;
  minRate: number;
}

/** The body's chunks; a stall past `idleMs`, a trickle under `minRate` after `graceMs`, or an abort end it with an ApiError. */
async function* paced(body: ReadableStream<Uint8Array>, t: UploadTiming): AsyncGenerator<Uint8Array> {
  const reader = body.getReader();
  const started = performance.now();
  let bytes = 0;
  try {
    for (;;) {
      let timer: NodeJS.Timeout | undefined;
      const stalled = new Promise<'stalled'>((ok) => { timer = setTimeout(() => ok('stalled'), t.idleMs); });
      let r: Awaited<ReturnType<typeof reader.read>> | 'stalled';
      try {
        r = await Promise.race([reader.read(), stalled]);
      } catch {
        // The client went away mid-upload (connection reset, aborted request): an ordinary event, not a bug.
        throw new ApiError(400, 'upload_aborted', 'The upload was aborted before the end of the body');
      } finally {
        clearTimeout(timer);
      }
      if (r === 'stalled') throw new ApiError(408, 'request_timeout', `The upload sent nothing for ${t.idleMs / 1000} s`);
      if (r.done) return;
      bytes += r.value.byteLength;
      const elapsed = performance.now() - started;
      if (elapsed > t.graceMs && bytes / (elapsed / 1000) < t.minRate) {
        throw new ApiError(408, 'request_timeout', `The upload is too slow (under ${t.minRate} bytes/s after ${t.graceMs / 1000} s)`);
      }
      yield r.value;
    }
  } finally {
    reader.cancel().catch(() => undefined);
  }
}

export async function receiveUpload(body: ReadableStream<Uint8Array> | null, uploadDir: string, maxBytes: number, filename: string,
  timing: UploadTiming = { idleMs: UPLOAD_IDLE_MS, graceMs: UPLOAD_GRACE_MS, minRate: MIN_UPLOAD_RATE }): Promise<StoredUpload> {
  if (!body) throw new ApiError(400, 'bad_request', 'The request has no body: send the capture file as the raw body');
  mkdirSync(uploadDir, { recursive: true });
  const temp = join(uploadDir, `.upload-${randomBytes(8).toString('hex')}.part`);
  const file = await open(temp, 'wx', 0o600);
  const hash = createHash('sha256');
  const head = new Uint8Array(4);
  let size = 0;
  let ok = false;
  try {
    for await (const chunk of paced(body, timing)) {
      if (size < 4) head.set(chunk.subarray(0, 4 - size), size);
      size += chunk.byteLength;
      if (size > maxBytes) throw new ApiError(413, 'payload_too_large', `Captures are limited to ${maxBytes} bytes on this server (--max-upload-mb)`);
      if (size >= 4 && size - chunk.byteLength < 4 && !captureExtension(head)) throw notCapture();
      hash.update(chunk);
      await file.write(chunk);
    }
    if (size === 0) throw new ApiError(400, 'bad_request', 'The body is empty: send the capture file as the raw body');
    const ext = captureExtension(head);
    if (!ext) throw notCapture();
    await file.close();
    const sha256 = hash.digest('hex');
    const path = join(uploadDir, `${sha256}.${ext}`);
    renameSync(temp, path);
    ok = true;
    return { path, sha256, size, filename };
  } finally {
    if (!ok) {
      await file.close().catch(() => undefined);
      rmSync(temp, { force: true });
    }
  }
}

const notCapture = (): ApiError => new ApiError(415, 'not_a_capture', 'The body is not a pcap, pcapng or gzip file');
