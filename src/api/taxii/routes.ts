/**
 * TAXII 2.1 over HTTP (OASIS TAXII Version 2.1, §4–§5): discovery at /taxii2/, API roots at
 * /taxii2/<root>/, collections, objects (GET with added_after, limit, next, match[…]; POST with a status
 * resource), one object, its versions, the manifest, and status. Every answer uses the TAXII media type;
 * every request needs the token (Bearer, or HTTP Basic with the token as password).
 * @module
 */
import { randomUUID } from 'node:crypto';
import type { Context, Hono } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { tokenMatches } from '../security.ts';
import { taxiiMediaType, taxiiNow, type ApiRoot, type StatusResource, type TaxiiCollection, type TaxiiEntry } from './model.ts';
import { isTimestamp, paginate, select, type ObjectQuery } from './query.ts';

export const maxPageSize = 1000;
const maxStatuses = 1000;

class TaxiiError extends Error {
  readonly status: ContentfulStatusCode;
  readonly title: string;
  constructor(status: ContentfulStatusCode, title: string, description: string) {
    super(description);
    this.status = status;
    this.title = title;
  }
}

function answer(c: Context, body: unknown, status: ContentfulStatusCode = 200, headers: Record<string, string> = {}): Response {
  return c.body(JSON.stringify(body), status, { 'Content-Type': taxiiMediaType, ...headers });
}

function errorAnswer(c: Context, e: TaxiiError): Response {
  return answer(c, { title: e.title, description: e.message, http_status: String(e.status) }, e.status);
}

/** Accept must name the TAXII 2.1 media type (with or without its version parameter). */
function acceptsTaxii(header: string | undefined): boolean {
  if (!header) return false;
  return header.split(',').some((part) => {
    const [type, ...params] = part.split(';').map((s) => s.trim().toLowerCase());
    if (type !== 'application/taxii+json') return false;
    const version = params.find((p) => p.startsWith('version='));
    return version === undefined || version === 'version=2.1';
  });
}

function authorised(c: Context, token: string | undefined): boolean {
  if (token === undefined) return false;
  const auth = c.req.header('authorization') ?? '';
  if (auth.startsWith('Bearer ')) return tokenMatches(auth.slice(7).trim(), token);
  if (auth.startsWith('Basic ')) {
    const decoded = Buffer.from(auth.slice(6).trim(), 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    return colon >= 0 && tokenMatches(decoded.slice(colon + 1), token);
  }
  return false;
}

function query(c: Context, withVersions: boolean): ObjectQuery {
  const q: ObjectQuery = {};
  const addedAfter = c.req.query('added_after');
  if (addedAfter !== undefined) {
    if (!isTimestamp(addedAfter)) throw new TaxiiError(400, 'Bad added_after', `'${addedAfter}' is not an RFC 3339 UTC timestamp`);
    q.addedAfter = addedAfter;
  }
  const limit = c.req.query('limit');
  if (limit !== undefined) {
    if (!/^[1-9]\d{0,8}$/.test(limit)) throw new TaxiiError(400, 'Bad limit', 'limit must be a positive integer');
    q.limit = Number(limit);
  }
  const next = c.req.query('next');
  if (next !== undefined) q.next = next;
  const list = (name: string): string[] | undefined => {
    const v = c.req.queries(`match[${name}]`);
    return v && v.length > 0 ? v.flatMap((x) => x.split(',')).map((x) => x.trim()).filter(Boolean) : undefined;
  };
  q.ids = list('id');
  q.types = list('type');
  q.specVersions = list('spec_version');
  if (withVersions) q.versions = list('version');
  return q;
}

function dateHeaders(entries: readonly TaxiiEntry[]): Record<string, string> {
  if (entries.length === 0) return {};
  const dates = entries.map((e) => e.date_added).sort();
  return { 'X-TAXII-Date-Added-First': dates[0], 'X-TAXII-Date-Added-Last': dates[dates.length - 1] };
}

export function taxiiRoutes(app: Hono, roots: readonly ApiRoot[], token: string | undefined): void {
  const byName = new Map(roots.map((r) => [r.name, r]));
  const base = (c: Context): string => new URL(c.req.url).origin;

  app.use('/taxii2/*', async (c, next) => {
    if (!authorised(c, token)) {
      c.header('WWW-Authenticate', 'Basic realm="bulwark-taxii", Bearer realm="bulwark-taxii"');
      return errorAnswer(c, new TaxiiError(401, 'Unauthorized', token === undefined
        ? 'TAXII is off: start bulwark serve with --token or --taxii-token'
        : 'Send Authorization: Bearer <token> (or HTTP Basic with the token as password)'));
    }
    if (!acceptsTaxii(c.req.header('accept'))) return errorAnswer(c, new TaxiiError(406, 'Not Acceptable', `Accept must include ${taxiiMediaType}`));
    await next();
  });
  // Hono hands handler errors to the app's error handler, not to middleware: catch them per handler.
  type Handler = (c: Context) => Response | Promise<Response>;
  const wrap = (fn: Handler): Handler => async (c) => {
    try {
      return await fn(c);
    } catch (err) {
      if (err instanceof TaxiiError) return errorAnswer(c, err);
      throw err;
    }
  };

  const root = (c: Context): ApiRoot => {
    const r = byName.get(c.req.param('root') ?? '');
    if (!r) throw new TaxiiError(404, 'Unknown API root', `No API root '${c.req.param('root') ?? ''}'`);
    return r;
  };
  const collection = (c: Context): TaxiiCollection => {
    const found = root(c).collections.find((x) => x.info.id === c.req.param('cid') || (x.info.alias !== undefined && x.info.alias === c.req.param('cid')));
    if (!found) throw new TaxiiError(404, 'Unknown collection', `No collection '${c.req.param('cid') ?? ''}'`);
    return found;
  };
  const readable = (col: TaxiiCollection): void => {
    if (!col.info.can_read) throw new TaxiiError(403, 'Forbidden', 'This collection cannot be read');
  };
  // Paths end with '/' in the specification; the same path without it is answered too.
  const both = (path: string): string[] => [path, `${path}/`];

  for (const p of both('/taxii2')) {
    app.get(p, wrap((c) => answer(c, {
      title: 'Bulwark TAXII server', description: 'Cases, findings and indicators of a Bulwark network security monitor.',
      default: `${base(c)}/taxii2/${roots[0]?.name ?? ''}/`, api_roots: roots.map((r) => `${base(c)}/taxii2/${r.name}/`),
    })));
  }
  for (const p of both('/taxii2/:root')) app.get(p, wrap((c) => answer(c, root(c).information)));
  for (const p of both('/taxii2/:root/status/:sid')) {
    app.get(p, wrap((c) => {
      const s = root(c).statuses.get(c.req.param('sid') ?? '');
      return s ? answer(c, s) : errorAnswer(c, new TaxiiError(404, 'Unknown status', 'No such status resource'));
    }));
  }
  for (const p of both('/taxii2/:root/collections')) app.get(p, wrap((c) => answer(c, { collections: root(c).collections.map((x) => x.info) })));
  for (const p of both('/taxii2/:root/collections/:cid')) app.get(p, wrap((c) => answer(c, collection(c).info)));

  for (const p of both('/taxii2/:root/collections/:cid/objects')) {
    app.get(p, wrap(async (c) => {
      const col = collection(c);
      readable(col);
      const q = query(c, true);
      const page = paginate(select(await col.entries(), q), q, maxPageSize);
      if (page.entries.length === 0) return answer(c, {});
      return answer(c, { more: page.more, ...(page.next ? { next: page.next } : {}), objects: page.entries.map((e) => e.object) }, 200, dateHeaders(page.entries));
    }));
    app.post(p, wrap(async (c) => {
      const r = root(c);
      const col = collection(c);
      if (!col.info.can_write || !col.add) throw new TaxiiError(403, 'Forbidden', 'This collection cannot be written');
      const type = (c.req.header('content-type') ?? '').toLowerCase().replace(/\s/g, '');
      if (type !== taxiiMediaType) throw new TaxiiError(415, 'Unsupported Media Type', `Content-Type must be ${taxiiMediaType}`);
      const declared = Number(c.req.header('content-length') ?? NaN);
      const raw = await c.req.arrayBuffer();
      if (declared > r.information.max_content_length || raw.byteLength > r.information.max_content_length) {
        throw new TaxiiError(413, 'Too Large', `More than ${r.information.max_content_length} bytes`);
      }
      let envelope: unknown;
      try {
        envelope = JSON.parse(new TextDecoder().decode(raw));
      } catch {
        throw new TaxiiError(400, 'Bad Request', 'The body is not JSON');
      }
      const objects = (envelope as { objects?: unknown }).objects;
      if (!Array.isArray(objects)) throw new TaxiiError(400, 'Bad Request', 'The body must be an envelope with an objects list');
      const requested = taxiiNow();
      const result = await col.add(objects);
      const status: StatusResource = {
        id: randomUUID(), status: 'complete', request_timestamp: requested, total_count: objects.length,
        success_count: result.successes.length, successes: result.successes, failure_count: result.failures.length, failures: result.failures,
        pending_count: 0, pendings: [],
      };
      if (r.statuses.size >= maxStatuses) r.statuses.delete(r.statuses.keys().next().value!);
      r.statuses.set(status.id, status);
      return answer(c, status, 202);
    }));
  }

  for (const p of both('/taxii2/:root/collections/:cid/objects/:oid')) {
    app.get(p, wrap(async (c) => {
      const col = collection(c);
      readable(col);
      const q = { ...query(c, true), ids: [c.req.param('oid') ?? ''] };
      const all = select(await col.entries(), q);
      if (all.length === 0) throw new TaxiiError(404, 'Not Found', `No object '${c.req.param('oid') ?? ''}'`);
      const page = paginate(all, q, maxPageSize);
      return answer(c, { more: page.more, ...(page.next ? { next: page.next } : {}), objects: page.entries.map((e) => e.object) }, 200, dateHeaders(page.entries));
    }));
    app.delete(p, wrap(async (c) => {
      const col = collection(c);
      if (!col.info.can_write || !col.remove) throw new TaxiiError(403, 'Forbidden', 'This collection cannot be written');
      if (!(await col.remove(c.req.param('oid') ?? ''))) throw new TaxiiError(404, 'Not Found', 'No such object');
      return c.body(null, 200, { 'Content-Type': taxiiMediaType });
    }));
  }

  for (const p of both('/taxii2/:root/collections/:cid/objects/:oid/versions')) {
    app.get(p, wrap(async (c) => {
      const col = collection(c);
      readable(col);
      const q = { ...query(c, false), ids: [c.req.param('oid') ?? ''], versions: ['all'] };
      const all = select(await col.entries(), q);
      if (all.length === 0) throw new TaxiiError(404, 'Not Found', `No object '${c.req.param('oid') ?? ''}'`);
      const page = paginate(all, q, maxPageSize);
      return answer(c, { more: page.more, ...(page.next ? { next: page.next } : {}), versions: page.entries.map((e) => e.version) }, 200, dateHeaders(page.entries));
    }));
  }

  for (const p of both('/taxii2/:root/collections/:cid/manifest')) {
    app.get(p, wrap(async (c) => {
      const col = collection(c);
      readable(col);
      const q = query(c, true);
      const page = paginate(select(await col.entries(), q), q, maxPageSize);
      if (page.entries.length === 0) return answer(c, {});
      return answer(c, {
        more: page.more, ...(page.next ? { next: page.next } : {}),
        objects: page.entries.map((e) => ({ id: e.id, date_added: e.date_added, version: e.version, media_type: e.media_type })),
      }, 200, dateHeaders(page.entries));
    }));
  }
}
