/**
 * `bulwark report <capture>... [-o FILE] [--json] [--overrides FILE] [--labels DIR]`: analyse captures and write
 * one self-contained HTML report (or its data as JSON), optionally every device's printable label.
 * @module
 */
import { existsSync, writeFileSync } from 'node:fs';
import { ensureDir } from './dirs.ts';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { analyzeCaptures } from '../engine/analyze-captures.ts';
import type { RunSummary } from '../pipeline/stats.ts';
import type { CaptureProgress } from '../capture/types.ts';
import type { Overrides } from '../inventory/overrides.ts';
import { readOverrides } from './analyze.ts';
import { defaultOverridesPath } from './overrides-path.ts';
import type { DeviceRecord } from '../inventory/types.ts';
import type { Finding } from '../detect/types.ts';
import type { AssessmentFacts } from '../assess/facts.ts';
import type { Case } from '../findings/types.ts';
import type { DeviceAssessment } from '../assess/types.ts';
import { buildReportData, type ReportData } from '../output/report/data.ts';
import { renderHtml } from '../output/report/html.ts';
import { labelSvg } from '../output/label/svg.ts';
import { labelPdf } from '../output/label/pdf.ts';
import { ExitCode } from './exit-codes.ts';
import { ProgressBar } from './progress.ts';

export const reportHelp = `Usage: bulwark report [options] <capture>...

Analyse captures (devices, findings, baseline assessment) and write one self-contained HTML report.

Options:
  -o, --out FILE         output file (default report.html; with --json default standard output; '-' = standard output)
      --json             write the report's data as JSON instead of HTML
      --overrides FILE   device names/types/vendors set by the user (default ~/.config/bulwark/overrides.json
                         when it exists, as written by 'bulwark devices --set')
      --labels DIR       also write each device's label as DIR/<device>.svg and DIR/<device>.pdf
  -q, --quiet            no progress on standard error
  -h, --help             show this help
`;

export interface ReportArgs {
  files: string[];
  out: string;
  json: boolean;
  overrides?: string;
  labels?: string;
  quiet: boolean;
}

export function parseReportArgs(argv: string[]): ReportArgs | string {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        out: { type: 'string', short: 'o' },
        json: { type: 'boolean' },
        overrides: { type: 'string' },
        labels: { type: 'string' },
        quiet: { type: 'boolean', short: 'q' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (err) {
    return (err as Error).message;
  }
  const v = parsed.values;
  if (v.help) return '';
  if (parsed.positionals.length === 0) return 'no capture file given';
  const json = v.json ?? false;
  return { files: parsed.positionals, out: v.out ?? (json ? '-' : 'report.html'), json, overrides: v.overrides, labels: v.labels, quiet: v.quiet ?? false };
}

export interface ReportAnalysis {
  summary: RunSummary;
  devices: DeviceRecord[];
  findings: Finding[];
  cases?: Case[];
  facts: AssessmentFacts;
  assessments: DeviceAssessment[];
}

/**
 * One analysis for the report: pipeline, inventory, detectors and the assessment's fact collector on one pass.
 * (To be replaced by src/engine/analyze-captures.ts once it returns devices, findings and assessment facts.)
 */
export async function analyzeForReport(
  paths: readonly string[], options: { overrides?: Overrides; onProgress?: (file: string, p: CaptureProgress, packets: number) => void } = {},
): Promise<ReportAnalysis> {
  const a = await analyzeCaptures(paths, { overrides: options.overrides ?? {}, onProgress: options.onProgress });
  return { summary: a.summary, devices: a.devices, findings: a.findings, cases: a.cases, facts: a.facts as AssessmentFacts, assessments: a.assessments };
}

/** Build the report data for capture files (what --json writes). */
export async function reportData(paths: readonly string[], options: { overrides?: Overrides; now?: Date } = {}): Promise<ReportData> {
  const a = await analyzeForReport(paths, { overrides: options.overrides });
  return buildReportData({ summary: a.summary, devices: a.devices, findings: a.findings, cases: a.cases, facts: a.facts, assessments: a.assessments, now: options.now });
}

function write(out: string, text: string): void {
  if (out === '-') process.stdout.write(text);
  else writeFileSync(out, text);
}

export async function reportCommand(argv: string[]): Promise<number> {
  const args = parseReportArgs(argv);
  if (typeof args === 'string') {
    if (args === '') {
      process.stdout.write(reportHelp);
      return ExitCode.OK;
    }
    process.stderr.write(`bulwark report: ${args}\n\n${reportHelp}`);
    return ExitCode.USAGE;
  }
  // The same overrides as 'bulwark analyze' and 'bulwark devices --set': a renamed device is named so here too.
  const overrides = readOverrides(args.overrides ?? (existsSync(defaultOverridesPath) ? defaultOverridesPath : undefined), 'report');
  if (overrides === undefined) return ExitCode.USAGE;
  const progress = new ProgressBar(!args.quiet);
  const a = await analyzeForReport(args.files, { overrides, onProgress: (file, p, packets) => progress.update(file, p, packets) });
  progress.clear();
  for (const f of a.summary.files) if (f.error) process.stderr.write(`bulwark: ${f.error.message}\n`);
  if (a.summary.files.length > 0 && a.summary.files.every((f) => f.error && f.packets === 0)) return ExitCode.NO_INPUT;
  const data = buildReportData({ summary: a.summary, devices: a.devices, findings: a.findings, cases: a.cases, facts: a.facts, assessments: a.assessments });
  write(args.out, args.json ? `${JSON.stringify(data, null, 2)}\n` : renderHtml(data));
  if (args.labels !== undefined) {
    ensureDir(args.labels);
    for (const d of data.devices) {
      const base = join(args.labels, d.device.id.replace(/[^a-zA-Z0-9_-]/g, '_'));
      writeFileSync(`${base}.svg`, labelSvg(d.assessment, d.device));
      writeFileSync(`${base}.pdf`, labelPdf(d.assessment, d.device));
    }
  }
  if (!args.quiet && args.out !== '-') {
    const worst = data.devices[0]?.assessment;
    process.stderr.write(`bulwark report: ${args.out}: ${data.summary.devices} devices, ${data.summary.findings} findings${worst ? `, worst grade ${worst.grade} (${worst.name})` : ''}\n`);
  }
  return a.summary.partial ? ExitCode.PARTIAL : ExitCode.OK;
}
