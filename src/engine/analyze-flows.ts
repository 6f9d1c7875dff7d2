/**
 * One analysis run over flow exports (NetFlow v5/v9, IPFIX) instead of packets: datagrams from capture files
 * or a live UDP socket become flow records (src/flowrec) that feed the inventory, the detectors that work on
 * flows and the assessment through the same subscription interface the packet pipeline offers. Detectors
 * that need packets are skipped without noise; devices say what flows could not show.
 * @module
 */
import { buildCases } from '../findings/cases.ts';
import type { CaptureProgress } from '../capture/types.ts';
import { FlowExportRun, type ExportRunOptions, type ExportRunStats } from '../flowrec/export-run.ts';
import { listenUdp, type UdpListenResult } from '../flowrec/udp-source.ts';
import type { CollectorStats } from '../flowrec/collector.ts';
import type { FileSummary, RunSummary } from '../pipeline/stats.ts';
import { Inventory } from '../inventory/inventory.ts';
import type { DeviceRecord } from '../inventory/types.ts';
import { DetectionEngine } from '../detect/engine.ts';
import { detectors as allDetectors } from '../detect/registry.ts';
import type { Detector } from '../detect/types.ts';
import { AssessmentFacts } from '../assess/facts.ts';
import { assessDevices } from '../assess/assess.ts';
import { DEFAULT_MAX_DETAILED_DEVICES, selectDetailed } from '../assess/detail-limit.ts';
import type { AnalysisOptions, AnalysisResult } from './analyze-captures.ts';

/** Where the export datagrams come from. */
export type FlowExportInput =
  | { kind: 'captures'; paths: readonly string[] }
  | { kind: 'udp'; address: string; port: number; signal: AbortSignal; onListening?: (address: string, port: number) => void };

export interface FlowAnalysisOptions extends Omit<AnalysisOptions, 'pipeline' | 'onProgress'> {
  exports: Partial<ExportRunOptions>;
  onProgress?: (file: string, p: CaptureProgress, packets: number) => void;
  /** Hands out the run (live callers poll its counters, e.g. datagrams received). */
  onRun?: (run: FlowExportRun) => void;
}

/** The summary of a flow-export run: the packet run's shape (datagram counts as packets) plus the collector's. */
export interface FlowRunSummary extends RunSummary {
  flow_export: {
    input: string;
    datagrams: number;
    records: number;
    stitch: ExportRunStats['stitch'];
    collector: CollectorStats;
    /** Detectors skipped because they need packets. */
    skipped_detectors: string[];
  };
}

/** What a device built from flow records could not show. */
const notObservableFromFlows = ['hostnames', 'dhcp', 'dns', 'mdns', 'ssdp', 'tls', 'http_user_agents', 'ssh_banners', 'app_protocols', 'credentials'];

/** Detectors that can run on flow records alone (the rest need packets). */
export function flowCapableDetectors(list: readonly Detector[]): { run: Detector[]; skipped: string[] } {
  return { run: list.filter((d) => d.needs === 'flows'), skipped: list.filter((d) => d.needs !== 'flows').map((d) => d.id) };
}

export async function analyzeFlowExports(input: FlowExportInput, options: Partial<FlowAnalysisOptions> = {}): Promise<AnalysisResult & { summary: FlowRunSummary }> {
  const started = process.hrtime.bigint();
  const run = new FlowExportRun(options.exports ?? {});
  options.onRun?.(run);
  const inventory = new Inventory({ ...options.inventory, overrides: options.overrides ?? options.inventory?.overrides ?? {} }).attach(run);
  const { run: chosen, skipped } = flowCapableDetectors(options.detectors ?? allDetectors);
  const detection = chosen.length > 0 ? new DetectionEngine(chosen, { ...withKnownOptions(options.detection, chosen), devices: inventory }).attach(run) : undefined;
  const facts = options.assess === false ? undefined : new AssessmentFacts().attach(run);
  if (options.onEvent) run.on('*', options.onEvent);
  if (options.onFlow) run.onFlow(options.onFlow);

  const files: FileSummary[] = [];
  let inputName: string;
  let udp: UdpListenResult | undefined;
  if (input.kind === 'captures') {
    inputName = input.paths.join(', ');
    for (const path of input.paths) {
      const s = await run.readCapture(path, options.onProgress ? (p, n) => options.onProgress?.(path, p, n) : undefined);
      const f: FileSummary = { file: s.file, format: s.format, gzip: s.gzip, packets: s.packets };
      if (s.error) f.error = { offset: s.error.offset, reason: s.error.reason, message: s.error.message };
      files.push(f);
    }
  } else {
    inputName = `udp:${input.address}:${input.port}`;
    udp = await listenUdp(run, input.address, input.port, input.signal, input.onListening);
  }
  const stats = run.finish();
  const devices = markUnobserved(inventory.devices());
  const findings = detection?.findings() ?? [];
  const { detailed, rest } = selectDetailed(devices, findings, DEFAULT_MAX_DETAILED_DEVICES);
  const assessments = facts ? assessDevices(detailed, findings, facts) : [];
  const wall = Number(process.hrtime.bigint() - started) / 1e9;
  const datagrams = stats.collector.datagrams;
  const summary: FlowRunSummary = {
    files,
    partial: files.some((f) => f.error !== undefined),
    packets: udp ? udp.datagrams : stats.packets,
    bytes: udp ? udp.bytes : stats.bytes,
    captured_bytes: udp ? udp.bytes : stats.bytes,
    first_ts: stats.first_ts,
    last_ts: stats.last_ts,
    span_s: stats.first_ts !== null && stats.last_ts !== null ? stats.last_ts - stats.first_ts : 0,
    flows: { total: stats.flows, max_live: stats.stitch.pending, evicted: 0, ended: {}, bytes_per_flow: 0 },
    transports: Object.fromEntries(stats.transports),
    apps: {},
    events: Object.fromEntries(stats.events),
    anomalies: Object.fromEntries([...stats.anomalies].sort((a, b) => b[1] - a[1])),
    reassembly: {},
    defrag: {},
    analyzer_violations: {},
    wall_s: wall,
    packets_per_s: wall > 0 ? datagrams / wall : 0,
    flow_export: {
      input: inputName,
      datagrams,
      records: stats.collector.records,
      stitch: stats.stitch,
      collector: stats.collector,
      skipped_detectors: skipped,
    },
  };
  // Flow records carry no packets to cut: evidence names the exporter's records, not capture offsets.
  return { summary, devices, findings, cases: buildCases(findings, devices), captures: [], assessments, undetailed: rest, facts, stats: { inventory: inventory.stats(), detection: detection?.stats, assessment: facts?.stats() } };
}

/** Per-detector options given for detectors that do not run on flows are dropped, not an error. */
function withKnownOptions(detection: AnalysisOptions['detection'] | undefined, chosen: readonly Detector[]): AnalysisOptions['detection'] {
  const ids = new Set(chosen.map((d) => d.id));
  const options = Object.fromEntries(Object.entries(detection?.options ?? {}).filter(([id]) => ids.has(id)));
  return { ...detection, options };
}

function markUnobserved(devices: DeviceRecord[]): DeviceRecord[] {
  for (const d of devices) {
    const missing = d.mac === undefined ? ['mac', ...notObservableFromFlows] : [...notObservableFromFlows];
    d.unobserved = missing;
  }
  return devices;
}
