/**
 * The store's write side for incremental sources: a live sensor in this process (`serve --interface`) or a
 * remote sensor whose messages arrive through NATS JetStream (`serve --consume`). A batch is what one sensor
 * made final since its previous batch; applying it replaces the state of what it names (a finding's state is
 * the sensor's latest, not a sum), so applying the same batch twice changes nothing.
 *
 * Ids are namespaced by site and sensor (see `scopedId`): private addresses of two sites never collide.
 * @module
 */
import type { RunSummary } from '../pipeline/stats.ts';
import type { DeviceRecord } from '../inventory/types.ts';
import type { Finding, FindingChange } from '../detect/types.ts';
import type { AssessmentInput, FlowBucket, LabelInput, ProtocolCount } from './types.ts';

/** Which sensor a batch comes from: a site (a network, an office) and a sensor inside it. */
export interface SensorRef {
  site: string;
  sensor: string;
}

/** Health a sensor reports with each batch (the dashboard's sensor list). */
export interface SensorStatus {
  /** Bulwark version of the sensor. */
  version: string;
  /** Wall-clock time of the batch (ms since the epoch). */
  sent_at: number;
  /** Totals since the sensor started: packets read, packets dropped by the capture, bytes on the wire. */
  packets: number;
  drops: number;
  bytes: number;
  /** Messages that could not be kept while the central service was away (spool overflow). */
  spool_overflow?: number;
}

export interface StoreBatch extends SensorRef {
  /**
   * Per-sensor sequence number, increasing by one per batch (restarting a sensor continues from its spool's
   * last number; a new spool starts after the sensor's clock in ms, above anything an earlier spool sent). A
   * batch whose number was already applied is skipped: redelivery never duplicates.
   */
  seq: number;
  /**
   * The segment the batch belongs to: one capture file, or one run of a live interface. Its summary is the
   * running total so far (replaced, not added), `final` once the segment ended.
   */
  segment?: { id: string; summary: RunSummary; final: boolean };
  /** Devices that appeared or changed: their whole current record (upsert). */
  devices?: readonly DeviceRecord[];
  /** Devices merged into another since the last batch (an address-only device that got its MAC): delete them. */
  removedDevices?: readonly string[];
  /** Finding changes in order: the finding's whole current state (upsert; `closed` ends it). */
  findings?: readonly { finding: Finding; change: FindingChange }[];
  /** Flow buckets and protocol counts of this batch only (added to what is stored). */
  flowBuckets?: readonly FlowBucket[];
  protocols?: readonly ProtocolCount[];
  assessments?: readonly AssessmentInput[];
  labels?: readonly LabelInput[];
  status?: SensorStatus;
}

export interface BatchOutcome {
  /** False when this sensor's batch `seq` had been applied already (nothing changed). */
  applied: boolean;
  newDeviceIds: string[];
  newFindingIds: string[];
}

/** One sensor as the dashboard lists it. */
export interface SensorRow extends SensorRef {
  first_seen: number;
  last_seen: number;
  last_seq: number;
  /** Status of the newest batch, and of the one before it (rates are the difference of the two). */
  status?: SensorStatus;
  previous?: SensorStatus;
}

/**
 * How far a sensor's batch numbers may run ahead of the first one missing. A number further behind its newest
 * than this is taken as lost (a spool that overflowed): the store stops waiting for it, so the numbers it keeps
 * above a gap stay bounded; a lost batch that still arrives later is skipped like a duplicate.
 */
export const MAX_SEQ_GAP = 10_000;

/** A batch the store refuses (names it cannot namespace safely, a sequence number that is not one). */
export class BatchError extends Error {}

/** Site and sensor names: letters, digits, '.', '_', '-', at most 64 (they become parts of ids); a site may be '' (local). */
const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** Throws BatchError when the batch cannot be applied as it is (checked before anything is written). */
export function checkBatch(b: StoreBatch): void {
  if (typeof b.site !== 'string' || (b.site !== '' && !NAME.test(b.site))) throw new BatchError(`bad site name ${JSON.stringify(b.site)}`);
  if (typeof b.sensor !== 'string' || !NAME.test(b.sensor)) throw new BatchError(`bad sensor name ${JSON.stringify(b.sensor)}`);
  if (!Number.isSafeInteger(b.seq) || b.seq < 1) throw new BatchError(`bad batch sequence number ${String(b.seq)}`);
}

/** Write side for incremental sources; both the SQLite and the PostgreSQL store implement it. */
export interface BatchWriter {
  /** Apply one batch in one transaction; resolves once it is durable (commit). */
  applyBatch(batch: StoreBatch): Promise<BatchOutcome>;
  listSensors(): Promise<SensorRow[]>;
}

/**
 * The stored id of a device or finding of a sensor: its local id inside the site's namespace. Sites are
 * distinct address spaces; sensors of one site share it (one device seen by two sensors is one device).
 */
export function scopedId(site: string, localId: string): string {
  return site === '' || site === 'local' ? localId : `${site}/${localId}`;
}
