/**
 * Sensors that send batches to this store (`analyze --publish` through NATS, or a live interface): site,
 * name, first and last seen, last batch number and their latest health (version, packets, drops, bytes,
 * spool overflow).
 * @module
 */
import type { Context, Hono } from 'hono';
import type { AppContextDeps } from './app.ts';

export function sensorRoutes(app: Hono, deps: AppContextDeps): void {
  app.get('/api/sensors', async (c: Context) => {
    const items = await deps.store.listSensors();
    return c.json({ items, total: items.length });
  });
}
