/**
 * SQL for the list filters, built from validated query objects. Only column names from fixed tables are
 * spliced in; every value is a bound parameter.
 * @module
 */
import type { SQLInputValue } from 'node:sqlite';
import type { DeviceQuery, FindingQuery, deviceSortKeys } from './types.ts';

export interface Built {
  where: string;
  params: SQLInputValue[];
}

/** Natural order of each sortable device column ('-' in the query reverses it); id breaks ties. */
const deviceSorts: Record<(typeof deviceSortKeys)[number], string> = {
  last_ts: 'last_ts DESC',
  first_ts: 'first_ts DESC',
  name: 'name COLLATE NOCASE ASC',
  type: 'type ASC',
  vendor: 'vendor COLLATE NOCASE ASC',
  grade: 'grade ASC',
  bytes: 'bytes DESC',
  findings: 'findings_open DESC',
};

export function deviceOrder(sort: string | undefined): string {
  const reverse = sort?.startsWith('-') ?? false;
  const key = reverse ? sort!.slice(1) : (sort ?? 'last_ts');
  const order = deviceSorts[key as keyof typeof deviceSorts] ?? deviceSorts.last_ts;
  if (!reverse) return `${order}, id ASC`;
  return `${order.endsWith('DESC') ? order.replace(/DESC$/, 'ASC') : order.replace(/ASC$/, 'DESC')}, id DESC`;
}

export function deviceWhere(q: DeviceQuery): Built {
  const parts: string[] = [];
  const params: SQLInputValue[] = [];
  if (q.type) {
    parts.push('type = ?');
    params.push(q.type);
  }
  if (q.vendor) {
    parts.push('vendor = ? COLLATE NOCASE');
    params.push(q.vendor);
  }
  if (q.grade) {
    if (q.grade === 'ungraded') parts.push('grade IS NULL');
    else {
      parts.push('grade = ?');
      params.push(q.grade);
    }
  }
  if (q.q) {
    // The trigram index answers substrings of 3+ characters; shorter ones scan the (small) search texts.
    const needle = q.q.toLowerCase();
    if ([...needle].length >= 3) {
      parts.push('rowid IN (SELECT rowid FROM device_search WHERE device_search MATCH ?)');
      params.push(`"${needle.replaceAll('"', '""')}"`);
    } else {
      parts.push('rowid IN (SELECT rowid FROM device_search WHERE instr(search, ?) > 0)');
      params.push(needle);
    }
  }
  return { where: parts.length ? `WHERE ${parts.join(' AND ')}` : '', params };
}

export function findingWhere(q: Omit<FindingQuery, 'limit' | 'offset'>): Built {
  const parts: string[] = [];
  const params: SQLInputValue[] = [];
  const inList = (col: string, values: readonly string[] | undefined): void => {
    if (!values || values.length === 0) return;
    parts.push(`${col} IN (${values.map(() => '?').join(',')})`);
    params.push(...values);
  };
  inList('severity', q.severity);
  inList('status', q.status);
  if (q.detector) {
    parts.push('detector = ?');
    params.push(q.detector);
  }
  if (q.category) {
    parts.push('category = ?');
    params.push(q.category);
  }
  if (q.device) {
    parts.push('id IN (SELECT finding_id FROM finding_devices WHERE device_id = ?)');
    params.push(q.device);
  }
  if (q.since !== undefined) {
    parts.push('last_ts >= ?');
    params.push(q.since);
  }
  if (q.until !== undefined) {
    parts.push('first_ts <= ?');
    params.push(q.until);
  }
  if (q.q) {
    parts.push('instr(lower(title), ?) > 0');
    params.push(q.q.toLowerCase());
  }
  return { where: parts.length ? `WHERE ${parts.join(' AND ')}` : '', params };
}

/** DeviceSummary JSON straight from SQLite (json_patch drops the null members); FROM deviceFrom. */
export const deviceSummarySql = `json_patch(dd.record, json_object('name', d.name, 'type', d.type, 'vendor', d.vendor, 'model', d.model,
  'grade', d.grade, 'findings_open', d.findings_open, 'captures', d.captures, 'user', json(d.user_json)))`;
export const deviceFullSql = `json_patch(dd.record, json_object('name', d.name, 'type', d.type, 'vendor', d.vendor, 'model', d.model,
  'grade', d.grade, 'findings_open', d.findings_open, 'captures', d.captures, 'user', json(d.user_json), 'evidence', json(dd.evidence)))`;
export const deviceFrom = 'devices d JOIN device_docs dd ON dd.id = d.id';

/** FROM findingFrom. */
export const findingSummarySql = `json_patch(json_remove(fd.record, '$.evidence', '$.community_ids'),
  json_object('status', f.status, 'note', f.note, 'status_changed_at', f.status_changed_at))`;
export const findingFullSql = `json_patch(fd.record, json_object('status', f.status, 'note', f.note, 'status_changed_at', f.status_changed_at))`;
export const findingFrom = 'findings f JOIN finding_docs fd ON fd.id = f.id';
