/**
 * `bulwark analyze --netflow ADDR[:PORT]` and `--flows-from-capture`: the analysis of flow exports (NetFlow
 * v5/v9, IPFIX) instead of packets, with the same outputs as a capture analysis.
 * @module
 */
import type { Overrides } from '../inventory/overrides.ts';
import { analyzeFlowExports, type FlowExportInput } from '../engine/analyze-flows.ts';
import { parseListenAddress } from '../flowrec/udp-source.ts';
import { writeAll } from '../output/jsonl.ts';
import { detectorOptions, enabledDetectors, exitCodeOf, humanReport, quietLine, type AnalyzeArgs } from './analyze.ts';
import type { RunOutputs } from '../output/run-outputs.ts';
import { deliverAnalysis } from './alerts.ts';
import type { AlertDispatcher } from '../output/alerts/dispatcher.ts';
import { ExitCode } from './exit-codes.ts';
import type { ProgressBar } from './progress.ts';
import { stopOnSignals } from './signals.ts';

export async function analyzeFlowsCommand(args: AnalyzeArgs, overrides: Overrides, outputs: RunOutputs, progress: ProgressBar, alerts: AlertDispatcher): Promise<number> {
  let input: FlowExportInput;
  let stop: ReturnType<typeof stopOnSignals> | undefined;
  if (args.netflow !== undefined) {
    const where = parseListenAddress(args.netflow);
    if (typeof where === 'string') {
      process.stderr.write(`bulwark analyze: --netflow: ${where}\n`);
      return ExitCode.USAGE;
    }
    stop = stopOnSignals((name) => {
      if (!args.quiet) process.stderr.write(`\nbulwark: ${name}: writing results\n`);
    });
    input = {
      kind: 'udp', address: where.address, port: where.port, signal: stop.signal,
      onListening: (address, port) => {
        if (!args.quiet) process.stderr.write(`bulwark: collecting NetFlow/IPFIX on udp ${address}:${port} (Ctrl-C to stop and write results)\n`);
      },
    };
  } else input = { kind: 'captures', paths: args.files };
  let result;
  try {
    result = await analyzeFlowExports(input, {
      overrides,
      detectors: args.detect ? enabledDetectors(args.config) : [],
      detection: { options: detectorOptions(args.config, args.showSecrets) },
      assess: args.detect,
      onEvent: outputs.active ? outputs.event : undefined,
      onFlow: outputs.active ? outputs.flow : undefined,
      onProgress: (file, p, packets) => progress.update(file, p, packets),
    });
  } catch (err) {
    process.stderr.write(`bulwark analyze: ${(err as Error).message}\n`);
    return ExitCode.NO_INPUT;
  } finally {
    stop?.dispose();
  }
  progress.clear();
  if (alerts.size > 0) {
    await deliverAnalysis(alerts, result, args.sensor);
    result.stats = { ...result.stats, alerts: alerts.counters() };
  }
  // Flow records are analysed to the end before findings are known: each is written once, as raised.
  if (outputs.active) for (const f of result.findings) outputs.finding(f, 'raised');
  outputs.close(result);
  const { summary } = result;
  const fx = summary.flow_export;
  const line = `flow export: ${fx.datagrams} datagrams, ${fx.records} records → ${summary.flows.total} flows (${fx.stitch.stitched} stitched, ${fx.stitch.biflows} bidirectional, ${fx.stitch.one_way} one-way); ` +
    `lost ${fx.collector.lost_datagrams} datagrams / ${fx.collector.lost_records} records by sequence; ${fx.collector.sessions} exporter sessions` +
    (fx.skipped_detectors.length > 0 && args.detect ? `; needs packets, not run: ${fx.skipped_detectors.join(', ')}` : '');
  if (args.json) {
    if (!args.quiet) process.stderr.write(humanReport(result) + '\n' + line + '\n');
  } else {
    writeAll(1, args.quiet ? quietLine(summary) : humanReport(result) + '\n' + line + '\n');
  }
  for (const f of summary.files) if (f.error) process.stderr.write(`bulwark: ${f.error.message}\n`);
  return exitCodeOf(summary);
}
