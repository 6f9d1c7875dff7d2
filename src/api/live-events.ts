/**
 * What a stored live batch tells the dashboard (SSE): each finding change with the finding as the API lists
 * it, new devices in full, changed and removed devices by id, and one 'sensor.batch' summary.
 * @module
 */
import { scopedId, type BatchOutcome, type StoreBatch } from '../store/batch.ts';
import type { Store } from '../store/types.ts';

/** The SSE event types a live sensor publishes. */
export type LiveSensorEvent = 'finding.raised' | 'finding.updated' | 'finding.closed' | 'device.new' | 'device.changed' | 'device.removed' | 'sensor.batch';

/** Finding and device events announced per batch; the lists reload on 'sensor.batch' for the rest. */
export const MAX_EVENTS_PER_BATCH = 200;

export interface LiveEventOut {
  type: LiveSensorEvent;
  /** The event's data: JSON text or a plain object. */
  data: unknown;
}

export async function batchEvents(store: Pick<Store, 'getFinding' | 'getDevice'>, batch: StoreBatch, outcome: BatchOutcome): Promise<LiveEventOut[]> {
  const out: LiveEventOut[] = [];
  const site = batch.site;
  let budget = MAX_EVENTS_PER_BATCH;
  for (const { finding, change } of batch.findings ?? []) {
    if (budget-- <= 0) break;
    const id = scopedId(site, finding.id);
    const json = await store.getFinding(id, false);
    out.push({ type: `finding.${change}`, data: json ?? { id, detector: finding.detector, severity: finding.severity, title: finding.title, change } });
  }
  const isNew = new Set(outcome.newDeviceIds);
  for (const d of batch.devices ?? []) {
    if (budget-- <= 0) break;
    const id = scopedId(site, d.id);
    if (isNew.has(id)) {
      const json = await store.getDevice(id, false);
      if (json) out.push({ type: 'device.new', data: json });
    } else out.push({ type: 'device.changed', data: { id } });
  }
  for (const raw of batch.removedDevices ?? []) {
    if (budget-- <= 0) break;
    out.push({ type: 'device.removed', data: { id: scopedId(site, raw) } });
  }
  const summary = batch.segment?.summary;
  out.push({
    type: 'sensor.batch',
    data: {
      site, sensor: batch.sensor, seq: batch.seq, final: batch.segment?.final ?? false,
      packets: summary?.packets ?? 0, flows: summary?.flows.total ?? 0,
      findings: (batch.findings ?? []).length, devices: (batch.devices ?? []).length,
    },
  });
  return out;
}
