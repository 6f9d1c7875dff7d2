/**
 * SQLite schema as numbered migrations. A migration, once released, never changes: add a new one.
 * Devices and findings are narrow
 * rows for filtering and sorting, their JSON documents in *_docs tables. Effective device fields (name/type/vendor after overrides, grade, open findings) are denormalised into
 * `devices` so list filters and sorts are single-index lookups.
 * @module
 */

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const migrations: readonly Migration[] = [
  {
    version: 1,
    name: 'captures, devices, overrides, findings, flow series, assessments, labels',
    sql: `
CREATE TABLE captures (
  id TEXT PRIMARY KEY,
  sha256 TEXT NOT NULL UNIQUE,
  filename TEXT NOT NULL,
  size INTEGER NOT NULL,
  path TEXT NOT NULL,
  status TEXT NOT NULL,
  progress REAL NOT NULL DEFAULT 0,
  error TEXT,
  created_at TEXT NOT NULL,
  started_at TEXT,
  finished_at TEXT,
  summary TEXT
);
CREATE INDEX captures_by_created ON captures(created_at);
CREATE INDEX captures_by_status ON captures(status);

CREATE TABLE devices (
  id TEXT PRIMARY KEY,
  auto_name TEXT NOT NULL,
  auto_type TEXT NOT NULL,
  auto_vendor TEXT,
  model TEXT,
  name TEXT NOT NULL,
  type TEXT NOT NULL,
  vendor TEXT,
  user_json TEXT,
  grade TEXT,
  first_ts REAL NOT NULL,
  last_ts REAL NOT NULL,
  bytes REAL NOT NULL DEFAULT 0,
  findings_open INTEGER NOT NULL DEFAULT 0,
  captures INTEGER NOT NULL DEFAULT 1
);
-- Substring search (q=) over names, host names, addresses, vendor, model: trigram index, rowid = devices.rowid.
CREATE VIRTUAL TABLE device_search USING fts5(search, tokenize = 'trigram');
-- The JSON documents live apart so list filters scan narrow rows.
CREATE TABLE device_docs (
  id TEXT PRIMARY KEY,
  record TEXT NOT NULL,
  evidence TEXT NOT NULL DEFAULT '[]'
);
CREATE INDEX devices_by_last ON devices(last_ts);
CREATE INDEX devices_by_first ON devices(first_ts);
CREATE INDEX devices_by_type ON devices(type, last_ts);
CREATE INDEX devices_by_type_name ON devices(type, name COLLATE NOCASE);
CREATE INDEX devices_by_vendor ON devices(vendor COLLATE NOCASE, last_ts);
CREATE INDEX devices_by_grade ON devices(grade, last_ts);
CREATE INDEX devices_by_name ON devices(name COLLATE NOCASE);
CREATE INDEX devices_by_bytes ON devices(bytes);
CREATE INDEX devices_by_findings ON devices(findings_open);

CREATE TABLE device_overrides (
  device_id TEXT PRIMARY KEY,
  name TEXT,
  type TEXT,
  vendor TEXT,
  updated_at TEXT NOT NULL
);

CREATE TABLE findings (
  id TEXT PRIMARY KEY,
  detector TEXT NOT NULL,
  category TEXT NOT NULL,
  severity TEXT NOT NULL,
  title TEXT NOT NULL,
  first_ts REAL NOT NULL,
  last_ts REAL NOT NULL,
  count INTEGER NOT NULL,
  status TEXT NOT NULL DEFAULT 'new',
  note TEXT,
  status_changed_at TEXT,
  capture_id TEXT NOT NULL
);
CREATE TABLE finding_docs (
  id TEXT PRIMARY KEY,
  record TEXT NOT NULL
);
CREATE INDEX findings_by_last ON findings(last_ts);
CREATE INDEX findings_by_first ON findings(first_ts);
CREATE INDEX findings_by_severity ON findings(severity, last_ts);
CREATE INDEX findings_by_detector ON findings(detector, last_ts);
CREATE INDEX findings_by_category ON findings(category, last_ts);
CREATE INDEX findings_by_status ON findings(status, last_ts);

CREATE TABLE finding_devices (
  device_id TEXT NOT NULL,
  finding_id TEXT NOT NULL,
  PRIMARY KEY (device_id, finding_id)
) WITHOUT ROWID;
CREATE INDEX finding_devices_by_finding ON finding_devices(finding_id);

CREATE TABLE flow_buckets (
  t INTEGER NOT NULL,
  capture_id TEXT NOT NULL,
  flows INTEGER NOT NULL,
  bytes INTEGER NOT NULL,
  PRIMARY KEY (t, capture_id)
) WITHOUT ROWID;

CREATE TABLE protocols (
  capture_id TEXT NOT NULL,
  name TEXT NOT NULL,
  flows INTEGER NOT NULL,
  bytes INTEGER NOT NULL,
  PRIMARY KEY (capture_id, name)
) WITHOUT ROWID;

CREATE TABLE assessments (
  device_id TEXT PRIMARY KEY,
  grade TEXT NOT NULL,
  score REAL,
  record TEXT NOT NULL,
  updated_at TEXT NOT NULL
);

CREATE TABLE labels (
  device_id TEXT NOT NULL,
  format TEXT NOT NULL,
  content BLOB NOT NULL,
  updated_at TEXT NOT NULL,
  PRIMARY KEY (device_id, format)
) WITHOUT ROWID;
`,
  },
  {
    version: 2,
    name: 'sensors, batches applied, device and finding sources (sensor batches replace, captures merge)',
    sql: `
CREATE TABLE sensors (
  site TEXT NOT NULL,
  sensor TEXT NOT NULL,
  first_seen REAL NOT NULL,
  last_seen REAL NOT NULL,
  -- Highest batch applied, and the number up to which every batch was applied (several consumers may apply
  -- a sensor's batches out of order; numbers above it that were applied are in sensor_batches).
  last_seq INTEGER NOT NULL,
  applied_through INTEGER NOT NULL,
  status TEXT,
  PRIMARY KEY (site, sensor)
) WITHOUT ROWID;
CREATE TABLE sensor_batches (
  site TEXT NOT NULL,
  sensor TEXT NOT NULL,
  seq INTEGER NOT NULL,
  PRIMARY KEY (site, sensor, seq)
) WITHOUT ROWID;

-- What each source contributed: '' = captures this server analysed (merged), 'site/sensor' = the sensor's
-- latest record (replaced). devices/device_docs hold the fold of them (src/store/sources.ts).
CREATE TABLE device_sources (
  device_id TEXT NOT NULL,
  source TEXT NOT NULL,
  record TEXT NOT NULL,
  seq INTEGER NOT NULL DEFAULT 0,
  capture_id TEXT,
  segments INTEGER NOT NULL DEFAULT 1,
  PRIMARY KEY (device_id, source)
) WITHOUT ROWID;
INSERT INTO device_sources (device_id, source, record, segments)
  SELECT d.id, '', json_set(dd.record, '$.evidence', json(dd.evidence)), d.captures FROM devices d JOIN device_docs dd ON dd.id = d.id;
CREATE INDEX device_sources_by_capture ON device_sources(capture_id, source);

CREATE TABLE finding_sources (
  finding_id TEXT NOT NULL,
  source TEXT NOT NULL,
  occurrence INTEGER NOT NULL,
  record TEXT NOT NULL,
  seq INTEGER NOT NULL DEFAULT 0,
  capture_id TEXT NOT NULL,
  PRIMARY KEY (finding_id, source, occurrence)
) WITHOUT ROWID;
INSERT INTO finding_sources (finding_id, source, occurrence, record, capture_id)
  SELECT f.id, '', 0, fd.record, f.capture_id FROM findings f JOIN finding_docs fd ON fd.id = f.id;
CREATE INDEX finding_sources_by_capture ON finding_sources(capture_id, source);

ALTER TABLE captures ADD COLUMN site TEXT;
ALTER TABLE captures ADD COLUMN sensor TEXT;
`,
  },
];
