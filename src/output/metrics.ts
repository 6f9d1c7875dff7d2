/**
 * Prometheus metrics of a sensor or server (text exposition through prom-client, the field's maintained
 * client). Counters grow from run summaries and stage timings the engine hands over; gauges that describe
 * the store (devices, findings by severity) are read from it when scraped, so they are never stale.
 * @module
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { RunSummary } from '../pipeline/stats.ts';

/** What a gauge collector reads from the store at scrape time. */
export interface StoreSnapshot {
  devices: number;
  captures: number;
  findings_by_severity: Record<string, number>;
}

export interface MetricsOptions {
  /** Process metrics (RSS, CPU, heap, event-loop lag) from prom-client's defaults. */
  processMetrics: boolean;
  /** Read at scrape time; a failure counts in bulwark_scrape_errors_total and keeps the last values. */
  storeSnapshot?: () => Promise<StoreSnapshot>;
}

const severities = ['info', 'low', 'medium', 'high', 'critical'] as const;

export class Metrics {
  readonly registry = new Registry();
  private readonly packets: Counter;
  private readonly bytes: Counter;
  private readonly drops: Counter;
  private readonly flows: Counter;
  private readonly flowsEvicted: Counter;
  private readonly flowsLive: Gauge;
  private readonly events: Counter<'type'>;
  private readonly anomalies: Counter;
  private readonly stageSeconds: Counter<'stage'>;
  private readonly storeLatency: Histogram<'operation'>;
  private readonly queueDepth: Gauge<'output'>;
  private readonly outputSent: Counter<'output'>;
  private readonly outputFailed: Counter<'output'>;
  private readonly outputDropped: Counter<'output'>;
  private readonly scrapeErrors: Counter;
  private readonly ingests: Counter<'status'>;

  constructor(options: Partial<MetricsOptions> = {}) {
    const registers = [this.registry];
    if (options.processMetrics ?? true) {
      collectDefaultMetrics({ register: this.registry, prefix: 'bulwark_' });
      // prom-client names these gauges `_total`, which Prometheus's naming rules reserve for counters
      // (promtool check metrics rejects them), so they are left out.
      for (const name of ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total']) {
        this.registry.removeSingleMetric(`bulwark_${name}`);
      }
    }
    this.packets = new Counter({ name: 'bulwark_packets_total', help: 'Packets read from captures and interfaces.', registers });
    this.bytes = new Counter({ name: 'bulwark_bytes_total', help: 'Bytes on the wire of the packets read.', registers });
    this.drops = new Counter({ name: 'bulwark_capture_drops_total', help: 'Packets the kernel or capture process dropped (as it reports them).', registers });
    this.flows = new Counter({ name: 'bulwark_flows_total', help: 'Flows ended and analysed.', registers });
    this.flowsEvicted = new Counter({ name: 'bulwark_flows_evicted_total', help: 'Flows evicted because the flow table was full.', registers });
    this.flowsLive = new Gauge({ name: 'bulwark_flows_live', help: 'Flows currently tracked.', registers });
    this.events = new Counter({ name: 'bulwark_events_total', help: 'Protocol events published, by protocol.', labelNames: ['type'], registers });
    this.anomalies = new Counter({ name: 'bulwark_anomalies_total', help: 'Malformed or unexpected traffic counted as named anomalies.', registers });
    this.stageSeconds = new Counter({ name: 'bulwark_stage_seconds_total', help: 'Wall-clock seconds spent per stage.', labelNames: ['stage'], registers });
    this.storeLatency = new Histogram({
      name: 'bulwark_store_operation_seconds', help: 'Latency of store operations.', labelNames: ['operation'], registers,
      buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 30],
    });
    this.queueDepth = new Gauge({ name: 'bulwark_output_queue_depth', help: 'Alerts waiting in an output queue.', labelNames: ['output'], registers });
    this.outputSent = new Counter({ name: 'bulwark_output_sent_total', help: 'Alerts delivered by an output.', labelNames: ['output'], registers });
    this.outputFailed = new Counter({ name: 'bulwark_output_failures_total', help: 'Delivery attempts that failed (retried with backoff).', labelNames: ['output'], registers });
    this.outputDropped = new Counter({ name: 'bulwark_output_dropped_total', help: 'Alerts an output gave up on (queue full, retries exhausted or rate limit).', labelNames: ['output'], registers });
    this.scrapeErrors = new Counter({ name: 'bulwark_scrape_errors_total', help: 'Store reads that failed while answering a scrape.', registers });
    this.ingests = new Counter({ name: 'bulwark_ingests_total', help: 'Captures ingested by the server, by outcome.', labelNames: ['status'], registers });

    const snapshot = options.storeSnapshot;
    if (snapshot) {
      let last: StoreSnapshot | undefined;
      let inflight: Promise<StoreSnapshot | undefined> | undefined;
      const read = async (): Promise<StoreSnapshot | undefined> => {
        try {
          last = await snapshot();
        } catch {
          this.scrapeErrors.inc();
        }
        return last;
      };
      // prom-client collects all metrics of a scrape concurrently: they share one store read.
      const current = (): Promise<StoreSnapshot | undefined> => (inflight ??= read().finally(() => {
        inflight = undefined;
      }));
      new Gauge({
        name: 'bulwark_devices', help: 'Devices in the inventory.', registers,
        async collect() {
          const s = await current();
          if (s) this.set(s.devices);
        },
      });
      new Gauge({
        name: 'bulwark_captures', help: 'Captures in the store.', registers,
        async collect() {
          const s = await current();
          if (s) this.set(s.captures);
        },
      });
      new Gauge({
        name: 'bulwark_findings', help: 'Findings in the store, by severity.', labelNames: ['severity'], registers,
        async collect() {
          const snap = await current();
          if (!snap) return;
          for (const s of severities) this.set({ severity: s }, snap.findings_by_severity[s] ?? 0);
        },
      });
    }
  }

  /** Adds a finished run's counters (a capture ingested, or a live sensor's interval). */
  recordRun(s: RunSummary, stageSeconds: Record<string, number> = {}): void {
    this.packets.inc(s.packets);
    this.bytes.inc(s.bytes);
    this.flows.inc(s.flows.total);
    this.flowsEvicted.inc(s.flows.evicted);
    for (const [type, n] of Object.entries(s.events)) this.events.inc({ type: protocolOf(type) }, n);
    const anomalies = Object.values(s.anomalies).reduce((a, b) => a + b, 0);
    if (anomalies > 0) this.anomalies.inc(anomalies);
    for (const [stage, sec] of Object.entries(stageSeconds)) if (sec > 0) this.stageSeconds.inc({ stage }, sec);
  }

  /** Adds an ingested capture's totals (the server sees the store's summary, not the run's counters). */
  recordCapture(s: { packets: number; bytes: number; flows: number }): void {
    this.packets.inc(s.packets);
    this.bytes.inc(s.bytes);
    this.flows.inc(s.flows);
  }

  private totals = { packets: 0, bytes: 0, flows: 0, evicted: 0, anomalies: 0, drops: 0 };
  private eventTotals = new Map<string, number>();

  /**
   * A running sensor's totals so far (the pipeline's summary): counters grow by what is new since the last
   * call, so the same summary read every second keeps them exact.
   */
  observeTotals(s: RunSummary): void {
    const t = this.totals;
    const grow = (c: Counter, key: keyof typeof t, now: number): void => {
      if (now > t[key]) c.inc(now - t[key]);
      t[key] = Math.max(t[key], now);
    };
    grow(this.packets, 'packets', s.packets);
    grow(this.bytes, 'bytes', s.bytes);
    grow(this.flows, 'flows', s.flows.total);
    grow(this.flowsEvicted, 'evicted', s.flows.evicted);
    grow(this.anomalies, 'anomalies', Object.values(s.anomalies).reduce((a, b) => a + b, 0));
    let drops = 0;
    for (const f of s.files) drops += (f.capture?.dropped_kernel ?? 0) + (f.capture?.dropped_interface ?? 0);
    grow(this.drops, 'drops', drops);
    const perProtocol = new Map<string, number>();
    for (const [type, n] of Object.entries(s.events)) perProtocol.set(protocolOf(type), (perProtocol.get(protocolOf(type)) ?? 0) + n);
    for (const [type, n] of perProtocol) {
      const before = this.eventTotals.get(type) ?? 0;
      if (n > before) this.events.inc({ type }, n - before);
      this.eventTotals.set(type, Math.max(before, n));
    }
  }

  captureDrops(n: number): void {
    if (n > 0) this.drops.inc(n);
  }

  liveFlows(n: number): void {
    this.flowsLive.set(n);
  }

  ingest(status: 'done' | 'failed'): void {
    this.ingests.inc({ status });
  }

  /** Times one store operation. */
  async timeStore<T>(operation: string, run: () => Promise<T>): Promise<T> {
    const end = this.storeLatency.startTimer({ operation });
    try {
      return await run();
    } finally {
      end();
    }
  }

  /** Hooks an alert output reports through (src/output/alerts). */
  outputHooks(output: string): OutputMetrics {
    return {
      queued: (depth) => this.queueDepth.set({ output }, depth),
      sent: () => this.outputSent.inc({ output }),
      failed: () => this.outputFailed.inc({ output }),
      dropped: (n = 1) => this.outputDropped.inc({ output }, n),
    };
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }
}

export interface OutputMetrics {
  queued(depth: number): void;
  sent(): void;
  failed(): void;
  dropped(n?: number): void;
}

/** Event types are `<protocol>.<message>`: one label value per protocol keeps the series count small. */
function protocolOf(type: string): string {
  const dot = type.indexOf('.');
  return dot < 0 ? type : type.slice(0, dot);
}
