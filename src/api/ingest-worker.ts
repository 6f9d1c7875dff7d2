/**
 * The ingest worker thread: opens its own connection to the store (SQLite in WAL mode, or PostgreSQL, lets the
 * server keep reading meanwhile), ingests one capture and reports progress and the outcome to the server's thread. It has
 * its own heap limit (IngestQueue sets it): a capture that exhausts it ends this worker, not the server.
 * @module
 */
import { parentPort, workerData } from 'node:worker_threads';
import { openStore, type StoreSpec } from '../store/open.ts';
import type { CaptureRow } from '../store/types.ts';
import { ingestCapture, type IngestLimits } from './ingest-run.ts';

export interface IngestJob {
  store: StoreSpec;
  capture: CaptureRow;
  limits: IngestLimits;
}

export type WorkerMessage =
  | { type: 'progress'; progress: number; packets: number }
  | { type: 'done'; newDeviceIds: string[]; newFindingIds: string[]; summary: unknown }
  | { type: 'failed'; message: string };

const job = workerData as IngestJob;
const port = parentPort!;
const store = await openStore(job.store, { memoPages: false });
try {
  const outcome = await ingestCapture(store, job.capture, (p) => port.postMessage({ type: 'progress', ...p } satisfies WorkerMessage), job.limits);
  port.postMessage({ type: 'done', newDeviceIds: outcome.newDeviceIds, newFindingIds: outcome.newFindingIds, summary: outcome.summary } satisfies WorkerMessage);
} catch (err) {
  port.postMessage({ type: 'failed', message: err instanceof Error ? err.message : String(err) } satisfies WorkerMessage);
} finally {
  await store.close();
}
