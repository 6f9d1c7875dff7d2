/**
 * PostgreSQL schema as numbered migrations, applied at open under an advisory lock (several servers may open
 * one database at once). A migration, once released, never changes: add a new one. The tables mirror the
 * SQLite store's (schema.ts) so both answer the contract tests alike; documents are JSON text, kept as
 * written (the API forwards them). Indexes were chosen with EXPLAIN on the dashboard's queries (README,
 * "The PostgreSQL store").
 * @module
 */
import type { Migration } from './schema.ts';

export const pgMigrations: readonly Migration[] = [
  {
    version: 1,
    name: 'captures, devices with sources, findings with sources, flow series, assessments, labels, sensors',
    sql: `
CREATE TABLE captures (
  id text PRIMARY KEY,
  sha256 text NOT NULL UNIQUE,
  filename text NOT NULL,
  size bigint NOT NULL,
  path text NOT NULL,
  status text NOT NULL,
  progress double precision NOT NULL DEFAULT 0,
  error text,
  created_at text NOT NULL,
  started_at text,
  finished_at text,
  summary jsonb,
  site text,
  sensor text
);
CREATE INDEX captures_by_created ON captures (created_at DESC, id);
CREATE INDEX captures_pending ON captures (created_at, id) WHERE status IN ('queued', 'ingesting');

CREATE TABLE devices (
  id text PRIMARY KEY,
  auto_name text NOT NULL,
  auto_type text NOT NULL,
  auto_vendor text,
  model text,
  name text NOT NULL,
  type text NOT NULL,
  vendor text,
  user_json text,
  grade text,
  first_ts double precision NOT NULL,
  last_ts double precision NOT NULL,
  bytes double precision NOT NULL DEFAULT 0,
  findings_open integer NOT NULL DEFAULT 0,
  captures integer NOT NULL DEFAULT 1,
  search text NOT NULL DEFAULT ''
);
CREATE INDEX devices_by_last ON devices (last_ts DESC, id);
CREATE INDEX devices_by_first ON devices (first_ts DESC, id);
CREATE INDEX devices_by_type ON devices (type, last_ts DESC, id);
CREATE INDEX devices_by_vendor ON devices (lower(vendor), last_ts DESC, id);
CREATE INDEX devices_by_grade ON devices (grade, last_ts DESC, id);
CREATE INDEX devices_by_name ON devices (lower(name), id);
CREATE INDEX devices_by_bytes ON devices (bytes DESC, id);
CREATE INDEX devices_by_findings ON devices (findings_open DESC, id);

CREATE TABLE device_docs (
  id text PRIMARY KEY,
  record text NOT NULL,
  evidence text NOT NULL DEFAULT '[]'
);

CREATE TABLE device_overrides (
  device_id text PRIMARY KEY,
  name text,
  type text,
  vendor text,
  updated_at text NOT NULL
);

CREATE TABLE device_sources (
  device_id text NOT NULL,
  source text NOT NULL,
  record text NOT NULL,
  seq bigint NOT NULL DEFAULT 0,
  capture_id text,
  segments integer NOT NULL DEFAULT 1,
  PRIMARY KEY (device_id, source)
);
CREATE INDEX device_sources_by_capture ON device_sources (capture_id, source);

CREATE TABLE findings (
  id text PRIMARY KEY,
  detector text NOT NULL,
  category text NOT NULL,
  severity text NOT NULL,
  title text NOT NULL,
  first_ts double precision NOT NULL,
  last_ts double precision NOT NULL,
  count bigint NOT NULL,
  status text NOT NULL DEFAULT 'new',
  note text,
  status_changed_at text,
  capture_id text NOT NULL
);
CREATE INDEX findings_by_last ON findings (last_ts DESC, id);
CREATE INDEX findings_by_first ON findings (first_ts);
CREATE INDEX findings_by_severity ON findings (severity, last_ts DESC, id);
CREATE INDEX findings_by_detector ON findings (detector, last_ts DESC, id);
CREATE INDEX findings_by_category ON findings (category, last_ts DESC, id);
CREATE INDEX findings_by_status ON findings (status, last_ts DESC, id);
CREATE INDEX findings_by_capture ON findings (capture_id);

CREATE TABLE finding_docs (
  id text PRIMARY KEY,
  record text NOT NULL
);

CREATE TABLE finding_sources (
  finding_id text NOT NULL,
  source text NOT NULL,
  occurrence integer NOT NULL,
  record text NOT NULL,
  seq bigint NOT NULL DEFAULT 0,
  capture_id text NOT NULL,
  PRIMARY KEY (finding_id, source, occurrence)
);
CREATE INDEX finding_sources_by_capture ON finding_sources (capture_id, source);

CREATE TABLE finding_devices (
  device_id text NOT NULL,
  finding_id text NOT NULL,
  PRIMARY KEY (device_id, finding_id)
);
CREATE INDEX finding_devices_by_finding ON finding_devices (finding_id);

CREATE TABLE flow_buckets (
  t bigint NOT NULL,
  capture_id text NOT NULL,
  flows bigint NOT NULL,
  bytes bigint NOT NULL,
  PRIMARY KEY (t, capture_id)
);
CREATE INDEX flow_buckets_by_capture ON flow_buckets (capture_id);

CREATE TABLE protocols (
  capture_id text NOT NULL,
  name text NOT NULL,
  flows bigint NOT NULL,
  bytes bigint NOT NULL,
  PRIMARY KEY (capture_id, name)
);

CREATE TABLE assessments (
  device_id text PRIMARY KEY,
  grade text NOT NULL,
  score double precision,
  record text NOT NULL,
  updated_at text NOT NULL
);

CREATE TABLE labels (
  device_id text NOT NULL,
  format text NOT NULL,
  content bytea NOT NULL,
  updated_at text NOT NULL,
  PRIMARY KEY (device_id, format)
);

CREATE TABLE sensors (
  site text NOT NULL,
  sensor text NOT NULL,
  first_seen double precision NOT NULL,
  last_seen double precision NOT NULL,
  last_seq bigint NOT NULL,
  applied_through bigint NOT NULL,
  status text,
  prev_status text,
  PRIMARY KEY (site, sensor)
);
CREATE TABLE sensor_batches (
  site text NOT NULL,
  sensor text NOT NULL,
  seq bigint NOT NULL,
  PRIMARY KEY (site, sensor, seq)
);
`,
  },
  {
    version: 2,
    name: 'a write counter shared by every server on the database (memoised answers are keyed on it)',
    // A sequence, not a row: nextval takes no row lock, so concurrent writers never wait on each other for it.
    sql: `
CREATE SEQUENCE store_version;
`,
  },
];

/**
 * Substring search over devices (q=) and finding titles uses trigram indexes when the pg_trgm extension can be
 * had (a trusted extension: a database owner may create it); without it the filters still work, by scanning.
 * The extension is database-wide: it goes into `public` (where an earlier installation put it stays), never
 * into Bulwark's schema, so dropping one Bulwark schema cannot take other schemas' indexes with it.
 */
export const createTrigramSql = 'CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public';
export const trigramSchemaSql = "SELECT extnamespace::regnamespace::text AS ns FROM pg_extension WHERE extname = 'pg_trgm'";
export function trigramIndexSql(ns: string): string {
  return `CREATE INDEX IF NOT EXISTS devices_search_trgm ON devices USING gin (search ${ns}.gin_trgm_ops);
CREATE INDEX IF NOT EXISTS findings_title_trgm ON findings USING gin (lower(title) ${ns}.gin_trgm_ops);`;
}
