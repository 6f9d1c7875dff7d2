/**
 * Query-string and JSON-body validation with messages that name the offending field (400), plus bounded
 * body reading (413 beyond the limit).
 * @module
 */
import type { Context } from 'hono';
import { deviceTypes, type DeviceType } from '../inventory/types.ts';
import { deviceSortKeys, findingStatuses, type DeviceOverride, type FindingStatus, type FindingUpdate, type Page } from '../store/types.ts';
import { ApiError } from './http-errors.ts';

export const MAX_JSON_BYTES = 16 * 1024;
const MAX_LIMIT = 500;
const MAX_TEXT = 200;
export const severities = ['critical', 'high', 'medium', 'low', 'info'] as const;

const bad = (message: string): ApiError => new ApiError(400, 'invalid_query', message);

export function text(c: Context, name: string): string | undefined {
  const v = c.req.query(name);
  if (v === undefined || v === '') return undefined;
  if (v.length > MAX_TEXT) throw bad(`'${name}' is longer than ${MAX_TEXT} characters`);
  return v;
}

export function integer(c: Context, name: string, def: number, min: number, max: number): number {
  const v = text(c, name);
  if (v === undefined) return def;
  if (!/^\d+$/.test(v) || Number(v) < min || Number(v) > max) throw bad(`'${name}' must be an integer from ${min} to ${max}`);
  return Number(v);
}

export function number(c: Context, name: string): number | undefined {
  const v = text(c, name);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n)) throw bad(`'${name}' must be a number (seconds since the Unix epoch)`);
  return n;
}

export function oneOf<T extends string>(c: Context, name: string, allowed: readonly T[]): T | undefined {
  const v = text(c, name);
  if (v !== undefined && !allowed.includes(v as T)) throw bad(`'${name}' must be one of: ${allowed.join(', ')}`);
  return v as T | undefined;
}

/** Comma-separated list, every element from `allowed`. */
export function listOf<T extends string>(c: Context, name: string, allowed: readonly T[]): T[] | undefined {
  const v = text(c, name);
  if (v === undefined) return undefined;
  const items = v.split(',').map((s) => s.trim()).filter((s) => s);
  for (const i of items) if (!allowed.includes(i as T)) throw bad(`'${name}' values must be among: ${allowed.join(', ')} (got '${i}')`);
  return items as T[];
}

export function page(c: Context): Page {
  return { limit: integer(c, 'limit', 50, 1, MAX_LIMIT), offset: integer(c, 'offset', 0, 0, 10_000_000) };
}

export function deviceSort(c: Context): string | undefined {
  const v = text(c, 'sort');
  if (v !== undefined && !(deviceSortKeys as readonly string[]).includes(v.replace(/^-/, ''))) throw bad(`'sort' must be one of: ${deviceSortKeys.join(', ')} (prefix '-' to reverse)`);
  return v;
}

export function deviceType(c: Context): DeviceType | undefined {
  return oneOf(c, 'type', deviceTypes);
}

export function findingStatusList(c: Context): FindingStatus[] | undefined {
  return listOf(c, 'status', findingStatuses);
}

// --- JSON bodies ---------------------------------------------------------------------------------------------

const invalid = (message: string): ApiError => new ApiError(400, 'invalid_body', message);

/** Reads a JSON object body: Content-Type checked, size bounded while reading, parse errors are a 400. */
export async function jsonBody(c: Context): Promise<Record<string, unknown>> {
  const type = c.req.header('content-type') ?? '';
  if (!/^application\/json\s*(;|$)/i.test(type)) throw new ApiError(415, 'unsupported_media_type', 'Send the body as Content-Type: application/json');
  const declared = Number(c.req.header('content-length') ?? 0);
  if (declared > MAX_JSON_BYTES) throw new ApiError(413, 'payload_too_large', `JSON bodies are limited to ${MAX_JSON_BYTES} bytes`);
  const chunks: Uint8Array[] = [];
  let size = 0;
  if (c.req.raw.body) {
    for await (const chunk of c.req.raw.body) {
      size += chunk.byteLength;
      if (size > MAX_JSON_BYTES) throw new ApiError(413, 'payload_too_large', `JSON bodies are limited to ${MAX_JSON_BYTES} bytes`);
      chunks.push(chunk);
    }
  }
  let value: unknown;
  try {
    value = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw invalid('The body is not valid JSON');
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw invalid('The body must be a JSON object');
  return value as Record<string, unknown>;
}

function onlyKeys(body: Record<string, unknown>, allowed: readonly string[]): void {
  for (const k of Object.keys(body)) if (!allowed.includes(k)) throw invalid(`Unknown field '${k}' (allowed: ${allowed.join(', ')})`);
}

/** A user-visible label: 1..100 characters, no control characters. `null` clears. */
function label(body: Record<string, unknown>, key: string): string | null | undefined {
  const v = body[key];
  if (v === undefined || v === null) return v;
  if (typeof v !== 'string') throw invalid(`'${key}' must be a string or null`);
  const s = v.trim();
  // eslint-disable-next-line no-control-regex
  if (s.length === 0 || s.length > 100 || /[\u0000-\u001f\u007f]/.test(s)) throw invalid(`'${key}' must be 1 to 100 printable characters`);
  return s;
}

export function deviceOverrideBody(body: Record<string, unknown>): DeviceOverride {
  onlyKeys(body, ['name', 'type', 'vendor']);
  if (Object.keys(body).length === 0) throw invalid("Give at least one of 'name', 'type', 'vendor'");
  const type = body.type;
  if (type !== undefined && type !== null && !deviceTypes.includes(type as DeviceType)) {
    throw invalid(`'type' must be one of: ${deviceTypes.join(', ')} (or null to clear)`);
  }
  const o: DeviceOverride = {};
  const name = label(body, 'name');
  const vendor = label(body, 'vendor');
  if (name !== undefined) o.name = name;
  if (vendor !== undefined) o.vendor = vendor;
  if (type !== undefined) o.type = type as DeviceType | null;
  return o;
}

export function findingUpdateBody(body: Record<string, unknown>): FindingUpdate {
  onlyKeys(body, ['status', 'note']);
  if (!findingStatuses.includes(body.status as FindingStatus)) throw invalid(`'status' is required, one of: ${findingStatuses.join(', ')}`);
  const u: FindingUpdate = { status: body.status as FindingStatus };
  if (body.note !== undefined) {
    if (body.note !== null && (typeof body.note !== 'string' || body.note.length > 2000)) throw invalid("'note' must be a string of at most 2000 characters, or null");
    u.note = body.note as string | null;
  }
  return u;
}
