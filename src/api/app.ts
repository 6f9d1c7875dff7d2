/**
 * The HTTP API as a Hono app (no sockets: tests call `app.request`, `bulwark serve` mounts it on a server).
 * @module
 */
import { join, resolve } from 'node:path';
import { Hono } from 'hono';
import type { Store } from '../store/types.ts';
import { ApiError, errorResponse } from './http-errors.ts';
import { IngestQueue } from './ingest.ts';
import { originGuard, requireToken, securityHeaders } from './security.ts';
import { serveStatic } from './static.ts';
import { captureRoutes } from './routes-captures.ts';
import { sensorRoutes } from './routes-sensors.ts';
import { inventoryRoutes } from './routes-inventory.ts';
import { statsRoutes } from './routes-stats.ts';
import { isMachinePath, opsRoutes } from './routes-ops.ts';
import { retentionRoutes } from './routes-retention.ts';
import { Metrics } from '../output/metrics.ts';
import { mudRoutes } from './routes-mud.ts';
import { caseRoutes } from './routes-cases.ts';
import { shareRoutes } from './routes-share.ts';
import { IndicatorFiles } from './indicator-files.ts';
import { taxiiRoutes } from './taxii/routes.ts';
import { bulwarkTaxiiRoot } from './taxii/bulwark-root.ts';

export interface AppOptions {
  store: Store;
  /** When set, every /api call must carry it. */
  token?: string;
  maxUploadBytes: number;
  uploadDir: string;
  /** Ingest queue (created over `store` when absent). */
  queue?: IngestQueue;
  /** The built dashboard (default web/dist of this checkout). */
  webRoot?: string;
  /** Concurrent server-sent-event clients. */
  maxEventClients?: number;
  /** Prometheus metrics served at /metrics (created over the store when absent). */
  metrics?: Metrics;
  /** Folder of MUD profiles (serve --profiles); the /api/mud routes answer 404 without it. */
  mudProfiles?: string;
  /** Credential TAXII clients present (Bearer, or Basic with it as password); default the API token. */
  taxiiToken?: string;
}

export interface AppContextDeps {
  store: Store;
  queue: IngestQueue;
  maxUploadBytes: number;
  uploadDir: string;
  maxEventClients: number;
  mudProfiles?: string;
}

export const defaultWebRoot = resolve(import.meta.dirname, '../../web/dist');

export function createApp(options: AppOptions): Hono {
  const deps: AppContextDeps = {
    store: options.store,
    queue: options.queue ?? new IngestQueue(options.store),
    maxUploadBytes: options.maxUploadBytes,
    uploadDir: options.uploadDir,
    maxEventClients: options.maxEventClients ?? 64,
    mudProfiles: options.mudProfiles ?? options.queue?.mud?.dir,
  };
  const app = new Hono();
  app.use('*', securityHeaders());
  app.use('*', originGuard(options.token !== undefined));
  if (options.token !== undefined) {
    const guard = requireToken(options.token);
    // The API description too: it tells what this server exposes, which is nobody's business without the token.
    app.use('/api/*', guard);
    // Prometheus sends the token as a bearer credential (scrape_config authorization).
    app.use('/metrics', guard);
  }
  captureRoutes(app, deps);
  inventoryRoutes(app, deps);
  sensorRoutes(app, deps);
  statsRoutes(app, deps);
  caseRoutes(app, deps);
  const indicators = new IndicatorFiles(join(options.uploadDir, 'indicators'));
  deps.queue.indicators ??= indicators;
  shareRoutes(app, deps, indicators);
  taxiiRoutes(app, [bulwarkTaxiiRoot(deps, indicators, join(options.uploadDir, 'taxii'))], options.taxiiToken ?? options.token);
  retentionRoutes(app, deps);
  mudRoutes(app, deps);
  const metrics = options.metrics ?? new Metrics({ storeSnapshot: () => options.store.overview() });
  opsRoutes(app, deps, metrics);
  app.all('*', async (c, next) => {
    if (isMachinePath(c.req.path)) return errorResponse(c, 404, 'not_found', `No route ${c.req.method} ${c.req.path}`);
    await next();
  });
  const webRoot = options.webRoot ?? defaultWebRoot;
  app.get('*', (c) => serveStatic(c, webRoot));
  app.onError((err, c) => {
    if (err instanceof ApiError) return errorResponse(c, err.status, err.code, err.message);
    process.stderr.write(`bulwark serve: ${c.req.method} ${c.req.path}: ${err.stack ?? err.message}\n`);
    return errorResponse(c, 500, 'internal', 'Internal error (logged on the server)');
  });
  return app;
}
