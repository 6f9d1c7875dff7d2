/**
 * `bulwark serve`: the HTTP API and dashboard over the embedded store, optional folder watch and ingest of
 * files given on the command line. Loopback only unless an access token is set.
 * @module
 */
import { existsSync, mkdirSync, statSync } from 'node:fs';
import type { Server } from 'node:http';
import { dirname, join, resolve, sep } from 'node:path';
import { parseArgs } from 'node:util';
import { serve } from '@hono/node-server';
import { createApp } from '../api/app.ts';
import { IngestQueue } from '../api/ingest.ts';
import { isLoopbackHost } from '../api/security.ts';
import { CaptureWatcher } from '../api/watch.ts';
import { SqliteStore } from '../store/sqlite.ts';
import { ExitCode } from './exit-codes.ts';
import { DatagramSpool } from '../flowrec/spool.ts';
import { listenUdp, parseListenAddress } from '../flowrec/udp-source.ts';

export const serveHelp = `Usage: bulwark serve [options]

Serves the Bulwark API and dashboard over a store of analysed captures.

Options:
  --host ADDR          address to listen on (default 127.0.0.1); any non-loopback address needs --token
  --port N             port (default 8080; 0 picks a free one)
  --db FILE            SQLite store (default ./bulwark.db)
  --token T            access token for every API call (or env BULWARK_TOKEN), at least 16 characters
  --watch DIR          ingest captures dropped into DIR
  --ingest FILE        ingest FILE before announcing the URL (repeatable; files already ingested are skipped)
  --upload-dir DIR     where uploaded captures are kept (default: bulwark-uploads beside the store)
  --max-upload-mb N    upload size limit in MiB (default 1024)
  --netflow ADDR[:PORT]  collect NetFlow v5/v9 and IPFIX from routers on this UDP address (default port
                       2055); every --netflow-interval seconds the datagrams are analysed into the store
  --netflow-interval S seconds per flow-export batch (default 60)
  --netflow-spool DIR  where the received datagrams are kept as pcap files (default: bulwark-netflow beside
                       the store)
  -h, --help           this help
`;

export interface ServeArgs {
  host: string;
  port: number;
  db: string;
  token?: string;
  watch?: string;
  ingest: string[];
  uploadDir: string;
  maxUploadBytes: number;
  netflow?: { address: string; port: number; intervalS: number; spoolDir: string };
}

const MIN_TOKEN = 16;

/** Parses and checks the command line; a string is the usage error to print. */
export function parseServeArgs(argv: string[], env: NodeJS.ProcessEnv = process.env): ServeArgs | string | 'help' {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      options: {
        host: { type: 'string', default: '127.0.0.1' },
        port: { type: 'string', default: '8080' },
        db: { type: 'string', default: './bulwark.db' },
        token: { type: 'string' },
        watch: { type: 'string' },
        ingest: { type: 'string', multiple: true, default: [] },
        'upload-dir': { type: 'string' },
        'max-upload-mb': { type: 'string', default: '1024' },
        netflow: { type: 'string' },
        'netflow-interval': { type: 'string', default: '60' },
        'netflow-spool': { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (err) {
    return (err as Error).message;
  }
  const v = parsed.values;
  if (v.help) return 'help';
  const port = Number(v.port);
  if (!/^\d+$/.test(v.port) || port > 65535) return `--port must be 0..65535, got '${v.port}'`;
  const mb = Number(v['max-upload-mb']);
  if (!/^\d+$/.test(v['max-upload-mb']) || mb < 1) return `--max-upload-mb must be a positive integer, got '${v['max-upload-mb']}'`;
  const token = v.token ?? (env.BULWARK_TOKEN || undefined);
  if (token !== undefined && token.length < MIN_TOKEN) return `the access token must be at least ${MIN_TOKEN} characters`;
  const host = v.host;
  if (!isLoopbackHost(host.replace(/^\[|\]$/g, '')) && token === undefined) {
    return `refusing to listen on '${host}' without an access token: anyone who can reach it could read your network's data.\n` +
      `Set one with --token <at least ${MIN_TOKEN} characters> or the BULWARK_TOKEN environment variable, or listen on 127.0.0.1.`;
  }
  if (v.watch !== undefined && !(existsSync(v.watch) && statSync(v.watch).isDirectory())) return `--watch: '${v.watch}' is not a directory`;
  for (const f of v.ingest) if (!existsSync(f)) return `--ingest: no such file '${f}'`;
  const db = resolve(v.db);
  let netflow: ServeArgs['netflow'];
  if (v.netflow !== undefined) {
    const where = parseListenAddress(v.netflow);
    if (typeof where === 'string') return `--netflow: ${where}`;
    const intervalS = Number(v['netflow-interval']);
    if (!Number.isFinite(intervalS) || intervalS < 1) return `--netflow-interval must be at least 1 second, got '${v['netflow-interval']}'`;
    netflow = { ...where, intervalS, spoolDir: resolve(v['netflow-spool'] ?? join(dirname(db), 'bulwark-netflow')) };
  }
  return {
    netflow,
    host, port, db, token, watch: v.watch, ingest: v.ingest,
    uploadDir: resolve(v['upload-dir'] ?? join(dirname(db), 'bulwark-uploads')),
    maxUploadBytes: mb * 1024 * 1024,
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
  mkdirSync(dirname(args.db), { recursive: true });
  const store = new SqliteStore(args.db);
  const spoolDir = args.netflow?.spoolDir;
  const queue = new IngestQueue(store, { isFlowExport: (c) => spoolDir !== undefined && c.path.startsWith(spoolDir + sep) });
  const app = createApp({ store, queue, token: args.token, maxUploadBytes: args.maxUploadBytes, uploadDir: args.uploadDir });
  for (const c of await store.pendingCaptures()) {
    if (existsSync(c.path)) queue.enqueue(c);
    else await store.setCaptureState(c.id, { status: 'failed', error: 'the capture file is gone' });
  }

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

  const collecting = args.netflow ? await startCollector(args.netflow, queue) : undefined;
  if (collecting instanceof Error) {
    process.stderr.write(`bulwark serve: --netflow: ${collecting.message}\n`);
    server.close();
    await store.close();
    return ExitCode.USAGE;
  }

  const shownHost = args.host.includes(':') ? `[${args.host.replace(/^\[|\]$/g, '')}]` : args.host;
  process.stdout.write(`Bulwark is serving ${args.db}\n  http://${shownHost}:${port}/${args.token ? '?token=<your token>' : ''}\n`);
  if (args.watch) process.stdout.write(`  watching ${resolve(args.watch)} for captures\n`);
  if (collecting) process.stdout.write(`  collecting NetFlow/IPFIX on udp ${collecting.address}:${collecting.port} (batches of ${args.netflow?.intervalS} s in ${spoolDir})\n`);

  await new Promise<void>((done) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      watcher?.stop();
      collecting?.stop();
      server.closeAllConnections();
      server.close(() => done());
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  await queue.idle();
  await store.close();
  return ExitCode.OK;
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
    // Large uploads take longer than Node's 5-minute default.
    server.requestTimeout = 30 * 60 * 1000;
    server.once('listening', () => ok(server));
    server.once('error', fail);
  });
}
