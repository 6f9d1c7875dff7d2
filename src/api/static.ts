/**
 * The dashboard's files from web/dist, without path traversal: the decoded path must stay inside the root
 * (symlinks resolved too). Paths without an extension get index.html (client-side routes).
 * @module
 */
import { existsSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { extname, join, resolve, sep } from 'node:path';
import type { Context } from 'hono';
import { PAGE_CSP } from './security.ts';

const types: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8', '.svg': 'image/svg+xml', '.png': 'image/png', '.ico': 'image/x-icon',
  '.json': 'application/json', '.map': 'application/json', '.woff2': 'font/woff2', '.txt': 'text/plain; charset=utf-8',
};

const notBuilt = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Bulwark</title></head>
<body><h1>Bulwark</h1><p>The dashboard is not built. Run <code>npm run build:web</code> and reload this page.</p>
<p>The API is at <a href="/api/health">/api/health</a> and described by <a href="/api/openapi.json">/api/openapi.json</a>.</p></body></html>
`;

/** Resolves a request path to a file inside `root`, or undefined (never outside it). */
export function resolveStatic(root: string, urlPath: string): string | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return undefined;
  }
  if (decoded.includes('\0') || decoded.includes('\\') || decoded.split('/').some((s) => s === '..')) return undefined;
  const realRoot = realpathSync(root);
  let file = resolve(realRoot, `.${decoded.startsWith('/') ? decoded : `/${decoded}`}`);
  if (file !== realRoot && !file.startsWith(realRoot + sep)) return undefined;
  if (existsSync(file) && statSync(file).isDirectory()) file = join(file, 'index.html');
  else if (!existsSync(file) && extname(file) === '') file = join(realRoot, 'index.html');
  if (!existsSync(file)) return undefined;
  const real = realpathSync(file);
  if (!real.startsWith(realRoot + sep)) return undefined;
  return statSync(real).isFile() ? real : undefined;
}

export function serveStatic(c: Context, root: string): Response {
  c.header('Content-Security-Policy', PAGE_CSP);
  c.header('X-Frame-Options', 'DENY');
  c.header('Cache-Control', 'no-cache');
  if (!existsSync(join(root, 'index.html'))) return c.html(notBuilt, 200);
  const file = resolveStatic(root, c.req.path);
  if (!file) return c.text('Not found', 404);
  c.header('Content-Type', types[extname(file)] ?? 'application/octet-stream');
  return c.body(readFileSync(file));
}
