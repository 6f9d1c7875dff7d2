/**
 * Collects what an analysis session publishes (finding changes, device changes, finished flows) into store
 * batches: `take()` returns everything since the previous call as one `StoreBatch` with the next sequence
 * number. Used by the live sensor in `serve --interface` (applied to the local store) and by the NATS
 * publisher (`analyze --publish`, applied by the central consumer).
 * @module
 */
import type { AnalysisOptions } from '../engine/session.ts';
import type { RunSummary } from '../pipeline/stats.ts';
import type { DeviceRecord } from '../inventory/types.ts';
import type { Finding, FindingChange } from '../detect/types.ts';
import type { FlowRecord } from '../flow/types.ts';
import { FlowSeries } from './flow-series.ts';
import type { SensorRef, SensorStatus, StoreBatch } from './batch.ts';

export interface BatchBuilderOptions extends SensorRef {
  /** Segment id: one capture file or one run of a live interface. */
  segmentId: string;
  /** Sequence number of the first batch (a restarted sensor continues after its last one). */
  firstSeq?: number;
}

export class BatchBuilder {
  private readonly ref: SensorRef;
  private readonly segmentId: string;
  private nextSeq: number;
  /** Latest change per finding occurrence since the last batch, in first-change order (a later change supersedes). */
  private findings = new Map<string, { finding: Finding; change: FindingChange }>();
  private devices = new Map<string, DeviceRecord>();
  private removed = new Set<string>();
  private series = new FlowSeries();

  constructor(options: BatchBuilderOptions) {
    this.ref = { site: options.site, sensor: options.sensor };
    this.segmentId = options.segmentId;
    this.nextSeq = options.firstSeq ?? 1;
  }

  /** The session callbacks that feed this builder (merge them with the caller's own). */
  hooks(): Pick<AnalysisOptions, 'onFindingChange' | 'onDeviceChange' | 'onDeviceRemoved' | 'onFlow'> {
    return {
      onFindingChange: (finding, change) => this.addFinding(finding, change),
      onDeviceChange: (changes) => {
        for (const c of changes) {
          this.devices.set(c.device.id, c.device);
          this.removed.delete(c.device.id);
        }
      },
      onDeviceRemoved: (ids) => {
        for (const id of ids) {
          this.devices.delete(id);
          this.removed.add(id);
        }
      },
      onFlow: (flow) => this.addFlow(flow),
    };
  }

  addFinding(finding: Finding, change: FindingChange): void {
    // One entry per occurrence: a finding that closed and was raised again within one batch keeps both.
    const key = `${finding.id}#${finding.occurrence ?? 1}`;
    const prior = this.findings.get(key);
    // 'raised' then 'updated' within one batch is still news to the store: keep 'raised'.
    const kept = prior?.change === 'raised' && change === 'updated' ? 'raised' : change;
    this.findings.set(key, { finding, change: kept });
  }

  addFlow(flow: FlowRecord): void {
    this.series.add(flow);
  }

  /** True when nothing was collected since the last batch. */
  get empty(): boolean {
    return this.findings.size === 0 && this.devices.size === 0 && this.removed.size === 0 && this.series.flows === 0;
  }

  /**
   * Everything since the previous call as one batch. `summary` is the segment's running total; `final`
   * marks the segment's end. Devices given here (e.g. the session's final list) are added to the batch.
   */
  take(summary: RunSummary, options: { final?: boolean; status?: SensorStatus; devices?: readonly DeviceRecord[] } = {}): StoreBatch {
    for (const d of options.devices ?? []) this.devices.set(d.id, d);
    const batch: StoreBatch = {
      ...this.ref,
      seq: this.nextSeq++,
      segment: { id: this.segmentId, summary, final: options.final ?? false },
    };
    if (this.devices.size > 0) batch.devices = [...this.devices.values()];
    if (this.removed.size > 0) batch.removedDevices = [...this.removed];
    if (this.findings.size > 0) batch.findings = [...this.findings.values()];
    if (this.series.flows > 0) {
      batch.flowBuckets = this.series.bucketList();
      batch.protocols = this.series.protocolList();
    }
    if (options.status) batch.status = options.status;
    this.findings = new Map();
    this.devices = new Map();
    this.removed = new Set();
    this.series = new FlowSeries();
    return batch;
  }

  /** Sequence number the next batch will carry. */
  get seq(): number {
    return this.nextSeq;
  }
}
