/**
 * Deletion and retention: DELETE one capture, device or finding; POST /api/retention {days} deletes what
 * was not seen for that many days of traffic. Capture files go too when they are the server's own uploads
 * (a file the server was pointed at elsewhere is never deleted).
 * @module
 */
import { rmSync } from 'node:fs';
import { resolve, sep } from 'node:path';
import type { Context, Hono } from 'hono';
import type { Deleted } from '../store/types.ts';
import type { AppContextDeps } from './app.ts';
import { ApiError, errorResponse } from './http-errors.ts';

/** Removes deleted capture files that live in the upload folder; the answer lists how many went. */
export function removeUploadedFiles(deleted: Deleted, uploadDir: string): number {
  const root = resolve(uploadDir) + sep;
  let removed = 0;
  for (const file of deleted.files) {
    if (!resolve(file).startsWith(root)) continue;
    try {
      rmSync(file, { force: true });
      removed++;
    } catch {
      // A file that cannot be removed stays; the store no longer points at it.
    }
  }
  return removed;
}

export function retentionRoutes(app: Hono, deps: AppContextDeps): void {
  const answer = (d: Deleted): { captures: number; devices: number; findings: number; files_removed: number } => (
    { captures: d.captures, devices: d.devices, findings: d.findings, files_removed: removeUploadedFiles(d, deps.uploadDir) }
  );
  const one = (kind: 'capture' | 'device' | 'finding', remove: (id: string) => Promise<Deleted>) => async (c: Context) => {
    const id = c.req.param('id')!;
    if (kind === 'capture' && deps.queue.current === id) throw new ApiError(409, 'busy', 'The capture is being ingested; delete it when it is done');
    const d = await remove(id);
    if (d.captures + d.devices + d.findings === 0) return errorResponse(c, 404, 'not_found', `No ${kind} '${id}'`);
    return c.json(answer(d));
  };
  app.delete('/api/captures/:id', one('capture', (id) => deps.store.deleteCapture(id)));
  app.delete('/api/devices/:id', one('device', (id) => deps.store.deleteDevice(id)));
  app.delete('/api/findings/:id', one('finding', (id) => deps.store.deleteFinding(id)));

  app.post('/api/retention', async (c) => {
    if (!(c.req.header('content-type') ?? '').startsWith('application/json')) throw new ApiError(415, 'unsupported_media_type', 'Send JSON: {"days": N}');
    const body = (await c.req.json().catch(() => undefined)) as { days?: unknown } | undefined;
    const days = body?.days;
    if (typeof days !== 'number' || !Number.isInteger(days) || days < 1) throw new ApiError(400, 'bad_request', '"days" must be a whole number of days, at least 1');
    return c.json(answer(await deps.store.purge(days)));
  });
}
