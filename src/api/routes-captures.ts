/**
 * Captures: upload, list, status; and the live event stream.
 * @module
 */
import type { Hono } from 'hono';
import { streamSSE } from 'hono/streaming';
import type { CaptureRow } from '../store/types.ts';
import type { AppContextDeps } from './app.ts';
import { ApiError, errorResponse } from './http-errors.ts';
import type { LiveEvent } from './ingest.ts';
import { cleanFilename, receiveUpload } from './upload.ts';
import { page } from './validate.ts';

const HEARTBEAT_MS = 15_000;
/** Events buffered for one slow client before it is dropped (it reconnects and refreshes). */
const MAX_BUFFERED = 1000;

/** The client's view of a capture (the server-side path stays private). */
export function publicCapture(c: CaptureRow): Omit<CaptureRow, 'path'> {
  const { path: _path, ...rest } = c;
  return rest;
}

export function captureRoutes(app: Hono, deps: AppContextDeps): void {
  app.get('/api/captures', async (c) => {
    const p = page(c);
    const { items, total } = await deps.store.listCaptures(p);
    return c.json({ items: items.map(publicCapture), total, limit: p.limit, offset: p.offset });
  });

  app.get('/api/captures/:id', async (c) => {
    const capture = await deps.store.getCapture(c.req.param('id'));
    if (!capture) return errorResponse(c, 404, 'not_found', `No capture '${c.req.param('id')}'`);
    return c.json(publicCapture(capture));
  });

  app.post('/api/captures', async (c) => {
    const header = c.req.header('x-filename');
    if (header === undefined) throw new ApiError(400, 'bad_request', 'Name the file in the X-Filename header');
    const declared = c.req.header('content-length');
    if (declared !== undefined && Number(declared) > deps.maxUploadBytes) {
      throw new ApiError(413, 'payload_too_large', `Captures are limited to ${deps.maxUploadBytes} bytes on this server (--max-upload-mb)`);
    }
    const upload = await receiveUpload(c.req.raw.body, deps.uploadDir, deps.maxUploadBytes, cleanFilename(header));
    const { capture, created } = await deps.queue.submitFile(upload.path, upload.filename);
    if (created) return c.json({ capture_id: capture.id, status: 'queued' }, 202);
    const now = await deps.store.getCapture(capture.id);
    const status = now?.status ?? capture.status;
    return c.json({ capture_id: capture.id, status, duplicate: true }, status === 'done' ? 200 : 202);
  });

  app.get('/api/events', (c) => {
    if (deps.queue.subscribers >= deps.maxEventClients) {
      return errorResponse(c, 503, 'too_many_clients', 'Too many live-event clients; try again later');
    }
    return streamSSE(c, async (stream) => {
      const buffered: LiveEvent[] = [];
      let wake: (() => void) | null = null;
      let overflow = false;
      const unsubscribe = deps.queue.subscribe((ev) => {
        if (buffered.length >= MAX_BUFFERED) overflow = true;
        else buffered.push(ev);
        wake?.();
      });
      let closed = false;
      stream.onAbort(() => {
        closed = true;
        wake?.();
      });
      try {
        await stream.write(': bulwark live events\n\n');
        while (!closed && !overflow) {
          const ev = buffered.shift();
          if (ev) {
            await stream.writeSSE({ event: ev.type, data: ev.data });
            continue;
          }
          await new Promise<void>((done) => {
            const timer = setTimeout(() => {
              wake = null;
              done();
            }, HEARTBEAT_MS);
            wake = () => {
              clearTimeout(timer);
              wake = null;
              done();
            };
          });
          if (buffered.length === 0 && !closed) await stream.write(': ping\n\n');
        }
      } finally {
        unsubscribe();
      }
    });
  });
}
