/**
 * The ingest worker: a child process of the server (IngestQueue forks it once per capture) that opens its own
 * connection to the store (SQLite in WAL mode, or PostgreSQL, lets the server keep reading meanwhile), ingests one capture and
 * reports progress and the outcome over the IPC channel. A process rather than a thread because:
 *   - every thread of it (JavaScript, V8's garbage-collector helpers, libuv's pool) runs at a lower CPU priority
 *     than the server, so on a busy machine the server's event loop is scheduled first and keeps answering;
 *   - its heap limit (--max-old-space-size, IngestQueue sets it) and its memory are its own: a capture that
 *     exhausts them ends this process, never the server, and the server's RSS does not keep the ingest's peak.
 * @module
 */
import { readdirSync } from 'node:fs';
import { getPriority, setPriority } from 'node:os';
import { openStore, type StoreSpec } from '../store/open.ts';
import type { CaptureRow } from '../store/types.ts';
import { ingestCapture, type IngestLimits } from './ingest-run.ts';

export interface IngestJob {
  store: StoreSpec;
  capture: CaptureRow;
  limits: IngestLimits;
  /** Niceness added for every thread of this process to the server's own (POSIX nice, capped at 19: higher yields the CPU to the server). */
  nice: number;
}

export type WorkerMessage =
  | { type: 'progress'; progress: number; packets: number }
  | { type: 'done'; newDeviceIds: string[]; newFindingIds: string[]; summary: unknown }
  | { type: 'failed'; message: string };

/**
 * Lowers the priority of every thread of this process by `by` below the one it started with (the server's, which
 * it inherits: a server run under `nice` keeps its ingest below it). On Linux a nice value belongs to a thread,
 * and V8's helper threads exist before this code runs, so each task is set; elsewhere the process is.
 */
export function lowerPriority(by: number): void {
  const nice = Math.min(19, getPriority(0) + by);
  let tasks: string[] = [];
  try {
    tasks = readdirSync('/proc/self/task');
  } catch {
    // Not Linux: one call sets the process.
  }
  for (const id of tasks.length > 0 ? tasks.map(Number) : [0]) {
    try {
      setPriority(id, nice);
    } catch {
      // A thread that ended meanwhile, or a system that refuses: the ingest runs at normal priority.
    }
  }
}

async function run(job: IngestJob): Promise<void> {
  lowerPriority(job.nice);
  const send = (m: WorkerMessage): Promise<void> => new Promise((ok) => process.send!(m, undefined, {}, () => ok()));
  const store = await openStore(job.store, { memoPages: false });
  try {
    const outcome = await ingestCapture(store, job.capture, (p) => void send({ type: 'progress', ...p }), job.limits);
    await send({ type: 'done', newDeviceIds: outcome.newDeviceIds, newFindingIds: outcome.newFindingIds, summary: outcome.summary });
  } catch (err) {
    await send({ type: 'failed', message: err instanceof Error ? err.message : String(err) });
  } finally {
    await store.close();
    process.disconnect();
  }
}

/** The argument IngestQueue starts this module with (importing it elsewhere runs nothing). */
export const WORKER_ARG = '--bulwark-ingest-worker';

// Started by IngestQueue (fork): the job arrives as the first message.
if (process.send !== undefined && process.argv.includes(WORKER_ARG)) {
  process.once('message', (job: IngestJob) => void run(job));
  // The server gone (even by kill -9) closes the channel: stop, leaving the store as the last commit left it.
  process.once('disconnect', () => process.exit(0));
  // Ctrl-C on the server's terminal reaches its whole process group: the server decides when the ingest ends.
  process.on('SIGINT', () => undefined);
}
