/**
 * Health, overview, time series and the OpenAPI document.
 * @module
 */
import type { Hono } from 'hono';
import type { AppContextDeps } from './app.ts';
import { openApiDocument } from './openapi.ts';
import { integer, number, oneOf } from './validate.ts';

export function statsRoutes(app: Hono, deps: AppContextDeps): void {
  const { store, queue } = deps;

  app.get('/api/openapi.json', (c) => c.json(openApiDocument));

  app.get('/api/health', async (c) => {
    const counts = await store.counts();
    return c.json({ status: 'ok', version: '0.1.0', store: store.kind, ...counts, ingesting: queue.current, queued: queue.queued });
  });

  app.get('/api/overview', async (c) => c.json(await store.overview()));

  app.get('/api/timeseries', async (c) => {
    const metric = oneOf(c, 'metric', ['flows', 'bytes', 'findings'] as const) ?? 'flows';
    const bucket = integer(c, 'bucket', 60, 1, 365 * 86400);
    return c.json(await store.timeseries({ metric, bucket, since: number(c, 'since'), until: number(c, 'until') }));
  });
}
