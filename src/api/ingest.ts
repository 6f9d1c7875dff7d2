/**
 * The ingest queue: one capture at a time through analyzeCaptures into the store, with progress published
 * to listeners (the server-sent events). Idempotent by content hash: `submitFile` hashes the file first
 * and a capture already done is not analysed again.
 * @module
 */
import { createHash } from 'node:crypto';
import { createReadStream, statSync } from 'node:fs';
import { basename, extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fork } from 'node:child_process';
import module from 'node:module';
import type { CaptureRow, IngestOutcome, Store } from '../store/types.ts';
import { clientMessage, ingestCapture, type IngestLimits, type IngestProgress } from './ingest-run.ts';
import { WORKER_ARG, type IngestJob, type WorkerMessage } from './ingest-worker.ts';
import type { MudService } from './mud-service.ts';

export interface LiveEvent {
  type: 'capture.queued' | 'capture.progress' | 'capture.done' | 'device.new' | 'finding.new'
    // A live sensor's batch (serve --interface, live-sensor.ts): what it changed.
    | 'finding.raised' | 'finding.updated' | 'finding.closed' | 'device.changed' | 'device.removed' | 'sensor.batch';
  /** JSON text of the event's data. */
  data: string;
}
export type LiveListener = (ev: LiveEvent) => void;

/** New devices/findings announced per capture; clients refresh lists on capture.done for the rest. */
export const MAX_NEW_EVENTS = 200;
/** Default heap limit of the ingest worker (MiB): the analysis' own bounds keep it well below (README, Reliability). */
export const DEFAULT_INGEST_HEAP_MB = 512;
/**
 * Default niceness of the ingest worker: on a loaded machine the server's event loop (mostly idle, woken per
 * request) is scheduled before the analysis, which still gets every cycle the server leaves.
 */
export const DEFAULT_INGEST_NICE = 10;
/** Default decompressed size of one uploaded gzip capture, MiB (the gzip ratio limit of the capture stage applies too). */
export const DEFAULT_MAX_DECOMPRESSED_MB = 4096;

export interface IngestOptions {
  /** Heap limit of the ingest worker in MiB; past it the worker ends and the capture is marked failed. */
  heapMb: number;
  /** Niceness of the ingest worker's threads (0-19): the server's event loop gets the CPU first. */
  nice: number;
  /**
   * Ingest in a child process with its own heap, at a lower CPU priority (default whenever the store is a database file):
   * the server keeps answering while a capture is analysed and survives a capture that exhausts the worker.
   */
  worker: boolean;
  /** Decompressed bytes one gzip capture may expand to; past it the rest is not read (decompression bombs). */
  maxDecompressedBytes: number;
  /** MUD profiles learned, counted and watched on every ingest (serve --profiles). */
  mud?: MudService;
  /** Captures that hold flow-export datagrams (serve --netflow's spooled batches), analysed as flow records. */
  isFlowExport?: (capture: CaptureRow) => boolean;
}

/** Why a capture found 'ingesting' at start-up is not resumed: the last attempt may be what stopped the server. */
export const INTERRUPTED = 'the server stopped while analysing this capture; it is not resumed automatically (upload it again to retry)';

export class IngestQueue {
  private readonly store: Store;
  private readonly listeners = new Set<LiveListener>();
  private readonly pending: string[] = [];
  private running: Promise<void> | null = null;
  current: string | null = null;

  private readonly options: IngestOptions;
  /** MUD profiles learned, counted and watched on every ingest (the API's review routes read them). */
  readonly mud?: MudService;
  /** Indicator lists received through the API: every ingest runs the indicator detector with them. */
  indicators?: { detectorOptions(): Record<string, Record<string, unknown>> };

  constructor(store: Store, options: Partial<IngestOptions> = {}) {
    this.store = store;
    this.options = {
      heapMb: DEFAULT_INGEST_HEAP_MB, nice: DEFAULT_INGEST_NICE, worker: store.reopen !== undefined,
      maxDecompressedBytes: DEFAULT_MAX_DECOMPRESSED_MB * 1024 * 1024, ...options,
    };
    this.mud = this.options.mud;
  }

  /**
   * Resumes the queue after a restart: captures still queued are queued again; one left 'ingesting' is marked
   * failed (the previous server died during it, perhaps because of it), so a hostile capture can never put the
   * server into a crash loop.
   */
  async recover(exists: (path: string) => boolean): Promise<void> {
    for (const c of await this.store.pendingCaptures()) {
      if (c.status === 'ingesting') await this.store.setCaptureState(c.id, { status: 'failed', error: INTERRUPTED });
      else if (exists(c.path)) this.enqueue(c);
      else await this.store.setCaptureState(c.id, { status: 'failed', error: 'the capture file is gone' });
    }
  }

  get queued(): number {
    return this.pending.length;
  }

  subscribe(listener: LiveListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get subscribers(): number {
    return this.listeners.size;
  }

  /** Announce something that did not come through this queue (a live sensor's batch) to the same listeners. */
  announce(type: LiveEvent['type'], data: unknown): void {
    this.publish(type, data);
  }

  private publish(type: LiveEvent['type'], data: unknown): void {
    const ev = { type, data: typeof data === 'string' ? data : JSON.stringify(data) };
    for (const l of this.listeners) {
      try {
        l(ev);
      } catch {
        // A broken listener (closed stream) must not stop the ingest.
      }
    }
  }

  /** Queues a capture already registered in the store (status queued). */
  enqueue(capture: CaptureRow): void {
    if (this.pending.includes(capture.id) || this.current === capture.id) return;
    this.pending.push(capture.id);
    this.publish('capture.queued', { capture_id: capture.id, filename: capture.filename });
    this.running ??= this.drain();
  }

  /** Hashes a file on disk, registers it and queues it unless the same bytes were ingested before. */
  async submitFile(path: string, filename = basename(path)): Promise<{ capture: CaptureRow; created: boolean }> {
    const sha256 = await sha256File(path);
    const { capture, created } = await this.store.addCapture({ sha256, filename, size: statSync(path).size, path });
    if (created || capture.status === 'failed' || capture.status === 'queued') {
      if (capture.status === 'failed') await this.store.setCaptureState(capture.id, { status: 'queued', progress: 0 });
      this.enqueue(capture);
    }
    return { capture, created };
  }

  /** Resolves when nothing is queued or running. */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  private async drain(): Promise<void> {
    try {
      for (let id = this.pending.shift(); id !== undefined; id = this.pending.shift()) {
        this.current = id;
        await this.ingestOne(id);
      }
    } finally {
      this.current = null;
      this.running = null;
    }
  }

  private async ingestOne(id: string): Promise<void> {
    const capture = await this.store.getCapture(id);
    if (!capture || capture.status === 'done') return;
    try {
      await this.store.setCaptureState(id, { status: 'ingesting', progress: 0 });
      this.publish('capture.progress', { capture_id: id, progress: 0, packets: 0 });
      const onProgress = (p: IngestProgress): void => this.publish('capture.progress', { capture_id: id, ...p });
      const outcome = this.options.worker ? await this.inWorker(capture, onProgress) : await ingestCapture(this.store, capture, onProgress, this.limits(capture));
      this.store.changed?.();
      for (const deviceId of outcome.newDeviceIds.slice(0, MAX_NEW_EVENTS)) {
        const json = await this.store.getDevice(deviceId, false);
        if (json) this.publish('device.new', json);
      }
      for (const findingId of outcome.newFindingIds.slice(0, MAX_NEW_EVENTS)) {
        const json = await this.store.getFinding(findingId, false);
        if (json) this.publish('finding.new', json);
      }
      this.publish('capture.done', { capture_id: id, status: 'done', summary: outcome.summary });
    } catch (err) {
      const message = clientMessage(err instanceof Error ? err.message : String(err), capture);
      this.store.changed?.();
      await this.store.setCaptureState(id, { status: 'failed', error: message });
      this.publish('capture.done', { capture_id: id, status: 'failed', error: message });
    }
  }

  private limits(capture: CaptureRow): IngestLimits {
    return {
      maxDecompressedBytes: this.options.maxDecompressedBytes, mudProfiles: this.mud?.dir, detectorOptions: this.indicators?.detectorOptions(),
      flowExport: this.options.isFlowExport?.(capture) ?? false,
    };
  }

  /**
   * Runs one ingest in a child process (ingest-worker.ts) with its own heap limit, at a lower CPU priority than
   * the server; rejects with the reason it failed.
   */
  private inWorker(capture: CaptureRow, onProgress: (p: IngestProgress) => void): Promise<Pick<IngestOutcome, 'newDeviceIds' | 'newFindingIds' | 'summary'>> {
    const job: IngestJob = { store: this.store.reopen!, capture, limits: this.limits(capture), nice: this.options.nice };
    // The worker module has this module's extension: .ts in a checkout, .js in the built package.
    const entry = fileURLToPath(new URL(`./ingest-worker${extname(fileURLToPath(import.meta.url))}`, import.meta.url));
    const cacheDir = module.getCompileCacheDir?.();
    const child = fork(entry, [WORKER_ARG], {
      // The server's own heap flags are not the worker's; node:sqlite's notice on Node 22 is not news here.
      execArgv: [...process.execArgv.filter((a) => !a.startsWith('--max-old-space-size')), `--max-old-space-size=${this.options.heapMb}`, '--disable-warning=ExperimentalWarning'],
      env: cacheDir ? { ...process.env, NODE_COMPILE_CACHE: cacheDir } : process.env,
      stdio: ['ignore', 'inherit', 'pipe', 'ipc'],
      serialization: 'advanced',
    });
    // Its warnings go to the server's stderr as they come, up to V8's dump of an exhausted heap (the capture's
    // failure reason says it in one sentence); the last lines say why it died, if it does.
    let stderrTail = '';
    let dumping = false;
    child.stderr!.on('data', (d: Buffer) => {
      const text = d.toString('utf8');
      dumping ||= /<--- Last few GCs --->|FATAL ERROR|Fatal JavaScript/.test(text);
      if (!dumping) process.stderr.write(d);
      stderrTail = (stderrTail + text).slice(-STDERR_TAIL);
    });
    return new Promise((resolve, reject) => {
      let settled = false;
      const settle = (fn: () => void): void => {
        if (settled) return;
        settled = true;
        fn();
      };
      child.on('message', (m: WorkerMessage) => {
        if (m.type === 'progress') onProgress({ progress: m.progress, packets: m.packets });
        else if (m.type === 'done') settle(() => resolve(m as Pick<IngestOutcome, 'newDeviceIds' | 'newFindingIds' | 'summary'>));
        else settle(() => reject(new Error(m.message)));
      });
      child.on('error', (err) => settle(() => reject(new Error(`the analysis failed: ${err.message}`))));
      child.on('close', (code, signal) => {
        // V8 reports an exhausted heap on stderr and aborts the process.
        if (/heap out of memory|Reached heap limit|allocation failed/i.test(stderrTail)) {
          settle(() => reject(new Error(`the analysis needed more than its memory limit (${this.options.heapMb} MiB, --ingest-heap-mb) and was stopped`)));
        } else settle(() => reject(new Error(`the analysis stopped unexpectedly (${signal ? `signal ${signal}` : `exit code ${code}`})`)));
      });
      child.send(job);
    });
  }
}

/** Characters of the worker's stderr kept to tell why it died. */
const STDERR_TAIL = 4096;

export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
