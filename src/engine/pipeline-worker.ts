/**
 * A pipeline worker (`--threads`): reads the captures, decodes, tracks flows, reassembles and runs the
 * application analyzers — the whole `Pipeline` — in a worker thread, and streams what it publishes to the
 * thread that runs the inventory, the detectors and the assessment (src/engine/threaded-pipeline.ts).
 *
 * It subscribes exactly what the consumer subscribed, so the pipeline builds the same events as it would
 * in one thread; records go out in publication order, so the consumer sees the same sequence of events,
 * flows, ticks and the flush. That is why the results are identical to a single-threaded run.
 * @module
 */
import { enableCompileCache } from 'node:module';
import { parentPort, workerData } from 'node:worker_threads';
import type { EventRecord } from '../events/record.ts';
import type { FlowRecord } from '../flow/types.ts';
import type { CaptureProgress } from '../capture/types.ts';
import type { FirstPacket } from '../pipeline/first-packet.ts';
import type { FinishedFlow } from '../pipeline/analyze.ts';
import type { FlowTuple } from '../flow/lazy-record.ts';
import { GO, Go, IN_FLIGHT, RecordKind, STOP, type WorkerJob, type WorkerMessage } from './record-stream.ts';
import { RecordEncoder } from './record-codec.ts';

/** Wall-clock milliseconds between summary snapshots (metrics read them while the run goes on). */
const SNAPSHOT_EVERY_MS = 1000;

class BatchWriter {
  private readonly encoder: RecordEncoder;
  private readonly control: Int32Array;
  private readonly stop = new AbortController();
  /** The shared buffer the batch after this one is written in. */
  private nextSlot = 1;

  private readonly job: WorkerJob;

  constructor(job: WorkerJob) {
    this.job = job;
    this.control = new Int32Array(job.control);
    this.encoder = new RecordEncoder(job.slots[0]);
  }

  get signal(): AbortSignal {
    return this.stop.signal;
  }

  add(kind: number, value: unknown): void {
    // Encoded now, as published: a subscriber of this thread never changes it (there is none but this).
    this.encoder.add(kind, value);
    if (this.encoder.count >= this.job.batchRecords) this.post();
  }

  /** A flow event as its parts (Pipeline.onFlowEventParts); false when it must be sent built after all. */
  addFlowEvent(kind: number, type: string, ts: number, file: string, packet: number, t: FlowTuple, transport: string, fromOrig: boolean,
    fields: object): boolean {
    if (!this.encoder.addFlowEvent(kind, type, ts, file, packet, t, transport, fromOrig, fields)) return false;
    if (this.encoder.count >= this.job.batchRecords) this.post();
    return true;
  }

  /** A finished flow, read from the flow table's slot (freed after the call: copied now). */
  addFinishedFlow(kind: number, f: FinishedFlow): void {
    this.encoder.addFinishedFlow(kind, f);
    if (this.encoder.count >= this.job.batchRecords) this.post();
  }

  /** A first packet, in its fixed layout (it is refilled for the next flow: copied now). */
  addFirstPacket(kind: number, p: FirstPacket): void {
    this.encoder.addFirstPacket(kind, p);
    if (this.encoder.count >= this.job.batchRecords) this.post();
  }

  /** Post the batch; wait first while the consumer has `maxInFlight` batches still to handle. */
  post(): void {
    if (this.encoder.count === 0) return;
    const control = this.control;
    for (;;) {
      const inFlight = Atomics.load(control, IN_FLIGHT);
      if (inFlight < this.job.maxInFlight) break;
      Atomics.wait(control, IN_FLIGHT, inFlight, 1000);
    }
    Atomics.add(control, IN_FLIGHT, 1);
    const slots = this.job.slots;
    const batch = this.encoder.take(slots[this.nextSlot]);
    this.nextSlot = (this.nextSlot + 1) % slots.length;
    parentPort!.postMessage({ kind: 'batch', batch } satisfies WorkerMessage, batch.bytes instanceof ArrayBuffer ? [batch.bytes] : []);
    this.checkStop();
  }

  /**
   * Wait until the other thread tells this worker to read (true) or that it will not use it (false): it starts
   * the worker while it still samples whether a core is idle (threaded-pipeline.ts).
   */
  waitForGo(): boolean {
    for (;;) {
      const word = Atomics.load(this.control, GO);
      if (word !== Go.WAIT) return word === Go.READ;
      Atomics.wait(this.control, GO, Go.WAIT);
    }
  }

  /** The consumer asked to stop (Ctrl-C): the pipeline stops reading, flushes, and the run ends. */
  checkStop(): void {
    if (Atomics.load(this.control, STOP) !== 0 && !this.stop.signal.aborted) this.stop.abort();
  }
}

function send(message: WorkerMessage): void {
  parentPort!.postMessage(message);
}

async function main(job: WorkerJob): Promise<void> {
  // A worker does not inherit the compile cache of the thread that started it: without it, the pipeline's
  // modules were compiled afresh on every run. So they are loaded only once the cache is on.
  if (job.compileCacheDir !== undefined) enableCompileCache?.(job.compileCacheDir);
  const [{ Pipeline }, { Site }] = await Promise.all([import('../pipeline/analyze.ts'), import('../pipeline/site.ts')]);
  const out = new BatchWriter(job);
  const pipeline = new Pipeline({ ...job.pipeline, site: new Site(job.site) });
  const subs = job.subscriptions;
  const recordEvent = (ev: EventRecord): void => {
    // flow.end is rebuilt by the consumer from the flow record (sent once, not twice).
    if (ev.type !== 'flow.end') out.add(RecordKind.Event, ev);
  };
  // Lazily where every subscriber of the other thread reads by name, so the pipeline here builds the records it
  // would build there; a lazy record crosses as such (record-codec.ts) and its ids are computed there if read.
  const noop = (): void => undefined;
  const lazy = { lazy: true };
  if (subs.any) {
    pipeline.on('*', recordEvent, subs.anyLazy ? lazy : undefined);
    // A type with a subscriber there that needs plain records: one here too (it only makes the pipeline build them).
    for (const type of subs.types) if (!subs.lazyTypes.includes(type)) pipeline.on(type, noop);
  } else {
    for (const type of subs.types) pipeline.on(type, type === 'flow.end' ? noop : recordEvent, subs.lazyTypes.includes(type) ? lazy : undefined);
  }
  // Flow events that only this thread's encoder subscribes to go as their parts: the lazy event is never built here.
  pipeline.onFlowEventParts(recordEvent, (type, ts, file, packet, t, transport, fromOrig, fields) =>
    type !== 'flow.end' && out.addFlowEvent(RecordKind.Event, type, ts, file, packet, t, transport, fromOrig, fields));
  if (subs.flows && subs.flowsLazy) {
    // Read from the table and sent as the lazy record it would be: this thread builds no record nobody here reads.
    pipeline.onFinishedFlow((f) => out.addFinishedFlow(RecordKind.Flow, f));
  } else if (subs.flows || subs.any || subs.types.includes('flow.end')) {
    pipeline.onFlow((rec: FlowRecord) => out.add(RecordKind.Flow, rec));
  }
  if (subs.firstPackets) pipeline.onFirstPacket((p) => out.addFirstPacket(RecordKind.FirstPacket, p));
  pipeline.onTick((now) => out.add(RecordKind.Tick, now));
  pipeline.onFlush(() => out.add(RecordKind.Flush, 0));
  let lastSnapshot = Date.now();
  const onProgress = (file: string, p: CaptureProgress, packets: number): void => {
    if (job.wantProgress) out.add(RecordKind.Progress, [file, { ...p }, packets]);
    const now = Date.now();
    if (now - lastSnapshot >= SNAPSHOT_EVERY_MS) {
      lastSnapshot = now;
      out.add(RecordKind.Summary, pipeline.summary());
    }
    // Progress comes once per chunk read: a natural point to hand over what the chunk produced.
    out.post();
    out.checkStop();
  };
  if (!out.waitForGo()) return;
  out.checkStop(); // stopped before the worker started
  const summary = await pipeline.run(job.inputs, { onProgress, signal: out.signal });
  out.post();
  const cpu = process.threadCpuUsage();
  send({ kind: 'done', summary, cpuS: (cpu.user + cpu.system) / 1e6 });
}

main(workerData as WorkerJob).catch((err: unknown) => {
  send({ kind: 'failed', message: err instanceof Error ? err.message : String(err), stack: err instanceof Error ? err.stack : undefined });
});
