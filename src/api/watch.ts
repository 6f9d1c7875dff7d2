/**
 * `serve --watch DIR`: captures dropped into a folder are ingested once they stop growing. Idempotent by
 * content hash (the queue skips bytes already ingested), so a restart re-scanning the folder adds nothing.
 * @module
 */
import { closeSync, openSync, readdirSync, readSync, statSync, watch, type FSWatcher } from 'node:fs';
import { join } from 'node:path';
import type { IngestQueue } from './ingest.ts';
import { captureExtension } from './upload.ts';

export interface WatchOptions {
  /** A file is taken when its size and mtime have not changed for this long. */
  settleMs: number;
  /** Files tracked at once while settling (a flood of new files waits for the next scan). */
  maxPending: number;
  onError?: (file: string, err: unknown) => void;
  onSubmit?: (file: string, captureId: string, created: boolean) => void;
}

export class CaptureWatcher {
  private readonly dir: string;
  private readonly queue: IngestQueue;
  private readonly opts: WatchOptions;
  private readonly pending = new Map<string, { size: number; mtimeMs: number; timer: NodeJS.Timeout }>();
  /** Files already submitted in this process, by name + size + mtime (saves re-hashing on repeated events). */
  private readonly seen = new Set<string>();
  private watcher: FSWatcher | null = null;

  constructor(dir: string, queue: IngestQueue, options: Partial<WatchOptions> = {}) {
    this.dir = dir;
    this.queue = queue;
    this.opts = { settleMs: 1000, maxPending: 1000, ...options };
  }

  start(): void {
    this.watcher = watch(this.dir, { persistent: false }, (_event, name) => {
      if (name) this.consider(name.toString());
    });
    for (const name of readdirSync(this.dir)) this.consider(name);
  }

  stop(): void {
    this.watcher?.close();
    for (const p of this.pending.values()) clearTimeout(p.timer);
    this.pending.clear();
  }

  private consider(name: string): void {
    if (name.startsWith('.') || name.includes('/') || this.pending.has(name)) return;
    if (this.pending.size >= this.opts.maxPending) return;
    const path = join(this.dir, name);
    const st = statOf(path);
    if (!st) return;
    if (this.seen.has(`${name}\0${st.size}\0${st.mtimeMs}`)) return;
    const timer = setTimeout(() => this.settle(name), this.opts.settleMs);
    this.pending.set(name, { ...st, timer });
  }

  private settle(name: string): void {
    const prev = this.pending.get(name);
    const path = join(this.dir, name);
    const st = statOf(path);
    if (!prev || !st) {
      this.pending.delete(name);
      return;
    }
    if (st.size !== prev.size || st.mtimeMs !== prev.mtimeMs || st.size === 0) {
      prev.size = st.size;
      prev.mtimeMs = st.mtimeMs;
      prev.timer = setTimeout(() => this.settle(name), this.opts.settleMs);
      return;
    }
    this.pending.delete(name);
    this.seen.add(`${name}\0${st.size}\0${st.mtimeMs}`);
    if (!looksLikeCapture(path)) return;
    this.queue.submitFile(path, name).then(
      ({ capture, created }) => this.opts.onSubmit?.(path, capture.id, created),
      (err: unknown) => this.opts.onError?.(path, err),
    );
  }
}

function statOf(path: string): { size: number; mtimeMs: number } | undefined {
  try {
    const st = statSync(path);
    return st.isFile() ? { size: st.size, mtimeMs: st.mtimeMs } : undefined;
  } catch {
    return undefined;
  }
}

function looksLikeCapture(path: string): boolean {
  const head = new Uint8Array(4);
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    return readSync(fd, head, 0, 4, 0) === 4 && captureExtension(head) !== undefined;
  } catch {
    return false;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
