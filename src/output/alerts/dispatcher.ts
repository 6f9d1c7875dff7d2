/**
 * Hands alerts to outputs without ever blocking the analysis: each output has a bounded queue drained in
 * the background, a minimum severity, a rate limit and suppression rules; a failed delivery is retried
 * with exponential backoff; everything dropped is counted (queue full, rate limit, retries exhausted).
 * @module
 */
import type { Finding, Severity } from '../../detect/types.ts';
import type { OutputMetrics } from '../metrics.ts';
import { PermanentDeliveryError, type Alert, type AlertOutput, type DeviceState } from './types.ts';

export const severityOrder: readonly Severity[] = ['info', 'low', 'medium', 'high', 'critical'];

/** Silences a known cause without losing its count (matched fields must all agree). */
export interface Suppression {
  detector?: string;
  /** An IP of one of the finding's devices. */
  device?: string;
  /** An IP of a peer named in the finding's facts or devices. */
  peer?: string;
}

export interface DeliveryPolicy {
  minSeverity: Severity;
  /** Alerts per minute at most (token bucket); 0 = no limit. */
  perMinute: number;
  /** Alerts waiting; a full queue drops the newest and counts it. */
  queueLimit: number;
  /** Attempts per alert before it is dropped and counted. */
  maxAttempts: number;
  /** First retry delay; doubles each attempt up to maxBackoffMs. */
  backoffMs: number;
  maxBackoffMs: number;
  suppress: readonly Suppression[];
  /** Which lifecycle steps to send (default: raised and closed; updates are frequent). */
  kinds: readonly Alert['kind'][];
}

export const defaultPolicy: DeliveryPolicy = {
  minSeverity: 'medium', perMinute: 60, queueLimit: 1000, maxAttempts: 6, backoffMs: 1000, maxBackoffMs: 60_000, suppress: [], kinds: ['raised', 'closed'],
};

export interface OutputCounters {
  sent: number;
  failed_attempts: number;
  dropped_queue_full: number;
  dropped_rate_limited: number;
  dropped_retries_exhausted: number;
  below_min_severity: number;
  suppressed: number;
  queued: number;
}

const noMetrics: OutputMetrics = { queued: () => undefined, sent: () => undefined, failed: () => undefined, dropped: () => undefined };

/** True when a suppression rule matches the finding. */
export function isSuppressed(finding: Finding, rules: readonly Suppression[]): boolean {
  return rules.some((r) =>
    (r.detector === undefined || r.detector === finding.detector) &&
    (r.device === undefined || finding.devices.some((d) => d.ip === r.device && d.role !== 'peer')) &&
    (r.peer === undefined || finding.devices.some((d) => d.ip === r.peer && d.role === 'peer') || JSON.stringify(finding.facts ?? {}).includes(`"${r.peer}"`)));
}

class OutputQueue {
  readonly counters: OutputCounters = {
    sent: 0, failed_attempts: 0, dropped_queue_full: 0, dropped_rate_limited: 0, dropped_retries_exhausted: 0, below_min_severity: 0, suppressed: 0, queued: 0,
  };
  private readonly queue: Alert[] = [];
  private tokens: number;
  private lastRefill: number;
  private draining: Promise<void> | undefined;
  private closed = false;
  private wake: (() => void) | undefined;
  private readonly output: AlertOutput;
  private readonly policy: DeliveryPolicy;
  private readonly metrics: OutputMetrics;
  private readonly now: () => number;

  constructor(output: AlertOutput, policy: DeliveryPolicy, metrics: OutputMetrics, now: () => number) {
    this.output = output;
    this.policy = policy;
    this.metrics = metrics;
    this.now = now;
    this.tokens = policy.perMinute;
    this.lastRefill = now();
  }

  offer(alert: Alert): void {
    const c = this.counters;
    if (!this.policy.kinds.includes(alert.kind)) return;
    if (severityOrder.indexOf(alert.finding.severity) < severityOrder.indexOf(this.policy.minSeverity)) {
      c.below_min_severity++;
      return;
    }
    if (isSuppressed(alert.finding, this.policy.suppress)) {
      c.suppressed++;
      return;
    }
    if (!this.takeToken()) {
      c.dropped_rate_limited++;
      this.metrics.dropped();
      return;
    }
    if (this.queue.length >= this.policy.queueLimit) {
      c.dropped_queue_full++;
      this.metrics.dropped();
      return;
    }
    this.queue.push(alert);
    this.depthChanged();
    this.draining ??= this.drain();
  }

  private takeToken(): boolean {
    const perMinute = this.policy.perMinute;
    if (perMinute <= 0) return true;
    const t = this.now();
    this.tokens = Math.min(perMinute, this.tokens + ((t - this.lastRefill) / 60_000) * perMinute);
    this.lastRefill = t;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  private depthChanged(): void {
    this.counters.queued = this.queue.length;
    this.metrics.queued(this.queue.length);
  }

  private async drain(): Promise<void> {
    try {
      while (this.queue.length > 0) {
        const alert = this.queue[0];
        await this.deliver(alert);
        this.queue.shift();
        this.depthChanged();
      }
    } finally {
      this.draining = undefined;
    }
  }

  private async deliver(alert: Alert): Promise<void> {
    let delay = this.policy.backoffMs;
    for (let attempt = 1; ; attempt++) {
      try {
        await this.output.send(alert);
        this.counters.sent++;
        this.metrics.sent();
        return;
      } catch (err) {
        this.counters.failed_attempts++;
        this.metrics.failed();
        if (attempt >= this.policy.maxAttempts || this.closed || err instanceof PermanentDeliveryError) {
          this.counters.dropped_retries_exhausted++;
          this.metrics.dropped();
          return;
        }
        await this.sleep(delay);
        delay = Math.min(this.policy.maxBackoffMs, delay * 2);
      }
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((done) => {
      const timer = setTimeout(() => {
        this.wake = undefined;
        done();
      }, ms);
      timer.unref();
      this.wake = () => {
        clearTimeout(timer);
        this.wake = undefined;
        done();
      };
    });
  }

  /** Waits for the queue to empty; with `giveUpAfterMs`, stops retrying (and counts what is left) at that time. */
  async flush(giveUpAfterMs: number): Promise<void> {
    if (!this.draining) return;
    const deadline = setTimeout(() => {
      this.closed = true;
      this.wake?.();
    }, giveUpAfterMs);
    deadline.unref();
    await this.draining;
    clearTimeout(deadline);
  }

  async close(giveUpAfterMs: number): Promise<void> {
    await this.flush(giveUpAfterMs);
    this.closed = true;
    await this.output.close();
  }
}

export interface DispatcherOptions {
  now: () => number;
  metrics?: (output: string) => OutputMetrics;
}

export class AlertDispatcher {
  private readonly queues: OutputQueue[] = [];
  private readonly outputs: AlertOutput[] = [];
  private readonly now: () => number;
  private readonly metricsFor: (output: string) => OutputMetrics;

  constructor(options: Partial<DispatcherOptions> = {}) {
    this.now = options.now ?? Date.now;
    this.metricsFor = options.metrics ?? (() => noMetrics);
  }

  add(output: AlertOutput, policy: Partial<DeliveryPolicy> = {}): this {
    this.outputs.push(output);
    this.queues.push(new OutputQueue(output, { ...defaultPolicy, ...policy }, this.metricsFor(output.name), this.now));
    return this;
  }

  get size(): number {
    return this.outputs.length;
  }

  /** Never blocks and never throws: the alert is queued (or counted as dropped) for every output. */
  publish(alert: Alert): void {
    for (const q of this.queues) q.offer(alert);
  }

  /** Device states for outputs that show devices; a failure is counted, never thrown. */
  async devices(states: readonly DeviceState[]): Promise<void> {
    await Promise.all(this.outputs.map(async (o, i) => {
      if (!o.devices) return;
      try {
        await o.devices(states);
      } catch {
        this.queues[i].counters.failed_attempts++;
      }
    }));
  }

  /** Per output name: its counters (summary.json and /metrics show them). */
  counters(): Record<string, OutputCounters> {
    const out: Record<string, OutputCounters> = {};
    this.outputs.forEach((o, i) => {
      out[o.name in out ? `${o.name}#${i}` : o.name] = { ...this.queues[i].counters };
    });
    return out;
  }

  /** Delivers what is queued, giving up on retries after `giveUpAfterMs`, then closes every output. */
  async close(giveUpAfterMs = 10_000): Promise<void> {
    await Promise.all(this.queues.map((q) => q.close(giveUpAfterMs)));
  }
}
