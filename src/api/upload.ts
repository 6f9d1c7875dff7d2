/**
 * Capture upload: the raw request body streamed to disk while hashing, bounded in size, checked for a
 * capture magic number, and stored under its SHA-256 (the client's file name is only a label).
 * @module
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, renameSync, rmSync } from 'node:fs';
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

export async function receiveUpload(body: ReadableStream<Uint8Array> | null, uploadDir: string, maxBytes: number, filename: string): Promise<StoredUpload> {
  if (!body) throw new ApiError(400, 'bad_request', 'The request has no body: send the capture file as the raw body');
  mkdirSync(uploadDir, { recursive: true });
  const temp = join(uploadDir, `.upload-${randomBytes(8).toString('hex')}.part`);
  const file = await open(temp, 'wx', 0o600);
  const hash = createHash('sha256');
  const head = new Uint8Array(4);
  let size = 0;
  let ok = false;
  try {
    for await (const chunk of body) {
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
