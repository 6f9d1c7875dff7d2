/**
 * `bulwark serve`: the HTTP API and dashboard over the embedded store, optional folder watch and ingest of
 * files given on the command line. Loopback only unless an access token is set.
 * @module
 */
import { existsSync, statSync } from 'node:fs';
import { ensureDir } from './dirs.ts';
import type { Server } from 'node:http';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { serve } from '@hono/node-server';
import { createApp } from '../api/app.ts';
import { DEFAULT_INGEST_HEAP_MB, DEFAULT_MAX_DECOMPRESSED_MB, IngestQueue } from '../api/ingest.ts';
import { isLoopbackHost } from '../api/security.ts';
import { removeStaleUploads } from '../api/upload.ts';
import { CaptureWatcher } from '../api/watch.ts';
import { SqliteStore } from '../store/sqlite.ts';
import { ExitCode } from './exit-codes.ts';

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
  --ingest-heap-mb N   heap limit of the ingest worker in MiB (default 512); a capture that needs more fails
  --max-decompressed-mb N  size a gzip capture may expand to, MiB (default 4096; also at most 200 times its
                       compressed size past 64 MiB); the rest of a decompression bomb is not read
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
  ingestHeapMb: number;
  maxDecompressedBytes: number;
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
        host: { type: 'string', default: '127.0.0.1' },
        port: { type: 'string', default: '8080' },
        db: { type: 'string', default: './bulwark.db' },
        token: { type: 'string' },
        watch: { type: 'string' },
        ingest: { type: 'string', multiple: true, default: [] },
        'upload-dir': { type: 'string' },
        'max-upload-mb': { type: 'string', default: '1024' },
        'ingest-heap-mb': { type: 'string', default: String(DEFAULT_INGEST_HEAP_MB) },
        'max-decompressed-mb': { type: 'string', default: String(DEFAULT_MAX_DECOMPRESSED_MB) },
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
  const heap = Number(v['ingest-heap-mb']);
  if (!/^\d+$/.test(v['ingest-heap-mb']) || heap < 64) return `--ingest-heap-mb must be an integer of at least 64, got '${v['ingest-heap-mb']}'`;
  const inflated = Number(v['max-decompressed-mb']);
  if (!/^\d+$/.test(v['max-decompressed-mb']) || inflated < 1) return `--max-decompressed-mb must be a positive integer, got '${v['max-decompressed-mb']}'`;
  const token = v.token ?? (env.BULWARK_TOKEN || undefined);
  if (token !== undefined && token.length < MIN_TOKEN) return `the access token must be at least ${MIN_TOKEN} characters`;
  const host = v.host;
  if (!isLoopbackHost(host.replace(/^\[|\]$/g, '')) && token === undefined) {
    return `refusing to listen on '${host}' without an access token: anyone who can reach it could read your network's data.\n` +
      `Set one with --token <at least ${MIN_TOKEN} characters> or the BULWARK_TOKEN environment variable, or listen on 127.0.0.1.`;
  }
  if (existsSync(v.db) && statSync(v.db).isDirectory()) return `--db: '${v.db}' is a folder; name a database file (e.g. ${join(v.db, 'bulwark.db')})`;
  if (v.watch !== undefined && !(existsSync(v.watch) && statSync(v.watch).isDirectory())) return `--watch: '${v.watch}' is not a directory`;
  for (const f of v.ingest) if (!existsSync(f)) return `--ingest: no such file '${f}'`;
  const db = resolve(v.db);
  return {
    host, port, db, token, watch: v.watch, ingest: v.ingest,
    uploadDir: resolve(v['upload-dir'] ?? join(dirname(db), 'bulwark-uploads')),
    maxUploadBytes: mb * 1024 * 1024,
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
  ensureDir(dirname(args.db));
  ensureDir(args.uploadDir);
  const stale = removeStaleUploads(args.uploadDir);
  if (stale > 0) process.stderr.write(`bulwark serve: removed ${stale} partial upload${stale === 1 ? '' : 's'} left by an earlier run\n`);
  let store: SqliteStore;
  try {
    store = new SqliteStore(args.db);
  } catch (err) {
    process.stderr.write(`bulwark serve: cannot open the database '${args.db}': ${(err as Error).message}\n`);
    return ExitCode.USAGE;
  }
  const queue = new IngestQueue(store, { heapMb: args.ingestHeapMb, maxDecompressedBytes: args.maxDecompressedBytes });
  const app = createApp({ store, queue, token: args.token, maxUploadBytes: args.maxUploadBytes, uploadDir: args.uploadDir });
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

  const shownHost = args.host.includes(':') ? `[${args.host.replace(/^\[|\]$/g, '')}]` : args.host;
  process.stdout.write(`Bulwark is serving ${args.db}\n  http://${shownHost}:${port}/${args.token ? '?token=<your token>' : ''}\n`);
  if (args.watch) process.stdout.write(`  watching ${resolve(args.watch)} for captures\n`);

  await new Promise<void>((done) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      watcher?.stop();
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
