/**
 * The live sensor's worker thread (`serve --interface`): runs one analysis session on the live capture
 * (dumpcap) and collects what it publishes into numbered store batches (BatchBuilder), about one a second.
 * With a database file it applies them itself through its own connection (SQLite in WAL mode lets the
 * server keep reading) and posts only the dashboard's events; otherwise it posts the batches for the
 * server's thread to apply. Neither the analysis nor the store writes run on the thread that answers the API.
 * A 'stop' message ends the capture: every stage flushes and the final batch follows.
 * @module
 */
import { parentPort, workerData } from 'node:worker_threads';
import { AnalysisSession } from '../engine/session.ts';
import { liveSource } from '../pipeline/source.ts';
import { Site } from '../pipeline/site.ts';
import { BatchBuilder } from '../store/batch-builder.ts';
import type { StoreBatch } from '../store/batch.ts';
import { SqliteStore } from '../store/sqlite.ts';
import { batchEvents, type LiveEventOut } from './live-events.ts';
import { LiveRing } from '../findings/evidence/live-ring.ts';
import { labelSvg } from '../output/label/svg.ts';
import { labelPdf } from '../output/label/pdf.ts';
import type { LiveCaptureOptions } from '../capture/dumpcap.ts';
import type { LabelInput } from '../store/types.ts';
import type { AnalysisResult } from '../engine/session.ts';

export interface LiveJob {
  interfaces: string[];
  capture: Omit<LiveCaptureOptions, 'interface' | 'onStarted'>;
  site: string;
  sensor: string;
  localNetworks?: string[];
  segmentId: string;
  firstSeq: number;
  ring?: { dir: string; sizeMiB: number };
  detectorOptions?: Record<string, Record<string, unknown>>;
  version: string;
  /** SQLite database file: batches are applied here, in the worker. */
  db?: string;
}

export type LiveWorkerMessage =
  | { type: 'started' }
  | { type: 'batch'; batch: StoreBatch }
  | { type: 'applied'; seq: number; applied: boolean; ms: number; events: LiveEventOut[] }
  | { type: 'apply-failed'; seq: number; message: string }
  | { type: 'failed'; message: string }
  | { type: 'done'; packets: number; drops: number };

/** Every device's whole record (counters, last seen) is sent this often; changes go at once. */
const DEVICE_REFRESH_MS = 15_000;
/** Assessments and labels of the devices are recomputed this often (and at the end). */
const ASSESS_EVERY_MS = 60_000;
/** A batch with only the sensor's status goes at least this often, so the dashboard sees the sensor alive. */
const STATUS_EVERY_MS = 10_000;

const job = workerData as LiveJob;
const port = parentPort!;
const stop = new AbortController();
const onMessage = (m: { type: string }): void => {
  if (m.type === 'stop') stop.abort();
};
port.on('message', onMessage);

const ring = job.ring ? new LiveRing(job.ring) : undefined;
const store = job.db ? new SqliteStore(job.db, { memoPages: false }) : undefined;
let applying: Promise<void> = Promise.resolve();
const builder = new BatchBuilder({ site: job.site, sensor: job.sensor, segmentId: job.segmentId, firstSeq: job.firstSeq });
const hooks = builder.hooks();
let lastBatch = Date.now();
let lastDevices = Date.now();
let lastAssess = Date.now();
let session: AnalysisSession | undefined = undefined;

const source = liveSource({ ...job.capture, interface: job.interfaces, onStarted: () => port.postMessage({ type: 'started' } satisfies LiveWorkerMessage) });
session = new AnalysisSession({
  site: new Site({ sensor: job.sensor, localNetworks: job.localNetworks }),
  detection: { options: { ...job.detectorOptions } },
  // Capture hashes do not exist for an interface; the ring holds the packets instead.
  resolveEvidence: false,
  ...hooks,
  onFindingChange: (f, change) => {
    ring?.onFindingChange(f, change);
    hooks.onFindingChange!(f, change);
  },
  onPublish: () => {
    ring?.flush();
    const t = Date.now();
    const s = session!;
    const refreshDevices = t - lastDevices >= DEVICE_REFRESH_MS;
    const assess = t - lastAssess >= ASSESS_EVERY_MS;
    if (builder.empty && !refreshDevices && !assess && t - lastBatch < STATUS_EVERY_MS) return;
    const extra: Partial<StoreBatch> = {};
    if (assess) {
      lastAssess = t;
      Object.assign(extra, assessmentsOf(s.result()));
    }
    if (refreshDevices) lastDevices = t;
    post(builder.take(s.pipeline.summary(), { status: status(), devices: refreshDevices ? s.inventory.devices() : undefined }), extra);
  },
});

// A capture that cannot run is told at once (the server is waiting to know whether it started).
const watched: typeof source = {
  ...source,
  run: async (sink, options) => {
    const summary = await source.run(sink, options);
    if (source.failure) port.postMessage({ type: 'failed', message: source.failure.message } satisfies LiveWorkerMessage);
    return summary;
  },
};
const result = await session.run([ring ? ring.record(watched) : watched], { signal: stop.signal });
ring?.close();
if (!source.failure) {
  const drops = dropsOf(result.summary);
  post(builder.take(result.summary, { final: true, status: status(drops), devices: result.devices }), assessmentsOf(result));
  await applying;
  port.postMessage({ type: 'done', packets: result.summary.packets, drops } satisfies LiveWorkerMessage);
}
await applying;
await store?.close();
// Listening keeps a worker alive: stop listening so it exits (what was posted is delivered first).
port.off('message', onMessage);

function post(batch: StoreBatch, extra: Partial<StoreBatch>): void {
  lastBatch = Date.now();
  const full = { ...batch, ...extra };
  if (!store) {
    port.postMessage({ type: 'batch', batch: full } satisfies LiveWorkerMessage);
    return;
  }
  // One batch at a time, in order: a later batch never overtakes an earlier one into the store.
  applying = applying.then(() => apply(store, full));
}

async function apply(s: SqliteStore, batch: StoreBatch): Promise<void> {
  const t0 = performance.now();
  try {
    const outcome = await s.applyBatch(batch);
    const events = outcome.applied ? await batchEvents(s, batch, outcome) : [];
    port.postMessage({ type: 'applied', seq: batch.seq, applied: outcome.applied, ms: performance.now() - t0, events } satisfies LiveWorkerMessage);
  } catch (err) {
    port.postMessage({ type: 'apply-failed', seq: batch.seq, message: err instanceof Error ? err.message : String(err) } satisfies LiveWorkerMessage);
  }
}

function status(drops = 0): StoreBatch['status'] {
  const s = session!.pipeline.summary();
  return { version: job.version, sent_at: Date.now(), packets: s.packets, drops, bytes: s.bytes };
}

function dropsOf(summary: AnalysisResult['summary']): number {
  let n = 0;
  for (const f of summary.files) n += (f.capture?.dropped_kernel ?? 0) + (f.capture?.dropped_interface ?? 0);
  return n;
}

function assessmentsOf(result: AnalysisResult): Pick<StoreBatch, 'assessments' | 'labels'> {
  const devices = new Map(result.devices.map((d) => [d.id, d]));
  const labels: LabelInput[] = [];
  for (const a of result.assessments) {
    const device = devices.get(a.device_id);
    if (!device) continue;
    try {
      labels.push({ device_id: a.device_id, svg: labelSvg(a, device), pdf: labelPdf(a, device) });
    } catch {
      // A label that cannot be drawn leaves the assessment itself in place.
    }
  }
  return { assessments: result.assessments, labels };
}
