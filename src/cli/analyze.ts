/**
 * `bulwark analyze <capture>...`: run the pipeline, print a summary, optionally write flows and events.
 * @module
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { EventRecord } from '../pipeline/analyze.ts';
import type { RunSummary } from '../pipeline/stats.ts';
import type { FlowRecord } from '../flow/types.ts';
import type { Finding } from '../detect/types.ts';
import { loadOverrides, type Overrides } from '../inventory/overrides.ts';
import { analyzeCaptures, type AnalysisResult } from '../engine/analyze-captures.ts';
import { loadIndicatorFiles } from '../detect/indicators/load.ts';
import { deviceTable } from '../output/devices-text.ts';
import { findingsTable } from '../output/findings-text.ts';
import { casesText } from '../output/cases-text.ts';
import { JsonLinesWriter, writeAll } from '../output/jsonl.ts';
import { redact } from '../output/redact.ts';
import { jsonForm } from '../output/json-form.ts';
import { summaryText } from '../output/summary-text.ts';
import { ProgressBar } from './progress.ts';
import { analyzeFlowsCommand } from './analyze-flows.ts';
import { ExitCode } from './exit-codes.ts';
import { defaultOverridesPath } from './overrides-path.ts';
import { alertHelp, configAlertSpecs, defaultSensorName, deliverAnalysis, openAlerts } from './alerts.ts';
import { ConfigError, loadConfig, type BulwarkConfig } from './config/load.ts';
import { detectors as allDetectors } from '../detect/registry.ts';
import { EveFormatter } from '../output/siem/eve.ts';
import { ecsAlert, ecsFlow } from '../output/siem/ecs.ts';
import { resolveInputs } from './inputs.ts';
import { explainArgError } from './suggest.ts';

export const analyzeHelp = `Usage: bulwark analyze [options] <capture|folder>...

Reads pcap or pcapng files (gzip-compressed or not; '-' for standard input; a folder means every capture
under it, analysed together in one run), decodes them, tracks flows,
recognises application protocols, inventories devices, runs the detectors and prints a summary, the device
table and the findings.

Options:
  --config FILE        configuration file (YAML; see 'bulwark config --help'); options given here override it
  --json               write flows and events as JSON lines to standard output (summary goes to stderr)
  --out DIR            write DIR/flows.jsonl, DIR/events.jsonl, DIR/devices.json, DIR/findings.jsonl,
                       DIR/cases.jsonl, DIR/assessments.json and DIR/summary.json
  --overrides FILE     device names/types/vendors set by the user (default ~/.config/bulwark/overrides.json
                       when it exists; see 'bulwark devices --help')
  --no-detect          skip the detectors and the assessment (flows, events and devices only)
  --indicators FILE    indicator list for the c2.indicator detector (repeatable): plain text, CSV, STIX 2.1
                       or MISP events/feeds (JSON); values MISP cannot give as indicators are listed
  --events LIST        only these event types (comma-separated, prefix match: "dns,tls.client_hello")
  --max-flows N        live-flow limit (default 262144); when full, the least recently active flow is evicted
  --indicators FILE    indicator list for the c2.indicator detector: plain text (one IP, domain or JA4 a line),
                       CSV, STIX 2.1 JSON or a MISP feed event; repeat the option for several lists
  --show-secrets       print secrets (passwords, tokens, API keys, SNMP communities) instead of redacting them
  --quiet              no progress bar and no summary on standard error
  --netflow ADDR[:PORT]  collect NetFlow v5/v9 and IPFIX from routers on this UDP address (default port
                       2055) instead of reading captures; runs until SIGINT/SIGTERM, then writes the outputs
  --flows-from-capture the captures hold flow-export datagrams (NetFlow/IPFIX over UDP), not traffic
  --format F           JSON lines as 'bulwark' (default), 'eve' (Suricata EVE: alerts and flows) or 'ecs'
                       (Elastic Common Schema: alerts and flows); with --out also DIR/eve.json or DIR/ecs.ndjson
${alertHelp}  --sensor NAME        this sensor's name in alerts (default: the host name)
  -h, --help           this help
`;

export interface AnalyzeArgs {
  files: string[];
  netflow?: string;
  flowsFromCapture: boolean;
  json: boolean;
  out?: string;
  events?: string[];
  maxFlows?: number;
  showSecrets: boolean;
  quiet: boolean;
  overrides?: string;
  detect: boolean;
  alerts: string[];
  sensor: string;
  format: JsonFormat;
  config: BulwarkConfig;
  indicators: string[];
}

type JsonFormat = 'bulwark' | 'eve' | 'ecs';
const jsonFormats: readonly JsonFormat[] = ['bulwark', 'eve', 'ecs'];

const analyzeOptions = {
  json: { type: 'boolean', default: false },
  out: { type: 'string' },
  events: { type: 'string' },
  'max-flows': { type: 'string' },
  'show-secrets': { type: 'boolean', default: false },
  quiet: { type: 'boolean', default: false },
  overrides: { type: 'string' },
  'no-detect': { type: 'boolean', default: false },
  indicators: { type: 'string', multiple: true },
  config: { type: 'string' },
  alert: { type: 'string', multiple: true },
  sensor: { type: 'string' },
  format: { type: 'string', default: 'bulwark' },
  netflow: { type: 'string' },
  'flows-from-capture': { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
} as const;

function parse(argv: string[]): AnalyzeArgs | string {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: analyzeOptions,
    });
  } catch (err) {
    return explainArgError((err as Error).message, Object.keys(analyzeOptions));
  }
  const v = parsed.values;
  if (v.help) return '';
  if (v.netflow !== undefined && parsed.positionals.length > 0) return '--netflow listens on a socket: give no capture files';
  if (parsed.positionals.length === 0 && v.netflow === undefined) return 'no capture file given';
  let config: BulwarkConfig = {};
  if (v.config !== undefined) {
    try {
      config = loadConfig(v.config);
    } catch (err) {
      if (err instanceof ConfigError) return err.message;
      throw err;
    }
  }
  const format = v.format as JsonFormat;
  if (!jsonFormats.includes(format)) return `--format must be one of ${jsonFormats.join(', ')}, got '${v.format}'`;
  let maxFlows: number | undefined = config.capture?.max_flows;
  if (v['max-flows'] !== undefined) {
    maxFlows = Number(v['max-flows']);
    if (!Number.isInteger(maxFlows) || maxFlows < 1) return `--max-flows must be a positive integer, got '${v['max-flows']}'`;
  }
  return {
    files: parsed.positionals,
    netflow: v.netflow,
    flowsFromCapture: v['flows-from-capture'] ?? false,
    json: v.json ?? false,
    out: v.out,
    events: v.events?.split(',').map((t) => t.trim()).filter(Boolean),
    maxFlows,
    showSecrets: v['show-secrets'] ?? false,
    quiet: v.quiet ?? false,
    overrides: v.overrides,
    detect: !(v['no-detect'] ?? false),
    alerts: [...configAlertSpecs(config), ...(v.alert ?? [])],
    sensor: v.sensor ?? config.site?.sensor ?? defaultSensorName(),
    format,
    config,
    indicators: v.indicators ?? [],
  };
}

export async function analyzeCommand(argv: string[]): Promise<number> {
  const args = parse(argv);
  if (typeof args === 'string') {
    if (args === '') {
      process.stdout.write(analyzeHelp);
      return ExitCode.OK;
    }
    process.stderr.write(`bulwark analyze: ${args}\n\n${analyzeHelp}`);
    return ExitCode.USAGE;
  }
  const overrides = readOverrides(args.overrides ?? (existsSync(defaultOverridesPath) ? defaultOverridesPath : undefined), 'analyze');
  if (overrides === undefined) return ExitCode.USAGE;
  const alerts = openAlerts(args.alerts, args.sensor, undefined, args.config);
  if (typeof alerts === 'string') {
    process.stderr.write(`bulwark analyze: ${alerts}\n`);
    return ExitCode.USAGE;
  }
  for (const path of args.indicators) {
    if (!existsSync(path)) {
      process.stderr.write(`bulwark analyze: cannot read indicator list ${path}: no such file\n`);
      return ExitCode.USAGE;
    }
  }
  // Missing inputs are named at once; with nothing left to read there is no summary of zeros to print.
  let missingInputs = 0;
  if (args.netflow === undefined) {
    const inputs = resolveInputs(args.files);
    for (const e of inputs.errors) process.stderr.write(`bulwark: ${e}\n`);
    if (inputs.files.length === 0) return ExitCode.NO_INPUT;
    args.files = inputs.files;
    missingInputs = inputs.errors.length;
  }
  const sinks = openSinks(args);
  const progress = new ProgressBar(!args.quiet);
  if (args.netflow !== undefined || args.flowsFromCapture) return analyzeFlowsCommand(args, overrides, sinks, progress, alerts);
  const result = await analyzeCaptures(args.files, {
    pipeline: { flow: args.maxFlows ? { maxFlows: args.maxFlows } : {} },
    overrides,
    detectors: args.detect ? enabledDetectors(args.config) : [],
    detection: { options: { ...detectorOptions(args.config, args.showSecrets), ...indicatorOptions(args.indicators, args.quiet) } },
    assess: args.detect,
    // Capture hashes and record offsets matter only where findings are written out.
    resolveEvidence: args.out !== undefined || args.json,
    onEvent: sinks.onEvent,
    onFlow: sinks.onFlow,
    onProgress: (file, p, packets) => progress.update(file, p, packets),
  });
  progress.clear();
  if (alerts.size > 0) {
    await deliverAnalysis(alerts, result, args.sensor);
    result.stats = { ...result.stats, alerts: alerts.counters() };
  }
  sinks.close(result);
  const { summary } = result;
  const nothingRead = exitCodeOf(summary) === ExitCode.NO_INPUT;
  if (nothingRead) {
    // No packet from any input: the errors say it all; a table of zeros would only hide them.
  } else if (args.json) {
    if (!args.quiet) process.stderr.write(humanReport(result) + '\n');
  } else {
    writeAll(1, args.quiet ? quietLine(summary) : humanReport(result) + '\n');
  }
  for (const f of summary.files) if (f.error) process.stderr.write(`bulwark: ${f.error.message}\n`);
  const code = exitCodeOf(summary);
  return code === ExitCode.OK && missingInputs > 0 ? ExitCode.PARTIAL : code;
}

/** Load user overrides; undefined (after printing why) when the file is unreadable. */
export function readOverrides(path: string | undefined, command: string): Overrides | undefined {
  if (path === undefined) return {};
  try {
    return loadOverrides(path);
  } catch (err) {
    process.stderr.write(`bulwark ${command}: cannot read overrides ${path}: ${(err as Error).message}\n`);
    return undefined;
  }
}

/** Detectors the configuration leaves on (all by default). */
export function enabledDetectors(config: BulwarkConfig): typeof allDetectors {
  return allDetectors.filter((d) => config.detectors?.[d.id]?.enabled !== false);
}

/** Detector options from the configuration, then the command line's. */
export function detectorOptions(config: BulwarkConfig, showSecrets: boolean): Record<string, Record<string, unknown>> {
  const out: Record<string, Record<string, unknown>> = {};
  for (const [id, d] of Object.entries(config.detectors ?? {})) if (d.options && d.enabled !== false) out[id] = { ...d.options };
  for (const [id, o] of Object.entries(secretOptions(showSecrets))) out[id] = { ...out[id], ...o };
  return out;
}

/** Indicator lists for c2.indicator; what each file gave (and could not give) is reported on stderr. */
function indicatorOptions(paths: string[], quiet: boolean): Record<string, Record<string, unknown>> {
  if (paths.length === 0) return {};
  if (!quiet) {
    for (const f of loadIndicatorFiles(paths, 1_000_000, 64 << 20).files) {
      const unmapped = Object.entries(f.unmapped ?? {}).map(([why, n]) => `${n}× ${why}`).join('; ');
      process.stderr.write(`indicators ${f.path}: ${f.error ?? `${f.format}, ${f.loaded} loaded, ${f.malformed} malformed, ${f.dropped} over the limit`}${unmapped ? `; not usable: ${unmapped}` : ''}\n`);
    }
  }
  return { 'c2.indicator': { paths } };
}

/** The credential detectors print secrets only when asked. */
export function secretOptions(showSecrets: boolean): Record<string, Record<string, unknown>> {
  return showSecrets ? { 'credentials.cleartext': { showSecrets: true }, 'credentials.default': { showSecrets: true } } : {};
}

export function humanReport(r: AnalysisResult): string {
  const parts = [summaryText(r.summary)];
  const limits = limitsLine(r);
  if (limits) parts.push(limits);
  if (r.cases.length > 0) parts.push('', `Cases (${r.cases.length})`, casesText(r.cases));
  if (r.devices.length > 0) parts.push('', `Devices (${r.devices.length})`, deviceTable(r.devices));
  if (r.findings.length > 0) parts.push('', `Findings (${r.findings.length})`, findingsTable(r.findings));
  return parts.join('\n');
}

/** Later-stage limits that were hit (never silent): devices, evidence, findings. */
function limitsLine(r: AnalysisResult): string | undefined {
  const inv = r.stats.inventory;
  const det = r.stats.detection;
  const hit: string[] = [];
  if (inv.dropped_devices) hit.push(`${inv.dropped_devices} devices over the device limit`);
  if (inv.evidence_dropped) hit.push(`${inv.evidence_dropped} evidence items over the per-device limit`);
  if (det?.dropped_findings) hit.push(`${det.dropped_findings} findings over the finding limit`);
  if (det?.evidence_dropped) hit.push(`${det.evidence_dropped} evidence packets over the per-finding limit`);
  const errors = (inv.event_errors ?? 0) + Object.values(det?.detector_errors ?? {}).reduce((a, b) => a + b, 0);
  if (errors) hit.push(`${errors} inventory/detector errors contained`);
  return hit.length ? `limits    ${hit.join(', ')}` : undefined;
}

export interface Sinks {
  onEvent?: (ev: EventRecord) => void;
  onFlow?: (f: FlowRecord) => void;
  close(result: AnalysisResult): void;
}

/** JSON-lines outputs: --out DIR files and/or --json on standard output, natively or as EVE/ECS. */
function openSinks(args: AnalyzeArgs): Sinks {
  const native = args.format === 'bulwark';
  const stdout = args.json ? new JsonLinesWriter(1) : undefined;
  const dir = args.out;
  if (dir) mkdirSync(dir, { recursive: true });
  const flowsOut = dir ? new JsonLinesWriter(join(dir, 'flows.jsonl')) : undefined;
  const eventsOut = dir ? new JsonLinesWriter(join(dir, 'events.jsonl')) : undefined;
  const siemOut = dir && !native ? new JsonLinesWriter(join(dir, args.format === 'eve' ? 'eve.json' : 'ecs.ndjson')) : undefined;
  if (!stdout && !dir) return { close: () => undefined };
  const eve = args.format === 'eve' ? new EveFormatter(args.sensor) : undefined;
  const siemFlow = (f: FlowRecord): object => (eve ? eve.flow(f) : ecsFlow(f, args.sensor));
  const siemAlert = (f: Finding): object => (eve ? eve.alert(f) : ecsAlert(f, args.sensor));
  const keep = (type: string): boolean => !args.events || args.events.some((p) => type === p || type.startsWith(p));
  const secret = (r: object): object => (args.showSecrets ? r : redact(r));
  return {
    onFlow: (f) => {
      const out = jsonForm(f as unknown as Record<string, unknown>);
      flowsOut?.write(out);
      if (native) stdout?.write(out);
      else {
        const doc = siemFlow(f);
        siemOut?.write(doc);
        stdout?.write(doc);
      }
    },
    onEvent: (ev) => {
      if (ev.type === 'flow.end' || !keep(ev.type)) return;
      const out = jsonForm(secret(ev) as Record<string, unknown>);
      eventsOut?.write(out);
      if (native) stdout?.write(out);
    },
    close: (r) => {
      if (stdout && native) for (const c of r.cases) stdout.write({ type: 'case', ...c });
      for (const f of r.findings) {
        if (native) stdout?.write(jsonForm({ type: 'finding', ...f }));
        else {
          const doc = siemAlert(f);
          siemOut?.write(doc);
          stdout?.write(doc);
        }
      }
      for (const w of [flowsOut, eventsOut, siemOut, stdout]) w?.close();
      if (!dir) return;
      const findingsOut = new JsonLinesWriter(join(dir, 'findings.jsonl'));
      for (const f of r.findings) findingsOut.write(jsonForm({ ...f }));
      findingsOut.close();
      const casesOut = new JsonLinesWriter(join(dir, 'cases.jsonl'));
      for (const c of r.cases) casesOut.write(c);
      casesOut.close();
      writeFileSync(join(dir, 'devices.json'), JSON.stringify(r.devices, null, 2) + '\n');
      writeFileSync(join(dir, 'assessments.json'), JSON.stringify(r.assessments, null, 2) + '\n');
      writeFileSync(join(dir, 'summary.json'), JSON.stringify({ ...r.summary, stages: r.stats }, null, 2) + '\n');
    },
  };
}

/** With --quiet and no JSON: one machine-readable line (used by the benchmark). */
export function quietLine(s: RunSummary): string {
  return `packets=${s.packets} flows=${s.flows.total} events=${Object.values(s.events).reduce((a, b) => a + b, 0)} wall_s=${s.wall_s.toFixed(3)} pps=${Math.round(s.packets_per_s)} bytes_per_flow=${s.flows.bytes_per_flow}\n`;
}

export function exitCodeOf(s: RunSummary): number {
  if (s.files.length > 0 && s.files.every((f) => f.error && f.packets === 0)) return ExitCode.NO_INPUT;
  return s.partial ? ExitCode.PARTIAL : ExitCode.OK;
}
