/**
 * Devices (list, detail, override, findings, assessment, label) and findings (list, detail, status).
 * @module
 */
import type { Context, Hono } from 'hono';
import type { FindingQuery } from '../store/types.ts';
import type { AppContextDeps } from './app.ts';
import { errorResponse, pageBody } from './http-errors.ts';
import { SVG_CSP } from './security.ts';
import { relabelDevice } from './relabel.ts';
import {
  deviceOverrideBody, deviceSort, deviceType, findingStatusList, findingUpdateBody, jsonBody, listOf, number, page,
  severities, text,
} from './validate.ts';

const jsonText = (c: Context, body: string, status: 200 | 201 = 200): Response =>
  c.body(body, status, { 'Content-Type': 'application/json; charset=utf-8' });

function findingQuery(c: Context): FindingQuery {
  return {
    ...page(c),
    severity: listOf(c, 'severity', severities),
    status: findingStatusList(c),
    detector: text(c, 'detector'),
    category: text(c, 'category'),
    device: text(c, 'device'),
    since: number(c, 'since'),
    until: number(c, 'until'),
    q: text(c, 'q'),
  };
}

export function inventoryRoutes(app: Hono, deps: AppContextDeps): void {
  const { store } = deps;
  const noDevice = (c: Context): Response => errorResponse(c, 404, 'not_found', `No device '${c.req.param('id')}'`);

  app.get('/api/devices', async (c) => {
    const p = page(c);
    const result = await store.listDevices({
      ...p, type: deviceType(c), vendor: text(c, 'vendor'), grade: text(c, 'grade'), q: text(c, 'q'), sort: deviceSort(c),
    });
    return jsonText(c, pageBody(result.items, result.total, p.limit, p.offset));
  });

  app.get('/api/devices/:id', async (c) => {
    const json = await store.getDevice(c.req.param('id'), true);
    return json ? jsonText(c, json) : noDevice(c);
  });

  app.patch('/api/devices/:id', async (c) => {
    const override = deviceOverrideBody(await jsonBody(c));
    const id = c.req.param('id');
    if (!(await store.overrideDevice(id, override))) return noDevice(c);
    // The label and the assessment's name and advice follow the new name and type.
    await relabelDevice(store, id);
    return jsonText(c, (await store.getDevice(id, true))!);
  });

  app.get('/api/devices/:id/findings', async (c) => {
    const id = c.req.param('id');
    if (!(await store.getDevice(id, false))) return noDevice(c);
    const q = { ...findingQuery(c), device: id };
    const result = await store.listFindings(q);
    return jsonText(c, pageBody(result.items, result.total, q.limit, q.offset));
  });

  app.get('/api/devices/:id/assessment', async (c) => {
    const id = c.req.param('id');
    const json = await store.getAssessment(id);
    if (json) return jsonText(c, json);
    if (!(await store.getDevice(id, false))) return noDevice(c);
    return errorResponse(c, 404, 'not_assessed', `Device '${id}' has no assessment yet`);
  });

  for (const format of ['svg', 'pdf'] as const) {
    app.get(`/api/devices/:id/label.${format}`, async (c) => {
      const id = c.req.param('id');
      let bytes = await store.getLabel(id, format);
      // PDFs are made on first request (ingest stores the SVG only) and kept until the label changes.
      if (!bytes && format === 'pdf' && (await relabelDevice(store, id))) bytes = await store.getLabel(id, format);
      if (!bytes) {
        if (!(await store.getDevice(id, false))) return noDevice(c);
        return errorResponse(c, 404, 'no_label', `Device '${id}' has no ${format.toUpperCase()} label yet`);
      }
      c.header('Content-Security-Policy', SVG_CSP);
      c.header('Cache-Control', 'no-cache');
      if (format === 'pdf') c.header('Content-Disposition', `inline; filename="bulwark-label.pdf"`);
      return c.body(new Uint8Array(bytes), 200, { 'Content-Type': format === 'svg' ? 'image/svg+xml' : 'application/pdf' });
    });
  }

  app.get('/api/findings', async (c) => {
    const q = findingQuery(c);
    const result = await store.listFindings(q);
    return jsonText(c, pageBody(result.items, result.total, q.limit, q.offset));
  });

  app.get('/api/findings/:id', async (c) => {
    const json = await store.getFinding(c.req.param('id'), true);
    return json ? jsonText(c, json) : errorResponse(c, 404, 'not_found', `No finding '${c.req.param('id')}'`);
  });

  app.patch('/api/findings/:id', async (c) => {
    const update = findingUpdateBody(await jsonBody(c));
    const id = c.req.param('id');
    if (!(await store.updateFinding(id, update))) return errorResponse(c, 404, 'not_found', `No finding '${id}'`);
    return jsonText(c, (await store.getFinding(id, true))!);
  });
}
