/**
 * Safe defaults for every answer: access token, DNS-rebinding and cross-site checks, security headers.
 * @module
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import { errorResponse } from './http-errors.ts';

export const PAGE_CSP = "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'";
export const API_CSP = "default-src 'none'; frame-ancestors 'none'";
export const SVG_CSP = "default-src 'none'; style-src 'unsafe-inline'; sandbox";

const loopbackNames = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

export function isLoopbackHost(host: string): boolean {
  return loopbackNames.has(host) || /^127\.\d+\.\d+\.\d+$/.test(host);
}

function digest(s: string): Buffer {
  return createHash('sha256').update(s).digest();
}

/** Constant-time token check (hashing first makes the lengths equal). */
export function tokenMatches(given: string, expected: string): boolean {
  return timingSafeEqual(digest(given), digest(expected));
}

export function securityHeaders(): MiddlewareHandler {
  return async (c, next) => {
    await next();
    c.res.headers.set('X-Content-Type-Options', 'nosniff');
    c.res.headers.set('Referrer-Policy', 'no-referrer');
    c.res.headers.set('Cross-Origin-Opener-Policy', 'same-origin');
    if (!c.res.headers.has('Content-Security-Policy')) c.res.headers.set('Content-Security-Policy', API_CSP);
  };
}

/**
 * Without a token: only loopback Host names (a rebound DNS name pointing at 127.0.0.1 is refused).
 * Always: a state-changing request carrying a foreign Origin is refused (no CORS is ever answered).
 */
export function originGuard(hasToken: boolean): MiddlewareHandler {
  return async (c, next) => {
    const url = new URL(c.req.url);
    if (!hasToken && !isLoopbackHost(url.hostname)) {
      return errorResponse(c, 403, 'forbidden', `Host '${url.hostname}' is not a loopback name; start the server with a token to serve other names`);
    }
    const origin = c.req.header('origin');
    if (origin !== undefined && c.req.method !== 'GET' && c.req.method !== 'HEAD') {
      let host = '';
      try {
        host = new URL(origin).host;
      } catch {
        // An unparsable Origin is foreign.
      }
      if (host !== url.host) return errorResponse(c, 403, 'forbidden', 'Cross-origin requests are not allowed');
    }
    await next();
  };
}

/** With a token, every /api call needs it: `Authorization: Bearer T` or `?token=T` (EventSource, <img>). */
export function requireToken(token: string): MiddlewareHandler {
  return async (c, next) => {
    const auth = c.req.header('authorization');
    // The scheme is case-insensitive (RFC 9110 §11.1): 'bearer', 'BEARER' and 'Bearer' are the same.
    const scheme = auth === undefined ? undefined : /^bearer\s+(.*)$/i.exec(auth);
    const given = scheme ? scheme[1].trim() : c.req.query('token');
    if (given === undefined || !tokenMatches(given, token)) {
      c.header('WWW-Authenticate', 'Bearer realm="bulwark"');
      return errorResponse(c, 401, 'unauthorized', 'This server needs an access token: send Authorization: Bearer <token>');
    }
    await next();
  };
}
