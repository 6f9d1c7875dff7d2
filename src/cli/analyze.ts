/**
 * `bulwark analyze <capture>...`: run the pipeline, print a summary, optionally write flows and events.
 * @module
 */
import { existsSync, writeFileSync } from 'node:fs';
import { ensureDir } from './dirs.ts';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { EventRecord } from '../pipeline/analyze.ts';
import type { RunSummary } from '../pipeline/stats.ts';
import type { FlowRecord } from '../flow/types.ts';
import { loadOverrides, type Overrides } from '../inventory/overrides.ts';
import { analyzeCaptures, type AnalysisResult } from '../engine/analyze-captures.ts';
import { deviceTable } from '../output/devices-text.ts';
import { findingsTable } from '../output/findings-text.ts';
import { JsonLinesWriter, writeAll } from '../output/jsonl.ts';
import { redact } from '../output/redact.ts';
import { summaryText } from '../output/summary-text.ts';
import { ProgressBar } from './progress.ts';
import { ExitCode } from './exit-codes.ts';
import { defaultOverridesPath } from './overrides-path.ts';

export const analyzeHelp = `Usage: bulwark analyze [options] <capture>...

Reads pcap or pcapng files (gzip-compressed or not; '-' for standard input), decodes them, tracks flows,
recognises application protocols, inventories devices, runs the detectors and prints a summary, the device
table and the findings.

Options:
  --json               write flows and events as JSON lines to standard output (summary goes to stderr)
  --out DIR            write DIR/flows.jsonl, DIR/events.jsonl, DIR/devices.json, DIR/findings.jsonl,
                       DIR/assessments.json and DIR/summary.json
  --overrides FILE     device names/types/vendors set by the user (default ~/.config/bulwark/overrides.json
                       when it exists; see 'bulwark devices --help')
  --no-detect          skip the detectors and the assessment (flows, events and devices only)
  --events LIST        only these event types (comma-separated, prefix match: "dns,tls.client_hello")
  --max-flows N        live-flow limit (default 262144); when full, the least recently active flow is evicted
  --show-secrets       print passwords and SNMP communities instead of redacting them
  --quiet              no progress bar and no summary on standard error
  -h, --help           this help
`;

interface AnalyzeArgs {
  files: string[];
  json: boolean;
  out?: string;
  events?: string[];
  maxFlows?: number;
  showSecrets: boolean;
  quiet: boolean;
  overrides?: string;
  detect: boolean;
}

function parse(argv: string[]): AnalyzeArgs | string {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        json: { type: 'boolean', default: false },
        out: { type: 'string' },
        events: { type: 'string' },
        'max-flows': { type: 'string' },
        'show-secrets': { type: 'boolean', default: false },
        quiet: { type: 'boolean', default: false },
        overrides: { type: 'string' },
        'no-detect': { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (err) {
    return (err as Error).message;
  }
  const v = parsed.values;
  if (v.help) return '';
  if (parsed.positionals.length === 0) return 'no capture file given';
  let maxFlows: number | undefined;
  if (v['max-flows'] !== undefined) {
    maxFlows = Number(v['max-flows']);
    if (!Number.isInteger(maxFlows) || maxFlows < 1) return `--max-flows must be a positive integer, got '${v['max-flows']}'`;
  }
  return {
    files: parsed.positionals,
    json: v.json ?? false,
    out: v.out,
    events: v.events?.split(',').map((t) => t.trim()).filter(Boolean),
    maxFlows,
    showSecrets: v['show-secrets'] ?? false,
    quiet: v.quiet ?? false,
    overrides: v.overrides,
    detect: !(v['no-detect'] ?? false),
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
  const sinks = openSinks(args);
  const progress = new ProgressBar(!args.quiet);
  const result = await analyzeCaptures(args.files, {
    pipeline: { flow: args.maxFlows ? { maxFlows: args.maxFlows } : {} },
    overrides,
    detectors: args.detect ? undefined : [],
    detection: { options: secretOptions(args.showSecrets) },
    assess: args.detect,
    onEvent: sinks.onEvent,
    onFlow: sinks.onFlow,
    onProgress: (file, p, packets) => progress.update(file, p, packets),
  });
  progress.clear();
  sinks.close(result);
  const { summary } = result;
  if (args.json) {
    if (!args.quiet) process.stderr.write(humanReport(result) + '\n');
  } else {
    writeAll(1, args.quiet ? quietLine(summary) : humanReport(result) + '\n');
  }
  for (const f of summary.files) if (f.error) process.stderr.write(`bulwark: ${f.error.message}\n`);
  return exitCodeOf(summary);
}

/** Load user overrides; undefined (after printing why) when the file is unreadable. */
export function readOverrides(path: string | undefined, command: string): Overrides | undefined {
  if (path === undefined) return {};
  if (!existsSync(path)) {
    // A file named on the command line must exist: a typo would otherwise silently drop every override.
    process.stderr.write(`bulwark ${command}: no such overrides file '${path}'\n`);
    return undefined;
  }
  try {
    return loadOverrides(path);
  } catch (err) {
    process.stderr.write(`bulwark ${command}: cannot read overrides ${path}: ${(err as Error).message}\n`);
    return undefined;
  }
}

/** The credential detectors print secrets only when asked. */
function secretOptions(showSecrets: boolean): Record<string, Record<string, unknown>> {
  return showSecrets ? { 'credentials.cleartext': { showSecrets: true }, 'credentials.default': { showSecrets: true } } : {};
}

function humanReport(r: AnalysisResult): string {
  const parts = [summaryText(r.summary)];
  const limits = limitsLine(r);
  if (limits) parts.push(limits);
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

interface Sinks {
  onEvent?: (ev: EventRecord) => void;
  onFlow?: (f: FlowRecord) => void;
  close(result: AnalysisResult): void;
}

/** JSON-lines outputs: --out DIR files and/or --json on standard output. */
function openSinks(args: AnalyzeArgs): Sinks {
  const stdout = args.json ? new JsonLinesWriter(1) : undefined;
  const dir = args.out;
  if (dir) ensureDir(dir);
  const flowsOut = dir ? new JsonLinesWriter(join(dir, 'flows.jsonl')) : undefined;
  const eventsOut = dir ? new JsonLinesWriter(join(dir, 'events.jsonl')) : undefined;
  if (!stdout && !dir) return { close: () => undefined };
  const keep = (type: string): boolean => !args.events || args.events.some((p) => type === p || type.startsWith(p));
  const secret = (r: object): object => (args.showSecrets ? r : redact(r));
  return {
    onFlow: (f) => {
      flowsOut?.write(f);
      stdout?.write(f);
    },
    onEvent: (ev) => {
      if (ev.type === 'flow.end' || !keep(ev.type)) return;
      const out = secret(ev);
      eventsOut?.write(out);
      stdout?.write(out);
    },
    close: (r) => {
      if (stdout) for (const f of r.findings) stdout.write({ type: 'finding', ...f });
      for (const w of [flowsOut, eventsOut, stdout]) w?.close();
      if (!dir) return;
      const findingsOut = new JsonLinesWriter(join(dir, 'findings.jsonl'));
      for (const f of r.findings) findingsOut.write(f);
      findingsOut.close();
      writeFileSync(join(dir, 'devices.json'), JSON.stringify(r.devices, null, 2) + '\n');
      writeFileSync(join(dir, 'assessments.json'), JSON.stringify(r.assessments, null, 2) + '\n');
      writeFileSync(join(dir, 'summary.json'), JSON.stringify({ ...r.summary, stages: r.stats }, null, 2) + '\n');
    },
  };
}

/** With --quiet and no JSON: one machine-readable line (used by the benchmark). */
function quietLine(s: RunSummary): string {
  return `packets=${s.packets} flows=${s.flows.total} events=${Object.values(s.events).reduce((a, b) => a + b, 0)} wall_s=${s.wall_s.toFixed(3)} pps=${Math.round(s.packets_per_s)} bytes_per_flow=${s.flows.bytes_per_flow}\n`;
}

function exitCodeOf(s: RunSummary): number {
  if (s.files.length > 0 && s.files.every((f) => f.error && f.packets === 0)) return ExitCode.NO_INPUT;
  return s.partial ? ExitCode.PARTIAL : ExitCode.OK;
}
