/**
 * The HTTP API as a Hono app (no sockets: tests call `app.request`, `bulwark serve` mounts it on a server).
 * @module
 */
import { resolve } from 'node:path';
import { Hono } from 'hono';
import type { Store } from '../store/types.ts';
import { ApiError, errorResponse } from './http-errors.ts';
import { IngestQueue } from './ingest.ts';
import { originGuard, requireToken, securityHeaders } from './security.ts';
import { serveStatic } from './static.ts';
import { captureRoutes } from './routes-captures.ts';
import { inventoryRoutes } from './routes-inventory.ts';
import { statsRoutes } from './routes-stats.ts';

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
}

export interface AppContextDeps {
  store: Store;
  queue: IngestQueue;
  maxUploadBytes: number;
  uploadDir: string;
  maxEventClients: number;
}

export const defaultWebRoot = resolve(import.meta.dirname, '../../web/dist');

export function createApp(options: AppOptions): Hono {
  const deps: AppContextDeps = {
    store: options.store,
    queue: options.queue ?? new IngestQueue(options.store),
    maxUploadBytes: options.maxUploadBytes,
    uploadDir: options.uploadDir,
    maxEventClients: options.maxEventClients ?? 64,
  };
  const app = new Hono();
  app.use('*', securityHeaders());
  app.use('*', originGuard(options.token !== undefined));
  if (options.token !== undefined) {
    const guard = requireToken(options.token);
    // The API description too: it tells what this server exposes, which is nobody's business without the token.
    app.use('/api/*', guard);
  }
  captureRoutes(app, deps);
  inventoryRoutes(app, deps);
  statsRoutes(app, deps);
  app.all('/api/*', (c) => errorResponse(c, 404, 'not_found', `No API route ${c.req.method} ${c.req.path}`));
  const webRoot = options.webRoot ?? defaultWebRoot;
  app.get('*', (c) => serveStatic(c, webRoot));
  app.onError((err, c) => {
    if (err instanceof ApiError) return errorResponse(c, err.status, err.code, err.message);
    process.stderr.write(`bulwark serve: ${c.req.method} ${c.req.path}: ${err.stack ?? err.message}\n`);
    return errorResponse(c, 500, 'internal', 'Internal error (logged on the server)');
  });
  return app;
}
