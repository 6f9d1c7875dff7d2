/**
 * JSON-lines writers with buffered, back-pressure-free appends (sync writes of ~1 MiB batches: the
 * pipeline is synchronous within a chunk, so a stream's async back-pressure would only add latency).
 * @module
 */
import { closeSync, openSync, writeSync } from 'node:fs';

const FLUSH_AT = 1 << 20;

export class JsonLinesWriter {
  private fd: number;
  private readonly ownsFd: boolean;
  private readonly path: string | undefined;
  private pending: string[] = [];
  private pendingLen = 0;
  lines = 0;

  /** `target` is a path, or a file descriptor (1 for standard output). */
  constructor(target: string | number) {
    this.ownsFd = typeof target === 'string';
    this.path = typeof target === 'string' ? target : undefined;
    this.fd = typeof target === 'string' ? openSync(target, 'w') : target;
  }

  /** After logrotate moved the file (SIGHUP): write what is pending, then go on in a file at the same path. */
  reopen(): void {
    if (this.path === undefined) return;
    this.flush();
    closeSync(this.fd);
    this.fd = openSync(this.path, 'a');
  }

  write(record: object): void {
    const line = JSON.stringify(record, jsonReplacer);
    this.pending.push(line);
    this.pendingLen += line.length + 1;
    this.lines++;
    if (this.pendingLen >= FLUSH_AT) this.flush();
  }

  flush(): void {
    if (this.pending.length === 0) return;
    writeAll(this.fd, this.pending.join('\n') + '\n');
    this.pending = [];
    this.pendingLen = 0;
  }

  close(): void {
    this.flush();
    if (this.ownsFd) closeSync(this.fd);
  }
}

/** Write a whole string to a descriptor, retrying on EAGAIN (a non-blocking pipe on stdout). */
export function writeAll(fd: number, text: string): void {
  const buf = Buffer.from(text);
  let off = 0;
  while (off < buf.length) {
    try {
      off += writeSync(fd, buf, off);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EAGAIN') throw err;
    }
  }
}

/** Byte arrays appear as hex; bigint as number when safe. */
function jsonReplacer(_key: string, value: unknown): unknown {
  if (value instanceof Uint8Array) return Buffer.from(value).toString('hex');
  if (typeof value === 'bigint') return Number(value);
  return value;
}
