/**
 * A TAXII 2.1 client written from the specification (OASIS TAXII Version 2.1, §3–§5), for tests: it sends
 * the TAXII Accept and Content-Type headers, checks the media type of every answer and follows `next`
 * until `more` is false. It talks to a Hono app in-process (`app.request`).
 * @module
 */
import assert from 'node:assert/strict';
import type { Hono } from 'hono';

export const TAXII = 'application/taxii+json;version=2.1';

export type J = Record<string, unknown>;

export class TaxiiClient {
  private readonly app: Hono;
  private readonly auth: string;

  constructor(app: Hono, auth: string) {
    this.app = app;
    this.auth = auth;
  }

  static bearer(app: Hono, token: string): TaxiiClient {
    return new TaxiiClient(app, `Bearer ${token}`);
  }

  static basic(app: Hono, user: string, password: string): TaxiiClient {
    return new TaxiiClient(app, `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`);
  }

  /** Raw request; the answer's media type is checked whenever there is a body. */
  async request(path: string, init: { method?: string; body?: unknown; accept?: string; contentType?: string } = {}): Promise<{ status: number; body: J; headers: Headers }> {
    const headers: Record<string, string> = { Accept: init.accept ?? TAXII, Authorization: this.auth };
    if (init.body !== undefined) headers['Content-Type'] = init.contentType ?? TAXII;
    const res = await this.app.request(`http://127.0.0.1${path}`, { method: init.method ?? 'GET', headers, body: init.body === undefined ? undefined : JSON.stringify(init.body) });
    const text = await res.text();
    if (text.length > 0) assert.equal(res.headers.get('content-type'), TAXII, `${path}: media type`);
    return { status: res.status, body: text ? (JSON.parse(text) as J) : {}, headers: res.headers };
  }

  async get(path: string): Promise<J> {
    const r = await this.request(path);
    assert.equal(r.status, 200, `${path}: ${JSON.stringify(r.body)}`);
    return r.body;
  }

  /** Every page of an objects/manifest/versions listing, following `next`; the pages and the items. */
  async all(path: string, key: 'objects' | 'versions', params: Record<string, string> = {}): Promise<{ items: unknown[]; pages: number }> {
    const items: unknown[] = [];
    let next: string | undefined;
    let pages = 0;
    for (;;) {
      const q = new URLSearchParams({ ...params, ...(next ? { next } : {}) });
      const body = await this.get(`${path}?${q}`);
      pages++;
      items.push(...((body[key] as unknown[] | undefined) ?? []));
      if (body.more !== true) break;
      assert.equal(typeof body.next, 'string', 'more: true comes with next');
      next = body.next as string;
      assert.ok(pages < 100_000);
    }
    return { items, pages };
  }

  /** POST objects (an envelope) and return the status resource. */
  async add(collectionPath: string, objects: unknown[]): Promise<J> {
    const r = await this.request(`${collectionPath}objects/`, { method: 'POST', body: { objects } });
    assert.equal(r.status, 202, JSON.stringify(r.body));
    return r.body;
  }
}
