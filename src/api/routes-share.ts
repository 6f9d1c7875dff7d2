/**
 * Sharing over the REST API: STIX 2.1 and MISP exports of everything stored (pseudonymised unless
 * `identify=true`), and indicator lists in (STIX, MISP, CSV, plain text) for the indicator detector.
 * @module
 */
import type { Context, Hono } from 'hono';
import { buildCases } from '../findings/cases.ts';
import { exportMisp, exportStix, mispDocument, tlpLevels } from '../findings/share/export.ts';
import type { AppContextDeps } from './app.ts';
import { ApiError, errorResponse } from './http-errors.ts';
import type { IndicatorFiles } from './indicator-files.ts';
import { storedFindings } from './store-findings.ts';
import { oneOf } from './validate.ts';

const flag = (c: Context, name: string): boolean => c.req.query(name) === 'true' || c.req.query(name) === '1';

/** A request body as text, refused above `max` bytes. */
export async function boundedText(c: Context, max: number): Promise<string> {
  const declared = Number(c.req.header('content-length') ?? NaN);
  if (declared > max) throw new ApiError(413, 'too_large', `Body larger than ${max} bytes`);
  const body = await c.req.arrayBuffer();
  if (body.byteLength > max) throw new ApiError(413, 'too_large', `Body larger than ${max} bytes`);
  return new TextDecoder().decode(body);
}

export function shareRoutes(app: Hono, deps: AppContextDeps, indicators: IndicatorFiles): void {
  const input = async () => {
    const { findings } = await storedFindings(deps.store);
    return { findings, cases: buildCases(findings) };
  };
  const options = (c: Context) => ({ identify: flag(c, 'identify'), tlp: oneOf(c, 'tlp', tlpLevels) ?? 'amber', objects: flag(c, 'objects') });

  app.get('/api/export/stix', async (c) => c.json(exportStix(await input(), options(c))));

  app.get('/api/export/misp', async (c) => {
    const { events, unmapped } = exportMisp(await input(), options(c));
    if (flag(c, 'unmapped')) return c.json(unmapped);
    c.header('X-Bulwark-Unmapped', String(unmapped.length));
    return c.json(mispDocument(events) as object);
  });

  app.get('/api/indicators', (c) => c.json({ items: indicators.list() }));

  app.post('/api/indicators', async (c) => {
    const text = await boundedText(c, deps.maxUploadBytes);
    const type = c.req.header('content-type') ?? '';
    const hint = type.includes('json') ? 'list.json' : type.includes('csv') ? 'list.csv' : 'list.txt';
    const status = indicators.add(text, hint);
    if (status.error) return errorResponse(c, 409, 'full', status.error);
    return c.json(status, 201);
  });

  app.delete('/api/indicators/:name', (c) => (indicators.remove(c.req.param('name')) ? c.body(null, 204) : errorResponse(c, 404, 'not_found', `No indicator list '${c.req.param('name')}'`)));
}
