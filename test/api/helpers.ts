/** In-process API fixture: a temporary store and upload folder, the Hono app, its ingest queue. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Hono } from 'hono';
import { createApp, type AppOptions } from '../../src/api/app.ts';
import { IngestQueue } from '../../src/api/ingest.ts';
import { SqliteStore } from '../../src/store/sqlite.ts';

export interface Fixture {
  app: Hono;
  store: SqliteStore;
  queue: IngestQueue;
  dir: string;
  close(): Promise<void>;
}

export function fixture(options: Partial<AppOptions> = {}): Fixture {
  const dir = mkdtempSync(join(tmpdir(), 'bulwark-api-'));
  const store = new SqliteStore(join(dir, 'b.db'));
  const queue = new IngestQueue(store);
  const app = createApp({ store, queue, maxUploadBytes: 1 << 20, uploadDir: join(dir, 'uploads'), webRoot: join(dir, 'no-web'), ...options });
  return {
    app, store, queue, dir,
    close: async () => {
      await queue.idle();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export const samplePath = join(import.meta.dirname, '../../samples/dlink-camera-setup.pcap');
