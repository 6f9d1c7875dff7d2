/**
 * `bulwark serve`: the HTTP API and dashboard over the embedded store, optional folder watch and ingest of
 * files given on the command line. Loopback only unless an access token is set.
 * @module
 */
import { existsSync, statSync } from 'node:fs';
import { ensureDir } from './dirs.ts';
import type { Server } from 'node:http';
import { dirname, join, resolve, sep } from 'node:path';
import { parseArgs } from 'node:util';
import { serve } from '@hono/node-server';
import { createApp } from '../api/app.ts';
import { DEFAULT_INGEST_HEAP_MB, DEFAULT_MAX_DECOMPRESSED_MB, IngestQueue } from '../api/ingest.ts';
import { MudService } from '../api/mud-service.ts';
import { isLoopbackHost } from '../api/security.ts';
import { removeStaleUploads } from '../api/upload.ts';
import { CaptureWatcher } from '../api/watch.ts';
import { describeStore, openStore, type StoreSpec } from '../store/open.ts';
import type { Store } from '../store/types.ts';
import { storeSpecFrom } from './store-location.ts';
import { ExitCode } from './exit-codes.ts';
import { Metrics } from '../output/metrics.ts';
import { removeUploadedFiles } from '../api/routes-retention.ts';
import { alertHelp, alertsFromIngest, configAlertSpecs, defaultSensorName, openAlerts } from './alerts.ts';
import { ConfigError, loadConfig, type BulwarkConfig } from './config/load.ts';
import { DatagramSpool } from '../flowrec/spool.ts';
import { listenUdp, parseListenAddress } from '../flowrec/udp-source.ts';
import { startConsumer } from './nats-link.ts';
import { parseServers } from '../fleet/connect.ts';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { LiveSensor } from '../api/live-sensor.ts';
import { captureHelp, captureOptionSpecs, parseCaptureArgs, parseLocalNets, type CaptureArgs } from './capture-options.ts';
import { toolVersion } from '../findings/evidence/package.ts';
import { detectorOptions } from './analyze.ts';

export const serveHelp = `Usage: bulwark serve [options]

Serves the Bulwark API and dashboard over a store of analysed captures.

Options:
  --config FILE        configuration file (YAML; see 'bulwark config --help'); options given here override it
  --host ADDR          address to listen on (default 127.0.0.1); any non-loopback address needs --token
  --port N             port (default 8080; 0 picks a free one)
  --store WHERE        the store: a file or sqlite:FILE (SQLite, default ./bulwark.db), or
                       postgres://[USER@]HOST[:PORT]/DB (PostgreSQL: several servers and sensors share it;
                       password and TLS from the configuration file's store.postgres)
  --db FILE            SQLite store (the same as --store FILE)
  --token T            access token for every API call (or env BULWARK_TOKEN), at least 16 characters
  --taxii-token T      token TAXII clients send (Bearer, or Basic password) at /taxii2/; default --token;
                       TAXII answers 401 to everyone when neither is set
  --watch DIR          ingest captures dropped into DIR
  --ingest FILE        ingest FILE before announcing the URL (repeatable; files already ingested are skipped)
  --upload-dir DIR     where uploaded captures are kept (default: bulwark-uploads beside the store)
  --max-upload-mb N    upload size limit in MiB (default 1024)
  --ingest-heap-mb N   heap limit of the ingest worker in MiB (default 512); a capture that needs more fails
  --max-decompressed-mb N  size a gzip capture may expand to, MiB (default 4096; also at most 200 times its
                       compressed size past 64 MiB); the rest of a decompression bomb is not read
  --profiles DIR       MUD device profiles: learned on every ingest, reviewed in the dashboard, locked ones
                       watched (default: bulwark-mud beside the store; see 'bulwark mud --help')
  --no-profiles        no MUD profiles
${alertHelp}  --sensor NAME        this sensor's name in alerts (default: the host name)
  --netflow ADDR[:PORT]  collect NetFlow v5/v9 and IPFIX from routers on this UDP address (default port
                       2055); every --netflow-interval seconds the datagrams are analysed into the store
  --netflow-interval S seconds per flow-export batch (default 60)
  --netflow-spool DIR  where the received datagrams are kept as pcap files (default: bulwark-netflow beside
                       the store)
  --consume nats://HOST:4222  apply what sensors publish ('bulwark analyze --publish') from NATS JetStream
                       to the store (a durable consumer; several serve processes share the work);
                       credentials, TLS, stream and consumer names: the configuration file's nats section

Live capture: analyse an interface continuously into the store; devices, findings (raised, updated, closed)
and the overview update about once a second, and the dashboard follows them live. The packet ring (default
bulwark-ring beside the store) keeps the packets of open findings for 'bulwark evidence --ring'.
${captureHelp}  --local-nets LIST    this site's networks, comma-separated CIDRs (default: private, CGNAT, link-local)
  --live-heap-mb N     heap limit of the live analysis worker in MiB (default 512)
  -h, --help           this help

Operations: GET /metrics (Prometheus text format; needs the token when one is set), /healthz, /readyz.
`;

export interface ServeArgs {
  host: string;
  port: number;
  /** The SQLite file, or for PostgreSQL the folder the local files default to (uploads, profiles). */
  db: string;
  store: StoreSpec;
  token?: string;
  taxiiToken?: string;
  watch?: string;
  ingest: string[];
  uploadDir: string;
  maxUploadBytes: number;
  alerts: string[];
  sensor: string;
  config: BulwarkConfig;
  /** MUD profiles folder (learned on ingest, reviewed in the dashboard); undefined with --no-profiles. */
  profiles?: string;
  ingestHeapMb: number;
  maxDecompressedBytes: number;
  netflow?: { address: string; port: number; intervalS: number; spoolDir: string };
  /** NATS server(s) to consume sensor batches from. */
  consume?: string;
  /** Live capture (--interface ...). */
  live?: CaptureArgs;
  localNets?: string[];
  liveHeapMb: number;
}

const MIN_TOKEN = 16;
/** Simultaneous connections; more are refused (each costs a file descriptor; the usual limit is 1,024). */
export const MAX_CONNECTIONS = 512;

/** Parses and checks the command line; a string is the usage error to print. */
export function parseServeArgs(argv: string[], env: NodeJS.ProcessEnv = process.env): ServeArgs | string | 'help' {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      options: {
        config: { type: 'string' },
        host: { type: 'string' },
        port: { type: 'string' },
        db: { type: 'string' },
        store: { type: 'string' },
        token: { type: 'string' },
        'taxii-token': { type: 'string' },
        watch: { type: 'string' },
        ingest: { type: 'string', multiple: true, default: [] },
        'upload-dir': { type: 'string' },
        'max-upload-mb': { type: 'string' },
        alert: { type: 'string', multiple: true, default: [] },
        sensor: { type: 'string' },
        profiles: { type: 'string' },
        'no-profiles': { type: 'boolean', default: false },
        'ingest-heap-mb': { type: 'string', default: String(DEFAULT_INGEST_HEAP_MB) },
        'max-decompressed-mb': { type: 'string', default: String(DEFAULT_MAX_DECOMPRESSED_MB) },
        netflow: { type: 'string' },
        'netflow-interval': { type: 'string', default: '60' },
        'netflow-spool': { type: 'string' },
        consume: { type: 'string' },
        ...captureOptionSpecs,
        'local-nets': { type: 'string' },
        'live-heap-mb': { type: 'string', default: '512' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (err) {
    return (err as Error).message;
  }
  const v = parsed.values;
  if (v.help) return 'help';
  let config: BulwarkConfig = {};
  if (v.config !== undefined) {
    try {
      config = loadConfig(v.config);
    } catch (err) {
      if (err instanceof ConfigError) return err.message;
      throw err;
    }
  }
  const srv = config.server ?? {};
  const portText = v.port ?? String(srv.port ?? 8080);
  const port = Number(portText);
  if (!/^\d+$/.test(portText) || port > 65535) return `--port must be 0..65535, got '${portText}'`;
  const mbText = v['max-upload-mb'] ?? String(srv.max_upload_mb ?? 1024);
  const mb = Number(mbText);
  if (!/^\d+$/.test(mbText) || mb < 1) return `--max-upload-mb must be a positive integer, got '${mbText}'`;
  const tokenEnv = srv.token_env ?? 'BULWARK_TOKEN';
  const token = v.token ?? (env[tokenEnv] || env.BULWARK_TOKEN || undefined);
  const heap = Number(v['ingest-heap-mb']);
  if (!/^\d+$/.test(v['ingest-heap-mb']) || heap < 64) return `--ingest-heap-mb must be an integer of at least 64, got '${v['ingest-heap-mb']}'`;
  const inflated = Number(v['max-decompressed-mb']);
  if (!/^\d+$/.test(v['max-decompressed-mb']) || inflated < 1) return `--max-decompressed-mb must be a positive integer, got '${v['max-decompressed-mb']}'`;
  if (token !== undefined && token.length < MIN_TOKEN) return `the access token must be at least ${MIN_TOKEN} characters`;
  if (v['taxii-token'] !== undefined && v['taxii-token'].length < MIN_TOKEN) return `the TAXII token must be at least ${MIN_TOKEN} characters`;
  const host = v.host ?? srv.host ?? '127.0.0.1';
  if (!isLoopbackHost(host.replace(/^\[|\]$/g, '')) && token === undefined) {
    return `refusing to listen on '${host}' without an access token: anyone who can reach it could read your network's data.\n` +
      `Set one with --token <at least ${MIN_TOKEN} characters> or the BULWARK_TOKEN environment variable, or listen on 127.0.0.1.`;
  }
  const store = storeSpecFrom({ store: v.store, db: v.db }, config, env);
  if (typeof store === 'string') return `--store: ${store}`;
  const dbPath = store.kind === 'sqlite' ? store.path : join('.', 'bulwark-postgres');
  if (store.kind === 'sqlite' && existsSync(dbPath) && statSync(dbPath).isDirectory()) return `--db: '${dbPath}' is a folder; name a database file (e.g. ${join(dbPath, 'bulwark.db')})`;
  if (v.watch !== undefined && !(existsSync(v.watch) && statSync(v.watch).isDirectory())) return `--watch: '${v.watch}' is not a directory`;
  for (const f of v.ingest) if (!existsSync(f)) return `--ingest: no such file '${f}'`;
  const db = resolve(dbPath);
  if (store.kind === 'sqlite') store.path = db;
  let netflow: ServeArgs['netflow'];
  if (v.netflow !== undefined) {
    const where = parseListenAddress(v.netflow);
    if (typeof where === 'string') return `--netflow: ${where}`;
    const intervalS = Number(v['netflow-interval']);
    if (!Number.isFinite(intervalS) || intervalS < 1) return `--netflow-interval must be at least 1 second, got '${v['netflow-interval']}'`;
    netflow = { ...where, intervalS, spoolDir: resolve(v['netflow-spool'] ?? join(dirname(db), 'bulwark-netflow')) };
  }
  if (v.consume !== undefined) {
    const servers = parseServers(v.consume);
    if (typeof servers === 'string') return `--consume: ${servers}`;
  }
  const live = parseCaptureArgs(v, join(dirname(db), 'bulwark-ring'));
  if (typeof live === 'string') return live;
  const localNets = parseLocalNets(v['local-nets'], config.site?.local_networks);
  if (typeof localNets === 'string') return localNets;
  const liveHeap = Number(v['live-heap-mb']);
  if (!/^\d+$/.test(v['live-heap-mb']) || liveHeap < 64) return `--live-heap-mb must be an integer of at least 64, got '${v['live-heap-mb']}'`;
  return {
    live, localNets, liveHeapMb: liveHeap,
    netflow,
    consume: v.consume,
    host, port, db, store, token, taxiiToken: v['taxii-token'], watch: v.watch, ingest: v.ingest,
    uploadDir: resolve(v['upload-dir'] ?? join(dirname(db), 'bulwark-uploads')),
    maxUploadBytes: mb * 1024 * 1024,
    alerts: [...configAlertSpecs(config), ...(v.alert ?? [])],
    sensor: v.sensor ?? config.site?.sensor ?? defaultSensorName(),
    config,
    profiles: v['no-profiles'] ? undefined : resolve(v.profiles ?? join(dirname(db), 'bulwark-mud')),
    ingestHeapMb: heap,
    maxDecompressedBytes: inflated * 1024 * 1024,
  };
}

export async function serveCommand(argv: string[]): Promise<number> {
  const args = parseServeArgs(argv);
  if (args === 'help') {
    process.stdout.write(serveHelp);
    return ExitCode.OK;
  }
  if (typeof args === 'string') {
    process.stderr.write(`bulwark serve: ${args}\n`);
    return ExitCode.USAGE;
  }
  if (args.store.kind === 'sqlite') ensureDir(dirname(args.db));
  ensureDir(args.uploadDir);
  const stale = removeStaleUploads(args.uploadDir);
  if (stale > 0) process.stderr.write(`bulwark serve: removed ${stale} partial upload${stale === 1 ? '' : 's'} left by an earlier run\n`);
  let store: Store;
  try {
    store = await openStore(args.store);
  } catch (err) {
    process.stderr.write(`bulwark serve: cannot open the store ${describeStore(args.store)}: ${(err as Error).message}\n`);
    return args.store.kind === 'postgres' ? ExitCode.NO_INPUT : ExitCode.USAGE;
  }
  const spoolDir = args.netflow?.spoolDir;
  const queue = new IngestQueue(store, {
    heapMb: args.ingestHeapMb, maxDecompressedBytes: args.maxDecompressedBytes, mud: args.profiles ? new MudService(args.profiles) : undefined,
    isFlowExport: (c) => spoolDir !== undefined && c.path.startsWith(spoolDir + sep),
  });
  const metrics = new Metrics({ storeSnapshot: () => store.overview() });
  const alerts = openAlerts(args.alerts, args.sensor, metrics, args.config);
  if (typeof alerts === 'string') {
    process.stderr.write(`bulwark serve: ${alerts}\n`);
    await store.close();
    return ExitCode.USAGE;
  }
  if (alerts.size > 0) alertsFromIngest(alerts, queue, store, args.sensor);
  const app = createApp({ store, queue, metrics, token: args.token, taxiiToken: args.taxiiToken, maxUploadBytes: args.maxUploadBytes, uploadDir: args.uploadDir });
  await queue.recover(existsSync);

  const server = await listen(app.fetch, args.host, args.port).catch((err: NodeJS.ErrnoException) => err);
  if (server instanceof Error) {
    process.stderr.write(`bulwark serve: cannot listen on ${args.host}:${args.port}: ${server.code ?? server.message}\n`);
    await store.close();
    return ExitCode.USAGE;
  }
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : args.port;

  for (const file of args.ingest) {
    const { capture, created } = await queue.submitFile(resolve(file));
    await queue.idle();
    const now = await store.getCapture(capture.id);
    const s = now?.summary;
    process.stderr.write(`${file}: ${created ? 'ingested' : 'already in the store'} (${now?.status}${s ? `, ${s.packets} packets, ${s.flows} flows, ${s.devices} devices, ${s.findings} findings` : ''}${now?.error ? `: ${now.error}` : ''})\n`);
  }
  let watcher: CaptureWatcher | undefined;
  if (args.watch) {
    watcher = new CaptureWatcher(args.watch, queue, {
      onSubmit: (file, id, created) => process.stderr.write(`watch: ${file} → ${id}${created ? '' : ' (already in the store)'}\n`),
      onError: (file, err) => process.stderr.write(`watch: ${file}: ${err instanceof Error ? err.message : String(err)}\n`),
    });
    watcher.start();
  }

  const retention = args.config.retention?.days;
  const retentionTimer = retention ? startRetention(store, retention, args.uploadDir) : undefined;
  const collecting = args.netflow ? await startCollector(args.netflow, queue) : undefined;
  if (collecting instanceof Error) {
    process.stderr.write(`bulwark serve: --netflow: ${collecting.message}\n`);
    server.close();
    await store.close();
    return ExitCode.USAGE;
  }

  const consumer = args.consume ? startConsumer(args.consume, args.config.nats, store, (line) => process.stderr.write(`${line}\n`)) : undefined;
  if (typeof consumer === 'string') {
    process.stderr.write(`bulwark serve: --consume: ${consumer}\n`);
    collecting?.stop();
    server.close();
    await store.close();
    return ExitCode.USAGE;
  }

  let sensor: LiveSensor | undefined;
  const loopDelay = args.live ? monitorEventLoopDelay({ resolution: 10 }) : undefined;
  if (args.live) {
    const live = args.live;
    sensor = new LiveSensor(store, {
      interfaces: live.interfaces, capture: live.capture, ring: live.ring,
      site: 'local', sensor: args.sensor, localNetworks: args.localNets,
      segmentId: `${live.interfaces.join('+')} ${new Date().toISOString()}`,
      detectorOptions: { ...detectorOptions(args.config, false), ...queue.indicators?.detectorOptions() },
      version: toolVersion, heapMb: args.liveHeapMb,
      announce: (type, data) => queue.announce(type, data),
      onError: (message) => process.stderr.write(`bulwark serve: live: ${message}\n`),
    });
    const failure = await sensor.start();
    if (failure) {
      await sensor.stop();
      await consumer?.stop();
      process.stderr.write(`bulwark serve: ${failure}\n`);
      watcher?.stop();
      clearInterval(retentionTimer);
      collecting?.stop();
      server.close();
      await store.close();
      return ExitCode.NO_INPUT;
    }
    loopDelay!.enable();
  }

  const shownHost = args.host.includes(':') ? `[${args.host.replace(/^\[|\]$/g, '')}]` : args.host;
  process.stdout.write(`Bulwark is serving ${describeStore(args.store)}\n  http://${shownHost}:${port}/${args.token ? '?token=<your token>' : ''}\n`);
  if (args.watch) process.stdout.write(`  watching ${resolve(args.watch)} for captures\n`);
  if (args.consume) process.stdout.write(`  consuming sensor batches from ${args.consume} (stream ${args.config.nats?.stream ?? 'BULWARK'}, consumer ${args.config.nats?.consumer ?? 'bulwark-central'})\n`);
  if (args.live) process.stdout.write(`  capturing on ${args.live.interfaces.join(', ')} (dumpcap)${args.live.ring ? `, packet ring ${args.live.ring.dir} (${args.live.ring.sizeMiB} MiB)` : ''}; Ctrl-C stops and stores the final state\n`);
  if (collecting) process.stdout.write(`  collecting NetFlow/IPFIX on udp ${collecting.address}:${collecting.port} (batches of ${args.netflow?.intervalS} s in ${spoolDir})\n`);

  await new Promise<void>((done) => {
    const stop = async (): Promise<void> => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      if (sensor) {
        // The capture stops first: its final batch is stored while the API still answers.
        const outcome = await sensor.stop();
        loopDelay?.disable();
        const s = sensor.stats;
        const delay = loopDelay ? `; API event-loop delay p99 ${(loopDelay.percentile(99) / 1e6).toFixed(1)} ms, max ${(loopDelay.max / 1e6).toFixed(1)} ms` : '';
        process.stderr.write('failure' in outcome
          ? `bulwark serve: live: ${outcome.failure}\n`
          : `bulwark serve: live capture stopped: ${outcome.packets} packets, ${outcome.drops} dropped by the capture; ${s.batches} batches stored (slowest ${s.maxApplyMs.toFixed(1)} ms)${delay}\n`);
      }
      watcher?.stop();
      clearInterval(retentionTimer);
      collecting?.stop();
      server.closeAllConnections();
      server.close(() => done());
    };
    const onSignal = (): void => void stop();
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
  await consumer?.stop();
  await queue.idle();
  await alerts.close();
  await store.close();
  return ExitCode.OK;
}

const RETENTION_EVERY_MS = 60 * 60 * 1000;

/** Applies the configured retention now and every hour; a failure is reported and retried next time. */
function startRetention(store: Store, days: number, uploadDir: string): NodeJS.Timeout {
  const run = (): void => {
    store.purge(days).then((d) => {
      const files = removeUploadedFiles(d, uploadDir);
      if (d.captures + d.devices + d.findings > 0) process.stderr.write(`retention (${days} days): deleted ${d.captures} captures, ${d.devices} devices, ${d.findings} findings, ${files} files\n`);
    }, (err: unknown) => process.stderr.write(`retention: ${err instanceof Error ? err.message : String(err)}\n`));
  };
  run();
  const timer = setInterval(run, RETENTION_EVERY_MS);
  timer.unref();
  return timer;
}

/** The flow-export collector of `serve`: datagrams spooled into pcap batches, each batch ingested as flows. */
async function startCollector(o: NonNullable<ServeArgs['netflow']>, queue: IngestQueue): Promise<{ address: string; port: number; stop(): void } | Error> {
  const spool = new DatagramSpool({ dir: o.spoolDir, intervalS: o.intervalS, localAddress: o.address, localPort: o.port }, (path) => {
    queue.submitFile(path).catch((err: unknown) => process.stderr.write(`netflow: ${path}: ${err instanceof Error ? err.message : String(err)}\n`));
  });
  const abort = new AbortController();
  let bound: { address: string; port: number } | undefined;
  const listening = listenUdp(spool, o.address, o.port, abort.signal, (address, port) => { bound = { address, port }; });
  const failed = await Promise.race([listening.then(() => undefined, (err: unknown) => err as Error), new Promise<undefined>((r) => setTimeout(() => r(undefined), 200))]);
  if (failed instanceof Error) return failed;
  return {
    address: bound?.address ?? o.address,
    port: bound?.port ?? o.port,
    stop: () => {
      abort.abort();
      spool.rotate();
    },
  };
}

function listen(fetch: (req: Request) => Response | Promise<Response>, hostname: string, port: number): Promise<Server> {
  return new Promise((ok, fail) => {
    const server = serve({ fetch, hostname: hostname.replace(/^\[|\]$/g, ''), port }) as Server;
    // Large uploads take longer than Node's 5-minute default; slow or stalled ones are ended by the upload
    // route (upload.ts). Headers must come quickly, and the connection count is bounded so that thousands of
    // slow clients cannot exhaust the server's file descriptors.
    server.requestTimeout = 30 * 60 * 1000;
    server.headersTimeout = 20 * 1000;
    server.keepAliveTimeout = 5 * 1000;
    server.maxConnections = MAX_CONNECTIONS;
    server.once('listening', () => ok(server));
    server.once('error', fail);
  });
}
