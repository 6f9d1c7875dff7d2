/**
 * The stream between a pipeline worker and the thread that runs the later stages (`--threads`): what the
 * later stages subscribed to, and the records the pipeline published, in the order it published them.
 *
 * A batch is a sequence of (kind, value) records in the binary form of src/engine/record-codec.ts, written in
 * shared buffers used in turn (one that outgrew its slot is transferred); not a structured clone (a structured clone of the record objects cost up to a third of a thread's
 * work). Batches in flight are bounded by a counter in shared memory: the worker waits (Atomics.wait, a
 * worker may block) while the consumer is behind, so a slow detector stage cannot make the queue grow
 * without bound.
 * @module
 */
import type { CaptureProgress } from '../capture/types.ts';
import type { OpenCaptureOptions } from '../capture/open.ts';
import type { DefragOptions } from '../decode/defrag.ts';
import type { FlowTableOptions } from '../flow/table.ts';
import type { ReassemblyOptions } from '../flow/reassembly.ts';
import type { SiteOptions } from '../pipeline/site.ts';
import type { RunSummary } from '../pipeline/stats.ts';
import type { EncodedBatch } from './record-codec.ts';

/** Record kinds in a batch; each is followed by its value. */
export const RecordKind = {
  /** An event (value: the event record). */
  Event: 0,
  /** A finished flow (value: the flow record); `flow.end` is rebuilt from it by the consumer. */
  Flow: 1,
  /** The clock advanced (value: now, epoch seconds). */
  Tick: 2,
  /** End of input: every flow has ended (value: 0). */
  Flush: 3,
  /** Reading progress (value: [file, progress, packets]). */
  Progress: 4,
  /** The run's summary so far (value: RunSummary), for metrics read while the run goes on. */
  Summary: 5,
  /** A new flow's first packet as numbers (value: a FirstPacket, sent in its fixed layout: RecordEncoder.addFirstPacket), for `onFirstPacket` subscribers. */
  FirstPacket: 6,
} as const;

/** What the consumer subscribed to: the worker subscribes the same, so `wants(type)` answers alike. */
export interface Subscriptions {
  /** Event types with a handler ('flow.end' included when subscribed). */
  types: string[];
  /** Someone subscribed to every event ('*'). */
  any: boolean;
  /** Someone subscribed to finished flows. */
  flows: boolean;
  /**
   * Event types (of `types`) whose every subscriber reads fields by name, and whether the '*' subscribers and
   * the flow subscribers all do: the worker subscribes those lazily, and its lazy records cross as such
   * (src/engine/record-codec.ts), so no thread computes a uid or Community ID nobody reads.
   */
  lazyTypes: string[];
  anyLazy: boolean;
  flowsLazy: boolean;
  /** Someone subscribed to first packets as numbers (`onFirstPacket`): the worker sends them as such, no event. */
  firstPackets: boolean;
}

/** Everything a worker needs to run the pipeline (plain data: it crosses the thread boundary). */
export interface WorkerJob {
  inputs: string[];
  site: SiteOptions;
  pipeline: {
    capture?: OpenCaptureOptions;
    flow: Partial<FlowTableOptions>;
    reassembly: Partial<ReassemblyOptions>;
    defrag: Partial<DefragOptions>;
    expireEveryS?: number;
  };
  subscriptions: Subscriptions;
  /** Int32Array view: [batches in flight, stop requested]. */
  control: SharedArrayBuffer;
  /** Batches allowed in flight before the worker waits. */
  maxInFlight: number;
  /**
   * Buffers the batches are written in, maxInFlight + 1 of them, used in turn: the worker writes the next batch
   * while at most maxInFlight are being read, so the one it writes is never one being read.
   */
  slots: SharedArrayBuffer[];
  /** Records per batch. */
  batchRecords: number;
  wantProgress: boolean;
  /** The starting thread's compile cache directory (a worker does not inherit it). */
  compileCacheDir?: string;
}

/** Slots of the shared control array. */
export const IN_FLIGHT = 0;
export const STOP = 1;
/** Whether the worker may start reading (Go): it is started before the other thread knows it will use it. */
export const GO = 2;
export const CONTROL_SLOTS = 3;
export const Go = { WAIT: 0, READ: 1, CANCEL: 2 } as const;

/** Messages from the worker. */
export type WorkerMessage =
  | { kind: 'batch'; batch: EncodedBatch }
  | { kind: 'done'; summary: RunSummary; cpuS: number }
  | { kind: 'failed'; message: string; stack?: string };

export type ProgressRecord = [file: string, progress: CaptureProgress, packets: number];
