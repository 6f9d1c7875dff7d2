/**
 * Cases (incidents) over every stored finding: the list the dashboard leads with, and one case with its
 * findings. Built on request from the stored findings (cheap next to the analysis that made them).
 * @module
 */
import type { Context, Hono } from 'hono';
import { buildCases } from '../findings/cases.ts';
import type { Case } from '../findings/types.ts';
import type { AppContextDeps } from './app.ts';
import { errorResponse } from './http-errors.ts';
import { storedFindings } from './store-findings.ts';
import { listOf, page, severities, text } from './validate.ts';

export async function storedCases(deps: AppContextDeps): Promise<{ cases: Case[]; truncated: boolean }> {
  const { findings, truncated } = await storedFindings(deps.store);
  return { cases: buildCases(findings), truncated };
}

export function caseRoutes(app: Hono, deps: AppContextDeps): void {
  app.get('/api/cases', async (c: Context) => {
    const p = page(c);
    const sev = listOf(c, 'severity', severities);
    const cls = text(c, 'classification');
    const { cases, truncated } = await storedCases(deps);
    const chosen = cases.filter((x) => (!sev || sev.includes(x.severity)) && (!cls || x.classification === cls || x.classification.startsWith(`${cls}:`)));
    return c.json({ items: chosen.slice(p.offset, p.offset + p.limit), total: chosen.length, limit: p.limit, offset: p.offset, ...(truncated ? { truncated: true } : {}) });
  });

  app.get('/api/cases/:id', async (c: Context) => {
    const id = c.req.param('id');
    const { findings } = await storedFindings(deps.store);
    const found = buildCases(findings).find((x) => x.id === id);
    if (!found) return errorResponse(c, 404, 'not_found', `No case '${id}'`);
    const members = new Set(found.findings);
    return c.json({ ...found, finding_records: findings.filter((f) => members.has(f.id)) });
  });
}
