/**
 * One capture's ingest: analysis (every stage), labels for the assessed devices, and the store write. Runs in
 * the ingest worker (ingest-worker.ts) so that a capture built to exhaust memory or CPU costs that worker, never
 * the server; the in-thread path (no database file to share) calls it directly.
 * @module
 */
import { dirname } from 'node:path';
import { analyzeCaptures, type AnalysisResult } from '../engine/analyze-captures.ts';
import { analyzeFlowExports } from '../engine/analyze-flows.ts';
import type { DeviceAssessment } from '../assess/types.ts';
import { labelSvg } from '../output/label/svg.ts';
import { FlowSeries } from '../store/flow-series.ts';
import type { CaptureRow, IngestOutcome, LabelInput, Store } from '../store/types.ts';
import { MudService } from './mud-service.ts';
import { relabelDevice } from './relabel.ts';

const PROGRESS_EVERY_MS = 250;

export interface IngestProgress {
  progress: number;
  packets: number;
}

/** Limits of one ingest beyond the analysis' own (which are bounded by default). */
export interface IngestLimits {
  /** Decompressed bytes a gzip capture may expand to (decompression bombs). */
  maxDecompressedBytes?: number;
  /** Folder of MUD profiles to learn into and watch (serve --profiles). */
  mudProfiles?: string;
  /** Per-detector options of this server (indicator lists received through the API). */
  detectorOptions?: Record<string, Record<string, unknown>>;
  /** The capture holds flow-export datagrams (NetFlow/IPFIX): analysed as flow records. */
  flowExport?: boolean;
}

export async function ingestCapture(store: Store, capture: CaptureRow, onProgress: (p: IngestProgress) => void, limits: IngestLimits = {}): Promise<IngestOutcome> {
  const id = capture.id;
  const series = new FlowSeries();
  let lastReport = 0;
  // Plain data crosses into the ingest worker; the profile service is rebuilt on this side from its folder.
  const mud = limits.mudProfiles && !limits.flowExport ? new MudService(limits.mudProfiles).begin() : undefined;
  const common = {
    detection: { options: { ...mud?.options.detection?.options, ...limits.detectorOptions } },
    onFlow: (flow: Parameters<FlowSeries['add']>[0]) => series.add(flow),
    onProgress: (_file: string, p: { bytesRead: number; totalBytes: number }, packets: number) => {
      const t = performance.now();
      if (t - lastReport < PROGRESS_EVERY_MS) return;
      lastReport = t;
      const progress = p.totalBytes > 0 ? Math.min(0.99, p.bytesRead / p.totalBytes) : 0;
      void store.setCaptureState(id, { status: 'ingesting', progress });
      onProgress({ progress, packets });
    },
  };
  const result = limits.flowExport
    ? await analyzeFlowExports({ kind: 'captures', paths: [capture.path] }, common)
    : await analyzeCaptures([capture.path], { ...mud?.options, ...common, pipeline: { capture: { maxDecompressedBytes: limits.maxDecompressedBytes } } });
  const fault = result.summary.files.find((f) => f.error)?.error;
  if (fault && result.summary.packets === 0) throw new Error(`not a readable capture: ${fault.message}`);
  mud?.finish(result);
  // Clients see the capture's name in evidence, never the server's path.
  const named = renameFile(result, capture.path, capture.filename);
  const assessments = named.assessments ?? [];
  const outcome = await store.ingest(id, {
    summary: result.summary, devices: named.devices, findings: named.findings,
    flowBuckets: series.bucketList(), protocols: series.protocolList(),
    assessments, labels: renderLabels(assessments, named),
  });
  // Devices the user named or retyped: their new assessment and labels carry that name, not the analysis' own.
  if (outcome.applied) for (const a of assessments) await relabelDevice(store, a.device_id, true);
  return outcome;
}

/** An error message fit for clients: the server's folders replaced by the capture's own name. */
export function clientMessage(message: string, capture: Pick<CaptureRow, 'path' | 'filename'>): string {
  return message.replaceAll(capture.path, capture.filename).replaceAll(`${dirname(capture.path)}/`, '');
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
      // The PDF (about 0.1 s each: font subsetting) is made when first asked for (routes-inventory.ts).
      labels.push({ device_id: a.device_id, svg: labelSvg(a, device) });
    } catch (err) {
      process.stderr.write(`bulwark: label for ${a.device_id} failed: ${err instanceof Error ? err.message : String(err)}\n`);
    }
  }
  return labels;
}
