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

/** Takes the transaction's advisory locks on these keys (sorted: two writers never wait on each other in a cycle). */
export async function lockKeys(c: PoolClient, keys: readonly string[]): Promise<void> {
  if (keys.length === 0) return;
  await c.query(`SELECT count(pg_advisory_xact_lock(k)) FROM
    (SELECT DISTINCT hashtextextended(x, 1515) AS k FROM unnest($1::text[]) AS x ORDER BY k) AS s`, [keys]);
}

/** Writes device sources and what is shown; returns the ids that were not stored before. */
export async function writeDevices(c: PoolClient, writes: readonly DeviceWrite[]): Promise<string[]> {
  if (writes.length === 0) return [];
  const ids = [...new Set(writes.map((w) => w.record.id))];
  const sources = new Map<string, SourceRow<DeviceRecord>[]>(ids.map((id) => [id, []]));
  for (const r of (await c.query('SELECT device_id, source, record, seq, capture_id, segments FROM device_sources WHERE device_id = ANY($1)', [ids])).rows) {
    sources.get(r.device_id as string)!.push({
      source: r.source as string, record: JSON.parse(r.record as string) as DeviceRecord, seq: Number(r.seq), captureId: r.capture_id as string | null,
      segments: r.segments as number, occurrence: 0, changed: false,
    });
  }
  const existing = new Set((await c.query('SELECT id FROM devices WHERE id = ANY($1)', [ids])).rows.map((r) => r.id as string));
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
  await c.query(`INSERT INTO device_sources (device_id, source, record, seq, capture_id, segments)
    SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::text[], $6::int[])
    ON CONFLICT (device_id, source) DO UPDATE SET record = excluded.record, seq = excluded.seq, capture_id = excluded.capture_id,
      segments = excluded.segments`, [
    changedSources.map((x) => x.id), changedSources.map((x) => x.s.source), changedSources.map((x) => JSON.stringify(x.s.record)),
    changedSources.map((x) => x.s.seq), changedSources.map((x) => x.s.captureId), changedSources.map((x) => x.s.segments),
  ]);
  const shown = changedIds.map((id) => {
    const f = foldDevice(sources.get(id)!);
    return { record: { ...f.record, id }, captures: f.captures };
  });
  await writeShownDevices(c, shown);
  const added = changedIds.filter((id) => !existing.has(id));
  // Findings stored before the device (an earlier batch named it first) count from the start.
  if (added.length > 0) {
    await c.query(`UPDATE devices d SET findings_open = (SELECT count(*) FROM finding_devices fd JOIN findings f ON f.id = fd.finding_id
      WHERE fd.device_id = d.id AND f.status = 'new') WHERE d.id = ANY($1)`, [added]);
  }
  return added;
}

/** Rewrites devices as shown (effective columns from overrides and grades). */
export async function writeShownDevices(c: PoolClient, shown: readonly { record: DeviceRecord; captures: number }[]): Promise<void> {
  const ids = shown.map((x) => x.record.id);
  const overrides = new Map<string, OverrideRow>();
  for (const r of (await c.query('SELECT device_id, name, type, vendor FROM device_overrides WHERE device_id = ANY($1)', [ids])).rows) {
    overrides.set(r.device_id as string, r as OverrideRow);
  }
  const grades = new Map<string, string>();
  for (const r of (await c.query('SELECT device_id, grade FROM assessments WHERE device_id = ANY($1)', [ids])).rows) grades.set(r.device_id as string, r.grade as string);
  const cols = shown.map((x) => deviceColumns(x.record, overrides.get(x.record.id)));
  await c.query(`INSERT INTO device_docs (id, record, evidence) SELECT * FROM unnest($1::text[], $2::text[], $3::text[])
    ON CONFLICT (id) DO UPDATE SET record = excluded.record, evidence = excluded.evidence`,
  [ids, cols.map((x) => JSON.stringify(x.record)), cols.map((x) => JSON.stringify(x.evidence))]);
  await c.query(`INSERT INTO devices (id, auto_name, auto_type, auto_vendor, model, name, type, vendor, user_json, grade,
      first_ts, last_ts, bytes, captures, search)
    SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[],
      $10::text[], $11::float8[], $12::float8[], $13::float8[], $14::int[], $15::text[])
    ON CONFLICT (id) DO UPDATE SET auto_name = excluded.auto_name, auto_type = excluded.auto_type, auto_vendor = excluded.auto_vendor,
      model = excluded.model, name = excluded.name, type = excluded.type, vendor = excluded.vendor, user_json = excluded.user_json,
      grade = excluded.grade, first_ts = excluded.first_ts, last_ts = excluded.last_ts, bytes = excluded.bytes,
      captures = excluded.captures, search = excluded.search`, [
    ids, cols.map((x) => x.autoName), cols.map((x) => x.autoType), cols.map((x) => x.autoVendor), cols.map((x) => x.model),
    cols.map((x) => x.name), cols.map((x) => x.type), cols.map((x) => x.vendor), cols.map((x) => (x.user ? JSON.stringify(x.user) : null)),
    ids.map((id) => grades.get(id) ?? null), shown.map((x) => x.record.first_ts), shown.map((x) => x.record.last_ts),
    shown.map((x) => x.record.bytes_in + x.record.bytes_out), shown.map((x) => x.captures), cols.map((x) => x.search),
  ]);
}

/** Writes finding sources and what is shown; returns the ids that were not stored before. */
export async function writeFindings(c: PoolClient, writes: readonly FindingWrite[]): Promise<string[]> {
  if (writes.length === 0) return [];
  const ids = [...new Set(writes.map((w) => w.record.id))];
  const sources = new Map<string, SourceRow<Finding>[]>(ids.map((id) => [id, []]));
  for (const r of (await c.query('SELECT finding_id, source, occurrence, record, seq, capture_id FROM finding_sources WHERE finding_id = ANY($1)', [ids])).rows) {
    sources.get(r.finding_id as string)!.push({
      source: r.source as string, occurrence: r.occurrence as number, record: JSON.parse(r.record as string) as Finding, seq: Number(r.seq),
      captureId: r.capture_id as string, segments: 0, changed: false,
    });
  }
  const stored = new Map<string, { status: string; last_ts: number }>();
  for (const r of (await c.query('SELECT id, status, last_ts FROM findings WHERE id = ANY($1)', [ids])).rows) {
    stored.set(r.id as string, { status: r.status as string, last_ts: r.last_ts as number });
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
  if (changed.size === 0) return [];
  const changedIds = [...changed.keys()];
  const rows = changedIds.flatMap((id) => sources.get(id)!.filter((s) => s.changed).map((s) => ({ id, s })));
  await c.query(`INSERT INTO finding_sources (finding_id, source, occurrence, record, seq, capture_id)
    SELECT * FROM unnest($1::text[], $2::text[], $3::int[], $4::text[], $5::bigint[], $6::text[])
    ON CONFLICT (finding_id, source, occurrence) DO UPDATE SET record = excluded.record, seq = excluded.seq, capture_id = excluded.capture_id`, [
    rows.map((x) => x.id), rows.map((x) => x.s.source), rows.map((x) => x.s.occurrence), rows.map((x) => JSON.stringify(x.s.record)),
    rows.map((x) => x.s.seq), rows.map((x) => x.s.captureId),
  ]);
  const t = nowIso();
  const shown = changedIds.map((id) => {
    const f = { ...foldFinding(sources.get(id)!), id };
    const prev = stored.get(id);
    // A finding the user resolved that is seen again later is new again.
    const status = prev ? (prev.status === 'resolved' && f.last_ts > prev.last_ts ? 'new' : prev.status) : 'new';
    return { f, status, statusChanged: prev && status !== prev.status ? t : null, captureId: changed.get(id)! };
  });
  await c.query('INSERT INTO finding_docs (id, record) SELECT * FROM unnest($1::text[], $2::text[]) ON CONFLICT (id) DO UPDATE SET record = excluded.record',
    [changedIds, shown.map((x) => JSON.stringify(x.f))]);
  await c.query(`INSERT INTO findings (id, detector, category, severity, title, first_ts, last_ts, count, status, status_changed_at, capture_id)
    SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::float8[], $7::float8[], $8::bigint[], $9::text[],
      $10::text[], $11::text[])
    ON CONFLICT (id) DO UPDATE SET detector = excluded.detector, category = excluded.category, severity = excluded.severity,
      title = excluded.title, first_ts = excluded.first_ts, last_ts = excluded.last_ts, count = excluded.count, status = excluded.status,
      status_changed_at = coalesce(excluded.status_changed_at, findings.status_changed_at)`, [
    changedIds, shown.map((x) => x.f.detector), shown.map((x) => x.f.category), shown.map((x) => x.f.severity), shown.map((x) => x.f.title),
    shown.map((x) => x.f.first_ts), shown.map((x) => x.f.last_ts), shown.map((x) => x.f.count), shown.map((x) => x.status),
    shown.map((x) => x.statusChanged), shown.map((x) => x.captureId),
  ]);
  const links = shown.flatMap((x) => findingDeviceIds(x.f).map((d) => [d, x.f.id] as const));
  await c.query(`INSERT INTO finding_devices (device_id, finding_id) SELECT * FROM unnest($1::text[], $2::text[]) ON CONFLICT DO NOTHING`,
    [links.map((l) => l[0]), links.map((l) => l[1])]);
  await refreshOpenFindings(c, changedIds);
  return changedIds.filter((id) => !stored.has(id));
}

/** Open-finding counts of the devices these findings name. */
export async function refreshOpenFindings(c: PoolClient, findingIds: readonly string[]): Promise<void> {
  await c.query(`UPDATE devices d SET findings_open = (SELECT count(*) FROM finding_devices fd JOIN findings f ON f.id = fd.finding_id
    WHERE fd.device_id = d.id AND f.status = 'new') WHERE d.id IN (SELECT device_id FROM finding_devices WHERE finding_id = ANY($1))`, [findingIds]);
}

/** Flow buckets and protocol counts added to what the capture (or segment) has. */
export async function addFlows(c: PoolClient, captureId: string, buckets: readonly FlowBucket[], protocols: readonly ProtocolCount[]): Promise<void> {
  const byT = new Map<number, { flows: number; bytes: number }>();
  for (const b of buckets) {
    const x = byT.get(b.t) ?? { flows: 0, bytes: 0 };
    byT.set(b.t, { flows: x.flows + b.flows, bytes: x.bytes + b.bytes });
  }
  if (byT.size > 0) {
    const ts = [...byT.keys()];
    await c.query(`INSERT INTO flow_buckets (t, capture_id, flows, bytes) SELECT t, $2, f, b FROM unnest($1::bigint[], $3::bigint[], $4::bigint[]) AS u(t, f, b)
      ON CONFLICT (t, capture_id) DO UPDATE SET flows = flow_buckets.flows + excluded.flows, bytes = flow_buckets.bytes + excluded.bytes`,
    [ts, captureId, ts.map((t) => byT.get(t)!.flows), ts.map((t) => byT.get(t)!.bytes)]);
  }
  const byName = new Map<string, { flows: number; bytes: number }>();
  for (const p of protocols) {
    const x = byName.get(p.name) ?? { flows: 0, bytes: 0 };
    byName.set(p.name, { flows: x.flows + p.flows, bytes: x.bytes + p.bytes });
  }
  if (byName.size > 0) {
    const names = [...byName.keys()];
    await c.query(`INSERT INTO protocols (capture_id, name, flows, bytes) SELECT $1, n, f, b FROM unnest($2::text[], $3::bigint[], $4::bigint[]) AS u(n, f, b)
      ON CONFLICT (capture_id, name) DO UPDATE SET flows = protocols.flows + excluded.flows, bytes = protocols.bytes + excluded.bytes`,
    [captureId, names, names.map((n) => byName.get(n)!.flows), names.map((n) => byName.get(n)!.bytes)]);
  }
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
