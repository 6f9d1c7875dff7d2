/**
 * The central store on PostgreSQL (node-postgres): a connection pool, numbered migrations applied at open,
 * batched writes (pg-write.ts) and the dashboard's queries. Several servers may share one database: sensor
 * batches are applied once each whichever server gets them, and nothing is memoised between requests.
 * @module
 */
import { userInfo } from 'node:os';
import pg from 'pg';
import type { Pool, PoolClient, PoolConfig } from 'pg';
import type { DeviceRecord, DeviceType } from '../inventory/types.ts';
import { createTrigramSql, pgMigrations, trigramIndexSql, trigramSchemaSql } from './pg-schema.ts';
import { Params, pgDeviceOrder, pgDeviceWhere, pgFindingWhere } from './pg-queries.ts';
import { deviceJson, findingJson, type DeviceShown } from './rows.ts';
import { FLOW_BUCKET_S } from './flow-series.ts';
import { MAX_SERIES_BUCKETS, captureIdOf } from './sqlite.ts';
import type { StoreSpec } from './open.ts';
import { MAX_SEQ_GAP, checkBatch, scopedId, type BatchOutcome, type SensorRow, type SensorStatus, type StoreBatch } from './batch.ts';
import {
  CAPTURES_SOURCE, foldDevice, occurrenceOf, scopeDevice, scopeFinding, segmentCaptureId, segmentSha256, segmentSummary, sensorSource,
} from './sources.ts';
import { flowsSql, lockKeys, nowIso, refreshOpenFindings, writeAssessments, writeDevices, writeFindings, writeShownDevices } from './pg-write.ts';
import type {
  AssessmentInput, CaptureRow, CaptureStatus, CaptureSummaryJson, Counts, Deleted, DeviceOverride, DeviceQuery, FindingQuery,
  FindingUpdate, IngestInput, IngestOutcome, JsonPage, LabelInput, NewCapture, Overview, Page, Store, Timeseries, TimeseriesQuery,
} from './types.ts';

type Row = Record<string, unknown>;

const severities = ['critical', 'high', 'medium', 'low', 'info'];
/** Transactions that lost a serialisation race or a deadlock are tried again this many times. */
const TX_TRIES = 4;
const MIGRATE_LOCK = 'bulwark.migrate';

export interface PgStoreOptions {
  /** `postgres://user@host:port/db?sslmode=…` (credentials may come apart, from the configuration file). */
  connectionString: string;
  user?: string;
  password?: string;
  /** TLS: PEM texts, or false to forbid it. */
  ssl?: false | { ca?: string; cert?: string; key?: string; rejectUnauthorized?: boolean; servername?: string };
  /** Tables live in this schema (created when missing); default: the server's search_path (public). */
  schema?: string;
  /** Pool size (default 10). */
  max?: number;
  /** Name shown in pg_stat_activity. */
  applicationName?: string;
}

// int8 and numeric answers as numbers (counts and sums stay far below 2^53 here).
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === 20 || oid === 1700 ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
};

/** Like libpq: without a user in the address or PGUSER, the operating-system user name. */
export function defaultPgUser(): string {
  return process.env.PGUSER ?? process.env.USER ?? userInfo().username;
}

/** The address with the default user filled in when it names none (node-postgres would send none). */
export function withDefaultUser(connectionString: string, user?: string): string {
  try {
    const u = new URL(connectionString);
    if (u.username === '' && !u.searchParams.has('user')) u.username = encodeURIComponent(user ?? defaultPgUser());
    return u.toString();
  } catch {
    return connectionString;
  }
}

export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

export class PgStore implements Store {
  readonly kind = 'postgres';
  readonly pool: Pool;
  /** True when the pg_trgm indexes for substring search could be made. */
  trigram = false;
  private readonly options: PgStoreOptions;

  private constructor(options: PgStoreOptions) {
    this.options = options;
    const config: PoolConfig = {
      connectionString: withDefaultUser(options.connectionString, options.user), max: options.max ?? 10, types,
      application_name: options.applicationName ?? 'bulwark', idleTimeoutMillis: 30_000, connectionTimeoutMillis: 10_000,
    };
    if (options.user !== undefined) config.user = options.user;
    if (options.password !== undefined) config.password = options.password;
    if (options.ssl !== undefined) config.ssl = options.ssl;
    // JIT compiling pays off for long analytic queries, not for these short ones (it cost 100s of ms per write).
    config.options = `-c jit=off${options.schema ? ` -c search_path=${quoteIdent(options.schema)}` : ''}`;
    this.pool = new pg.Pool(config);
    // An idle connection the server ended (restart, failover) is an error on the pool, not on a request.
    this.pool.on('error', () => {});
  }

  /** Connects, creates the schema when asked for one, applies migrations. */
  static async open(options: PgStoreOptions): Promise<PgStore> {
    const s = new PgStore(options);
    try {
      await s.migrate();
    } catch (err) {
      await s.pool.end();
      throw err;
    }
    return s;
  }

  /** How a worker thread opens the same store. */
  get reopen(): Extract<StoreSpec, { kind: 'postgres' }> {
    return { kind: 'postgres', options: this.options };
  }

  private async migrate(): Promise<void> {
    const c = await this.pool.connect();
    try {
      if (this.options.schema) await c.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(this.options.schema)}`);
      await c.query('SELECT pg_advisory_lock(hashtext($1))', [MIGRATE_LOCK]);
      try {
        await c.query('CREATE TABLE IF NOT EXISTS migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at text NOT NULL)');
        const applied = new Set((await c.query('SELECT version FROM migrations')).rows.map((r: Row) => r.version as number));
        for (const m of pgMigrations) {
          if (applied.has(m.version)) continue;
          await c.query('BEGIN');
          try {
            await c.query(m.sql);
            await c.query('INSERT INTO migrations (version, name, applied_at) VALUES ($1, $2, $3)', [m.version, m.name, nowIso()]);
            await c.query('COMMIT');
          } catch (err) {
            await c.query('ROLLBACK');
            throw err;
          }
        }
        this.trigram = await this.trigramIndexes(c);
      } finally {
        await c.query('SELECT pg_advisory_unlock(hashtext($1))', [MIGRATE_LOCK]);
      }
    } finally {
      c.release();
    }
  }

  /** The substring-search indexes; false when pg_trgm cannot be had (search then scans). */
  private async trigramIndexes(c: PoolClient): Promise<boolean> {
    await c.query(createTrigramSql).catch(() => {}); // not installed, no right to, or another server raced us
    const ns = (await c.query(trigramSchemaSql)).rows[0]?.ns as string | undefined;
    if (ns === undefined) return false;
    try {
      await c.query(trigramIndexSql(ns));
      return true;
    } catch {
      return false;
    }
  }

  async schemaVersions(): Promise<number[]> {
    return (await this.pool.query('SELECT version FROM migrations ORDER BY version')).rows.map((r: Row) => r.version as number);
  }

  /** Writes through this store (and changed() calls): see version(). */
  private writes = 0;

  private async tx<T>(fn: (c: PoolClient) => Promise<T>): Promise<T> {
    this.writes++;
    for (let attempt = 1; ; attempt++) {
      const c = await this.pool.connect();
      try {
        await c.query('BEGIN');
        const result = await fn(c);
        await c.query('COMMIT');
        await bumpVersion(c);
        return result;
      } catch (err) {
        await c.query('ROLLBACK').catch(() => {});
        const code = (err as { code?: string }).code;
        if (attempt < TX_TRIES && (code === '40001' || code === '40P01')) continue;
        throw err;
      } finally {
        c.release();
      }
    }
  }

  private async rows(sql: string, params: readonly unknown[] = []): Promise<Row[]> {
    return (await this.pool.query(sql, params as unknown[])).rows as Row[];
  }

  // --- captures -------------------------------------------------------------------------------------------

  async addCapture(c: NewCapture): Promise<{ capture: CaptureRow; created: boolean }> {
    this.writes++;
    const r = await this.pool.query(`INSERT INTO captures (id, sha256, filename, size, path, status, created_at)
      VALUES ($1, $2, $3, $4, $5, 'queued', $6) ON CONFLICT (sha256) DO NOTHING`, [captureIdOf(c.sha256), c.sha256, c.filename, c.size, c.path, nowIso()]);
    if ((r.rowCount ?? 0) > 0) await bumpVersion(this.pool);
    const [row] = await this.rows('SELECT * FROM captures WHERE sha256 = $1', [c.sha256]);
    return { capture: captureOf(row), created: (r.rowCount ?? 0) > 0 };
  }

  async getCapture(id: string): Promise<CaptureRow | undefined> {
    const [row] = await this.rows('SELECT * FROM captures WHERE id = $1', [id]);
    return row ? captureOf(row) : undefined;
  }

  async listCaptures(page: Page): Promise<{ items: CaptureRow[]; total: number }> {
    const items = (await this.rows('SELECT * FROM captures ORDER BY created_at DESC, id LIMIT $1 OFFSET $2', [page.limit, page.offset])).map(captureOf);
    const [n] = await this.rows('SELECT count(*) AS n FROM captures');
    return { items, total: n.n as number };
  }

  async pendingCaptures(): Promise<CaptureRow[]> {
    return (await this.rows("SELECT * FROM captures WHERE status IN ('queued', 'ingesting') ORDER BY created_at, id")).map(captureOf);
  }

  async setCaptureState(id: string, state: { status: CaptureStatus; progress?: number; error?: string }): Promise<void> {
    this.writes++;
    const started = state.status === 'ingesting' ? nowIso() : null;
    const finished = state.status === 'done' || state.status === 'failed' ? nowIso() : null;
    await this.pool.query(`UPDATE captures SET status = $1, progress = coalesce($2, progress), error = $3,
      started_at = coalesce(started_at, $4), finished_at = coalesce($5, finished_at) WHERE id = $6`,
    [state.status, state.progress ?? null, state.error ?? null, started, finished, id]);
    await bumpVersion(this.pool);
  }

  // --- writes ---------------------------------------------------------------------------------------------

  async ingest(captureId: string, input: IngestInput): Promise<IngestOutcome> {
    return this.tx(async (c) => {
      const [cap] = (await c.query('SELECT status, summary FROM captures WHERE id = $1 FOR UPDATE', [captureId])).rows as Row[];
      if (!cap) throw new Error(`unknown capture ${captureId}`);
      if (cap.status === 'done') return { applied: false, newDeviceIds: [], newFindingIds: [], summary: cap.summary as CaptureSummaryJson };
      const p = new Params();
      await lockKeys(c, [...input.devices.map((d) => `d:${d.id}`), ...input.findings.map((f) => `f:${f.id}`)], flowsSql(p, captureId, input.flowBuckets, input.protocols), p);
      const at = { source: CAPTURES_SOURCE, merge: true, seq: 0, captureId };
      const newDeviceIds = await writeDevices(c, input.devices.map((record) => ({ ...at, record })));
      const findings = await writeFindings(c, input.findings.map((record) => ({ ...at, record, occurrence: 0 })));
      const newFindingIds = findings.added;
      await refreshOpenFindings(c, findings.changed, newDeviceIds);
      await writeAssessments(c, input.assessments ?? [], input.labels ?? []);
      const s = input.summary;
      const summary: CaptureSummaryJson = {
        packets: s.packets, bytes: s.bytes, first_ts: s.first_ts, last_ts: s.last_ts, span_s: s.span_s,
        flows: s.flows.total, devices: input.devices.length, findings: input.findings.length,
        new_devices: newDeviceIds.length, new_findings: newFindingIds.length, partial: s.partial, apps: s.apps, transports: s.transports,
      };
      await c.query(`UPDATE captures SET status = 'done', progress = 1, error = NULL, summary = $1, finished_at = $2 WHERE id = $3`,
        [JSON.stringify(summary), nowIso(), captureId]);
      return { applied: true, newDeviceIds, newFindingIds, summary };
    });
  }

  async applyBatch(batch: StoreBatch): Promise<BatchOutcome> {
    checkBatch(batch);
    return this.tx(async (c) => {
      const { site, sensor, seq } = batch;
      const seen = batch.status?.sent_at ?? Date.now();
      // The sensor's row is the lock that applies its batches one at a time, whichever consumer has them
      // (ON CONFLICT DO UPDATE locks the existing row); its watermark says whether this batch was applied.
      const [known] = (await c.query(`INSERT INTO sensors (site, sensor, first_seen, last_seen, last_seq, applied_through)
        VALUES ($1, $2, $3, $3, 0, 0) ON CONFLICT (site, sensor) DO UPDATE SET site = excluded.site
        RETURNING applied_through`, [site, sensor, seen])).rows as Row[];
      const through = known.applied_through as number;
      if (seq <= through) return { applied: false, newDeviceIds: [], newFindingIds: [] };
      // Listed out of order already? Asked in a statement of its own, after the lock: a subquery of the locking
      // statement reads that statement's snapshot, taken before the lock was granted, so it missed a redelivery's
      // twin committed by the consumer that held the lock — which then listed the number a second time.
      const [listed] = (await c.query('SELECT 1 FROM sensor_batches WHERE site = $1 AND sensor = $2 AND seq = $3',
        [site, sensor, seq])).rows as Row[];
      if (listed !== undefined) return { applied: false, newDeviceIds: [], newFindingIds: [] };
      const source = sensorSource(batch);
      const segmentId = batch.segment?.id ?? '';
      const captureId = segmentCaptureId(batch, segmentId);
      const devices = (batch.devices ?? []).map((d) => scopeDevice(site, d));
      const findings = (batch.findings ?? []).map((x) => scopeFinding(site, x.finding));
      const p = new Params();
      const capture = `INSERT INTO captures (id, sha256, filename, size, path, status, created_at, started_at, site, sensor)
        VALUES (${p.add(captureId)}, ${p.add(segmentSha256(batch, segmentId))}, ${p.add(`${sensor}: ${batch.segment?.id ?? 'live'}`)}, 0, '', 'live',
          ${p.add(nowIso())}, ${p.add(nowIso())}, ${p.add(site)}, ${p.add(sensor)}) ON CONFLICT (id) DO NOTHING`;
      const removed = (batch.removedDevices ?? []).map((id) => scopedId(site, id));
      await lockKeys(c, [...devices.map((d) => `d:${d.id}`), ...removed.map((id) => `d:${id}`), ...findings.map((f) => `f:${f.id}`)],
        [capture, ...flowsSql(p, captureId, batch.flowBuckets ?? [], batch.protocols ?? [])], p);
      const at = { source, merge: false, seq, captureId };
      const newDeviceIds = await writeDevices(c, devices.map((record) => ({ ...at, record })));
      for (const id of removed) await removeDeviceSource(c, id, source, seq);
      const written = await writeFindings(c, findings.map((record) => ({ ...at, record, occurrence: occurrenceOf(record) })));
      const newFindingIds = written.added;
      await refreshOpenFindings(c, written.changed, newDeviceIds);
      if ((batch.assessments ?? []).length + (batch.labels ?? []).length > 0) {
        await writeAssessments(c, (batch.assessments ?? []).map((a) => ({ ...a, device_id: scopedId(site, a.device_id) })),
          (batch.labels ?? []).map((l) => ({ ...l, device_id: scopedId(site, l.device_id) })));
      }
      if (batch.segment) {
        const [prev] = (await c.query('SELECT summary FROM captures WHERE id = $1', [captureId])).rows as Row[];
        const [n] = (await c.query(`SELECT (SELECT count(*) FROM device_sources WHERE capture_id = $1 AND source = $2) AS devices,
          (SELECT count(DISTINCT finding_id) FROM finding_sources WHERE capture_id = $1 AND source = $2) AS findings`, [captureId, source])).rows as Row[];
        const summary = segmentSummary(batch, (prev?.summary ?? undefined) as CaptureSummaryJson | undefined, {
          devices: n.devices as number, findings: n.findings as number, newDevices: newDeviceIds.length, newFindings: newFindingIds.length,
        });
        const final = batch.segment.final;
        await c.query(`UPDATE captures SET summary = $1, status = $2, progress = $3,
          finished_at = CASE WHEN $4 THEN coalesce(finished_at, $5) ELSE NULL END WHERE id = $6`,
        [JSON.stringify(summary), final ? 'done' : 'live', final ? 1 : 0, final, nowIso(), captureId]);
      }
      // The status of the newest batch wins (batches of one sensor may be applied out of order); the one before stays
      // for rates. The next batch in order moves the watermark over itself and over any listed run that follows.
      const moved = await c.query(`WITH RECURSIVE run(n) AS (SELECT $4::bigint
          UNION ALL SELECT n + 1 FROM run WHERE EXISTS (SELECT 1 FROM sensor_batches WHERE site = $1 AND sensor = $2 AND seq = n + 1))
        UPDATE sensors SET last_seen = greatest(last_seen, $3), first_seen = least(first_seen, $3),
          prev_status = CASE WHEN $4 > last_seq AND $5::text IS NOT NULL THEN status ELSE prev_status END,
          status = CASE WHEN $4 > last_seq AND $5::text IS NOT NULL THEN $5 ELSE status END, last_seq = greatest(last_seq, $4),
          applied_through = CASE WHEN $4 = applied_through + 1 THEN (SELECT max(n) FROM run) ELSE applied_through END
        WHERE site = $1 AND sensor = $2 RETURNING applied_through`, [site, sensor, seen, seq, batch.status ? JSON.stringify(batch.status) : null]);
      const watermark = (moved.rows[0] as Row).applied_through as number;
      // Out of order: listed until the gap closes. In order past listed ones: those are covered now.
      if (seq > watermark) {
        await c.query('INSERT INTO sensor_batches (site, sensor, seq) VALUES ($1, $2, $3)', [site, sensor, seq]);
        // Numbers more than MAX_SEQ_GAP behind this one are lost: stop waiting for them.
        if (seq - watermark > MAX_SEQ_GAP) {
          await c.query(`WITH RECURSIVE run(n) AS (SELECT $3::bigint
              UNION ALL SELECT n + 1 FROM run WHERE EXISTS (SELECT 1 FROM sensor_batches WHERE site = $1 AND sensor = $2 AND seq = n + 1)),
            moved AS (UPDATE sensors SET applied_through = (SELECT max(n) FROM run) WHERE site = $1 AND sensor = $2 RETURNING applied_through)
            DELETE FROM sensor_batches WHERE site = $1 AND sensor = $2 AND seq <= (SELECT applied_through FROM moved)`, [site, sensor, seq - MAX_SEQ_GAP]);
        }
      } else if (watermark > seq) await c.query('DELETE FROM sensor_batches WHERE site = $1 AND sensor = $2 AND seq <= $3', [site, sensor, watermark]);
      return { applied: true, newDeviceIds, newFindingIds };
    });
  }

  async listSensors(): Promise<SensorRow[]> {
    return (await this.rows('SELECT * FROM sensors ORDER BY site, sensor')).map((r) => {
      const row: SensorRow = {
        site: r.site as string, sensor: r.sensor as string, first_seen: r.first_seen as number, last_seen: r.last_seen as number,
        last_seq: r.last_seq as number,
      };
      if (r.status !== null) row.status = JSON.parse(r.status as string) as SensorStatus;
      if (r.prev_status !== null) row.previous = JSON.parse(r.prev_status as string) as SensorStatus;
      return row;
    });
  }

  async overrideDevice(id: string, o: DeviceOverride): Promise<boolean> {
    return this.tx(async (c) => {
      await lockKeys(c, [`d:${id}`]);
      const [row] = (await c.query('SELECT dd.record, dd.evidence, d.captures FROM devices d JOIN device_docs dd ON dd.id = d.id WHERE d.id = $1', [id])).rows as Row[];
      if (!row) return false;
      const [prev] = (await c.query('SELECT name, type, vendor FROM device_overrides WHERE device_id = $1', [id])).rows as Row[];
      const pick = (k: 'name' | 'type' | 'vendor'): string | null => (o[k] === undefined ? ((prev?.[k] as string | null) ?? null) : o[k]);
      const next = { name: pick('name'), type: pick('type') as DeviceType | null, vendor: pick('vendor') };
      if (next.name === null && next.type === null && next.vendor === null) await c.query('DELETE FROM device_overrides WHERE device_id = $1', [id]);
      else {
        await c.query(`INSERT INTO device_overrides (device_id, name, type, vendor, updated_at) VALUES ($1, $2, $3, $4, $5)
          ON CONFLICT (device_id) DO UPDATE SET name = excluded.name, type = excluded.type, vendor = excluded.vendor, updated_at = excluded.updated_at`,
        [id, next.name, next.type, next.vendor, nowIso()]);
      }
      const record = { ...(JSON.parse(row.record as string) as DeviceRecord), evidence: JSON.parse(row.evidence as string) as DeviceRecord['evidence'] };
      await writeShownDevices(c, [{ record, captures: row.captures as number }]);
      return true;
    });
  }

  async updateFinding(id: string, u: FindingUpdate): Promise<boolean> {
    return this.tx(async (c) => {
      const [row] = (await c.query('SELECT status, note FROM findings WHERE id = $1 FOR UPDATE', [id])).rows as Row[];
      if (!row) return false;
      const note = u.note === undefined ? row.note : u.note;
      const changed = row.status !== u.status ? nowIso() : null;
      await c.query('UPDATE findings SET status = $1, note = $2, status_changed_at = coalesce($3, status_changed_at) WHERE id = $4', [u.status, note, changed, id]);
      if (changed) await refreshOpenFindings(c, [id]);
      return true;
    });
  }

  async saveAssessments(assessments: readonly AssessmentInput[], labels: readonly LabelInput[]): Promise<void> {
    await this.tx((c) => writeAssessments(c, assessments, labels));
  }

  // --- reads ----------------------------------------------------------------------------------------------

  async listDevices(q: DeviceQuery): Promise<JsonPage> {
    const p = new Params();
    const where = pgDeviceWhere(q, p);
    const total = (await this.rows(`SELECT count(*) AS n FROM devices ${where}`, p.values))[0].n as number;
    const ids = (await this.rows(`SELECT id FROM devices ${where} ORDER BY ${pgDeviceOrder(q.sort)} LIMIT ${p.add(q.limit)} OFFSET ${p.add(q.offset)}`, p.values))
      .map((r) => r.id as string);
    return { items: await this.deviceDocs(ids, false), total };
  }

  private async deviceDocs(ids: readonly string[], withEvidence: boolean): Promise<string[]> {
    if (ids.length === 0) return [];
    const rows = await this.rows(`SELECT d.id, d.name, d.type, d.vendor, d.model, d.grade, d.findings_open, d.captures, d.user_json, dd.record
      ${withEvidence ? ', dd.evidence' : ''} FROM devices d JOIN device_docs dd ON dd.id = d.id WHERE d.id = ANY($1)`, [ids]);
    const byId = new Map(rows.map((r) => [r.id as string, r]));
    return ids.filter((id) => byId.has(id)).map((id) => {
      const r = byId.get(id)!;
      const shown: DeviceShown = {
        name: r.name as string, type: r.type as string, vendor: r.vendor as string | null, model: r.model as string | null,
        grade: r.grade as string | null, findings_open: r.findings_open as number, captures: r.captures as number,
        user: r.user_json === null ? null : JSON.parse(r.user_json as string) as Record<string, string>,
      };
      return deviceJson(r.record as string, shown, withEvidence ? (r.evidence as string) : undefined);
    });
  }

  async getDevice(id: string, withEvidence = true): Promise<string | undefined> {
    return (await this.deviceDocs([id], withEvidence))[0];
  }

  async listFindings(q: FindingQuery): Promise<JsonPage> {
    const p = new Params();
    const where = pgFindingWhere(q, p);
    const total = (await this.rows(`SELECT count(*) AS n FROM findings ${where}`, p.values))[0].n as number;
    const ids = (await this.rows(`SELECT id FROM findings ${where} ORDER BY last_ts DESC, id LIMIT ${p.add(q.limit)} OFFSET ${p.add(q.offset)}`, p.values))
      .map((r) => r.id as string);
    return { items: await this.findingDocs(ids, false), total };
  }

  private async findingDocs(ids: readonly string[], full: boolean): Promise<string[]> {
    if (ids.length === 0) return [];
    const rows = await this.rows('SELECT f.id, f.status, f.note, f.status_changed_at, fd.record FROM findings f JOIN finding_docs fd ON fd.id = f.id WHERE f.id = ANY($1)', [ids]);
    const byId = new Map(rows.map((r) => [r.id as string, r]));
    return ids.filter((id) => byId.has(id)).map((id) => {
      const r = byId.get(id)!;
      return findingJson(r.record as string, { status: r.status as string, note: r.note as string | null, status_changed_at: r.status_changed_at as string | null }, full);
    });
  }

  async getFinding(id: string, full = true): Promise<string | undefined> {
    return (await this.findingDocs([id], full))[0];
  }

  async getAssessment(deviceId: string): Promise<string | undefined> {
    return (await this.rows('SELECT record FROM assessments WHERE device_id = $1', [deviceId]))[0]?.record as string | undefined;
  }

  async getLabel(deviceId: string, format: 'svg' | 'pdf'): Promise<Uint8Array | undefined> {
    const content = (await this.rows('SELECT content FROM labels WHERE device_id = $1 AND format = $2', [deviceId, format]))[0]?.content as Buffer | undefined;
    return content ? new Uint8Array(content) : undefined;
  }

  async timeseries(q: TimeseriesQuery): Promise<Timeseries> {
    const isFlows = q.metric !== 'findings';
    const lim = [q.since ?? -1e15, q.until ?? 1e15];
    const [range] = isFlows
      ? await this.rows('SELECT min(t) AS lo, max(t) AS hi FROM flow_buckets WHERE t >= $1 AND t <= $2', lim)
      : await this.rows('SELECT min(first_ts) AS lo, max(first_ts) AS hi FROM findings WHERE first_ts >= $1 AND first_ts <= $2', lim);
    let bucket = Math.max(FLOW_BUCKET_S, Math.ceil(q.bucket / FLOW_BUCKET_S) * FLOW_BUCKET_S);
    const names = isFlows ? [q.metric] : severities;
    if (range.lo === null || range.hi === null) return { metric: q.metric, bucket, t: [], series: Object.fromEntries(names.map((n) => [n, []])) };
    const lo = range.lo as number;
    const hi = range.hi as number;
    if ((hi - lo) / bucket >= MAX_SERIES_BUCKETS) bucket = Math.ceil((hi - lo) / (MAX_SERIES_BUCKETS - 1) / FLOW_BUCKET_S) * FLOW_BUCKET_S;
    const start = Math.floor(lo / bucket) * bucket;
    const n = Math.floor(hi / bucket) - start / bucket + 1;
    const t = Array.from({ length: n }, (_, i) => start + i * bucket);
    const series: Record<string, number[]> = Object.fromEntries(names.map((name) => [name, new Array<number>(n).fill(0)]));
    if (isFlows) {
      const col = q.metric === 'bytes' ? 'bytes' : 'flows';
      const rows = await this.rows(`SELECT floor(t::float8 / $1)::bigint * $1 AS b, sum(${col}) AS v FROM flow_buckets WHERE t >= $2 AND t <= $3 GROUP BY 1`, [bucket, lo, hi]);
      for (const r of rows) series[q.metric][((r.b as number) - start) / bucket] = r.v as number;
    } else {
      const rows = await this.rows(`SELECT floor(first_ts / $1)::bigint * $1 AS b, severity, count(*) AS v FROM findings
        WHERE first_ts >= $2 AND first_ts <= $3 GROUP BY 1, 2`, [bucket, lo, hi]);
      for (const r of rows) {
        const s = series[r.severity as string];
        if (s) s[((r.b as number) - start) / bucket] = r.v as number;
      }
    }
    return { metric: q.metric, bucket, t, series };
  }

  async overview(): Promise<Overview> {
    const group = async (sql: string): Promise<Record<string, number>> =>
      Object.fromEntries((await this.rows(sql)).map((r) => [String(r.k ?? 'ungraded'), r.n as number]));
    const bySeverity = await group('SELECT severity AS k, count(*) AS n FROM findings GROUP BY severity');
    const byStatus = await group('SELECT status AS k, count(*) AS n FROM findings GROUP BY status');
    const [range] = await this.rows('SELECT min(first_ts) AS lo, max(last_ts) AS hi FROM devices');
    return {
      ...(await this.counts()),
      devices_by_grade: await group('SELECT grade AS k, count(*) AS n FROM devices GROUP BY grade ORDER BY grade NULLS FIRST'),
      devices_by_type: await group('SELECT type AS k, count(*) AS n FROM devices GROUP BY type ORDER BY n DESC, type'),
      findings_by_severity: Object.fromEntries(severities.map((s) => [s, bySeverity[s] ?? 0])),
      findings_by_status: { new: byStatus.new ?? 0, acknowledged: byStatus.acknowledged ?? 0, resolved: byStatus.resolved ?? 0 },
      top_talkers: (await this.rows('SELECT id, name, type, bytes FROM devices ORDER BY bytes DESC, id LIMIT 10'))
        .map((r) => ({ id: r.id as string, name: r.name as string, type: r.type as string, bytes: r.bytes as number })),
      protocols: (await this.rows('SELECT name, sum(flows) AS flows, sum(bytes) AS bytes FROM protocols GROUP BY name ORDER BY flows DESC, name LIMIT 10'))
        .map((r) => ({ name: r.name as string, flows: r.flows as number, bytes: r.bytes as number })),
      first_ts: range.lo as number | null,
      last_ts: range.hi as number | null,
    };
  }

  async version(): Promise<string> {
    // This process's writes, and the database-wide counter every server bumps after each commit: another server's
    // write (a consumer applying a sensor's batch, an ingest worker) changes the answer here too.
    // (A new sequence reads last_value 1 before its first nextval as after it: is_called tells them apart.)
    const [r] = await this.rows('SELECT CASE WHEN is_called THEN last_value ELSE 0 END AS v FROM store_version');
    return `${this.writes}.${String(r.v)}`;
  }

  /** Another connection wrote (the ingest worker): memoised answers keyed on version() are stale. */
  changed(): void {
    this.writes++;
  }

  async counts(): Promise<Counts> {
    const [r] = await this.rows(`SELECT (SELECT count(*) FROM captures) AS captures, (SELECT count(*) FROM devices) AS devices,
      (SELECT count(*) FROM findings) AS findings`);
    return { captures: r.captures as number, devices: r.devices as number, findings: r.findings as number };
  }

  // --- retention and deletion ---------------------------------------------------------------------------

  async purge(days: number, nowS = Date.now() / 1000): Promise<Deleted> {
    const [r] = await this.rows('SELECT greatest((SELECT max(last_ts) FROM devices), (SELECT max(last_ts) FROM findings)) AS t');
    if (r.t === null) return { captures: 0, devices: 0, findings: 0, files: [] };
    const cutoff = Math.min(r.t as number, nowS) - days * 86400;
    return this.tx((c) => deleteSelected(c, {
      captures: [`SELECT id, path FROM captures WHERE status = 'done' AND (summary->>'last_ts')::float8 < $1`, cutoff],
      devices: ['SELECT id FROM devices WHERE last_ts < $1', cutoff],
      findings: ['SELECT id FROM findings WHERE last_ts < $1', cutoff],
    }));
  }

  async deleteCapture(id: string): Promise<Deleted> {
    return this.tx((c) => deleteSelected(c, { captures: ['SELECT id, path FROM captures WHERE id = $1', id], findings: ['SELECT id FROM findings WHERE capture_id = $1', id] }));
  }

  async deleteDevice(id: string): Promise<Deleted> {
    return this.tx((c) => deleteSelected(c, { devices: ['SELECT id FROM devices WHERE id = $1', id] }));
  }

  async deleteFinding(id: string): Promise<Deleted> {
    return this.tx((c) => deleteSelected(c, { findings: ['SELECT id FROM findings WHERE id = $1', id] }));
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}

type Selection = [string, string | number];

/** Deletes the rows each query selects, with everything that hangs off them (set-based: one statement per table). */
/**
 * A sensor merged a device it had published into another (an address-only device that got its MAC):
 * forget what this source said of it; the device goes when no source is left. A later batch of the
 * source that published it again wins (its seq is above this one).
 */
async function removeDeviceSource(c: PoolClient, id: string, source: string, seq: number): Promise<void> {
  const gone = await c.query('DELETE FROM device_sources WHERE device_id = $1 AND source = $2 AND seq <= $3', [id, source, seq]);
  if (!gone.rowCount) return;
  const rest = (await c.query('SELECT source, record, segments FROM device_sources WHERE device_id = $1', [id])).rows
    .map((r) => ({ source: r.source as string, record: JSON.parse(r.record as string) as DeviceRecord, segments: r.segments as number }));
  if (rest.length === 0) {
    await deleteSelected(c, { devices: ['SELECT id FROM devices WHERE id = $1', id] });
    return;
  }
  const shown = foldDevice(rest);
  await writeShownDevices(c, [{ record: { ...shown.record, id }, captures: shown.captures }]);
}

async function deleteSelected(c: PoolClient, q: { captures?: Selection; devices?: Selection; findings?: Selection }): Promise<Deleted> {
  const ids = async (s: Selection | undefined): Promise<Row[]> => (s ? (await c.query(s[0], [s[1]])).rows as Row[] : []);
  const findings = (await ids(q.findings)).map((r) => r.id as string);
  if (findings.length > 0) {
    const linked = (await c.query('SELECT DISTINCT device_id FROM finding_devices WHERE finding_id = ANY($1)', [findings])).rows.map((r: Row) => r.device_id as string);
    for (const table of ['finding_sources WHERE finding_id', 'finding_devices WHERE finding_id', 'finding_docs WHERE id', 'findings WHERE id']) {
      await c.query(`DELETE FROM ${table} = ANY($1)`, [findings]);
    }
    await refreshOpenFindings(c, [], linked);
  }
  const devices = (await ids(q.devices)).map((r) => r.id as string);
  if (devices.length > 0) {
    for (const table of ['finding_devices', 'assessments', 'labels', 'device_sources']) await c.query(`DELETE FROM ${table} WHERE device_id = ANY($1)`, [devices]);
    await c.query('DELETE FROM device_docs WHERE id = ANY($1)', [devices]);
    await c.query('DELETE FROM devices WHERE id = ANY($1)', [devices]);
  }
  const captures = await ids(q.captures);
  if (captures.length > 0) {
    const capIds = captures.map((r) => r.id as string);
    for (const table of ['flow_buckets', 'protocols']) await c.query(`DELETE FROM ${table} WHERE capture_id = ANY($1)`, [capIds]);
    await c.query('DELETE FROM captures WHERE id = ANY($1)', [capIds]);
  }
  return { captures: captures.length, devices: devices.length, findings: findings.length, files: captures.map((r) => r.path as string).filter((p) => p !== '') };
}

function captureOf(r: Row): CaptureRow {
  const c: CaptureRow = {
    id: r.id as string, sha256: r.sha256 as string, filename: r.filename as string, size: Number(r.size), path: r.path as string,
    status: r.status as CaptureStatus, progress: r.progress as number, created_at: r.created_at as string,
  };
  if (r.error !== null) c.error = r.error as string;
  if (r.started_at !== null) c.started_at = r.started_at as string;
  if (r.finished_at !== null) c.finished_at = r.finished_at as string;
  if (r.summary !== null) c.summary = r.summary as CaptureSummaryJson;
  if (r.sensor !== null) {
    c.site = r.site as string;
    c.sensor = r.sensor as string;
  }
  return c;
}

/**
 * After a write has committed, never before: a server that reads the new number must find the new rows. A
 * failure here leaves the write done and only other servers' memoised answers stale until the next write.
 */
async function bumpVersion(q: { query(sql: string): Promise<unknown> }): Promise<void> {
  await q.query("SELECT nextval('store_version')").catch(() => undefined);
}
