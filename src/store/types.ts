/**
 * Store contract: everything the API and the CLI need from persistence, and nothing about SQL, so a PostgreSQL
 * implementation can follow without touching callers. All methods are async for that reason.
 * List and detail answers are JSON text already (the API forwards them without parsing and re-serialising).
 * @module
 */
import type { RunSummary } from '../pipeline/stats.ts';
import type { DeviceRecord, DeviceType } from '../inventory/types.ts';
import type { Finding } from '../detect/types.ts';
import type { BatchWriter, SensorRow } from './batch.ts';
import type { StoreSpec } from './open.ts';

/** 'live': a sensor's segment (a live interface run) still receiving batches; 'done' once it ended. */
export type CaptureStatus = 'queued' | 'ingesting' | 'live' | 'done' | 'failed';
export type FindingStatus = 'new' | 'acknowledged' | 'resolved';
export const findingStatuses: readonly FindingStatus[] = ['new', 'acknowledged', 'resolved'];

export interface CaptureSummaryJson {
  packets: number;
  bytes: number;
  first_ts: number | null;
  last_ts: number | null;
  span_s: number;
  flows: number;
  devices: number;
  findings: number;
  new_devices: number;
  new_findings: number;
  partial: boolean;
  apps: Record<string, number>;
  transports: Record<string, number>;
}

export interface CaptureRow {
  id: string;
  sha256: string;
  filename: string;
  size: number;
  /** Where the bytes are (server side; never sent to clients); '' for a sensor's segment. */
  path: string;
  status: CaptureStatus;
  progress: number;
  error?: string;
  created_at: string;
  started_at?: string;
  finished_at?: string;
  summary?: CaptureSummaryJson;
  /** The sensor a segment came from (absent for captures analysed by this server). */
  site?: string;
  sensor?: string;
}

export interface NewCapture {
  sha256: string;
  filename: string;
  size: number;
  path: string;
}

/** Flows started per 10 s bucket of packet time (see FlowSeries). */
export interface FlowBucket {
  t: number;
  flows: number;
  bytes: number;
}

export interface ProtocolCount {
  name: string;
  flows: number;
  bytes: number;
}

/**
 * What the assessment stage gives per device (src/assess/types.ts DeviceAssessment fits). The store keeps the
 * whole object (as JSON) and indexes `grade` for the device list filter.
 */
export interface AssessmentInput {
  device_id: string;
  grade: string;
  score?: number;
}

export interface LabelInput {
  device_id: string;
  svg?: string;
  /** Absent beside an `svg`: the stored PDF is dropped as stale (the API makes it again when asked for). */
  pdf?: Uint8Array;
}

/** One capture's analysis, stored in one transaction by `ingest`. */
export interface IngestInput {
  summary: RunSummary;
  devices: readonly DeviceRecord[];
  findings: readonly Finding[];
  flowBuckets: readonly FlowBucket[];
  protocols: readonly ProtocolCount[];
  assessments?: readonly AssessmentInput[];
  labels?: readonly LabelInput[];
}

export interface IngestOutcome {
  /** False when the capture had been ingested already (nothing was added). */
  applied: boolean;
  newDeviceIds: string[];
  newFindingIds: string[];
  summary: CaptureSummaryJson;
}

export interface Page {
  limit: number;
  offset: number;
}

/** Sortable device columns (`sort=`; '-' prefix reverses the natural order). */
export const deviceSortKeys = ['last_ts', 'first_ts', 'name', 'type', 'vendor', 'grade', 'bytes', 'findings'] as const;

export interface DeviceQuery extends Page {
  type?: string;
  vendor?: string;
  grade?: string;
  q?: string;
  /** Column name, '-' prefix for the reverse of its natural order. */
  sort?: string;
}

export interface FindingQuery extends Page {
  severity?: string[];
  status?: FindingStatus[];
  detector?: string;
  category?: string;
  device?: string;
  since?: number;
  until?: number;
  q?: string;
}

/** A page of JSON items (each element is a JSON object as text). */
export interface JsonPage {
  items: string[];
  total: number;
}

export interface DeviceOverride {
  /** `null` clears the field; absent leaves it alone. */
  name?: string | null;
  type?: DeviceType | null;
  vendor?: string | null;
}

export interface FindingUpdate {
  status: FindingStatus;
  note?: string | null;
}

export interface TimeseriesQuery {
  metric: 'flows' | 'bytes' | 'findings';
  bucket: number;
  since?: number;
  until?: number;
}

export interface Timeseries {
  metric: string;
  bucket: number;
  t: number[];
  series: Record<string, number[]>;
}

export interface Overview {
  devices: number;
  findings: number;
  captures: number;
  devices_by_grade: Record<string, number>;
  devices_by_type: Record<string, number>;
  findings_by_severity: Record<string, number>;
  findings_by_status: Record<string, number>;
  top_talkers: { id: string; name: string; type: string; bytes: number }[];
  protocols: ProtocolCount[];
  first_ts: number | null;
  last_ts: number | null;
}

export interface Counts {
  captures: number;
  devices: number;
  findings: number;
}

/** What a deletion removed; `files` are capture files the server may delete from its upload folder. */
export interface Deleted {
  captures: number;
  devices: number;
  findings: number;
  files: string[];
}

/**
 * Write side: what analysis (captures, sensor batches), the user (overrides, statuses) and retention change.
 * The ingest worker and the NATS consumer need only this.
 */
export interface StoreWriter extends BatchWriter {
  /** Registers a capture by content hash. `created` is false when the same bytes are known already. */
  addCapture(c: NewCapture): Promise<{ capture: CaptureRow; created: boolean }>;
  setCaptureState(id: string, state: { status: CaptureStatus; progress?: number; error?: string }): Promise<void>;
  /** Stores one capture's analysis atomically and marks it done. Does nothing if it is done already. */
  ingest(captureId: string, input: IngestInput): Promise<IngestOutcome>;
  /** Returns false when the device does not exist. */
  overrideDevice(id: string, o: DeviceOverride): Promise<boolean>;
  updateFinding(id: string, u: FindingUpdate): Promise<boolean>;
  /** Replaces assessments and labels outside an ingest (e.g. re-assessed after an override). */
  saveAssessments(assessments: readonly AssessmentInput[], labels: readonly LabelInput[]): Promise<void>;
  /**
   * Retention: delete findings and devices last seen, and captures whose traffic ended, more than `days`
   * before the newest traffic in the store (or before `now` when that is earlier): days of traffic time,
   * so a store of old captures is not emptied by the calendar. Overrides (user data) are kept.
   */
  purge(days: number, now?: number): Promise<Deleted>;
  deleteCapture(id: string): Promise<Deleted>;
  deleteDevice(id: string): Promise<Deleted>;
  deleteFinding(id: string): Promise<Deleted>;
}

/** Read side: the dashboard's and the API's queries. */
export interface StoreReader {
  getCapture(id: string): Promise<CaptureRow | undefined>;
  listCaptures(page: Page): Promise<{ items: CaptureRow[]; total: number }>;
  /** Captures left queued or ingesting (a restart resumes them). */
  pendingCaptures(): Promise<CaptureRow[]>;
  listDevices(q: DeviceQuery): Promise<JsonPage>;
  /** DeviceSummary JSON (`withEvidence`: Device JSON). */
  getDevice(id: string, withEvidence?: boolean): Promise<string | undefined>;
  listFindings(q: FindingQuery): Promise<JsonPage>;
  getFinding(id: string, full?: boolean): Promise<string | undefined>;
  getAssessment(deviceId: string): Promise<string | undefined>;
  getLabel(deviceId: string, format: 'svg' | 'pdf'): Promise<Uint8Array | undefined>;
  timeseries(q: TimeseriesQuery): Promise<Timeseries>;
  overview(): Promise<Overview>;
  counts(): Promise<Counts>;
  /**
   * Changes whenever the stored data may have changed: bumped by every write of this store (ingest, applyBatch,
   * status updates, overrides, deletions) and by changed(); SQLite also sees other connections' commits.
   * Key memoised answers built over many rows on it (counts alone miss a batch that only changes a finding).
   */
  version(): Promise<string>;
  /** Sensors that sent batches, with the status of their latest. */
  listSensors(): Promise<SensorRow[]>;
}

/** A store: both sides over one database (SQLite file or PostgreSQL). */
export interface Store extends StoreWriter, StoreReader {
  /** 'sqlite' or 'postgres'. */
  readonly kind: string;
  close(): Promise<void>;
  /** The database file when other connections can open it (the ingest worker writes through its own). */
  readonly path?: string;
  /** How another thread opens this same store (the ingest worker); absent for an in-memory store. */
  readonly reopen?: StoreSpec;
  /** Called after another connection wrote: drop memoised answers. */
  changed?(): void;
}
