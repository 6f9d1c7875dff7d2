/** API client: same-origin fetches; a `?token=` on the page URL is sent as a Bearer token on every call. */
import type { Page } from './types.ts';

const pageToken = new URLSearchParams(location.search).get('token');

export function authHeaders(): Record<string, string> {
  return pageToken ? { Authorization: `Bearer ${pageToken}` } : {};
}

export class ApiError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

async function failure(res: Response): Promise<ApiError> {
  let message = `${res.status} ${res.statusText}`;
  try {
    const body = await res.json() as { error?: unknown; message?: unknown };
    const detail = body.error ?? body.message;
    if (typeof detail === 'string') message = detail;
    else if (detail && typeof detail === 'object' && 'message' in detail) message = String((detail as { message: unknown }).message);
  } catch { /* not JSON */ }
  return new ApiError(res.status, message);
}

export async function getJson<T>(path: string, params: Record<string, string | number | undefined> = {}): Promise<T> {
  const url = new URL(path, location.origin);
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') url.searchParams.set(k, String(v));
  const res = await fetch(url, { headers: { Accept: 'application/json', ...authHeaders() } });
  if (!res.ok) throw await failure(res);
  return await res.json() as T;
}

export async function patchJson<T>(path: string, body: unknown): Promise<T> {
  const res = await fetch(path, {
    method: 'PATCH',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json', ...authHeaders() },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw await failure(res);
  return await res.json() as T;
}

export async function getText(path: string): Promise<string> {
  const res = await fetch(path, { headers: authHeaders() });
  if (!res.ok) throw await failure(res);
  return await res.text();
}

/** Lists come back as an array or wrapped ({items|devices|findings|captures, total}); normalise. */
export function asPage<T>(body: unknown, key: string): Page<T> {
  if (Array.isArray(body)) return { items: body as T[] };
  const o = (body ?? {}) as Record<string, unknown>;
  const items = (o.items ?? o[key] ?? o.data ?? []) as T[];
  const total = typeof o.total === 'number' ? o.total : undefined;
  return { items: Array.isArray(items) ? items : [], total };
}

/** Keeps the token on in-page links (hash routes keep the query string, so nothing to do there). */
export function withToken(path: string): string {
  return pageToken ? `${path}${path.includes('?') ? '&' : '?'}token=${encodeURIComponent(pageToken)}` : path;
}

export interface UploadHandlers {
  onProgress(sent: number, total: number): void;
}

/** Uploads a capture as a raw body (XHR: fetch reports no upload progress). Resolves with the 202 answer. */
export function uploadCapture(file: File, handlers: UploadHandlers): Promise<{ capture_id: string; status: string; duplicate: boolean }> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', '/api/captures');
    xhr.setRequestHeader('Content-Type', 'application/octet-stream');
    // Header values must be Latin-1: names outside printable ASCII are sent percent-encoded.
    xhr.setRequestHeader('X-Filename', /^[\x20-\x7e]*$/.test(file.name) ? file.name : encodeURIComponent(file.name));
    for (const [k, v] of Object.entries(authHeaders())) xhr.setRequestHeader(k, v);
    xhr.upload.addEventListener('progress', (e) => handlers.onProgress(e.loaded, e.lengthComputable ? e.total : file.size));
    xhr.addEventListener('load', () => {
      let body: Record<string, unknown> = {};
      try { body = JSON.parse(xhr.responseText) as Record<string, unknown>; } catch { /* not JSON */ }
      if (xhr.status >= 200 && xhr.status < 300) {
        const id = String(body.capture_id ?? body.id ?? '');
        resolve({ capture_id: id, status: String(body.status ?? 'queued'), duplicate: body.duplicate === true });
      } else {
        const err = body.error;
        const message = typeof err === 'string' ? err : err && typeof err === 'object' && 'message' in err ? String((err as { message: unknown }).message) : `${xhr.status} ${xhr.statusText}`;
        reject(new ApiError(xhr.status, message));
      }
    });
    xhr.addEventListener('error', () => reject(new ApiError(0, 'Network error while uploading')));
    xhr.send(file);
  });
}

/** Sends a body (JSON text or a value to serialise) with any method; resolves with the JSON answer. */
export async function sendJson<T>(method: 'POST' | 'PUT', path: string, body: unknown): Promise<T> {
  const res = await fetch(path, {
    method,
    headers: { 'Content-Type': 'application/json', Accept: 'application/json', ...authHeaders() },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  if (!res.ok) throw await failure(res);
  return await res.json() as T;
}
