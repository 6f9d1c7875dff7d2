/**
 * Operations endpoints: Prometheus metrics, liveness and readiness. Unknown paths under the machine
 * prefixes (/api, /metrics, /taxii2, /healthz, /readyz) answer JSON 404, never the dashboard's HTML.
 * @module
 */
import type { Hono } from 'hono';
import type { Metrics } from '../output/metrics.ts';
import type { AppContextDeps } from './app.ts';
import { errorResponse } from './http-errors.ts';

/** Path prefixes that belong to machines: a miss there is a JSON 404. */
export const machinePrefixes = ['/api', '/metrics', '/taxii2', '/healthz', '/readyz'] as const;

export function isMachinePath(path: string): boolean {
  return machinePrefixes.some((p) => path === p || path.startsWith(`${p}/`));
}

/** A readiness check longer than this means the store is not answering in time. */
const READY_TIMEOUT_MS = 2000;

export function opsRoutes(app: Hono, deps: AppContextDeps, metrics: Metrics): void {
  const { store, queue } = deps;
  queue.subscribe((ev) => {
    if (ev.type !== 'capture.done') return;
    const done = JSON.parse(ev.data) as { status: 'done' | 'failed'; summary?: { packets: number; bytes: number; flows: number } };
    metrics.ingest(done.status);
    if (done.summary) metrics.recordCapture(done.summary);
  });

  app.get('/metrics', async (c) => c.body(await metrics.text(), 200, { 'Content-Type': metrics.contentType }));

  // Liveness: the process answers. Nothing else is checked, so a slow store never gets the server restarted.
  app.get('/healthz', (c) => c.json({ status: 'ok' }));

  // Readiness: the store answers within the timeout.
  app.get('/readyz', async (c) => {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((ok) => {
      timer = setTimeout(() => ok('timeout'), READY_TIMEOUT_MS);
    });
    try {
      const answer = await Promise.race([store.counts().then(() => 'ok' as const), timeout]);
      if (answer === 'timeout') return errorResponse(c, 503, 'not_ready', `the store did not answer within ${READY_TIMEOUT_MS} ms`);
      return c.json({ status: 'ready', store: store.kind, ingesting: queue.current !== null, queued: queue.queued });
    } catch (err) {
      return errorResponse(c, 503, 'not_ready', `the store failed: ${err instanceof Error ? err.message : String(err)}`);
    } finally {
      clearTimeout(timer);
    }
  });
}
