/**
 * The embedded store: one SQLite file through node:sqlite (WAL, numbered migrations, prepared statements).
 * Synchronous underneath; the async Store methods let a networked implementation share the interface.
 * Read answers that are expensive and repeat (totals, overview, time series) are memoised until the next write.
 * @module
 */
import { DatabaseSync, type SQLInputValue, type SQLOutputValue, type StatementSync } from 'node:sqlite';
import type { DeviceRecord, DeviceType } from '../inventory/types.ts';
import type { Finding } from '../detect/types.ts';
import { migrations } from './schema.ts';
import { findingDeviceIds, mergeDevice, mergeFinding } from './merge.ts';
import { deviceColumns, type OverrideRow } from './rows.ts';
import {
  CAPTURES_SOURCE, foldDevice, foldFinding, occurrenceOf, scopeDevice, scopeFinding, segmentCaptureId, segmentSha256, segmentSummary,
  sensorSource,
} from './sources.ts';
import type { StoreSpec } from './open.ts';
import { MAX_SEQ_GAP, checkBatch, scopedId, type BatchOutcome, type SensorRow, type SensorStatus, type StoreBatch } from './batch.ts';
import { FLOW_BUCKET_S } from './flow-series.ts';
import {
  deviceFrom, deviceFullSql, deviceOrder, deviceSummarySql, deviceWhere, findingFrom, findingFullSql, findingSummarySql,
  findingWhere,
} from './sqlite-queries.ts';
import type {
  AssessmentInput, CaptureRow, FlowBucket, ProtocolCount, CaptureStatus, CaptureSummaryJson, Counts, DeviceOverride, DeviceQuery, FindingQuery,
  FindingUpdate, IngestInput, IngestOutcome, JsonPage, LabelInput, NewCapture, Overview, Page, Store, Timeseries,
  TimeseriesQuery, Deleted,
} from './types.ts';

type Row = Record<string, SQLOutputValue>;

/** Most buckets a time series answers with; a wider range gets a coarser bucket. */
export const MAX_SERIES_BUCKETS = 5000;
const MEMO_ENTRIES = 2048;
/** List pages kept (each up to ~50 KB of JSON): a dashboard re-asks the same first pages. */
const PAGE_MEMO_ENTRIES = 256;
const severities = ['critical', 'high', 'medium', 'low', 'info'];

const now = (): string => new Date().toISOString();

export function captureIdOf(sha256: string): string {
  return `c${sha256.slice(0, 16)}`;
}

export class SqliteStore implements Store {
  readonly kind = 'sqlite';
  private readonly db: DatabaseSync;
  private readonly statements = new Map<string, StatementSync>();
  private readonly memo = new Map<string, unknown>();
  private readonly pageMemo = new Map<string, JsonPage>();
  private readonly memoPages: boolean;
  /** The database file (another connection, such as the ingest worker's, may open it too). */
  readonly path: string;

  readonly reopen?: StoreSpec;

  /** `path` is a file name, or ':memory:' for tests. `memoPages: false` answers every list from SQLite. */
  constructor(path: string, options: { memoPages?: boolean } = {}) {
    this.path = path;
    if (path !== ':memory:') this.reopen = { kind: 'sqlite', path };
    this.memoPages = options.memoPages ?? true;
    this.db = new DatabaseSync(path, { timeout: 5000 });
    this.db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON; PRAGMA temp_store = MEMORY;');
    this.migrate();
  }

  /** Versions applied, in order (for tests and `health`). */
  schemaVersions(): number[] {
    return this.stmt('SELECT version FROM migrations ORDER BY version').all().map((r) => r.version as number);
  }

  journalMode(): string {
    return String(this.db.prepare('PRAGMA journal_mode').get()?.journal_mode);
  }

  private migrate(): void {
    this.db.exec('CREATE TABLE IF NOT EXISTS migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)');
    const applied = new Set(this.db.prepare('SELECT version FROM migrations').all().map((r) => r.version as number));
    for (const m of migrations) {
      if (applied.has(m.version)) continue;
      this.tx(() => {
        this.db.exec(m.sql);
        this.db.prepare('INSERT INTO migrations (version, name, applied_at) VALUES (?, ?, ?)').run(m.version, m.name, now());
      });
    }
  }

  private stmt(sql: string): StatementSync {
    let s = this.statements.get(sql);
    if (!s) {
      s = this.db.prepare(sql);
      this.statements.set(sql, s);
    }
    return s;
  }

  private memoised<T>(key: string, compute: () => T): T {
    if (this.memo.has(key)) return this.memo.get(key) as T;
    const value = compute();
    if (this.memo.size >= MEMO_ENTRIES) this.memo.clear();
    this.memo.set(key, value);
    return value;
  }

  /** List pages are memoised until the next write (least recently used dropped first). */
  private page(key: string, compute: () => JsonPage): JsonPage {
    if (!this.memoPages) return compute();
    const hit = this.pageMemo.get(key);
    if (hit) {
      this.pageMemo.delete(key);
      this.pageMemo.set(key, hit);
      return hit;
    }
    const value = compute();
    if (this.pageMemo.size >= PAGE_MEMO_ENTRIES) this.pageMemo.delete(this.pageMemo.keys().next().value!);
    this.pageMemo.set(key, value);
    return value;
  }

  /** Writes through this connection (and changed() calls): see version(). */
  private writes = 0;

  /** Another connection wrote to the database: answers memoised so far are stale. */
  changed(): void {
    this.forget();
  }

  private forget(): void {
    this.writes++;
    this.memo.clear();
    this.pageMemo.clear();
  }

  private tx<T>(fn: () => T): T {
    this.db.exec('BEGIN IMMEDIATE');
    try {
      const result = fn();
      this.db.exec('COMMIT');
      return result;
    } catch (err) {
      this.db.exec('ROLLBACK');
      throw err;
    } finally {
      this.forget();
    }
  }

  // --- captures -------------------------------------------------------------------------------------------

  async addCapture(c: NewCapture): Promise<{ capture: CaptureRow; created: boolean }> {
    const id = captureIdOf(c.sha256);
    const result = this.stmt(`INSERT INTO captures (id, sha256, filename, size, path, status, created_at)
      VALUES (?, ?, ?, ?, ?, 'queued', ?) ON CONFLICT (sha256) DO NOTHING`).run(id, c.sha256, c.filename, c.size, c.path, now());
    this.forget();
    const row = this.stmt('SELECT * FROM captures WHERE sha256 = ?').get(c.sha256)!;
    return { capture: captureOf(row), created: Number(result.changes) > 0 };
  }

  async getCapture(id: string): Promise<CaptureRow | undefined> {
    const row = this.stmt('SELECT * FROM captures WHERE id = ?').get(id);
    return row ? captureOf(row) : undefined;
  }

  async listCaptures(page: Page): Promise<{ items: CaptureRow[]; total: number }> {
    const items = this.stmt('SELECT * FROM captures ORDER BY created_at DESC, id LIMIT ? OFFSET ?').all(page.limit, page.offset).map(captureOf);
    const total = this.memoised('captures.count', () => this.stmt('SELECT count(*) AS n FROM captures').get()!.n as number);
    return { items, total };
  }

  async pendingCaptures(): Promise<CaptureRow[]> {
    return this.stmt("SELECT * FROM captures WHERE status IN ('queued', 'ingesting') ORDER BY created_at, id").all().map(captureOf);
  }

  async setCaptureState(id: string, state: { status: CaptureStatus; progress?: number; error?: string }): Promise<void> {
    const started = state.status === 'ingesting' ? now() : null;
    const finished = state.status === 'done' || state.status === 'failed' ? now() : null;
    this.stmt(`UPDATE captures SET status = ?, progress = coalesce(?, progress), error = ?,
      started_at = coalesce(started_at, ?), finished_at = coalesce(?, finished_at) WHERE id = ?`)
      .run(state.status, state.progress ?? null, state.error ?? null, started, finished, id);
    this.forget();
  }

  // --- ingest ---------------------------------------------------------------------------------------------

  async ingest(captureId: string, input: IngestInput): Promise<IngestOutcome> {
    const cap = await this.getCapture(captureId);
    if (!cap) throw new Error(`unknown capture ${captureId}`);
    if (cap.status === 'done') return { applied: false, newDeviceIds: [], newFindingIds: [], summary: cap.summary! };
    return this.tx(() => {
      const newDeviceIds: string[] = [];
      for (const d of input.devices) {
        const prev = this.stmt('SELECT record, segments FROM device_sources WHERE device_id = ? AND source = ?').get(d.id, CAPTURES_SOURCE);
        const record = prev ? mergeDevice(JSON.parse(prev.record as string) as DeviceRecord, d) : d;
        if (this.putDevice(d.id, CAPTURES_SOURCE, record, { seq: 0, captureId, segments: prev ? (prev.segments as number) + 1 : 1 })) newDeviceIds.push(d.id);
      }
      const newFindingIds: string[] = [];
      for (const f of input.findings) {
        const prev = this.stmt('SELECT record FROM finding_sources WHERE finding_id = ? AND source = ? AND occurrence = 0').get(f.id, CAPTURES_SOURCE);
        const record = prev ? mergeFinding(JSON.parse(prev.record as string) as Finding, f) : f;
        if (this.putFinding(f.id, CAPTURES_SOURCE, 0, record, 0, captureId)) newFindingIds.push(f.id);
      }
      this.addFlows(captureId, input.flowBuckets, input.protocols);
      this.writeAssessments(input.assessments ?? [], input.labels ?? []);
      if (input.findings.length > 0) this.refreshOpenFindings();
      const s = input.summary;
      const summary: CaptureSummaryJson = {
        packets: s.packets, bytes: s.bytes, first_ts: s.first_ts, last_ts: s.last_ts, span_s: s.span_s,
        flows: s.flows.total, devices: input.devices.length, findings: input.findings.length,
        new_devices: newDeviceIds.length, new_findings: newFindingIds.length, partial: s.partial,
        apps: s.apps, transports: s.transports,
      };
      this.stmt(`UPDATE captures SET status = 'done', progress = 1, error = NULL, summary = ?,
        finished_at = ? WHERE id = ?`).run(JSON.stringify(summary), now(), captureId);
      return { applied: true, newDeviceIds, newFindingIds, summary };
    });
  }

  /** Writes a device with its effective fields (override, grade) recomputed. */
  private writeDevice(d: DeviceRecord, captures: number): void {
    const o = this.stmt('SELECT name, type, vendor FROM device_overrides WHERE device_id = ?').get(d.id) as OverrideRow | undefined;
    const grade = this.stmt('SELECT grade FROM assessments WHERE device_id = ?').get(d.id)?.grade ?? null;
    const c = deviceColumns(d, o);
    this.stmt(`INSERT INTO device_docs (id, record, evidence) VALUES (?, ?, ?)
      ON CONFLICT (id) DO UPDATE SET record = excluded.record, evidence = excluded.evidence`).run(d.id, JSON.stringify(c.record), JSON.stringify(c.evidence));
    this.stmt(`INSERT INTO devices (id, auto_name, auto_type, auto_vendor, model, name, type, vendor,
        user_json, grade, first_ts, last_ts, bytes, captures)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT (id) DO UPDATE SET auto_name = excluded.auto_name,
        auto_type = excluded.auto_type, auto_vendor = excluded.auto_vendor, model = excluded.model, name = excluded.name,
        type = excluded.type, vendor = excluded.vendor, user_json = excluded.user_json, grade = excluded.grade,
        first_ts = excluded.first_ts, last_ts = excluded.last_ts, bytes = excluded.bytes, captures = excluded.captures`).run(
      d.id, c.autoName, c.autoType, c.autoVendor, c.model, c.name, c.type, c.vendor, c.user ? JSON.stringify(c.user) : null,
      grade as string | null, d.first_ts, d.last_ts, d.bytes_in + d.bytes_out, captures,
    );
    const search = c.search;
    const rowid = this.stmt('SELECT rowid FROM devices WHERE id = ?').get(d.id)!.rowid as number;
    this.stmt('DELETE FROM device_search WHERE rowid = ?').run(rowid);
    this.stmt('INSERT INTO device_search (rowid, search) VALUES (?, ?)').run(rowid, search);
  }

  private addFlows(captureId: string, buckets: readonly FlowBucket[], protocols: readonly ProtocolCount[]): void {
    const bucket = this.stmt(`INSERT INTO flow_buckets (t, capture_id, flows, bytes) VALUES (?, ?, ?, ?)
      ON CONFLICT (t, capture_id) DO UPDATE SET flows = flows + excluded.flows, bytes = bytes + excluded.bytes`);
    for (const b of buckets) bucket.run(b.t, captureId, b.flows, b.bytes);
    const proto = this.stmt(`INSERT INTO protocols (capture_id, name, flows, bytes) VALUES (?, ?, ?, ?)
      ON CONFLICT (capture_id, name) DO UPDATE SET flows = flows + excluded.flows, bytes = bytes + excluded.bytes`);
    for (const p of protocols) proto.run(captureId, p.name, p.flows, p.bytes);
  }

  // --- sensor batches (see batch.ts) ----------------------------------------------------------------------

  async applyBatch(batch: StoreBatch): Promise<BatchOutcome> {
    checkBatch(batch);
    return this.tx(() => {
      const { site, sensor, seq } = batch;
      const known = this.stmt('SELECT applied_through FROM sensors WHERE site = ? AND sensor = ?').get(site, sensor);
      const done = known !== undefined && (seq <= (known.applied_through as number)
        || this.stmt('SELECT 1 AS x FROM sensor_batches WHERE site = ? AND sensor = ? AND seq = ?').get(site, sensor, seq) !== undefined);
      if (done) return { applied: false, newDeviceIds: [], newFindingIds: [] };
      const source = sensorSource(batch);
      const captureId = segmentCaptureId(batch, batch.segment?.id ?? '');
      this.stmt(`INSERT INTO captures (id, sha256, filename, size, path, status, created_at, started_at, site, sensor)
        VALUES (?, ?, ?, 0, '', 'live', ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`)
        .run(captureId, segmentSha256(batch, batch.segment?.id ?? ''), `${sensor}: ${batch.segment?.id ?? 'live'}`, now(), now(), site, sensor);
      const newDeviceIds: string[] = [];
      for (const raw of batch.devices ?? []) {
        const d = scopeDevice(site, raw);
        const prev = this.stmt('SELECT seq, capture_id, segments FROM device_sources WHERE device_id = ? AND source = ?').get(d.id, source);
        if (prev && (prev.seq as number) > seq) continue; // a later batch of this sensor already replaced it
        const segments = prev ? (prev.segments as number) + (prev.capture_id === captureId ? 0 : 1) : 1;
        if (this.putDevice(d.id, source, d, { seq, captureId, segments })) newDeviceIds.push(d.id);
      }
      for (const raw of batch.removedDevices ?? []) this.removeDeviceSource(scopedId(site, raw), source, seq);
      const newFindingIds: string[] = [];
      for (const { finding } of batch.findings ?? []) {
        const f = scopeFinding(site, finding);
        const occurrence = occurrenceOf(f);
        const prev = this.stmt('SELECT seq FROM finding_sources WHERE finding_id = ? AND source = ? AND occurrence = ?').get(f.id, source, occurrence);
        if (prev && (prev.seq as number) > seq) continue;
        if (this.putFinding(f.id, source, occurrence, f, seq, captureId) && !newFindingIds.includes(f.id)) newFindingIds.push(f.id);
      }
      this.addFlows(captureId, batch.flowBuckets ?? [], batch.protocols ?? []);
      this.writeAssessments((batch.assessments ?? []).map((a) => ({ ...a, device_id: scopedId(site, a.device_id) })),
        (batch.labels ?? []).map((l) => ({ ...l, device_id: scopedId(site, l.device_id) })));
      if ((batch.findings ?? []).length > 0) this.refreshOpenFindings();
      this.writeSegment(batch, captureId, source, newDeviceIds.length, newFindingIds.length);
      this.markApplied(batch, known !== undefined);
      return { applied: true, newDeviceIds, newFindingIds };
    });
  }

  private writeSegment(batch: StoreBatch, captureId: string, source: string, newDevices: number, newFindings: number): void {
    if (!batch.segment) return;
    const prev = this.stmt('SELECT summary FROM captures WHERE id = ?').get(captureId)?.summary;
    const count = (table: string): number => this.stmt(`SELECT count(DISTINCT ${table === 'device_sources' ? 'device_id' : 'finding_id'}) AS n
      FROM ${table} WHERE capture_id = ? AND source = ?`).get(captureId, source)!.n as number;
    const summary = segmentSummary(batch, prev ? JSON.parse(prev as string) as CaptureSummaryJson : undefined,
      { devices: count('device_sources'), findings: count('finding_sources'), newDevices, newFindings });
    const final = batch.segment.final;
    this.stmt(`UPDATE captures SET summary = ?, status = ?, progress = ?, finished_at = CASE WHEN ? THEN coalesce(finished_at, ?) ELSE NULL END
      WHERE id = ?`).run(JSON.stringify(summary), final ? 'done' : 'live', final ? 1 : 0, final ? 1 : 0, now(), captureId);
  }

  /** Records the batch number; every number up to `applied_through` is applied, the ones above it are listed. */
  private markApplied(batch: StoreBatch, known: boolean): void {
    const { site, sensor, seq } = batch;
    const seen = batch.status?.sent_at ?? Date.now();
    if (!known) {
      this.stmt(`INSERT INTO sensors (site, sensor, first_seen, last_seen, last_seq, applied_through, status)
        VALUES (?, ?, ?, ?, ?, 0, ?)`).run(site, sensor, seen, seen, seq, batch.status ? JSON.stringify(batch.status) : null);
    } else {
      // The status of the newest batch wins (batches of one sensor may be applied out of order).
      const newer = batch.status !== undefined && seq > (this.stmt('SELECT last_seq FROM sensors WHERE site = ? AND sensor = ?').get(site, sensor)!.last_seq as number);
      if (newer) this.stmt('UPDATE sensors SET prev_status = status, status = ? WHERE site = ? AND sensor = ?').run(JSON.stringify(batch.status), site, sensor);
      this.stmt(`UPDATE sensors SET last_seen = max(last_seen, ?), first_seen = min(first_seen, ?), last_seq = max(last_seq, ?)
        WHERE site = ? AND sensor = ?`).run(seen, seen, seq, site, sensor);
    }
    this.stmt('INSERT INTO sensor_batches (site, sensor, seq) VALUES (?, ?, ?)').run(site, sensor, seq);
    // Advance the watermark over the contiguous run and drop the numbers it now covers.
    let through = this.stmt('SELECT applied_through AS n FROM sensors WHERE site = ? AND sensor = ?').get(site, sensor)!.n as number;
    through = Math.max(through, seq - MAX_SEQ_GAP); // numbers that far behind are lost (MAX_SEQ_GAP)
    const next = this.stmt('SELECT 1 AS x FROM sensor_batches WHERE site = ? AND sensor = ? AND seq = ?');
    while (next.get(site, sensor, through + 1)) through++;
    this.stmt('UPDATE sensors SET applied_through = ? WHERE site = ? AND sensor = ?').run(through, site, sensor);
    this.stmt('DELETE FROM sensor_batches WHERE site = ? AND sensor = ? AND seq <= ?').run(site, sensor, through);
  }

  async listSensors(): Promise<SensorRow[]> {
    return this.stmt('SELECT * FROM sensors ORDER BY site, sensor').all().map((r) => {
      const row: SensorRow = {
        site: r.site as string, sensor: r.sensor as string, first_seen: r.first_seen as number, last_seen: r.last_seen as number,
        last_seq: r.last_seq as number,
      };
      if (r.status !== null) row.status = JSON.parse(r.status as string) as SensorStatus;
      if (r.prev_status !== null) row.previous = JSON.parse(r.prev_status as string) as SensorStatus;
      return row;
    });
  }

  /** Stores what one source says of a device and rewrites what is shown; true when the device is new. */
  private putDevice(id: string, source: string, record: DeviceRecord, at: { seq: number; captureId: string; segments: number }): boolean {
    const isNew = this.stmt('SELECT 1 AS x FROM devices WHERE id = ?').get(id) === undefined;
    this.stmt(`INSERT INTO device_sources (device_id, source, record, seq, capture_id, segments) VALUES (?, ?, ?, ?, ?, ?)
      ON CONFLICT (device_id, source) DO UPDATE SET record = excluded.record, seq = excluded.seq, capture_id = excluded.capture_id,
        segments = excluded.segments`).run(id, source, JSON.stringify(record), at.seq, at.captureId, at.segments);
    const sources = this.stmt('SELECT source, record, segments FROM device_sources WHERE device_id = ?').all(id)
      .map((r) => ({ source: r.source as string, record: JSON.parse(r.record as string) as DeviceRecord, segments: r.segments as number }));
    const shown = foldDevice(sources);
    this.writeDevice({ ...shown.record, id }, shown.captures);
    // Findings stored before the device (an earlier batch named it first) count from the start.
    if (isNew) this.stmt(`UPDATE devices SET findings_open = (SELECT count(*) FROM finding_devices fd JOIN findings f ON f.id = fd.finding_id
      WHERE fd.device_id = devices.id AND f.status = 'new') WHERE id = ?`).run(id);
    return isNew;
  }

  /**
   * A sensor merged a device it had published into another (an address-only device that got its MAC):
   * forget what this source said of it; the device goes when no source is left. A later batch of the
   * source that published it again wins (its seq is above this one).
   */
  private removeDeviceSource(id: string, source: string, seq: number): void {
    const prev = this.stmt('SELECT seq FROM device_sources WHERE device_id = ? AND source = ?').get(id, source);
    if (!prev || (prev.seq as number) > seq) return;
    this.stmt('DELETE FROM device_sources WHERE device_id = ? AND source = ?').run(id, source);
    const sources = this.stmt('SELECT source, record, segments FROM device_sources WHERE device_id = ?').all(id)
      .map((r) => ({ source: r.source as string, record: JSON.parse(r.record as string) as DeviceRecord, segments: r.segments as number }));
    if (sources.length === 0) this.deleteSelected({ devices: ['SELECT id FROM devices WHERE id = ?', id] });
    else {
      const shown = foldDevice(sources);
      this.writeDevice({ ...shown.record, id }, shown.captures);
    }
  }

  /** Stores what one source says of a finding (one occurrence) and rewrites what is shown; true when it is new. */
  private putFinding(id: string, source: string, occurrence: number, record: Finding, seq: number, captureId: string): boolean {
    this.stmt(`INSERT INTO finding_sources (finding_id, source, occurrence, record, seq, capture_id) VALUES (?, ?, ?, ?, ?, ?)
      ON CONFLICT (finding_id, source, occurrence) DO UPDATE SET record = excluded.record, seq = excluded.seq,
        capture_id = excluded.capture_id`).run(id, source, occurrence, JSON.stringify(record), seq, captureId);
    const sources = this.stmt('SELECT source, occurrence, record FROM finding_sources WHERE finding_id = ?').all(id)
      .map((r) => ({ source: r.source as string, occurrence: r.occurrence as number, record: JSON.parse(r.record as string) as Finding }));
    return this.writeFinding({ ...foldFinding(sources), id }, captureId);
  }

  /** Writes the finding as shown, keeping its status (a resolved finding seen again later is new again); true when new. */
  private writeFinding(merged: Finding, captureId: string): boolean {
    const f = merged;
    const row = this.stmt(`SELECT fd.record, f.status FROM ${findingFrom} WHERE f.id = ?`).get(f.id);
    let status = 'new';
    if (row) {
      const prev = JSON.parse(row.record as string) as Finding;
      status = row.status === 'resolved' && f.last_ts > prev.last_ts ? 'new' : (row.status as string);
    }
    const statusChanged = row && status !== row.status ? now() : null;
    this.stmt('INSERT INTO finding_docs (id, record) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET record = excluded.record')
      .run(f.id, JSON.stringify(merged));
    this.stmt(`INSERT INTO findings (id, detector, category, severity, title, first_ts, last_ts, count, status, capture_id)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT (id) DO UPDATE SET detector = excluded.detector, category = excluded.category, severity = excluded.severity,
        title = excluded.title, first_ts = excluded.first_ts, last_ts = excluded.last_ts, count = excluded.count,
        status = excluded.status, status_changed_at = coalesce(?, status_changed_at)`).run(
      f.id, merged.detector, merged.category, merged.severity, merged.title, merged.first_ts, merged.last_ts, merged.count,
      status, captureId, statusChanged,
    );
    const link = this.stmt('INSERT OR IGNORE INTO finding_devices (device_id, finding_id) VALUES (?, ?)');
    for (const id of findingDeviceIds(merged)) link.run(id, f.id);
    return !row;
  }

  private refreshOpenFindings(): void {
    this.stmt(`UPDATE devices SET findings_open = (SELECT count(*) FROM finding_devices fd JOIN findings f ON f.id = fd.finding_id
      WHERE fd.device_id = devices.id AND f.status = 'new')`).run();
  }

  private writeAssessments(assessments: readonly AssessmentInput[], labels: readonly LabelInput[]): void {
    const t = now();
    const put = this.stmt(`INSERT INTO assessments (device_id, grade, score, record, updated_at) VALUES (?, ?, ?, ?, ?)
      ON CONFLICT (device_id) DO UPDATE SET grade = excluded.grade, score = excluded.score, record = excluded.record,
        updated_at = excluded.updated_at`);
    const grade = this.stmt('UPDATE devices SET grade = ? WHERE id = ?');
    for (const a of assessments) {
      put.run(a.device_id, a.grade, a.score ?? null, JSON.stringify({ ...a, updated_at: t }), t);
      grade.run(a.grade, a.device_id);
    }
    const label = this.stmt(`INSERT INTO labels (device_id, format, content, updated_at) VALUES (?, ?, ?, ?)
      ON CONFLICT (device_id, format) DO UPDATE SET content = excluded.content, updated_at = excluded.updated_at`);
    const dropPdf = this.stmt(`DELETE FROM labels WHERE device_id = ? AND format = 'pdf'`);
    for (const l of labels) {
      if (l.svg !== undefined) label.run(l.device_id, 'svg', Buffer.from(l.svg, 'utf8'), t);
      if (l.pdf !== undefined) label.run(l.device_id, 'pdf', l.pdf, t);
      // A new SVG without its PDF: the stored PDF is stale (it is made again when asked for).
      else if (l.svg !== undefined) dropPdf.run(l.device_id);
    }
  }

  async saveAssessments(assessments: readonly AssessmentInput[], labels: readonly LabelInput[]): Promise<void> {
    this.tx(() => this.writeAssessments(assessments, labels));
  }

  // --- devices --------------------------------------------------------------------------------------------

  async listDevices(q: DeviceQuery): Promise<JsonPage> {
    return this.page(`d ${JSON.stringify(q)}`, () => this.queryDevices(q));
  }

  private queryDevices(q: DeviceQuery): JsonPage {
    const { where, params } = deviceWhere(q);
    // Page over the narrow rows first; build JSON for the page only (not for rows skipped or sorted).
    const ids = this.stmt(`SELECT id FROM devices ${where} ORDER BY ${deviceOrder(q.sort)} LIMIT ? OFFSET ?`).all(...params, q.limit, q.offset);
    const items = this.documents(`SELECT d.id AS id, ${deviceSummarySql} AS j FROM ${deviceFrom} WHERE d.id IN (SELECT value FROM json_each(?))`, ids);
    return { items, total: this.count(`devices ${where}`, params) };
  }

  /** JSON documents for a page of ids, in the page's order. */
  private documents(sql: string, ids: Row[]): string[] {
    if (ids.length === 0) return [];
    const byId = new Map<string, string>();
    for (const r of this.stmt(sql).all(JSON.stringify(ids.map((r) => r.id)))) byId.set(r.id as string, r.j as string);
    return ids.map((r) => byId.get(r.id as string)!);
  }

  private count(from: string, params: SQLInputValue[]): number {
    return this.memoised(`count ${from} ${JSON.stringify(params)}`, () => this.stmt(`SELECT count(*) AS n FROM ${from}`).get(...params)!.n as number);
  }

  async getDevice(id: string, withEvidence = true): Promise<string | undefined> {
    return this.stmt(`SELECT ${withEvidence ? deviceFullSql : deviceSummarySql} AS j FROM ${deviceFrom} WHERE d.id = ?`).get(id)?.j as string | undefined;
  }

  async overrideDevice(id: string, o: DeviceOverride): Promise<boolean> {
    const row = this.stmt(`SELECT dd.record, dd.evidence, d.captures FROM ${deviceFrom} WHERE d.id = ?`).get(id);
    if (!row) return false;
    this.tx(() => {
      const prev = this.stmt('SELECT name, type, vendor FROM device_overrides WHERE device_id = ?').get(id);
      const pick = (k: 'name' | 'type' | 'vendor'): string | null => (o[k] === undefined ? ((prev?.[k] as string | null) ?? null) : o[k]);
      const next = { name: pick('name'), type: pick('type') as DeviceType | null, vendor: pick('vendor') };
      if (next.name === null && next.type === null && next.vendor === null) this.stmt('DELETE FROM device_overrides WHERE device_id = ?').run(id);
      else {
        this.stmt(`INSERT INTO device_overrides (device_id, name, type, vendor, updated_at) VALUES (?, ?, ?, ?, ?)
          ON CONFLICT (device_id) DO UPDATE SET name = excluded.name, type = excluded.type, vendor = excluded.vendor,
            updated_at = excluded.updated_at`).run(id, next.name, next.type, next.vendor, now());
      }
      this.writeDevice(storedDevice(row), row.captures as number);
    });
    return true;
  }

  // --- findings -------------------------------------------------------------------------------------------

  async listFindings(q: FindingQuery): Promise<JsonPage> {
    return this.page(`f ${JSON.stringify(q)}`, () => this.queryFindings(q));
  }

  private queryFindings(q: FindingQuery): JsonPage {
    const { where, params } = findingWhere(q);
    const ids = this.stmt(`SELECT id FROM findings ${where} ORDER BY last_ts DESC, id LIMIT ? OFFSET ?`).all(...params, q.limit, q.offset);
    const items = this.documents(`SELECT f.id AS id, ${findingSummarySql} AS j FROM ${findingFrom} WHERE f.id IN (SELECT value FROM json_each(?))`, ids);
    return { items, total: this.count(`findings ${where}`, params) };
  }

  async getFinding(id: string, full = true): Promise<string | undefined> {
    return this.stmt(`SELECT ${full ? findingFullSql : findingSummarySql} AS j FROM ${findingFrom} WHERE f.id = ?`).get(id)?.j as string | undefined;
  }

  async updateFinding(id: string, u: FindingUpdate): Promise<boolean> {
    return this.tx(() => {
      const row = this.stmt('SELECT status, note FROM findings WHERE id = ?').get(id);
      if (!row) return false;
      const note = u.note === undefined ? row.note : u.note;
      const changed = row.status !== u.status ? now() : null;
      this.stmt('UPDATE findings SET status = ?, note = ?, status_changed_at = coalesce(?, status_changed_at) WHERE id = ?')
        .run(u.status, note, changed, id);
      if (changed) {
        this.stmt(`UPDATE devices SET findings_open = (SELECT count(*) FROM finding_devices fd JOIN findings f ON f.id = fd.finding_id
          WHERE fd.device_id = devices.id AND f.status = 'new') WHERE id IN (SELECT device_id FROM finding_devices WHERE finding_id = ?)`).run(id);
      }
      return true;
    });
  }

  // --- assessments and labels -----------------------------------------------------------------------------

  async getAssessment(deviceId: string): Promise<string | undefined> {
    return this.stmt('SELECT record FROM assessments WHERE device_id = ?').get(deviceId)?.record as string | undefined;
  }

  async getLabel(deviceId: string, format: 'svg' | 'pdf'): Promise<Uint8Array | undefined> {
    return this.stmt('SELECT content FROM labels WHERE device_id = ? AND format = ?').get(deviceId, format)?.content as Uint8Array | undefined;
  }

  // --- aggregates -----------------------------------------------------------------------------------------

  async timeseries(q: TimeseriesQuery): Promise<Timeseries> {
    return this.memoised(`ts ${JSON.stringify(q)}`, () => this.computeSeries(q));
  }

  private computeSeries(q: TimeseriesQuery): Timeseries {
    const isFlows = q.metric !== 'findings';
    const range = isFlows
      ? this.stmt('SELECT min(t) AS lo, max(t) AS hi FROM flow_buckets WHERE t >= ? AND t <= ?').get(q.since ?? -1e15, q.until ?? 1e15)!
      : this.stmt('SELECT min(first_ts) AS lo, max(first_ts) AS hi FROM findings WHERE first_ts >= ? AND first_ts <= ?').get(q.since ?? -1e15, q.until ?? 1e15)!;
    let bucket = Math.max(FLOW_BUCKET_S, Math.ceil(q.bucket / FLOW_BUCKET_S) * FLOW_BUCKET_S);
    const names = isFlows ? [q.metric] : severities;
    if (range.lo === null || range.hi === null) return { metric: q.metric, bucket, t: [], series: Object.fromEntries(names.map((n) => [n, []])) };
    const lo = range.lo as number;
    const hi = range.hi as number;
    const span = hi - lo;
    if (span / bucket >= MAX_SERIES_BUCKETS) bucket = Math.ceil(span / (MAX_SERIES_BUCKETS - 1) / FLOW_BUCKET_S) * FLOW_BUCKET_S;
    const start = Math.floor(lo / bucket) * bucket;
    const n = Math.floor(hi / bucket) * bucket / bucket - start / bucket + 1;
    const t = Array.from({ length: n }, (_, i) => start + i * bucket);
    const series: Record<string, number[]> = Object.fromEntries(names.map((name) => [name, new Array<number>(n).fill(0)]));
    if (isFlows) {
      const col = q.metric === 'bytes' ? 'bytes' : 'flows';
      const rows = this.stmt(`SELECT (t / CAST(? AS INTEGER)) * CAST(? AS INTEGER) AS b, sum(${col}) AS v FROM flow_buckets WHERE t >= ? AND t <= ? GROUP BY b`)
        .all(bucket, bucket, lo, hi);
      for (const r of rows) series[q.metric][((r.b as number) - start) / bucket] = r.v as number;
    } else {
      const rows = this.stmt(`SELECT CAST(floor(first_ts / ?) AS INTEGER) * ? AS b, severity, count(*) AS v FROM findings
        WHERE first_ts >= ? AND first_ts <= ? GROUP BY b, severity`).all(bucket, bucket, lo, hi);
      for (const r of rows) {
        const s = series[r.severity as string];
        if (s) s[((r.b as number) - start) / bucket] = r.v as number;
      }
    }
    return { metric: q.metric, bucket, t, series };
  }

  async overview(): Promise<Overview> {
    return this.memoised('overview', () => {
      const group = (sql: string): Record<string, number> =>
        Object.fromEntries(this.stmt(sql).all().map((r) => [String(r.k ?? 'ungraded'), r.n as number]));
      const bySeverity = group('SELECT severity AS k, count(*) AS n FROM findings GROUP BY severity');
      const byStatus = group('SELECT status AS k, count(*) AS n FROM findings GROUP BY status');
      const range = this.stmt('SELECT min(first_ts) AS lo, max(last_ts) AS hi FROM devices').get()!;
      const counts = this.countsNow();
      return {
        ...counts,
        devices_by_grade: group('SELECT grade AS k, count(*) AS n FROM devices GROUP BY grade ORDER BY grade'),
        devices_by_type: group('SELECT type AS k, count(*) AS n FROM devices GROUP BY type ORDER BY n DESC'),
        findings_by_severity: Object.fromEntries(severities.map((s) => [s, bySeverity[s] ?? 0])),
        findings_by_status: { new: byStatus.new ?? 0, acknowledged: byStatus.acknowledged ?? 0, resolved: byStatus.resolved ?? 0 },
        top_talkers: this.stmt('SELECT id, name, type, bytes FROM devices ORDER BY bytes DESC, id LIMIT 10').all()
          .map((r) => ({ id: r.id as string, name: r.name as string, type: r.type as string, bytes: r.bytes as number })),
        protocols: this.stmt('SELECT name, sum(flows) AS flows, sum(bytes) AS bytes FROM protocols GROUP BY name ORDER BY flows DESC, name LIMIT 10').all()
          .map((r) => ({ name: r.name as string, flows: r.flows as number, bytes: r.bytes as number })),
        first_ts: range.lo as number | null,
        last_ts: range.hi as number | null,
      };
    });
  }

  private countsNow(): Counts {
    return this.memoised('counts', () => ({
      captures: this.stmt('SELECT count(*) AS n FROM captures').get()!.n as number,
      devices: this.stmt('SELECT count(*) AS n FROM devices').get()!.n as number,
      findings: this.stmt('SELECT count(*) AS n FROM findings').get()!.n as number,
    }));
  }

  async counts(): Promise<Counts> {
    return this.countsNow();
  }

  async version(): Promise<string> {
    // data_version changes when another connection (the ingest worker, another process) commits.
    const other = this.stmt('PRAGMA data_version').get()!.data_version as number;
    return `${this.writes}.${other}`;
  }

  // --- retention and deletion ---------------------------------------------------------------------------

  async purge(days: number, nowS = Date.now() / 1000): Promise<Deleted> {
    const newest = this.stmt(`SELECT max(t) AS t FROM (SELECT max(last_ts) AS t FROM devices UNION ALL SELECT max(last_ts) FROM findings)`).get()!.t as number | null;
    if (newest === null) return { captures: 0, devices: 0, findings: 0, files: [] };
    const cutoff = Math.min(newest, nowS) - days * 86400;
    return this.tx(() => this.deleteSelected({
      // A capture without traffic times (empty, or failed before any packet) is not old traffic: DELETE removes it.
      captures: [`SELECT id, path FROM captures WHERE status = 'done' AND json_extract(summary, '$.last_ts') < ?`, cutoff],
      devices: ['SELECT id FROM devices WHERE last_ts < ?', cutoff],
      findings: ['SELECT id FROM findings WHERE last_ts < ?', cutoff],
    }));
  }

  async deleteCapture(id: string): Promise<Deleted> {
    // The capture's own findings go with it; devices stay (other captures may have seen them).
    return this.tx(() => this.deleteSelected({ captures: ['SELECT id, path FROM captures WHERE id = ?', id], findings: ['SELECT id FROM findings WHERE capture_id = ?', id] }));
  }

  async deleteDevice(id: string): Promise<Deleted> {
    return this.tx(() => this.deleteSelected({ devices: ['SELECT id FROM devices WHERE id = ?', id] }));
  }

  async deleteFinding(id: string): Promise<Deleted> {
    return this.tx(() => this.deleteSelected({ findings: ['SELECT id FROM findings WHERE id = ?', id] }));
  }

  /** Deletes the rows each query selects, with everything that hangs off them. Call inside a transaction. */
  private deleteSelected(q: { captures?: [string, SQLInputValue]; devices?: [string, SQLInputValue]; findings?: [string, SQLInputValue] }): Deleted {
    const findings = q.findings ? this.stmt(q.findings[0]).all(q.findings[1]).map((r) => r.id as string) : [];
    for (const id of findings) {
      this.stmt('DELETE FROM finding_sources WHERE finding_id = ?').run(id);
      this.stmt('DELETE FROM finding_devices WHERE finding_id = ?').run(id);
      this.stmt('DELETE FROM finding_docs WHERE id = ?').run(id);
      this.stmt('DELETE FROM findings WHERE id = ?').run(id);
    }
    const devices = q.devices ? this.stmt(q.devices[0]).all(q.devices[1]).map((r) => r.id as string) : [];
    for (const id of devices) {
      this.stmt('DELETE FROM device_search WHERE rowid = (SELECT rowid FROM devices WHERE id = ?)').run(id);
      for (const table of ['finding_devices', 'assessments', 'labels']) this.stmt(`DELETE FROM ${table} WHERE device_id = ?`).run(id);
      this.stmt('DELETE FROM device_sources WHERE device_id = ?').run(id);
      this.stmt('DELETE FROM device_docs WHERE id = ?').run(id);
      this.stmt('DELETE FROM devices WHERE id = ?').run(id);
    }
    const captures = q.captures ? this.stmt(q.captures[0]).all(q.captures[1]) : [];
    for (const r of captures) {
      for (const table of ['flow_buckets', 'protocols']) this.stmt(`DELETE FROM ${table} WHERE capture_id = ?`).run(r.id as string);
      this.stmt('DELETE FROM captures WHERE id = ?').run(r.id as string);
    }
    if (findings.length > 0) this.refreshOpenFindings();
    return { captures: captures.length, devices: devices.length, findings: findings.length, files: captures.map((r) => r.path as string).filter((p) => p !== '') };
  }

  async close(): Promise<void> {
    if (this.db.isOpen) this.db.close();
  }
}

function captureOf(r: Row): CaptureRow {
  const c: CaptureRow = {
    id: r.id as string, sha256: r.sha256 as string, filename: r.filename as string, size: r.size as number,
    path: r.path as string, status: r.status as CaptureStatus, progress: r.progress as number, created_at: r.created_at as string,
  };
  if (r.error !== null) c.error = r.error as string;
  if (r.started_at !== null) c.started_at = r.started_at as string;
  if (r.finished_at !== null) c.finished_at = r.finished_at as string;
  if (r.summary !== null) c.summary = JSON.parse(r.summary as string) as CaptureSummaryJson;
  if (r.sensor !== null) {
    c.site = r.site as string;
    c.sensor = r.sensor as string;
  }
  return c;
}

function storedDevice(row: Row): DeviceRecord {
  return { ...(JSON.parse(row.record as string) as DeviceRecord), evidence: JSON.parse(row.evidence as string) as DeviceRecord['evidence'] };
}
