/**
 * The TAXII 2.1 object query, as pure functions over a collection's entries: filters (added_after,
 * match[id|type|version|spec_version]) and pagination by `limit` and an opaque `next` cursor. The cursor
 * names the last entry returned by (date_added, id, version), a total order, so a page boundary falling
 * inside a run of entries with the same date_added loses and repeats nothing.
 * @module
 */
import type { TaxiiEntry } from './model.ts';

export interface ObjectQuery {
  addedAfter?: string;
  ids?: string[];
  types?: string[];
  /** 'last' (default), 'first', 'all', or explicit versions. */
  versions?: string[];
  specVersions?: string[];
  limit?: number;
  next?: string;
}

export interface PageOf {
  entries: TaxiiEntry[];
  more: boolean;
  next?: string;
}

/** RFC 3339 timestamps compare as instants (fractions of any length). */
export function timeKey(t: string): string {
  const m = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?Z$/i.exec(t);
  return m ? `${m[1]}.${(m[2] ?? '').padEnd(9, '0')}` : t;
}

// Sort keys computed once per entry (an entry's date and version never change once stored).
const keyCache = new WeakMap<TaxiiEntry, [string, string]>();
function keys(e: TaxiiEntry): [string, string] {
  let k = keyCache.get(e);
  if (k === undefined) keyCache.set(e, (k = [timeKey(e.date_added), timeKey(e.version)]));
  return k;
}

const order = (a: TaxiiEntry, b: TaxiiEntry): number => {
  const [da, va] = keys(a);
  const [db, vb] = keys(b);
  if (da !== db) return da < db ? -1 : 1;
  if (a.id !== b.id) return a.id < b.id ? -1 : 1;
  return va < vb ? -1 : va > vb ? 1 : 0;
};

export function encodeCursor(e: TaxiiEntry): string {
  return Buffer.from(JSON.stringify([e.date_added, e.id, e.version])).toString('base64url');
}

export function decodeCursor(next: string): [string, string, string] | undefined {
  try {
    const v = JSON.parse(Buffer.from(next, 'base64url').toString('utf8')) as unknown;
    return Array.isArray(v) && v.length === 3 && v.every((x) => typeof x === 'string') ? (v as [string, string, string]) : undefined;
  } catch {
    return undefined;
  }
}

export function isTimestamp(t: string): boolean {
  return /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?Z$/i.test(t) && !Number.isNaN(Date.parse(t));
}

const specOf = (e: TaxiiEntry): string => String(e.object.spec_version ?? (e.media_type.endsWith('2.0') ? '2.0' : '2.1'));

/** Entries matching the filters, in (date_added, id, version) order, version selection applied. */
export function select(all: readonly TaxiiEntry[], q: ObjectQuery): TaxiiEntry[] {
  let list = all.filter((e) =>
    (!q.ids || q.ids.includes(e.id)) &&
    (!q.types || q.types.includes(String(e.object.type))) &&
    (!q.specVersions || q.specVersions.includes(specOf(e))));
  if (!q.specVersions) {
    // TAXII 2.1 §3.4.2: without match[spec_version], only the latest specification version of each object.
    const latest = new Map<string, string>();
    for (const e of list) if ((latest.get(e.id) ?? '') < specOf(e)) latest.set(e.id, specOf(e));
    list = list.filter((e) => specOf(e) === latest.get(e.id));
  }
  const versions = q.versions ?? ['last'];
  if (!versions.includes('all')) {
    const byId = new Map<string, TaxiiEntry[]>();
    for (const e of list) {
      const l = byId.get(e.id);
      if (l) l.push(e);
      else byId.set(e.id, [e]);
    }
    const keep = new Set<TaxiiEntry>();
    for (const l of byId.values()) {
      l.sort((a, b) => (timeKey(a.version) < timeKey(b.version) ? -1 : timeKey(a.version) > timeKey(b.version) ? 1 : 0));
      if (versions.includes('last')) keep.add(l[l.length - 1]);
      if (versions.includes('first')) keep.add(l[0]);
      for (const e of l) if (versions.some((v) => v !== 'last' && v !== 'first' && timeKey(v) === timeKey(e.version))) keep.add(e);
    }
    list = list.filter((e) => keep.has(e));
  }
  if (q.addedAfter) {
    const after = timeKey(q.addedAfter);
    list = list.filter((e) => timeKey(e.date_added) > after);
  }
  return list.sort(order);
}

/** One page after the cursor. */
export function paginate(list: readonly TaxiiEntry[], q: ObjectQuery, maxLimit: number): PageOf {
  let start = 0;
  if (q.next) {
    const c = decodeCursor(q.next);
    if (c) {
      const probe = { date_added: c[0], id: c[1], version: c[2] } as TaxiiEntry;
      start = list.findIndex((e) => order(e, probe) > 0);
      if (start < 0) start = list.length;
    }
  }
  const limit = Math.min(q.limit ?? maxLimit, maxLimit);
  const entries = list.slice(start, start + limit);
  const more = start + limit < list.length;
  return more ? { entries, more, next: encodeCursor(entries[entries.length - 1]) } : { entries, more };
}
