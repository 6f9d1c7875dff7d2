/**
 * A sensor's side of the link: takes store batches, numbers them after the spool's last seq, appends them
 * to the spool (durable first), and publishes from the spool to JetStream in order (a window of 16 in
 * flight), each with its message id; the spool's cursor moves only on JetStream's acknowledgement. While NATS (or the
 * stream) is away the loop waits and retries; analysis is never held up: `enqueue` only writes to disk.
 * @module
 */
import { headers, type NatsConnection } from '@nats-io/transport-node';
import { jetstream, type JetStreamClient } from '@nats-io/jetstream';
import type { StoreBatch } from '../store/batch.ts';
import { connectNats, ensureStream, type NatsSettings, type StreamSettings } from './connect.ts';
import { encode, encodeWithin, messageId, subjectOf } from './message.ts';
import type { Spool} from './spool.ts';
import { type SpoolStats } from './spool.ts';

/** node:timers/promises' setTimeout, loaded on use: every analyze run loads this module, few connect. */
const sleep = (ms: number): Promise<void> => process.getBuiltinModule('node:timers/promises').setTimeout(ms);

export interface PublisherOptions {
  /** Who publishes: every batch given to `enqueue` must name the same site and sensor. */
  site: string;
  sensor: string;
  nats: NatsSettings;
  stream: StreamSettings;
  spool: Spool;
  /** Encoded messages larger than this are split (default 900 KiB, under the server's usual 1 MiB limit). */
  maxMessageBytes?: number;
  /** Wait for one acknowledgement (default 5 s) before trying again. */
  publishTimeoutMs?: number;
  /** Told when the link to JetStream comes up or goes away (for the sensor's log). */
  onLink?: (up: boolean, detail: string) => void;
}

export interface PublisherStats {
  /** Messages JetStream acknowledged in this run, and how many of those it had already (re-sent copies). */
  published: number;
  duplicates: number;
  /** Failed publish attempts (timeouts, no stream, connection lost); each was retried. */
  retries: number;
  link: 'up' | 'down';
  spool: SpoolStats;
}

export class SensorPublisher {
  private readonly options: PublisherOptions;
  private readonly spool: Spool;
  private readonly maxMessageBytes: number;
  private nc: NatsConnection | undefined;
  private js: JetStreamClient | undefined;
  private streamReady = false;
  private closed = false;
  private wake: (() => void) | undefined;
  private loop: Promise<void> | undefined;
  private connecting: Promise<void> | undefined;
  private linkUp = false;
  private counts = { published: 0, duplicates: 0, retries: 0 };

  constructor(options: PublisherOptions) {
    this.options = options;
    this.spool = options.spool;
    this.maxMessageBytes = options.maxMessageBytes ?? 900 << 10;
  }

  /** Connect in the background (retrying forever) and publish whatever the spool holds. */
  start(): void {
    this.connecting = this.connect();
    this.loop = this.run();
  }

  /**
   * Keep a batch for the central service: numbered after the spool's last seq (the builder's own number
   * is replaced), split when too large, appended durably. Returns the seqs it took and how many of them
   * did not fit in the spool (counted as overflow).
   */
  enqueue(batch: StoreBatch): { seqs: number[]; overflow: number } {
    if (batch.site !== this.options.site || batch.sensor !== this.options.sensor) throw new Error(`publisher of ${this.options.site}/${this.options.sensor} given a batch of ${batch.site}/${batch.sensor}`);
    const numbered = { ...batch, seq: this.spool.nextSeq };
    const parts = encodeWithin(numbered, this.spool.last, this.maxMessageBytes);
    let overflow = 0;
    for (const part of parts) {
      let { message, data } = part;
      // A part after one that did not fit names the last kept message as its prev.
      if (message.prev !== this.spool.last) {
        message = { ...message, prev: this.spool.last };
        data = encode(message);
      }
      if (!this.spool.append({ seq: message.seq, prev: message.prev, kind: message.kind, data })) overflow++;
    }
    this.wake?.();
    return { seqs: parts.map((p) => p.message.seq), overflow };
  }

  stats(): PublisherStats {
    return { ...this.counts, link: this.linkUp ? 'up' : 'down', spool: this.spool.stats() };
  }

  /** True when everything appended has been acknowledged. */
  get drained(): boolean {
    return this.spool.stats().pending === 0;
  }

  /**
   * Stop: wait up to `waitMs` for the spool to drain (what is left stays on disk for the next run), then
   * close the connection. Resolves to the messages left in the spool.
   */
  async close(waitMs: number): Promise<number> {
    const until = Date.now() + waitMs;
    while (!this.drained && Date.now() < until) await sleep(Math.min(100, Math.max(1, until - Date.now())));
    this.closed = true;
    this.wake?.();
    await this.nc?.close().catch(() => undefined);
    await this.loop;
    this.spool.close();
    return this.spool.stats().pending;
  }

  private async connect(): Promise<void> {
    while (!this.closed && !this.nc) {
      try {
        const nc = await connectNats(this.options.nats);
        this.nc = nc;
        this.js = jetstream(nc, { timeout: this.options.publishTimeoutMs ?? 5000 });
        void this.watch(nc);
        this.setLink(true, `connected to ${nc.getServer()}`);
        this.wake?.();
      } catch (err) {
        // waitOnFirstConnect retries by itself; an error here is a configuration problem (TLS, credentials).
        this.setLink(false, (err as Error).message);
        await sleep(2000);
      }
    }
  }

  private async watch(nc: NatsConnection): Promise<void> {
    for await (const s of nc.status()) {
      if (s.type === 'disconnect') this.setLink(false, 'disconnected from NATS; spooling');
      else if (s.type === 'reconnect') {
        this.setLink(true, `reconnected to ${nc.getServer()}`);
        this.wake?.();
      }
    }
  }

  private setLink(up: boolean, detail: string): void {
    if (up === this.linkUp && up) return;
    this.linkUp = up;
    this.options.onLink?.(up, detail);
  }

  private async run(): Promise<void> {
    let backoff = 100;
    while (!this.closed) {
      const next = this.js ? this.spool.peek(16) : [];
      if (next.length === 0) {
        await new Promise<void>((r) => {
          this.wake = r;
          // Also look again now and then: a reconnect wakes us, but a wake can race with the check above.
          setTimeout(r, 1000).unref();
        });
        this.wake = undefined;
        continue;
      }
      try {
        if (!this.streamReady) {
          await ensureStream(this.nc!, this.options.stream);
          this.streamReady = true;
        }
        // Up to a window of messages in flight on the one connection (NATS keeps their order); the cursor
        // moves over the acknowledged prefix only. After a failure, what followed it is sent again, and
        // JetStream drops the copies it already has (same message id).
        if (this.closed) return;
        const { site, sensor } = this.options;
        const h = headers();
        h.set('Content-Encoding', 'gzip');
        const acks = await Promise.allSettled(next.map((r) => this.js!.publish(subjectOf(site, sensor, r.kind), r.data, {
          msgID: messageId(site, sensor, r.seq),
          expect: { streamName: this.options.stream.name },
          headers: h,
        })));
        for (let i = 0; i < next.length; i++) {
          const a = acks[i];
          if (a.status === 'rejected') throw a.reason;
          this.counts.published++;
          if (a.value.duplicate) this.counts.duplicates++;
          this.spool.published(next[i].seq);
        }
        backoff = 100;
      } catch (err) {
        if (this.closed) return;
        this.counts.retries++;
        const message = (err as Error).message ?? String(err);
        if (/stream not found|no responders/i.test(message)) this.streamReady = false;
        this.setLink(false, `publish failed (${message}); keeping messages in the spool, retrying`);
        await sleep(backoff);
        backoff = Math.min(backoff * 2, 5000);
        if (this.nc && !this.nc.isClosed()) this.setLink(true, 'retrying');
      }
    }
  }
}
