/**
 * `bulwark analyze <capture>...`: run the pipeline, print a summary, optionally write flows and events.
 * @module
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Pipeline } from '../pipeline/analyze.ts';
import type { RunSummary } from '../pipeline/stats.ts';
import { JsonLinesWriter, writeAll } from '../output/jsonl.ts';
import { redact } from '../output/redact.ts';
import { summaryText } from '../output/summary-text.ts';
import { ProgressBar } from './progress.ts';
import { ExitCode } from './exit-codes.ts';

export const analyzeHelp = `Usage: bulwark analyze [options] <capture>...

Reads pcap or pcapng files (gzip-compressed or not; '-' for standard input), decodes them, tracks flows,
recognises application protocols and prints a summary.

Options:
  --json               write flows and events as JSON lines to standard output (summary goes to stderr)
  --out DIR            write DIR/flows.jsonl, DIR/events.jsonl and DIR/summary.json
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
  const pipeline = new Pipeline({ flow: args.maxFlows ? { maxFlows: args.maxFlows } : {} });
  const writers: JsonLinesWriter[] = [];
  let flowsOut: JsonLinesWriter | undefined;
  let eventsOut: JsonLinesWriter | undefined;
  if (args.out) {
    mkdirSync(args.out, { recursive: true });
    flowsOut = new JsonLinesWriter(join(args.out, 'flows.jsonl'));
    eventsOut = new JsonLinesWriter(join(args.out, 'events.jsonl'));
    writers.push(flowsOut, eventsOut);
  }
  if (args.json) {
    const stdout = new JsonLinesWriter(1);
    writers.push(stdout);
    flowsOut ??= stdout;
    eventsOut ??= stdout;
    if (args.out) {
      // both: stdout gets everything too
      const both = (w: JsonLinesWriter) => ({ write: (r: object) => { w.write(r); stdout.write(r); } });
      subscribe(pipeline, both(flowsOut), both(eventsOut), args);
    } else subscribe(pipeline, stdout, stdout, args);
  } else if (flowsOut && eventsOut) {
    subscribe(pipeline, flowsOut, eventsOut, args);
  }
  const progress = new ProgressBar(!args.quiet);
  const summary = await pipeline.run(args.files, (file, p, packets) => progress.update(file, p, packets));
  progress.clear();
  for (const w of writers) w.close();
  if (args.out) writeFileSync(join(args.out, 'summary.json'), JSON.stringify(summary, null, 2) + '\n');
  if (args.json) {
    if (!args.quiet) process.stderr.write(summaryText(summary) + '\n');
  } else {
    writeAll(1, args.quiet ? quietLine(summary) : summaryText(summary) + '\n');
  }
  for (const f of summary.files) if (f.error) process.stderr.write(`bulwark: ${f.error.message}\n`);
  return exitCodeOf(summary);
}

/** With --quiet and no JSON: one machine-readable line (used by the benchmark). */
function quietLine(s: RunSummary): string {
  return `packets=${s.packets} flows=${s.flows.total} events=${Object.values(s.events).reduce((a, b) => a + b, 0)} wall_s=${s.wall_s.toFixed(3)} pps=${Math.round(s.packets_per_s)} bytes_per_flow=${s.flows.bytes_per_flow}\n`;
}

function exitCodeOf(s: RunSummary): number {
  if (s.files.length > 0 && s.files.every((f) => f.error && f.packets === 0)) return ExitCode.NO_INPUT;
  return s.partial ? ExitCode.PARTIAL : ExitCode.OK;
}

interface Sink {
  write(record: object): void;
}

function subscribe(pipeline: Pipeline, flows: Sink, events: Sink, args: AnalyzeArgs): void {
  const keep = (type: string): boolean => !args.events || args.events.some((p) => type === p || type.startsWith(p + '.') || type.startsWith(p));
  const out = (r: object): object => (args.showSecrets ? r : redact(r));
  pipeline.onFlow((f) => flows.write(f));
  pipeline.on('*', (ev) => {
    if (ev.type !== 'flow.end' && keep(ev.type)) events.write(out(ev));
  });
}
