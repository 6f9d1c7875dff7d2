/**
 * The real Bulwark server for end-to-end tests, in this process: SQLite store in a fresh temporary directory,
 * ingest queue, the Hono app, @hono/node-server on 127.0.0.1 with a free port — the same composition as
 * `bulwark serve` (src/cli/serve.ts). With `token`, every API call needs it (the dashboard gets it from ?token=).
 * @module
 */
import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serve } from '@hono/node-server';
import { createApp } from '../../../src/api/app.ts';
import { IngestQueue } from '../../../src/api/ingest.ts';
import { MudService } from '../../../src/api/mud-service.ts';
import { SqliteStore } from '../../../src/store/sqlite.ts';
import type { Store } from '../../../src/store/types.ts';

export interface RunningServer {
  url: string;
  token?: string;
  close(): Promise<void>;
}

export interface ServerOptions {
  /** The built dashboard to serve. */
  webRoot: string;
  token?: string;
  /** MUD profiles folder (as serve --profiles); none by default. */
  profiles?: string;
  /** Serve this store (closed by the caller) instead of a fresh SQLite file. */
  store?: Store;
}

export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const dir = mkdtempSync(join(tmpdir(), 'bulwark-e2e-server-'));
  const store = options.store ?? new SqliteStore(join(dir, 'bulwark.db'));
  const queue = new IngestQueue(store, { mud: options.profiles ? new MudService(options.profiles) : undefined });
  const app = createApp({ store, queue, token: options.token, maxUploadBytes: 64 * 1024 * 1024, uploadDir: join(dir, 'uploads'), webRoot: options.webRoot });
  const server = await new Promise<Server>((ok, fail) => {
    const s = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }) as Server;
    s.once('listening', () => ok(s));
    s.once('error', fail);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    token: options.token,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((done) => server.close(() => done()));
      await queue.idle();
      if (!options.store) await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
