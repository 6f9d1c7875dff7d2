/**
 * The PostgreSQL store's write path: a capture's analysis or a sensor's batch becomes a handful of statements
 * whatever its size. Rows are read per batch with `= ANY($1)`, folded in memory (sources.ts) and written back
 * with one multi-row `INSERT … SELECT FROM unnest(…) ON CONFLICT …` per table. Writers of the same device or
 * finding (two consumers, two sensors of one site) are serialised by transaction-scoped advisory locks taken
 * in one sorted order, so they never lose each other's update and never deadlock on each other.
 * @module
 */
import type { PoolClient } from 'pg';
import type { DeviceRecord } from '../inventory/types.ts';
import type { Finding } from '../detect/types.ts';
import { findingDeviceIds, mergeDevice, mergeFinding } from './merge.ts';
import { deviceColumns, type OverrideRow } from './rows.ts';
import { foldDevice, foldFinding } from './sources.ts';
import { Params } from './pg-queries.ts';
import type { AssessmentInput, FlowBucket, LabelInput, ProtocolCount } from './types.ts';

export const nowIso = (): string => new Date().toISOString();

/** One device as a source reports it: `merge` for captures (added to what the source said), else replaced. */
export interface DeviceWrite {
  record: DeviceRecord;
  source: string;
  merge: boolean;
  seq: number;
  captureId: string;
}

export interface FindingWrite {
  record: Finding;
  source: string;
  occurrence: number;
  merge: boolean;
  seq: number;
  captureId: string;
}

interface SourceRow<T> {
  source: string;
  record: T;
  seq: number;
  captureId: string | null;
  segments: number;
  occurrence: number;
  changed: boolean;
}

/**
 * Most fine-grained locks one transaction takes. Advisory locks live in PostgreSQL's shared lock table
 * (max_locks_per_transaction × max_connections slots, 6,400 by default); a larger write (a big capture) takes
 * the one bulk lock exclusively instead, which every small writer holds shared.
 */
export const MAX_FINE_LOCKS = 256;
const BULK_LOCK = 'bulwark.store.bulk';

/**
 * Takes the transaction's advisory locks on these keys: the bulk lock first (shared, or exclusive for a large
 * write), then the keys in sorted order, so two writers never wait on each other in a cycle. `alongside`:
 * other writes of the transaction sent in the same round trip, as data-modifying CTEs.
 */
export async function lockKeys(c: PoolClient, keys: readonly string[], alongside: readonly string[] = [], p = new Params()): Promise<void> {
  const bulk = keys.length > MAX_FINE_LOCKS;
  await c.query(`${withAll(alongside)}SELECT count(CASE WHEN s.bulk THEN ${bulk ? 'pg_advisory_xact_lock' : 'pg_advisory_xact_lock_shared'}(s.k)
      ELSE pg_advisory_xact_lock(s.k) END)
    FROM (SELECT hashtextextended(${p.add(BULK_LOCK)}, 1515) AS k, true AS bulk
      UNION SELECT hashtextextended(x, 1515), false FROM unnest(${p.add(bulk ? [] : keys)}::text[]) AS x ORDER BY bulk DESC, k) AS s`, p.values);
}

/** Writes device sources and what is shown; returns the ids that were not stored before. */
export async function writeDevices(c: PoolClient, writes: readonly DeviceWrite[]): Promise<string[]> {
  if (writes.length === 0) return [];
  const ids = [...new Set(writes.map((w) => w.record.id))];
  const sources = new Map<string, SourceRow<DeviceRecord>[]>(ids.map((id) => [id, []]));
  const state = await deviceState(c, ids, sources);
  const changedIds: string[] = [];
  for (const w of writes) {
    const list = sources.get(w.record.id)!;
    const prev = list.find((s) => s.source === w.source);
    if (prev && !w.merge && prev.seq > w.seq) continue; // a later batch of this sensor replaced it already
    if (!prev) list.push({ source: w.source, record: w.record, seq: w.seq, captureId: w.captureId, segments: 1, occurrence: 0, changed: true });
    else {
      prev.segments += w.merge ? 1 : prev.captureId === w.captureId ? 0 : 1;
      prev.record = w.merge ? mergeDevice(prev.record, w.record) : w.record;
      Object.assign(prev, { seq: w.seq, captureId: w.captureId, changed: true });
    }
    if (!changedIds.includes(w.record.id)) changedIds.push(w.record.id);
  }
  if (changedIds.length === 0) return [];
  const changedSources = changedIds.flatMap((id) => sources.get(id)!.filter((s) => s.changed).map((s) => ({ id, s })));
  const p = new Params();
  const sourcesSql = `INSERT INTO device_sources (device_id, source, record, seq, capture_id, segments)
    SELECT * FROM unnest(${p.add(changedSources.map((x) => x.id))}::text[], ${p.add(changedSources.map((x) => x.s.source))}::text[],
      ${p.add(changedSources.map((x) => JSON.stringify(x.s.record)))}::text[], ${p.add(changedSources.map((x) => x.s.seq))}::bigint[],
      ${p.add(changedSources.map((x) => x.s.captureId))}::text[], ${p.add(changedSources.map((x) => x.s.segments))}::int[])
    ON CONFLICT (device_id, source) DO UPDATE SET record = excluded.record, seq = excluded.seq, capture_id = excluded.capture_id,
      segments = excluded.segments`;
  const shown = changedIds.map((id) => {
    const f = foldDevice(sources.get(id)!);
    return { record: { ...f.record, id }, captures: f.captures };
  });
  await writeShownDevices(c, shown, state, { sql: sourcesSql, params: p });
  // The caller refreshes their open-finding counts (refreshOpenFindings): findings stored before the device count.
  return changedIds.filter((id) => !state.get(id)!.stored);
}

interface DeviceState {
  stored: boolean;
  override: OverrideRow | undefined;
  grade: string | null;
}

/** Whether each device is stored, its user's override and its grade (and with `sources`, what each source said): one query. */
async function deviceState(c: PoolClient, ids: readonly string[], sources?: Map<string, SourceRow<DeviceRecord>[]>): Promise<Map<string, DeviceState>> {
  const state = new Map<string, DeviceState>();
  const rows = (await c.query(`SELECT u.id, d.id IS NOT NULL AS stored, o.device_id IS NOT NULL AS overridden, o.name, o.type, o.vendor, a.grade
      ${sources ? ', s.source, s.record, s.seq, s.capture_id, s.segments' : ''}
    FROM unnest($1::text[]) AS u(id) LEFT JOIN devices d ON d.id = u.id LEFT JOIN device_overrides o ON o.device_id = u.id
    LEFT JOIN assessments a ON a.device_id = u.id ${sources ? 'LEFT JOIN device_sources s ON s.device_id = u.id' : ''}`, [ids])).rows as Record<string, unknown>[];
  for (const r of rows) {
    if (sources && r.source !== null) {
      sources.get(r.id as string)!.push({
        source: r.source as string, record: JSON.parse(r.record as string) as DeviceRecord, seq: Number(r.seq), captureId: r.capture_id as string | null,
        segments: r.segments as number, occurrence: 0, changed: false,
      });
    }
    state.set(r.id as string, {
      stored: r.stored as boolean, grade: r.grade as string | null,
      override: r.overridden ? { name: r.name as string | null, type: r.type as string | null, vendor: r.vendor as string | null } : undefined,
    });
  }
  return state;
}

/**
 * Rewrites devices as shown (effective columns from overrides and grades), in one statement with `before`
 * (another write of the same transaction) as a data-modifying CTE: one round trip for all three tables.
 */
export async function writeShownDevices(
  c: PoolClient, shown: readonly { record: DeviceRecord; captures: number }[], known?: Map<string, DeviceState>,
  before?: { sql: string; params: Params },
): Promise<void> {
  const ids = shown.map((x) => x.record.id);
  const state = known ?? await deviceState(c, ids);
  const cols = shown.map((x) => deviceColumns(x.record, state.get(x.record.id)?.override));
  const p = before?.params ?? new Params();
  const docsSql = `INSERT INTO device_docs (id, record, evidence) SELECT * FROM unnest(${p.add(ids)}::text[],
      ${p.add(cols.map((x) => JSON.stringify(x.record)))}::text[], ${p.add(cols.map((x) => JSON.stringify(x.evidence)))}::text[])
    ON CONFLICT (id) DO UPDATE SET record = excluded.record, evidence = excluded.evidence`;
  const arrays: [unknown[], string][] = [
    [ids, 'text'], [cols.map((x) => x.autoName), 'text'], [cols.map((x) => x.autoType), 'text'], [cols.map((x) => x.autoVendor), 'text'],
    [cols.map((x) => x.model), 'text'], [cols.map((x) => x.name), 'text'], [cols.map((x) => x.type), 'text'], [cols.map((x) => x.vendor), 'text'],
    [cols.map((x) => (x.user ? JSON.stringify(x.user) : null)), 'text'], [ids.map((id) => state.get(id)?.grade ?? null), 'text'],
    [shown.map((x) => x.record.first_ts), 'float8'], [shown.map((x) => x.record.last_ts), 'float8'],
    [shown.map((x) => x.record.bytes_in + x.record.bytes_out), 'float8'], [shown.map((x) => x.captures), 'int'], [cols.map((x) => x.search), 'text'],
  ];
  const devicesSql = `INSERT INTO devices (id, auto_name, auto_type, auto_vendor, model, name, type, vendor, user_json, grade,
      first_ts, last_ts, bytes, captures, search)
    SELECT * FROM unnest(${arrays.map(([v, t]) => `${p.add(v)}::${t}[]`).join(', ')})
    ON CONFLICT (id) DO UPDATE SET auto_name = excluded.auto_name, auto_type = excluded.auto_type, auto_vendor = excluded.auto_vendor,
      model = excluded.model, name = excluded.name, type = excluded.type, vendor = excluded.vendor, user_json = excluded.user_json,
      grade = excluded.grade, first_ts = excluded.first_ts, last_ts = excluded.last_ts, bytes = excluded.bytes,
      captures = excluded.captures, search = excluded.search`;
  await c.query(`WITH ${before ? `before AS (${before.sql}), ` : ''}docs AS (${docsSql}) ${devicesSql}`, p.values);
}

/**
 * Writes finding sources and what is shown; returns the ids that were not stored before and all it changed
 * (the caller refreshes open-finding counts once, with the devices it added).
 */
export async function writeFindings(c: PoolClient, writes: readonly FindingWrite[]): Promise<{ added: string[]; changed: string[] }> {
  if (writes.length === 0) return { added: [], changed: [] };
  const ids = [...new Set(writes.map((w) => w.record.id))];
  const sources = new Map<string, SourceRow<Finding>[]>(ids.map((id) => [id, []]));
  const stored = new Map<string, { status: string; last_ts: number }>();
  // One read: each finding's stored status (if any) beside each of its sources (if any).
  for (const r of (await c.query(`SELECT u.id, f.status, f.last_ts, s.source, s.occurrence, s.record, s.seq, s.capture_id
    FROM unnest($1::text[]) AS u(id) LEFT JOIN findings f ON f.id = u.id LEFT JOIN finding_sources s ON s.finding_id = u.id`, [ids])).rows) {
    if (r.status !== null) stored.set(r.id as string, { status: r.status as string, last_ts: r.last_ts as number });
    if (r.source === null) continue;
    sources.get(r.id as string)!.push({
      source: r.source as string, occurrence: r.occurrence as number, record: JSON.parse(r.record as string) as Finding, seq: Number(r.seq),
      captureId: r.capture_id as string, segments: 0, changed: false,
    });
  }
  const changed = new Map<string, string>(); // id → capture id of its latest writer
  for (const w of writes) {
    const list = sources.get(w.record.id)!;
    const prev = list.find((s) => s.source === w.source && s.occurrence === w.occurrence);
    if (prev && !w.merge && prev.seq > w.seq) continue;
    if (!prev) list.push({ source: w.source, occurrence: w.occurrence, record: w.record, seq: w.seq, captureId: w.captureId, segments: 0, changed: true });
    else Object.assign(prev, { record: w.merge ? mergeFinding(prev.record, w.record) : w.record, seq: w.seq, captureId: w.captureId, changed: true });
    changed.set(w.record.id, w.captureId);
  }
  if (changed.size === 0) return { added: [], changed: [] };
  const changedIds = [...changed.keys()];
  const rows = changedIds.flatMap((id) => sources.get(id)!.filter((s) => s.changed).map((s) => ({ id, s })));
  const t = nowIso();
  const shown = changedIds.map((id) => {
    const f = { ...foldFinding(sources.get(id)!), id };
    const prev = stored.get(id);
    // A finding the user resolved that is seen again later is new again.
    const status = prev ? (prev.status === 'resolved' && f.last_ts > prev.last_ts ? 'new' : prev.status) : 'new';
    return { f, status, statusChanged: prev && status !== prev.status ? t : null, captureId: changed.get(id)! };
  });
  const p = new Params();
  const sourcesSql = `INSERT INTO finding_sources (finding_id, source, occurrence, record, seq, capture_id)
    SELECT * FROM unnest(${p.add(rows.map((x) => x.id))}::text[], ${p.add(rows.map((x) => x.s.source))}::text[],
      ${p.add(rows.map((x) => x.s.occurrence))}::int[], ${p.add(rows.map((x) => JSON.stringify(x.s.record)))}::text[],
      ${p.add(rows.map((x) => x.s.seq))}::bigint[], ${p.add(rows.map((x) => x.s.captureId))}::text[])
    ON CONFLICT (finding_id, source, occurrence) DO UPDATE SET record = excluded.record, seq = excluded.seq, capture_id = excluded.capture_id`;
  const docsSql = `INSERT INTO finding_docs (id, record) SELECT * FROM unnest(${p.add(changedIds)}::text[], ${p.add(shown.map((x) => JSON.stringify(x.f)))}::text[])
    ON CONFLICT (id) DO UPDATE SET record = excluded.record`;
  const links = shown.flatMap((x) => findingDeviceIds(x.f).map((d) => [d, x.f.id] as const));
  const linksSql = `INSERT INTO finding_devices (device_id, finding_id) SELECT * FROM unnest(${p.add(links.map((l) => l[0]))}::text[],
      ${p.add(links.map((l) => l[1]))}::text[]) ON CONFLICT DO NOTHING`;
  const findingsSql = `INSERT INTO findings (id, detector, category, severity, title, first_ts, last_ts, count, status, status_changed_at, capture_id)
    SELECT * FROM unnest(${p.add(changedIds)}::text[], ${p.add(shown.map((x) => x.f.detector))}::text[], ${p.add(shown.map((x) => x.f.category))}::text[],
      ${p.add(shown.map((x) => x.f.severity))}::text[], ${p.add(shown.map((x) => x.f.title))}::text[], ${p.add(shown.map((x) => x.f.first_ts))}::float8[],
      ${p.add(shown.map((x) => x.f.last_ts))}::float8[], ${p.add(shown.map((x) => x.f.count))}::bigint[], ${p.add(shown.map((x) => x.status))}::text[],
      ${p.add(shown.map((x) => x.statusChanged))}::text[], ${p.add(shown.map((x) => x.captureId))}::text[])
    ON CONFLICT (id) DO UPDATE SET detector = excluded.detector, category = excluded.category, severity = excluded.severity,
      title = excluded.title, first_ts = excluded.first_ts, last_ts = excluded.last_ts, count = excluded.count, status = excluded.status,
      status_changed_at = coalesce(excluded.status_changed_at, findings.status_changed_at)`;
  // One round trip for the four tables (data-modifying CTEs); the open-finding counts then see all of it.
  await c.query(`WITH s AS (${sourcesSql}), d AS (${docsSql}), l AS (${linksSql}) ${findingsSql}`, p.values);
  return { added: changedIds.filter((id) => !stored.has(id)), changed: changedIds };
}

/** Open-finding counts of the devices these findings name, and of these devices. */
export async function refreshOpenFindings(c: PoolClient, findingIds: readonly string[], deviceIds: readonly string[] = []): Promise<void> {
  if (findingIds.length === 0 && deviceIds.length === 0) return;
  // One grouped join over the devices concerned. A correlated count per device let the planner (with the
  // statistics of a table that just grew) hash every open finding once per device: seconds per batch.
  await c.query(`WITH target AS (SELECT device_id AS id FROM finding_devices WHERE finding_id = ANY($1) UNION SELECT unnest($2::text[])),
      counts AS (SELECT t.id, count(f.id) AS n FROM target t LEFT JOIN finding_devices fd ON fd.device_id = t.id
        LEFT JOIN findings f ON f.id = fd.finding_id AND f.status = 'new' GROUP BY t.id)
    UPDATE devices d SET findings_open = counts.n FROM counts WHERE d.id = counts.id AND d.findings_open <> counts.n`, [findingIds, deviceIds]);
}

/**
 * Flow buckets and protocol counts added to what the capture (or segment) has, as statements for data-modifying
 * CTEs (the caller sends them with its own statement). Duplicates are summed first: one row may not be hit twice.
 */
export function flowsSql(p: Params, captureId: string, buckets: readonly FlowBucket[], protocols: readonly ProtocolCount[]): string[] {
  const sum = <K>(items: readonly { flows: number; bytes: number }[], key: (x: never) => K): Map<K, { flows: number; bytes: number }> => {
    const m = new Map<K, { flows: number; bytes: number }>();
    for (const x of items) {
      const k = key(x as never);
      const y = m.get(k) ?? { flows: 0, bytes: 0 };
      m.set(k, { flows: y.flows + x.flows, bytes: y.bytes + x.bytes });
    }
    return m;
  };
  const out: string[] = [];
  const byT = sum(buckets, (b: FlowBucket) => b.t);
  if (byT.size > 0) {
    const ts = [...byT.keys()];
    out.push(`INSERT INTO flow_buckets (t, capture_id, flows, bytes) SELECT t, ${p.add(captureId)}, f, b
      FROM unnest(${p.add(ts)}::bigint[], ${p.add(ts.map((t) => byT.get(t)!.flows))}::bigint[], ${p.add(ts.map((t) => byT.get(t)!.bytes))}::bigint[]) AS u(t, f, b)
      ON CONFLICT (t, capture_id) DO UPDATE SET flows = flow_buckets.flows + excluded.flows, bytes = flow_buckets.bytes + excluded.bytes`);
  }
  const byName = sum(protocols, (x: ProtocolCount) => x.name);
  if (byName.size > 0) {
    const names = [...byName.keys()];
    out.push(`INSERT INTO protocols (capture_id, name, flows, bytes) SELECT ${p.add(captureId)}, n, f, b
      FROM unnest(${p.add(names)}::text[], ${p.add(names.map((n) => byName.get(n)!.flows))}::bigint[], ${p.add(names.map((n) => byName.get(n)!.bytes))}::bigint[]) AS u(n, f, b)
      ON CONFLICT (capture_id, name) DO UPDATE SET flows = protocols.flows + excluded.flows, bytes = protocols.bytes + excluded.bytes`);
  }
  return out;
}

/** `WITH` list of statements, named w0, w1, … (empty when none), to put before a statement. */
export function withAll(statements: readonly string[]): string {
  return statements.length ? `WITH ${statements.map((x, i) => `w${i} AS (${x})`).join(', ')} ` : '';
}

/** Replaces assessments (and the devices' grade) and labels. */
export async function writeAssessments(c: PoolClient, assessments: readonly AssessmentInput[], labels: readonly LabelInput[]): Promise<void> {
  const t = nowIso();
  const latest = new Map(assessments.map((a) => [a.device_id, a]));
  if (latest.size > 0) {
    const list = [...latest.values()];
    await c.query(`INSERT INTO assessments (device_id, grade, score, record, updated_at)
      SELECT d, g, s, r, $5 FROM unnest($1::text[], $2::text[], $3::float8[], $4::text[]) AS u(d, g, s, r)
      ON CONFLICT (device_id) DO UPDATE SET grade = excluded.grade, score = excluded.score, record = excluded.record, updated_at = excluded.updated_at`,
    [list.map((a) => a.device_id), list.map((a) => a.grade), list.map((a) => a.score ?? null), list.map((a) => JSON.stringify({ ...a, updated_at: t })), t]);
    await c.query('UPDATE devices d SET grade = u.g FROM unnest($1::text[], $2::text[]) AS u(id, g) WHERE d.id = u.id',
      [list.map((a) => a.device_id), list.map((a) => a.grade)]);
  }
  const rows = new Map<string, { id: string; format: string; content: Buffer }>();
  for (const l of labels) {
    if (l.svg !== undefined) rows.set(`${l.device_id}\0svg`, { id: l.device_id, format: 'svg', content: Buffer.from(l.svg, 'utf8') });
    if (l.pdf !== undefined) rows.set(`${l.device_id}\0pdf`, { id: l.device_id, format: 'pdf', content: Buffer.from(l.pdf) });
  }
  if (rows.size > 0) {
    const list = [...rows.values()];
    await c.query(`INSERT INTO labels (device_id, format, content, updated_at) SELECT d, f, c, $4 FROM unnest($1::text[], $2::text[], $3::bytea[]) AS u(d, f, c)
      ON CONFLICT (device_id, format) DO UPDATE SET content = excluded.content, updated_at = excluded.updated_at`,
    [list.map((r) => r.id), list.map((r) => r.format), list.map((r) => r.content), t]);
  }
}
