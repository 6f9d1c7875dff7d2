/**
 * `bulwark analyze <capture>...`: run the pipeline, print a summary, optionally write flows and events.
 * @module
 */
import { existsSync, readFileSync } from 'node:fs';
import { ensureDir } from './dirs.ts';
import { parseArgs } from 'node:util';
import type { RunSummary } from '../pipeline/stats.ts';
import { Site } from '../pipeline/site.ts';
import { liveSource, type InputSource } from '../pipeline/source.ts';
import { captureHelp, captureOptionSpecs, parseCaptureArgs, parseLocalNets, ringDirOf, type CaptureArgs } from './capture-options.ts';
import { LiveRing } from '../findings/evidence/live-ring.ts';
import { loadOverrides, type Overrides } from '../inventory/overrides.ts';
import { AnalysisSession, type AnalysisResult } from '../engine/session.ts';
import type { Finding, FindingChange, SuppressionRule } from '../detect/types.ts';
import { deviceTable } from '../output/devices-text.ts';
import { findingsTable } from '../output/findings-text.ts';
import { writeAll } from '../output/jsonl.ts';
import { RunOutputs, jsonFormats, type JsonFormat } from '../output/run-outputs.ts';
import { casesText } from '../output/cases-text.ts';
import { loadIndicatorFiles } from '../detect/indicators/load.ts';
import { detectors as allDetectors } from '../detect/registry.ts';
import { alertHelp, configAlertSpecs, defaultSensorName, finishAlerts, openAlerts } from './alerts.ts';
import { deviceNames } from '../output/alerts/states.ts';
import { ConfigError, loadConfig, type BulwarkConfig } from './config/load.ts';
import { resolveInputs } from './inputs.ts';
import { explainArgError } from './suggest.ts';
import { parseMetricsAddress, type MetricsServer } from './metrics-server.ts';
import { deviceName } from '../assess/assess.ts';
import { summaryText } from '../output/summary-text.ts';
import { ProgressBar } from './progress.ts';
import { ExitCode } from './exit-codes.ts';
import { defaultOverridesPath } from './overrides-path.ts';
// The NATS client and ajv (about 120 modules) load only when a run publishes.
import type { SensorLink } from './nats-link.ts';
import { parsePublishArgs, type PublishArgs } from './publish-options.ts';

export const analyzeHelp = `Usage: bulwark analyze [options] <capture|folder>...
       bulwark analyze --interface IFACE [--filter BPF] [options]
       bulwark analyze --netflow ADDR[:PORT] [options]

Reads pcap or pcapng files (gzip-compressed or not; '-' for standard input; a folder means every capture
under it, analysed together in one run), captures live from an interface (through dumpcap), or collects
NetFlow/IPFIX from routers; decodes, tracks flows, recognises application protocols, inventories devices,
runs the detectors and prints a summary, the cases, the device table and the findings. A live capture runs
until Ctrl-C (SIGINT) or SIGTERM; then every stage flushes and every output is written. SIGHUP reopens the
output files (logrotate).

Options:
  --config FILE        configuration file (YAML; see 'bulwark config --help'); options given here override it
${captureHelp}  --netflow ADDR[:PORT]  collect NetFlow v5/v9 and IPFIX from routers on this UDP address (default port
                       2055) instead of reading captures; runs until SIGINT/SIGTERM, then writes the outputs
  --flows-from-capture the captures hold flow-export datagrams (NetFlow/IPFIX over UDP), not traffic
  --json               write flows, events, finding changes and cases as JSON lines to standard output
  --out DIR            write DIR/flows.jsonl, DIR/events.jsonl, DIR/findings.jsonl (raised/updated/closed),
                       DIR/device-changes.jsonl as they happen; DIR/findings.json, DIR/cases.jsonl,
                       DIR/devices.json, DIR/assessments.json and DIR/summary.json at the end
  --format F           JSON lines as 'bulwark' (default), 'eve' (Suricata EVE: alerts and flows) or 'ecs'
                       (Elastic Common Schema: alerts and flows); with --out also DIR/eve.json or DIR/ecs.ndjson
  --sensor NAME        name of this sensor (default: the host name); part of every flow uid and alert
  --local-nets LIST    this site's networks, comma-separated CIDRs (default: private, CGNAT, link-local)
  --suppress FILE      suppression rules, a JSON array of {detector, device, peer, reason}: matching reports
                       are counted, not raised
  --close-after S      close a finding after S seconds without a report (default 3600)
  --overrides FILE     device names/types/vendors set by the user (default ~/.config/bulwark/overrides.json
                       when it exists; see 'bulwark devices --help')
  --no-detect          skip the detectors and the assessment (flows, events and devices only)
  --indicators FILE    indicator list for the c2.indicator detector (repeatable): plain text (one IP, domain
                       or JA4 a line), CSV, STIX 2.1 or MISP events/feeds (JSON); unusable values are listed
  --events LIST        only these event types (comma-separated, prefix match: "dns,tls.client_hello")
  --threads N          threads to use (default: two when the machine has a core idle as the run starts, else
                       one): with 2 or more, the pipeline (reading, decoding, flows, protocols) runs in a
                       worker thread beside the inventory, detectors and assessment; results are identical.
                       Inputs under 16 MiB, standard input and live interfaces stay on one thread.
  --max-flows N        live-flow limit (default 262144); when full, the least recently active flow is evicted
  --metrics [HOST:]PORT  serve Prometheus metrics of this run at http://HOST:PORT/metrics (default host
                       127.0.0.1), with /healthz and /readyz, while it runs
  --publish nats://HOST:4222  send this run's devices, findings, flow counts and health to a central
                       'bulwark serve --consume' through NATS JetStream (credentials and TLS: the
                       configuration file's nats section); while the server is away, batches wait in a
                       bounded on-disk spool and go out in order when it is back
  --site NAME          with --publish: this sensor's site (default: site.name of the configuration, else
                       'local'); ids are namespaced by site, so two sites' private addresses never collide
  --spool DIR          with --publish: spool folder (default ~/.local/state/bulwark/spool/SITE-SENSOR)
  --spool-max-mb N     with --publish: spool bound in MiB (default 256); batches past it are counted as
                       spool overflow (summary.json, status messages), never silently dropped
  --publish-wait S     with --publish: seconds to wait at the end for the spool to drain (default 30);
                       what is left goes out with the next run
  --show-secrets       print secrets (passwords, tokens, API keys, SNMP communities) instead of redacting them
  --quiet              no progress bar and no summary on standard error
${alertHelp}  -h, --help           this help
`;

export interface AnalyzeArgs {
  files: string[];
  /** Live capture options (--interface ...). */
  live?: CaptureArgs;
  netflow?: string;
  flowsFromCapture: boolean;
  sensor: string;
  localNets?: string[];
  suppress?: SuppressionRule[];
  closeAfterS?: number;
  json: boolean;
  out?: string;
  events?: string[];
  maxFlows?: number;
  showSecrets: boolean;
  quiet: boolean;
  overrides?: string;
  detect: boolean;
  alerts: string[];
  format: JsonFormat;
  config: BulwarkConfig;
  indicators: string[];
  metrics?: { host: string; port: number };
  publish?: PublishArgs;
  threads: number | 'auto';
}

const analyzeOptions = {
  config: { type: 'string' },
  json: { type: 'boolean', default: false },
  out: { type: 'string' },
  events: { type: 'string' },
  'max-flows': { type: 'string' },
  threads: { type: 'string' },
  'show-secrets': { type: 'boolean', default: false },
  quiet: { type: 'boolean', default: false },
  overrides: { type: 'string' },
  'no-detect': { type: 'boolean', default: false },
  indicators: { type: 'string', multiple: true },
  ...captureOptionSpecs,
  sensor: { type: 'string' },
  'local-nets': { type: 'string' },
  suppress: { type: 'string' },
  'close-after': { type: 'string' },
  alert: { type: 'string', multiple: true },
  format: { type: 'string', default: 'bulwark' },
  netflow: { type: 'string' },
  'flows-from-capture': { type: 'boolean', default: false },
  metrics: { type: 'string' },
  publish: { type: 'string' },
  site: { type: 'string' },
  spool: { type: 'string' },
  'spool-max-mb': { type: 'string' },
  'publish-wait': { type: 'string' },
  help: { type: 'boolean', short: 'h', default: false },
} as const;

function parse(argv: string[]): AnalyzeArgs | string {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, allowPositionals: true, options: analyzeOptions });
  } catch (err) {
    return explainArgError((err as Error).message, Object.keys(analyzeOptions));
  }
  const v = parsed.values;
  if (v.help) return '';
  const sources = [parsed.positionals.length > 0, (v.interface ?? []).length > 0, v.netflow !== undefined].filter(Boolean).length;
  if (sources === 0) return 'no capture file given (or --interface IFACE for a live capture, --netflow ADDR for flow records)';
  if (sources > 1) return 'give capture files, --interface or --netflow: one kind of input per run';
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
  const localNets = parseLocalNets(v['local-nets'], config.site?.local_networks);
  if (typeof localNets === 'string') return localNets;
  let suppress: SuppressionRule[] | undefined = config.suppress?.map(({ detector, device, peer, reason }) => ({ detector, device, peer, reason }));
  if (v.suppress !== undefined) {
    try {
      suppress = [...(suppress ?? []), ...parseSuppressions(JSON.parse(readFileSync(v.suppress, 'utf8')))];
    } catch (err) {
      return `--suppress ${v.suppress}: ${(err as Error).message}`;
    }
  }
  let metrics: AnalyzeArgs['metrics'];
  if (v.metrics !== undefined) {
    const where = parseMetricsAddress(v.metrics);
    if (typeof where === 'string') return `--metrics: ${where}`;
    metrics = where;
  }
  let closeAfterS: number | undefined;
  if (v['close-after'] !== undefined) {
    closeAfterS = Number(v['close-after']);
    if (!Number.isFinite(closeAfterS) || closeAfterS <= 0) return `--close-after must be a positive number of seconds, got '${v['close-after']}'`;
  }
  let maxFlows: number | undefined = config.capture?.max_flows;
  if (v['max-flows'] !== undefined) {
    maxFlows = Number(v['max-flows']);
    if (!Number.isInteger(maxFlows) || maxFlows < 1) return `--max-flows must be a positive integer, got '${v['max-flows']}'`;
  }
  const sensor = v.sensor ?? config.site?.sensor ?? defaultSensorName();
  if (v.site !== undefined && v.publish === undefined) return '--site applies with --publish';
  const publish = parsePublishArgs(v, config.nats, config.site?.name, sensor);
  if (typeof publish === 'string') return publish;
  if (publish && (v.netflow !== undefined || v['flows-from-capture'])) return '--publish sends packet analysis; it does not apply to flow exports (--netflow, --flows-from-capture)';
  const onlyConfigured = parsed.positionals.length === 0 && v.netflow === undefined;
  const live = parseCaptureArgs(v, v.out !== undefined ? ringDirOf(v.out) : undefined, onlyConfigured ? config.capture : {});
  if (typeof live === 'string') return live;
  // By default two threads when a core is idle as the run starts: on a busy machine a second thread brings no more
  // CPU (Linux shares it between processes), and its extra work would show in full (see the README, "Threads,
  // start-up and folders of captures").
  let threads: number | 'auto' = 'auto';
  if (v.threads !== undefined) {
    threads = Number(v.threads);
    if (!Number.isInteger(threads) || threads < 1) return `--threads must be a positive integer, got '${v.threads}'`;
  }
  return {
    threads,
    publish,
    files: parsed.positionals,
    live,
    netflow: v.netflow,
    flowsFromCapture: v['flows-from-capture'] ?? false,
    sensor,
    localNets,
    suppress,
    closeAfterS,
    json: v.json ?? false,
    out: v.out,
    events: v.events?.split(',').map((t) => t.trim()).filter(Boolean),
    maxFlows,
    showSecrets: v['show-secrets'] ?? false,
    quiet: v.quiet ?? false,
    overrides: v.overrides,
    detect: !(v['no-detect'] ?? false),
    alerts: [...configAlertSpecs(config), ...(v.alert ?? [])],
    format,
    config,
    indicators: v.indicators ?? [],
    metrics,
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
  // prom-client (80 modules) only for --metrics.
  const metrics = args.metrics ? new (await import('../output/metrics.ts')).Metrics() : undefined;
  const alerts = openAlerts(args.alerts, args.sensor, metrics, args.config);
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
  const live = args.live !== undefined;
  // Missing inputs are named at once; with nothing left to read there is no summary of zeros to print.
  let missingInputs = 0;
  if (!live && args.netflow === undefined) {
    const inputs = resolveInputs(args.files);
    for (const e of inputs.errors) process.stderr.write(`bulwark: ${e}\n`);
    if (inputs.files.length === 0) return ExitCode.NO_INPUT;
    args.files = inputs.files;
    missingInputs = inputs.errors.length;
  }
  // Checked here for a clear message (an unwritable path, a file in the way, /proc): see dirs.ts.
  if (args.out) ensureDir(args.out);
  const outputs = new RunOutputs({ dir: args.out, stdout: args.json, events: args.events, showSecrets: args.showSecrets, format: args.format, sensor: args.sensor });
  const progress = new ProgressBar(!args.quiet && !live);
  if (args.netflow !== undefined || args.flowsFromCapture) return (await import('./analyze-flows.ts')).analyzeFlowsCommand(args, overrides, outputs, progress, alerts);
  // Live without --json/--out: each finding change is printed as it happens (the tables come at the end).
  const printChanges = live && !outputs.active && !args.quiet;
  let metricsServer: MetricsServer | undefined;
  if (metrics && args.metrics) {
    try {
      const { startMetricsServer } = await import('./metrics-server.ts');
      metricsServer = await startMetricsServer(args.metrics.host, args.metrics.port, metrics);
    } catch (err) {
      process.stderr.write(`bulwark analyze: --metrics: cannot listen on ${args.metrics.host}:${args.metrics.port}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}\n`);
      return ExitCode.USAGE;
    }
    if (!args.quiet) process.stderr.write(`bulwark: metrics at ${metricsServer.url}\n`);
  }
  let link: SensorLink | undefined;
  if (args.publish) {
    const { SensorLink, defaultNatsName, natsSettings, streamSettings } = await import('./nats-link.ts');
    const who = `${args.publish.site}/${args.sensor}`;
    const settings = natsSettings(args.publish.url, args.config.nats, defaultNatsName('sensor', who));
    if (typeof settings === 'string') {
      process.stderr.write(`bulwark analyze: --publish: ${settings}\n`);
      return ExitCode.USAGE;
    }
    try {
      link = new SensorLink(args.publish, settings, streamSettings(args.config.nats), args.sensor, SensorLink.segmentId(args.files, args.live?.interfaces.join("+")), live, (line) => {
        if (!args.quiet) process.stderr.write(`bulwark: ${line}\n`);
      });
    } catch (err) {
      process.stderr.write(`bulwark analyze: --publish: ${(err as Error).message}\n`);
      return ExitCode.USAGE;
    }
    link.start();
  }
  const linked = link?.hooks();
  const ring = args.live?.ring ? new LiveRing(args.live.ring) : undefined;
  let session: AnalysisSession | undefined = undefined;
  session = new AnalysisSession({
    site: new Site({ sensor: args.sensor, localNetworks: args.localNets }),
    pipeline: { flow: args.maxFlows ? { maxFlows: args.maxFlows } : {} },
    threads: args.threads,
    overrides,
    detectors: args.detect ? enabledDetectors(args.config) : [],
    detection: {
      options: { ...detectorOptions(args.config, args.showSecrets), ...indicatorOptions(args.indicators, args.quiet) },
      ...(args.suppress ? { suppress: args.suppress } : {}),
      ...(args.closeAfterS ? { closeAfterS: args.closeAfterS } : {}),
      // A sensor publishes every closed finding as it closes; it keeps only the latest for its final tables.
      ...(live || args.files.includes('-') ? { maxClosedFindings: liveClosedFindings } : {}),
    },
    assess: args.detect,
    // Capture hashes and record offsets matter only where findings are written out (or sent to the central store).
    resolveEvidence: args.out !== undefined || args.json || (args.publish !== undefined && !live),
    onEvent: outputs.active ? outputs.event : undefined,
    onFlow: outputs.active || linked ? (flow) => {
      if (outputs.active) outputs.flow(flow);
      linked?.onFlow?.(flow);
    } : undefined,
    // Only when something takes the changes: otherwise the engine renders no snapshot per change (a Mirai
    // capture updates thousands of findings, each a title, an explanation and copied arrays for nobody).
    onFindingChange: linked?.onFindingChange || ring || outputs.active || printChanges || alerts.size > 0 ? (f, change) => {
      linked?.onFindingChange?.(f, change);
      ring?.onFindingChange(f, change);
      if (outputs.active) outputs.finding(f, change);
      if (printChanges) writeAll(1, changeLine(f, change));
      if (alerts.size > 0) alerts.publish({ kind: change, finding: f, sensor: args.sensor, deviceNames: deviceNames(session!.inventory.devices()) });
    } : undefined,
    onDeviceChange: args.out || linked ? (changes) => {
      linked?.onDeviceChange?.(changes);
      if (args.out) outputs.devices(changes, () => session!.inventory.devices());
    } : undefined,
    onDeviceRemoved: linked?.onDeviceRemoved,
    onPublish: () => {
      link?.published(session!.pipeline.summary());
      ring?.flush();
      outputs.published();
      if (metrics) metrics.observeTotals(session!.pipeline.summary());
    },
    onProgress: (file, p, packets) => progress.update(file, p, packets),
  });
  const onStarted = (): void => {
    if (!args.quiet) process.stderr.write(`bulwark: capturing on ${args.live!.interfaces.join(', ')} (dumpcap); Ctrl-C stops, flushes and writes every output\n`);
  };
  const liveInput = live ? liveSource({ ...args.live!.capture, interface: args.live!.interfaces, onStarted }) : undefined;
  const sources: (string | InputSource)[] = liveInput ? [ring ? ring.record(liveInput) : liveInput] : args.files;
  // SIGINT/SIGTERM: stop reading, flush every stage, write everything, exit 0. A second one exits at once.
  const stop = new AbortController();
  const onStop = (): void => {
    if (stop.signal.aborted) process.exit(ExitCode.INTERRUPTED);
    stop.abort();
  };
  const onHangup = (): void => outputs.reopen();
  process.on('SIGINT', onStop);
  process.on('SIGTERM', onStop);
  process.on('SIGHUP', onHangup);
  let result: AnalysisResult;
  try {
    result = await session.run(sources, { signal: stop.signal });
  } finally {
    process.off('SIGINT', onStop);
    process.off('SIGTERM', onStop);
    process.off('SIGHUP', onHangup);
  }
  progress.clear();
  if (metrics) metrics.observeTotals(result.summary);
  await metricsServer?.close();
  if (alerts.size > 0) {
    await finishAlerts(alerts, result);
    result.stats = { ...result.stats, alerts: alerts.counters() };
  }
  if (link && args.publish) {
    const { left, stats } = await link.finish(result, args.publish.waitS);
    result.stats = { ...result.stats, publish: { ...stats, spool_dir: args.publish.spoolDir } };
    const overflow = stats.spool.overflow > 0 ? `; ${stats.spool.overflow} batches did not fit in the spool (--spool-max-mb) and were lost` : '';
    if (left > 0 || overflow) process.stderr.write(`bulwark: publish: ${stats.published} messages acknowledged, ${left} left in ${args.publish.spoolDir} (they go out with the next run)${overflow}\n`);
    else if (!args.quiet) process.stderr.write(`bulwark: publish: ${stats.published} messages acknowledged by ${args.publish.url} (site ${args.publish.site}, sensor ${args.sensor})\n`);
  }
  outputs.close(result);
  const { summary } = result;
  ring?.close();
  if (ring && !args.quiet) process.stderr.write(`bulwark: packet ring ${ring.ring.dir}: ${ring.stats.packets} packets recorded, ${ring.ring.files().length} segment files kept\n`);
  const failure = liveInput?.failure;
  if (failure) {
    process.stderr.write(`bulwark analyze: ${failure.message}\n`);
    return ExitCode.NO_INPUT;
  }
  const nothingRead = exitCodeOf(summary) === ExitCode.NO_INPUT;
  if (nothingRead) {
    // No packet from any input: the errors say it all; a table of zeros would only hide them.
  } else if (args.json) {
    if (!args.quiet) process.stderr.write(humanReport(result) + '\n');
  } else {
    writeAll(1, args.quiet ? quietLine(summary) : humanReport(result) + '\n');
  }
  for (const f of summary.files) if (f.error) process.stderr.write(`bulwark: ${f.error.message}\n`);
  for (const f of summary.files) {
    const c = f.capture;
    if (c && ((c.dropped_kernel ?? 0) > 0 || (c.dropped_interface ?? 0) > 0)) {
      process.stderr.write(`bulwark: ${f.file}: the capture dropped ${c.dropped_kernel ?? 0} packets in the kernel and ${c.dropped_interface ?? 0} at the interface (of ${c.received ?? '?'} received)\n`);
    }
  }
  const code = exitCodeOf(summary);
  return code === ExitCode.OK && missingInputs > 0 ? ExitCode.PARTIAL : code;
}

/** Closed findings a live run keeps in memory for its end-of-run tables (all were published as they closed). */
export const liveClosedFindings = 1000;

/** One line per finding change, for a live run printed on a terminal. */
function changeLine(f: Finding, change: FindingChange): string {
  const at = new Date((change === 'closed' ? (f.closed_ts ?? f.last_ts) : change === 'raised' ? f.first_ts : f.last_ts) * 1000).toISOString();
  const who = f.devices.map((d) => `${d.role} ${d.ip}`).join(', ');
  return `${at}  ${change.padEnd(7)} ${f.severity.padEnd(8)} ${f.detector}  ${f.title} (count ${f.count}${who ? `; ${who}` : ''})\n`;
}

/** Validate suppression rules read from JSON. */
function parseSuppressions(raw: unknown): SuppressionRule[] {
  if (!Array.isArray(raw)) throw new Error('expected a JSON array of rules');
  return raw.map((r: unknown, i) => {
    if (typeof r !== 'object' || r === null) throw new Error(`rule ${i + 1} is not an object`);
    const out: SuppressionRule = {};
    for (const [k, v] of Object.entries(r)) {
      if (!['detector', 'device', 'peer', 'reason'].includes(k)) throw new Error(`rule ${i + 1}: unknown field '${k}'`);
      if (typeof v !== 'string') throw new Error(`rule ${i + 1}: '${k}' must be a string`);
      out[k as keyof SuppressionRule] = v;
    }
    if (!out.detector && !out.device && !out.peer) throw new Error(`rule ${i + 1} needs a detector, device or peer`);
    return out;
  });
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
export function indicatorOptions(paths: string[], quiet: boolean): Record<string, Record<string, unknown>> {
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

export function humanReport(r: Pick<AnalysisResult, 'summary' | 'stats' | 'cases' | 'devices' | 'findings'>): string {
  const parts = [summaryText(r.summary)];
  const limits = limitsLine(r);
  if (limits) parts.push(limits);
  if (r.cases.length > 0) parts.push('', `Cases (${r.cases.length})`, casesText(r.cases));
  if (r.devices.length > 0) parts.push('', `Devices (${r.devices.length})`, deviceTable(r.devices));
  if (r.findings.length > 0) parts.push('', `Findings (${r.findings.length})`, findingsTable(r.findings, new Map(r.devices.map((d) => [d.id, deviceName(d).name]))));
  return parts.join('\n');
}

/** Later-stage limits that were hit (never silent): devices, evidence, findings. */
function limitsLine(r: Pick<AnalysisResult, 'stats'>): string | undefined {
  const inv = r.stats.inventory;
  const det = r.stats.detection;
  const hit: string[] = [];
  if (inv.dropped_devices) hit.push(`${inv.dropped_devices} devices over the device limit`);
  if (inv.evidence_dropped) hit.push(`${inv.evidence_dropped} evidence items over the per-device limit`);
  if (det?.dropped_findings) hit.push(`${det.dropped_findings} findings over the finding limit`);
  if (det?.evidence_dropped) hit.push(`${det.evidence_dropped} evidence packets over the per-finding limit`);
  const facts = r.stats.assessment;
  if (facts?.dropped_hosts) hit.push(`${facts.dropped_hosts} host facts over the assessment's host limit`);
  if (facts?.dropped_flow_times) hit.push(`${facts.dropped_flow_times} flow times over the timeline limit`);
  const errors = (inv.event_errors ?? 0) + Object.values(det?.detector_errors ?? {}).reduce((a, b) => a + b, 0);
  if (errors) hit.push(`${errors} inventory/detector errors contained`);
  return hit.length ? `limits    ${hit.join(', ')}` : undefined;
}

/** With --quiet and no JSON: one machine-readable line (used by the benchmark). */
export function quietLine(s: RunSummary): string {
  return `packets=${s.packets} flows=${s.flows.total} events=${Object.values(s.events).reduce((a, b) => a + b, 0)} wall_s=${s.wall_s.toFixed(3)} pps=${Math.round(s.packets_per_s)} bytes_per_flow=${s.flows.bytes_per_flow}\n`;
}

export function exitCodeOf(s: RunSummary): number {
  if (s.files.length > 0 && s.files.every((f) => f.error && f.packets === 0)) return ExitCode.NO_INPUT;
  return s.partial ? ExitCode.PARTIAL : ExitCode.OK;
}
