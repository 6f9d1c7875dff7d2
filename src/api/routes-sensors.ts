/**
 * GET /api/sensors: the sensors that send batches (NATS consumer, live interfaces), with how recently each
 * was heard from and its packet and drop rates between its last two reports.
 * @module
 */
import type { Hono } from 'hono';
import type { SensorRow } from '../store/batch.ts';
import type { AppContextDeps } from './app.ts';

/** A sensor not heard from for this long is shown as silent. */
export const SENSOR_SILENT_AFTER_S = 120;

export interface SensorView {
  site: string;
  sensor: string;
  first_seen: number;
  last_seen: number;
  last_seq: number;
  /** Seconds since the sensor's latest batch was sent (by the server's clock). */
  age_s: number;
  state: 'reporting' | 'silent';
  version: string | null;
  packets: number | null;
  drops: number | null;
  bytes: number | null;
  spool_overflow: number | null;
  /** Per second between the last two reports; null until there are two (or after a sensor restart). */
  packets_per_s: number | null;
  drops_per_s: number | null;
  bytes_per_s: number | null;
  /** Share of packets the capture dropped, over the whole run: drops / (packets + drops). */
  drop_ratio: number | null;
}

/** The dashboard's view of one sensor at `nowMs` (wall clock). */
export function sensorView(r: SensorRow, nowMs: number): SensorView {
  const s = r.status;
  const p = r.previous;
  const dt = s && p ? (s.sent_at - p.sent_at) / 1000 : 0;
  // Totals restart with the sensor: a fall means a new run, and no rate can be told from the two.
  const rate = (a: number | undefined, b: number | undefined): number | null =>
    a !== undefined && b !== undefined && dt > 0 && a >= b ? (a - b) / dt : null;
  const age = Math.max(0, (nowMs - r.last_seen) / 1000);
  return {
    site: r.site, sensor: r.sensor, first_seen: r.first_seen, last_seen: r.last_seen, last_seq: r.last_seq,
    age_s: Math.round(age * 10) / 10, state: age > SENSOR_SILENT_AFTER_S ? 'silent' : 'reporting',
    version: s?.version ?? null, packets: s?.packets ?? null, drops: s?.drops ?? null, bytes: s?.bytes ?? null,
    spool_overflow: s?.spool_overflow ?? null,
    packets_per_s: rate(s?.packets, p?.packets), drops_per_s: rate(s?.drops, p?.drops), bytes_per_s: rate(s?.bytes, p?.bytes),
    drop_ratio: s && s.packets + s.drops > 0 ? s.drops / (s.packets + s.drops) : null,
  };
}

export function sensorRoutes(app: Hono, deps: AppContextDeps, now: () => number = Date.now): void {
  app.get('/api/sensors', async (c) => {
    const rows = await deps.store.listSensors();
    const t = now();
    return c.json({ items: rows.map((r) => sensorView(r, t)), total: rows.length });
  });
}
