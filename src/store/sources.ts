/**
 * What the store shows for a device or a finding is folded from its sources: captures this server analysed
 * (source `''`, merged capture by capture as before) and each sensor that reported it (source `site/sensor`,
 * replaced batch by batch: a sensor's record is its latest state, never added to itself). Folding uses the
 * same merge as two captures, so a device seen by two sensors of one site is one device, and a finding raised
 * twice in one run (occurrences 1 and 2, same id) reads the same from a live sensor as from a capture file.
 * Pure functions, shared by the SQLite and the PostgreSQL store.
 * @module
 */
import { createHash } from 'node:crypto';
import type { DeviceRecord } from '../inventory/types.ts';
import type { Finding } from '../detect/types.ts';
import { scopedId, type SensorRef, type StoreBatch } from './batch.ts';
import { mergeDevice, mergeFinding } from './merge.ts';
import type { CaptureSummaryJson } from './types.ts';

/** The source of what captures analysed by this server contributed. */
export const CAPTURES_SOURCE = '';

export function sensorSource(ref: SensorRef): string {
  return `${ref.site}/${ref.sensor}`;
}

/**
 * The capture row a sensor's segment is stored as (flow counts, protocols and findings hang off captures);
 * a batch without a segment goes to the sensor's segment ''. Same id form as uploads (`c` + 16 hex).
 */
export function segmentCaptureId(ref: SensorRef, segmentId: string): string {
  return `c${segmentSha256(ref, segmentId).slice(0, 16)}`;
}

export function segmentSha256(ref: SensorRef, segmentId: string): string {
  return createHash('sha256').update(`segment\0${ref.site}\0${ref.sensor}\0${segmentId}`).digest('hex');
}

/** A sensor's device under its site's namespace. */
export function scopeDevice(site: string, d: DeviceRecord): DeviceRecord {
  return { ...d, id: scopedId(site, d.id) };
}

/** A sensor's finding under its site's namespace: its id and the ids of the devices it names. */
export function scopeFinding(site: string, f: Finding): Finding {
  return {
    ...f,
    id: scopedId(site, f.id),
    devices: f.devices.map((d) => ({ ...d, device_id: scopedId(site, d.device_id ?? (d.mac ? `mac:${d.mac}` : `ip:${d.ip}`)) })),
  };
}

/** A device source as stored: the record and how many captures or segments it came from. */
export interface DeviceSource {
  source: string;
  record: DeviceRecord;
  segments: number;
}

/** What is shown: sources folded in source order (captures first, then sensors by name). */
export function foldDevice(sources: readonly DeviceSource[]): { record: DeviceRecord; captures: number } {
  const sorted = [...sources].sort((a, b) => (a.source < b.source ? -1 : a.source > b.source ? 1 : 0));
  let record = sorted[0].record;
  let captures = sorted[0].segments;
  for (const s of sorted.slice(1)) {
    record = mergeDevice(record, s.record);
    captures += s.segments;
  }
  return { record, captures };
}

export interface FindingSource {
  source: string;
  occurrence: number;
  record: Finding;
}

/** Occurrences in order (the latest one's state wins), sources of one occurrence by name; counts of each add. */
export function foldFinding(sources: readonly FindingSource[]): Finding {
  const sorted = [...sources].sort((a, b) => a.occurrence - b.occurrence || a.record.last_ts - b.record.last_ts
    || (a.source < b.source ? -1 : a.source > b.source ? 1 : 0));
  let f = sorted[0].record;
  for (const s of sorted.slice(1)) f = mergeFinding(f, s.record);
  return f;
}

/** A finding's occurrence as its source row is keyed (captures merge into occurrence 0). */
export function occurrenceOf(f: Finding): number {
  return f.occurrence ?? 1;
}

/** Running capture summary of a segment after one more batch (the batch's summary replaces the counts). */
export function segmentSummary(
  batch: StoreBatch, prev: CaptureSummaryJson | undefined, seen: { devices: number; findings: number; newDevices: number; newFindings: number },
): CaptureSummaryJson | undefined {
  const s = batch.segment?.summary;
  if (!s) return prev;
  return {
    packets: s.packets, bytes: s.bytes, first_ts: s.first_ts, last_ts: s.last_ts, span_s: s.span_s, flows: s.flows.total,
    devices: seen.devices, findings: seen.findings,
    new_devices: (prev?.new_devices ?? 0) + seen.newDevices, new_findings: (prev?.new_findings ?? 0) + seen.newFindings,
    partial: s.partial, apps: s.apps, transports: s.transports,
  };
}
