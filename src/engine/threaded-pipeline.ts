/**
 * The pipeline run in a worker thread (`--threads`), seen from the thread that runs the later stages.
 *
 * The work splits where the stages meet: the worker reads, decodes, tracks flows, reassembles and runs the
 * application analyzers (src/engine/pipeline-worker.ts); this thread runs the inventory, the detectors and
 * the assessment on what the worker publishes, in the order it was published. Each stage keeps its state
 * on one thread, so nothing is partitioned or merged and the results are those of a single-threaded run
 * (test/threads.test.ts compares them). Two cores are used; the slower half bounds the speed-up.
 *
 * Subscribers attach exactly as to a `Pipeline` (the `RecordSource` calls). Only capture files go to a
 * worker, and only when there is enough to read to repay the worker's start (loading the pipeline's
 * modules again); standard input, live interfaces, custom sources and small inputs run on this thread in
 * an ordinary `Pipeline` with the same subscribers.
 * @module
 */
import { statSync } from 'node:fs';
import { getCompileCacheDir } from 'node:module';
import { Pipeline, type EventRecord, type PipelineOptions, type RunOptions } from '../pipeline/analyze.ts';
import type { InputSource } from '../pipeline/source.ts';
import type { Site } from '../pipeline/site.ts';
import type { RunSummary } from '../pipeline/stats.ts';
import type { FlowRecord } from '../flow/types.ts';
import { Subscribers } from '../flow/subscribers.ts';
import { FlowIds } from '../flow/lazy-record.ts';
import { appProtocols } from '../app/registry.ts';
import type { FirstPacket, FirstPacketHandler } from '../pipeline/first-packet.ts';
import { RecordDecoder } from './record-codec.ts';
import { cpuSample, spareCore, type CpuSample } from './spare-core.ts';
import { CONTROL_SLOTS, GO, Go, IN_FLIGHT, RecordKind, STOP, type ProgressRecord, type WorkerJob, type WorkerMessage } from './record-stream.ts';

/**
 * Batches in flight between the threads (each up to `BATCH_RECORDS` records): enough to carry either thread over
 * the other's collector pauses and busier stretches of traffic (8 left each thread waiting on the other for a
 * tenth of a mixed run); each costs a shared buffer of SLOT_BYTES.
 */
const MAX_IN_FLIGHT = 32;
const BATCH_RECORDS = 4096;
/** Bytes of a shared batch buffer: room for a batch of BATCH_RECORDS (about 120 bytes a record on the workloads). */
const SLOT_BYTES = 1 << 20;

/**
 * Input bytes below which a run stays on one thread: a worker costs about 0.1 s of CPU to start (it loads
 * the pipeline's modules, from the compile cache) and its thread compiles the hot code again, which a
 * short run cannot win back.
 */
export const DEFAULT_MIN_THREAD_BYTES = 16 << 20;

/** Whether a run can use a pipeline worker: capture files only, the built-in protocols, no custom sources. */
export function canThread(inputs: readonly (string | InputSource)[], options: Partial<PipelineOptions>): inputs is string[] {
  if (options.protocols !== undefined && options.protocols !== appProtocols) return false;
  return inputs.length > 0 && inputs.every((i) => typeof i === 'string' && i !== '-');
}

/** Total size of the files (an unreadable one counts as nothing: the pipeline reports it). */
function totalBytes(paths: readonly string[]): number {
  let total = 0;
  for (const p of paths) {
    try {
      total += statSync(p).size;
    } catch {
      // reported by the run
    }
  }
  return total;
}

/** Set on globalThis once a run has put the pipeline in a worker (read by bin/bulwark.js when it writes its code cache). */
export const PIPELINE_ELSEWHERE = Symbol.for('bulwark.pipelineInWorker');
/**
 * Set on globalThis by bin/bulwark.js when the command line runs from a bundle: the URL of the pipeline worker
 * bundled beside it (scripts/cli-bundle.ts), which the worker loads in a fraction of the time of its modules.
 */
export const WORKER_BUNDLE = Symbol.for('bulwark.pipelineWorkerBundle');

export interface ThreadOptions {
  /** Input bytes below which the run stays on this thread (default DEFAULT_MIN_THREAD_BYTES). */
  minBytes?: number;
  /** Start the worker only when a core is idle when the run starts (spare-core.ts): the default `--threads`. */
  whenIdle?: boolean;
}

export class ThreadedPipeline extends Subscribers<EventRecord, FlowRecord> {
  private latest: RunSummary | undefined;
  private clock = -Infinity;
  /** The in-thread pipeline, when the run did not go to a worker. */
  private local: Pipeline | undefined;
  /** Whether the last run used a worker. */
  threaded = false;
  /** CPU seconds the worker thread used (start-up included), for benchmarks. */
  workerCpuS = 0;

  private readonly options: Partial<PipelineOptions> & { site: Site };
  private readonly threadOptions: ThreadOptions;
  /** Subscribers to new flows' first packets as numbers (`onFirstPacket`). */
  private readonly firstPacketHandlers: FirstPacketHandler[] = [];

  /** With `whenIdle`: the machine's CPU times when this was made, the start of the idle-core sample. */
  private readonly sampleFrom: CpuSample | undefined;

  constructor(options: Partial<PipelineOptions> & { site: Site }, threadOptions: ThreadOptions = {}) {
    super();
    this.options = options;
    this.threadOptions = threadOptions;
    // Sampled from now, so the time the other stages take to set up counts toward the sample.
    if (threadOptions.whenIdle === true) this.sampleFrom = cpuSample();
  }

  get site(): Site {
    return this.options.site;
  }

  /** The clock: packet time of the newest tick seen by this thread. */
  get now(): number {
    return this.local?.now ?? this.clock;
  }

  /** Each new flow's first packet as numbers (as `Pipeline.onFirstPacket`; sent as numbers from a worker). */
  onFirstPacket(handler: FirstPacketHandler): this {
    this.firstPacketHandlers.push(handler);
    return this;
  }

  /** A live source's heartbeat (live sources run on this thread). */
  heartbeat(wallS?: number): void {
    this.local?.heartbeat(wallS);
  }

  /** The summary so far: the worker's latest snapshot while it runs (about once a second), the final one after. */
  summary(): RunSummary {
    if (this.local) return this.local.summary();
    return this.latest ?? emptySummary(this.site.sensor);
  }

  /**
   * Analyse the inputs: capture files in a worker (resolves once this thread has handled every record),
   * anything else here.
   */
  async run(inputs: readonly (string | InputSource)[], options: RunOptions = {}): Promise<RunSummary> {
    const minBytes = this.threadOptions.minBytes ?? DEFAULT_MIN_THREAD_BYTES;
    if (!canThread(inputs, this.options) || totalBytes(inputs) < minBytes) return this.runHere(inputs, options);
    // The worker starts before the idle-core sample has its answer, and reads nothing until told to go: its own
    // start (a Node environment and the pipeline's code, about 130 ms) overlaps the sample's wait (up to SAMPLE_MS)
    // instead of following it. Where the answer is no, the worker is stopped unused: about 0.1 CPU s spent for nothing.
    const worker = await this.startWorker(inputs, options);
    if (this.sampleFrom !== undefined && !(await spareCore(this.sampleFrom))) {
      worker.cancel();
      return this.runHere(inputs, options);
    }
    this.threaded = true;
    return worker.go();
  }

  /** An ordinary pipeline on this thread, with the subscribers in the order they came. */
  private runHere(inputs: readonly (string | InputSource)[], options: RunOptions): Promise<RunSummary> {
    const p = new Pipeline(this.options);
    this.subscribeAllTo(p);
    for (const h of this.firstPacketHandlers) p.onFirstPacket(h);
    this.local = p;
    return p.run(inputs, options);
  }

  /**
   * A pipeline worker for the inputs, started and waiting: `go` lets it read (resolves once this thread has
   * handled every record), `cancel` stops it unused.
   */
  private async startWorker(inputs: string[], options: RunOptions): Promise<{ go(): Promise<RunSummary>; cancel(): void }> {
    // Loaded here: a run that stays on one thread does not pay for node:worker_threads.
    const { Worker } = await import('node:worker_threads');
    const control = new SharedArrayBuffer(CONTROL_SLOTS * Int32Array.BYTES_PER_ELEMENT);
    const ctl = new Int32Array(control);
    const { capture, flow = {}, reassembly = {}, defrag = {}, expireEveryS } = this.options;
    // Only the options given: an undefined one would override the pipeline's default.
    const pipeline: WorkerJob['pipeline'] = { flow, reassembly, defrag };
    if (capture !== undefined) pipeline.capture = capture;
    if (expireEveryS !== undefined) pipeline.expireEveryS = expireEveryS;
    const job: WorkerJob = {
      inputs,
      site: { sensor: this.site.sensor, localNetworks: this.site.localNetworks },
      pipeline,
      subscriptions: {
        types: [...this.handlers.keys()],
        any: this.anyHandlers.length > 0,
        flows: this.flowHandlers.length > 0,
        lazyTypes: [...this.handlers.keys()].filter((type) => this.lazyEvents(type)),
        // No type is named '*': this asks whether every '*' subscriber reads by name.
        anyLazy: this.lazyEvents('*'),
        flowsLazy: this.lazyFlows(),
        firstPackets: this.firstPacketHandlers.length > 0,
      },
      control,
      maxInFlight: MAX_IN_FLIGHT,
      slots: Array.from({ length: MAX_IN_FLIGHT + 1 }, () => new SharedArrayBuffer(SLOT_BYTES)),
      batchRecords: BATCH_RECORDS,
      wantProgress: options.onProgress !== undefined,
      compileCacheDir: getCompileCacheDir?.(),
    };
    // Set when told to go: the run's wall time starts where a one-thread run's does, after the idle-core sample.
    let started = 0n;
    const bundled = (globalThis as Record<symbol, unknown>)[WORKER_BUNDLE];
    const script = typeof bundled === 'string' ? new URL(bundled) : new URL(`./pipeline-worker.${import.meta.url.endsWith('.ts') ? 'ts' : 'js'}`, import.meta.url);
    const worker = new Worker(script, {
      workerData: job,
      // The same heap ceiling as this thread (bin/bulwark.js sets it); the worker holds the flow table.
      // node:v8 loaded here, when a worker starts: a one-thread run needs none of it.
      resourceLimits: { maxOldGenerationSizeMb: Math.round(process.getBuiltinModule('node:v8').getHeapStatistics().heap_size_limit / 2 ** 20) },
    });
    const onAbort = (): void => {
      Atomics.store(ctl, STOP, 1);
    };
    options.signal?.addEventListener('abort', onAbort, { once: true });
    if (options.signal?.aborted) onAbort();
    // Lazy records compute their ids here, with this thread's site (the worker's has the same sensor).
    const decoder = new RecordDecoder(new FlowIds(this.site));
    const visit = (kind: number, value: unknown): void => this.replay(kind, value, options);
    let cancelled = false;
    const done = new Promise<RunSummary>((resolve, reject) => {
      let settled = false;
      const finish = (err: Error | undefined, summary?: RunSummary): void => {
        if (settled || cancelled) return;
        settled = true;
        options.signal?.removeEventListener('abort', onAbort);
        void worker.terminate();
        if (err) reject(err);
        else resolve(summary!);
      };
      worker.on('message', (msg: WorkerMessage) => {
        if (settled) return;
        try {
          if (msg.kind === 'batch') {
            decoder.decode(msg.batch, visit);
            Atomics.sub(ctl, IN_FLIGHT, 1);
            Atomics.notify(ctl, IN_FLIGHT);
          } else if (msg.kind === 'done') {
            // The worker's wall time ends before this thread has handled its last batch: time the whole run here.
            const wall = Number(process.hrtime.bigint() - started) / 1e9;
            const summary = { ...msg.summary, wall_s: wall, packets_per_s: wall > 0 ? msg.summary.packets / wall : 0 };
            this.latest = summary;
            this.workerCpuS = msg.cpuS;
            finish(undefined, summary);
          } else {
            const err = new Error(`pipeline worker: ${msg.message}`);
            if (msg.stack) err.stack = msg.stack;
            finish(err);
          }
        } catch (err) {
          finish(err as Error);
        }
      });
      worker.on('error', (err) => finish(err));
      worker.on('exit', (code) => finish(new Error(`pipeline worker exited (code ${code}) before the end of the run`)));
    });
    // Awaited only once told to go: a worker that fails before (its script missing, say) is not an unhandled rejection.
    done.catch(() => undefined);
    const tell = (word: number): void => {
      Atomics.store(ctl, GO, word);
      Atomics.notify(ctl, GO);
    };
    return {
      go: () => {
        // Told to bin/bulwark.js, which keeps this thread's compiled code for later runs: this run compiles the
        // pipeline's code in the worker, so what it would keep lacks it (a later one-thread run would compile it again).
        (globalThis as Record<symbol, unknown>)[PIPELINE_ELSEWHERE] = true;
        started = process.hrtime.bigint();
        tell(Go.READ);
        return done;
      },
      cancel: () => {
        cancelled = true;
        options.signal?.removeEventListener('abort', onAbort);
        tell(Go.CANCEL);
        void worker.terminate();
      },
    };
  }

  /** Hand one record to the subscribers, as the pipeline would have in this thread. */
  private replay(kind: number, value: unknown, options: RunOptions): void {
    switch (kind) {
      case RecordKind.Event:
        this.publish(value as EventRecord);
        break;
      case RecordKind.Flow:
        this.publishFlow(value as FlowRecord);
        break;
      case RecordKind.Tick:
        if ((value as number) > this.clock) this.clock = value as number;
        for (const h of this.tickHandlers) h(value as number);
        break;
      case RecordKind.Flush:
        for (const h of this.flushHandlers) h();
        break;
      case RecordKind.Progress: {
        const [file, p, packets] = value as ProgressRecord;
        options.onProgress?.(file, p, packets);
        break;
      }
      case RecordKind.Summary:
        this.latest = value as RunSummary;
        break;
      case RecordKind.FirstPacket:
        // The decoder's fact, refilled for the next first packet.
        for (const h of this.firstPacketHandlers) h(value as FirstPacket);
        break;
    }
  }

  private publishFlow(rec: FlowRecord): void {
    for (const h of this.flowHandlers) h(rec);
    // As Pipeline.publishFlow builds it.
    if (this.wants('flow.end')) this.publish({ ...rec, type: 'flow.end', ts: rec.last_ts, packet: rec.last_packet } as unknown as EventRecord);
  }

  private publish(ev: EventRecord): void {
    const list = this.handlers.get(ev.type);
    if (list) for (const h of list) h(ev);
    for (const h of this.anyHandlers) h(ev);
  }
}

/** A summary before the worker's first snapshot. */
function emptySummary(sensor: string): RunSummary {
  return {
    files: [], partial: false, packets: 0, bytes: 0, captured_bytes: 0, first_ts: null, last_ts: null, span_s: 0,
    flows: { total: 0, max_live: 0, evicted: 0, continued: 0, ended: {}, bytes_per_flow: 0 },
    transports: {}, apps: {}, events: {}, anomalies: {}, reassembly: {}, defrag: {}, analyzer_violations: {}, wall_s: 0, packets_per_s: 0, sensor,
  } as unknown as RunSummary;
}
