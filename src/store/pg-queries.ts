/**
 * SQL for the PostgreSQL store's list filters, built from validated query objects. Only fixed column names
 * are spliced in; every value is a bound parameter ($n).
 * @module
 */
import type { DeviceQuery, FindingQuery, deviceSortKeys } from './types.ts';

export interface PgBuilt {
  where: string;
  params: unknown[];
}

/** Collects bound values and hands out their placeholders. */
export class Params {
  readonly values: unknown[] = [];
  constructor(values: readonly unknown[] = []) {
    this.values.push(...values);
  }
  add(v: unknown): string {
    this.values.push(v);
    return `$${this.values.length}`;
  }
}

const deviceSorts: Record<(typeof deviceSortKeys)[number], string> = {
  last_ts: 'last_ts DESC',
  first_ts: 'first_ts DESC',
  name: 'lower(name) ASC',
  type: 'type ASC',
  vendor: 'lower(vendor) ASC',
  grade: 'grade ASC',
  bytes: 'bytes DESC',
  findings: 'findings_open DESC',
};

/** Same orders as the SQLite store (NULLs sort first ascending there; PostgreSQL is told so). */
export function pgDeviceOrder(sort: string | undefined): string {
  const reverse = sort?.startsWith('-') ?? false;
  const key = reverse ? sort!.slice(1) : (sort ?? 'last_ts');
  const order = deviceSorts[key as keyof typeof deviceSorts] ?? deviceSorts.last_ts;
  const flipped = !reverse ? order : order.endsWith('DESC') ? order.replace(/DESC$/, 'ASC') : order.replace(/ASC$/, 'DESC');
  const nulls = flipped.endsWith('ASC') ? 'NULLS FIRST' : 'NULLS LAST';
  return `${flipped} ${nulls}, id ${reverse ? 'DESC' : 'ASC'}`;
}

/** LIKE pattern matching `s` anywhere, with the pattern characters escaped. */
export function containsPattern(s: string): string {
  return `%${s.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

export function pgDeviceWhere(q: DeviceQuery, p: Params): string {
  const parts: string[] = [];
  if (q.type) parts.push(`type = ${p.add(q.type)}`);
  if (q.vendor) parts.push(`lower(vendor) = lower(${p.add(q.vendor)})`);
  if (q.grade) parts.push(q.grade === 'ungraded' ? 'grade IS NULL' : `grade = ${p.add(q.grade)}`);
  if (q.q) parts.push(`search LIKE ${p.add(containsPattern(q.q.toLowerCase()))}`);
  return parts.length ? `WHERE ${parts.join(' AND ')}` : '';
}

export function pgFindingWhere(q: Omit<FindingQuery, 'limit' | 'offset'>, p: Params): string {
  const parts: string[] = [];
  if (q.severity?.length) parts.push(`severity = ANY(${p.add(q.severity)}::text[])`);
  if (q.status?.length) parts.push(`status = ANY(${p.add(q.status)}::text[])`);
  if (q.detector) parts.push(`detector = ${p.add(q.detector)}`);
  if (q.category) parts.push(`category = ${p.add(q.category)}`);
  if (q.device) parts.push(`id IN (SELECT finding_id FROM finding_devices WHERE device_id = ${p.add(q.device)})`);
  if (q.since !== undefined) parts.push(`last_ts >= ${p.add(q.since)}`);
  if (q.until !== undefined) parts.push(`first_ts <= ${p.add(q.until)}`);
  if (q.q) parts.push(`lower(title) LIKE ${p.add(containsPattern(q.q.toLowerCase()))}`);
  return parts.length ? `WHERE ${parts.join(' AND ')}` : '';
}
