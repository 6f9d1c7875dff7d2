/**
 * The live sensor of `serve --interface`, on the server's side: starts the capture and analysis in a worker
 * thread (live-worker.ts), applies each batch it posts to the store in one transaction (`applyBatch`,
 * in order), and announces what changed to the dashboard's live events (SSE): finding raised / updated /
 * closed, device new / changed / removed, and the sensor's batch. `stop()` ends the capture; the final
 * batch is applied before it resolves.
 * @module
 */
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Store } from '../store/types.ts';
import type { BatchOutcome, StoreBatch } from '../store/batch.ts';
import type { LiveJob, LiveWorkerMessage } from './live-worker.ts';
import { batchEvents, type LiveSensorEvent } from './live-events.ts';

/** After dumpcap says it captures, how long a failure still counts as failing to start. */
const START_GRACE_MS = 5000;
/** How long a stop may take before the worker is terminated. */
const STOP_TIMEOUT_MS = 60_000;

export interface LiveSensorOptions extends Omit<LiveJob, 'firstSeq'> {
  /** Heap limit of the worker, MiB (the analysis' own bounds keep it well below). */
  heapMb: number;
  /** Announce a change to the live-event listeners. */
  announce: (type: LiveSensorEvent, data: unknown) => void;
  onStarted?: () => void;
  onError?: (message: string) => void;
}

export interface LiveSensorStats {
  batches: number;
  /** Batches the store had applied already (a restart re-sending them): skipped. */
  skipped: number;
  failed: number;
  /** Slowest store write of one batch, ms (it runs on the server's thread). */
  maxApplyMs: number;
}

export class LiveSensor {
  readonly stats: LiveSensorStats = { batches: 0, skipped: 0, failed: 0, maxApplyMs: 0 };
  private readonly store: Store;
  private readonly options: LiveSensorOptions;
  private worker: Worker | undefined;
  private applying: Promise<void> = Promise.resolve();
  private finished: Promise<{ packets: number; drops: number } | { failure: string }> | undefined;

  constructor(store: Store, options: LiveSensorOptions) {
    this.store = store;
    this.options = options;
  }

  /** Starts the worker; resolves with the failure sentence when the capture cannot start. */
  async start(): Promise<string | undefined> {
    const sensors = await this.store.listSensors();
    const known = sensors.find((s) => s.site === this.options.site && s.sensor === this.options.sensor);
    const { heapMb, announce: _a, onStarted: _s, onError: _e, ...rest } = this.options;
    // A database file is written by the worker itself (its own connection); any other store here.
    const db = this.store.path !== undefined && this.store.path !== ':memory:' && this.store.kind === 'sqlite' ? this.store.path : undefined;
    const job: LiveJob = { ...rest, firstSeq: (known?.last_seq ?? 0) + 1, db };
    // The worker module has this module's extension: .ts in a checkout, .js in the built package.
    const worker = new Worker(new URL(`./live-worker${extname(fileURLToPath(import.meta.url))}`, import.meta.url), {
      workerData: job,
      resourceLimits: { maxOldGenerationSizeMb: heapMb },
    });
    this.worker = worker;
    let started: (failure?: string) => void = () => undefined;
    const startedOrFailed = new Promise<string | undefined>((resolve) => (started = resolve));
    let failed: (failure: string) => void = () => undefined;
    const failure = new Promise<string>((resolve) => (failed = resolve));
    this.finished = new Promise((resolve) => {
      let outcome: { packets: number; drops: number } | { failure: string } | undefined;
      worker.on('message', (m: LiveWorkerMessage) => {
        if (m.type === 'started') {
          this.options.onStarted?.();
          started();
        } else if (m.type === 'batch') this.enqueue(m.batch);
        else if (m.type === 'applied') this.applied(m);
        else if (m.type === 'apply-failed') {
          this.stats.failed++;
          this.options.onError?.(`batch ${m.seq}: ${m.message}`);
        } else if (m.type === 'failed') {
          outcome = { failure: m.message };
          failed(m.message);
          started(m.message);
        } else outcome = { packets: m.packets, drops: m.drops };
      });
      worker.on('error', (err: NodeJS.ErrnoException) => {
        const message = err.code === 'ERR_WORKER_OUT_OF_MEMORY' ? `the live analysis needed more than its memory limit (${heapMb} MiB) and was stopped` : `the live analysis failed: ${err.message}`;
        outcome ??= { failure: message };
        this.options.onError?.(message);
        failed(message);
        started(message);
      });
      worker.on('exit', () => {
        started(outcome && 'failure' in outcome ? outcome.failure : undefined);
        void this.applying.then(() => resolve(outcome ?? { failure: 'the live analysis stopped unexpectedly' }));
      });
    });
    const first = await startedOrFailed;
    if (first !== undefined) return first;
    // dumpcap says it is capturing before it opens the interface: a missing interface or privilege fails
    // right after. Such a failure is the start's.
    let timer: NodeJS.Timeout | undefined;
    const early = await Promise.race([failure, new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), START_GRACE_MS)))]);
    clearTimeout(timer);
    return early;
  }

  /** Ends the capture: the worker flushes every stage and posts the final batch; resolves once it is stored. */
  async stop(): Promise<{ packets: number; drops: number } | { failure: string }> {
    const worker = this.worker;
    worker?.postMessage({ type: 'stop' });
    // dumpcap gets 5 s to write its statistics; the flush and the final batch follow. A worker that does
    // not end by then is stopped (what it stored so far stays).
    const guard = setTimeout(() => void worker?.terminate(), STOP_TIMEOUT_MS);
    const outcome = await (this.finished ?? Promise.resolve({ failure: 'not started' }));
    clearTimeout(guard);
    await this.applying;
    return outcome;
  }

  /** A batch the worker stored: this connection's cached pages are stale; tell the dashboard. */
  private applied(m: Extract<LiveWorkerMessage, { type: 'applied' }>): void {
    this.stats.maxApplyMs = Math.max(this.stats.maxApplyMs, m.ms);
    if (!m.applied) {
      this.stats.skipped++;
      return;
    }
    this.stats.batches++;
    this.store.changed?.();
    for (const ev of m.events) this.options.announce(ev.type, ev.data);
  }

  private enqueue(batch: StoreBatch): void {
    // One batch at a time, in order: a later batch never overtakes an earlier one into the store.
    this.applying = this.applying.then(() => this.apply(batch));
  }

  private async apply(batch: StoreBatch): Promise<void> {
    const t0 = performance.now();
    let outcome: BatchOutcome;
    try {
      outcome = await this.store.applyBatch(batch);
    } catch (err) {
      this.stats.failed++;
      this.options.onError?.(`batch ${batch.seq}: ${err instanceof Error ? err.message : String(err)}`);
      return;
    }
    this.stats.maxApplyMs = Math.max(this.stats.maxApplyMs, performance.now() - t0);
    if (!outcome.applied) {
      this.stats.skipped++;
      return;
    }
    this.stats.batches++;
    this.store.changed?.();
    await this.announce(batch, outcome);
  }

  private async announce(batch: StoreBatch, outcome: BatchOutcome): Promise<void> {
    for (const ev of await batchEvents(this.store, batch, outcome)) this.options.announce(ev.type, ev.data);
  }
}
