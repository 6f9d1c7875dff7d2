/**
 * The ingest queue: one capture at a time through analyzeCaptures into the store, with progress published
 * to listeners (the server-sent events). Idempotent by content hash: `submitFile` hashes the file first
 * and a capture already done is not analysed again.
 * @module
 */
import { createHash } from 'node:crypto';
import { createReadStream, statSync } from 'node:fs';
import { basename } from 'node:path';
import { analyzeCaptures, type AnalysisResult } from '../engine/analyze-captures.ts';
import { analyzeFlowExports } from '../engine/analyze-flows.ts';
import type { DeviceAssessment } from '../assess/types.ts';
import { labelSvg } from '../output/label/svg.ts';
import { labelPdf } from '../output/label/pdf.ts';
import { FlowSeries } from '../store/flow-series.ts';
import type { CaptureRow, LabelInput, Store } from '../store/types.ts';

export interface LiveEvent {
  type: 'capture.queued' | 'capture.progress' | 'capture.done' | 'device.new' | 'finding.new';
  /** JSON text of the event's data. */
  data: string;
}
export type LiveListener = (ev: LiveEvent) => void;

/** New devices/findings announced per capture; clients refresh lists on capture.done for the rest. */
export const MAX_NEW_EVENTS = 200;
const PROGRESS_EVERY_MS = 250;

export interface IngestOptions {
  /** Captures that hold NetFlow/IPFIX export datagrams (e.g. the `serve --netflow` spool), analysed as flows. */
  isFlowExport: (capture: CaptureRow) => boolean;
}

export class IngestQueue {
  private readonly store: Store;
  private readonly options: IngestOptions;
  private readonly listeners = new Set<LiveListener>();
  private readonly pending: string[] = [];
  private running: Promise<void> | null = null;
  current: string | null = null;

  constructor(store: Store, options: Partial<IngestOptions> = {}) {
    this.store = store;
    this.options = { isFlowExport: () => false, ...options };
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
      const series = new FlowSeries();
      let lastReport = 0;
      const analysis = {
        onFlow: (flow: Parameters<FlowSeries['add']>[0]) => series.add(flow),
        onProgress: (_file: string, p: { bytesRead: number; totalBytes: number }, packets: number) => {
          const t = performance.now();
          if (t - lastReport < PROGRESS_EVERY_MS) return;
          lastReport = t;
          const progress = p.totalBytes > 0 ? Math.min(0.99, p.bytesRead / p.totalBytes) : 0;
          void this.store.setCaptureState(id, { status: 'ingesting', progress });
          this.publish('capture.progress', { capture_id: id, progress, packets });
        },
      };
      const result = this.options.isFlowExport(capture)
        ? await analyzeFlowExports({ kind: 'captures', paths: [capture.path] }, analysis)
        : await analyzeCaptures([capture.path], analysis);
      const fault = result.summary.files.find((f) => f.error)?.error;
      if (fault && result.summary.packets === 0) throw new Error(`not a readable capture: ${fault.message}`);
      // Clients see the capture's name in evidence, never the server's path.
      const named = renameFile(result, capture.path, capture.filename);
      const assessments = named.assessments ?? [];
      const outcome = await this.store.ingest(id, {
        summary: result.summary, devices: named.devices, findings: named.findings,
        flowBuckets: series.bucketList(), protocols: series.protocolList(),
        assessments, labels: renderLabels(assessments, named),
      });
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
      const message = err instanceof Error ? err.message : String(err);
      await this.store.setCaptureState(id, { status: 'failed', error: message });
      this.publish('capture.done', { capture_id: id, status: 'failed', error: message });
    }
  }
}

/** Assessments ride on the analysis result once the engine runs the assess stage. */
type WithAssessments = AnalysisResult & { assessments?: DeviceAssessment[] };

function renameFile(result: WithAssessments, path: string, filename: string): WithAssessments {
  const { devices, findings, assessments } = result;
  return JSON.parse(JSON.stringify({ devices, findings, assessments }), (key, value: unknown) => (key === 'file' && value === path ? filename : value)) as WithAssessments;
}

function renderLabels(assessments: readonly DeviceAssessment[], result: WithAssessments): LabelInput[] {
  const devices = new Map(result.devices.map((d) => [d.id, d]));
  const labels: LabelInput[] = [];
  for (const a of assessments) {
    const device = devices.get(a.device_id);
    if (!device) continue;
    try {
      labels.push({ device_id: a.device_id, svg: labelSvg(a, device), pdf: labelPdf(a, device) });
    } catch (err) {
      process.stderr.write(`bulwark: label for ${a.device_id} failed: ${err instanceof Error ? err.message : String(err)}\n`);
    }
  }
  return labels;
}

export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
