/**
 * The API's error answer: `{error: {code, message}}` with a 4xx/5xx status. Handlers throw ApiError; the
 * app's error handler turns it into the answer.
 * @module
 */
import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';

export class ApiError extends Error {
  readonly status: ContentfulStatusCode;
  readonly code: string;
  constructor(status: ContentfulStatusCode, code: string, message: string) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

export function errorResponse(c: Context, status: ContentfulStatusCode, code: string, message: string): Response {
  return c.json({ error: { code, message } }, status);
}

/** `{items:[...], total, limit, offset}` from JSON-text items (no re-serialisation). */
export function pageBody(items: readonly string[], total: number, limit: number, offset: number): string {
  return `{"items":[${items.join(',')}],"total":${total},"limit":${limit},"offset":${offset}}`;
}
