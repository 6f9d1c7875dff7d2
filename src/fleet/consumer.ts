/**
 * The central side: a durable JetStream pull consumer that applies each sensor message to the store.
 *
 * - Acknowledged only after the store's transaction committed (`applyBatch` resolves on commit), and with
 *   `ackAck` so the server confirmed it. A crash in between means a redelivery, which the store skips
 *   (each sensor seq is applied once): nothing acknowledged is lost, nothing is applied twice.
 * - Back-pressure: messages are applied one at a time, and at most `maxInFlight` are pulled ahead, so a
 *   slow store slows the pulling; the unread backlog stays in the stream (bounded, see connect.ts) and,
 *   past that, in the sensors' spools.
 * - Several consumers may share the work: every `serve --consume` with the same consumer name pulls
 *   from the one durable consumer, so each message goes to one of them. Two batches of one sensor may
 *   then be applied out of order; the store makes that safe (a device or finding record is replaced only
 *   by a later seq of its sensor, flow counts add, applied seqs are remembered).
 * - A message that is not a valid sensor message (schema, version, size, subject) is terminated — never
 *   redelivered — and counted by reason; a store failure is retried after a pause (negative ack with delay).
 * @module
 */
import type { NatsConnection } from '@nats-io/transport-node';
import { AckPolicy, DeliverPolicy, jetstream, type ConsumerMessages, type JetStreamManager, type JsMsg } from '@nats-io/jetstream';
import { BatchError, type BatchOutcome, type BatchWriter } from '../store/batch.ts';
import { connectNats, ensureStream, type NatsSettings, type StreamSettings } from './connect.ts';
import { decode, subjectPrefix, type SensorMessage } from './message.ts';

/** node:timers/promises' setTimeout, loaded on use: every analyze run loads this module, few connect. */
const sleep = (ms: number): Promise<void> => process.getBuiltinModule('node:timers/promises').setTimeout(ms);

export interface ConsumerOptions {
  nats: NatsSettings;
  stream: StreamSettings;
  /** Durable consumer name shared by every central process that shares the work (default bulwark-central). */
  durable?: string;
  store: BatchWriter;
  /** Messages pulled ahead of the one being applied (default 64). */
  maxInFlight?: number;
  /** Unacknowledged messages the server hands out across all sharing consumers (default 1024). */
  maxAckPending?: number;
  /**
   * A message not acknowledged within this is given to a consumer again (default 30 s): how soon the
   * messages a crashed central process had pulled go to another. A long apply tells the server it is
   * still working on the message, so it is not redelivered meanwhile.
   */
  ackWaitMs?: number;
  onApplied?: (message: SensorMessage, outcome: BatchOutcome) => void;
  /** Problems worth a log line: invalid messages, store failures, the link going away. */
  onProblem?: (text: string) => void;
}

export interface ConsumerStats {
  /** Batches applied, and redelivered ones skipped because their seq was applied already. */
  applied: number;
  skipped: number;
  /** Messages refused, by reason (gzip, json, version, schema, subject, encoding, store). */
  invalid: Record<string, number>;
  /** Store failures (each message retried later). */
  store_errors: number;
  /** Batches the sensors report they could not keep (the gaps between a message's prev and seq). */
  lost_at_sensors: number;
}

export const defaultDurable = 'bulwark-central';

export class BatchConsumer {
  private readonly o: ConsumerOptions;
  private nc: NatsConnection | undefined;
  private jsm: JetStreamManager | undefined;
  private messages: ConsumerMessages | undefined;
  private stopping = false;
  private running: Promise<void> | undefined;
  private readonly counts: ConsumerStats = { applied: 0, skipped: 0, invalid: {}, store_errors: 0, lost_at_sensors: 0 };

  constructor(options: ConsumerOptions) {
    this.o = options;
  }

  private get ackWaitMs(): number {
    return this.o.ackWaitMs ?? 30_000;
  }

  /** Start in the background: connect (waiting for NATS if it is not up yet), create the stream and consumer if missing, apply. */
  start(): void {
    this.running = this.main();
  }

  /** Resolves once the consumer exists on the server and messages are being pulled (for tests and logs). */
  get ready(): Promise<void> {
    return this.readyPromise;
  }

  private markReady: () => void = () => undefined;
  private readonly readyPromise = new Promise<void>((r) => { this.markReady = r; });

  private async main(): Promise<void> {
    while (!this.stopping) {
      try {
        await this.setUp();
        break;
      } catch (err) {
        if (this.stopping) return;
        this.o.onProblem?.(`cannot set up the consumer: ${(err as Error).message}; trying again`);
        await this.nc?.close().catch(() => undefined);
        this.nc = undefined;
        await sleep(2000);
      }
    }
    if (this.nc && !this.stopping) await this.run(this.nc, this.o.durable ?? defaultDurable);
  }

  private async setUp(): Promise<void> {
    const nc = await connectNats(this.o.nats);
    this.nc = nc;
    void this.watch(nc);
    const jsm = await ensureStream(nc, this.o.stream);
    this.jsm = jsm;
    const durable = this.o.durable ?? defaultDurable;
    const config = {
      durable_name: durable,
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
      filter_subject: `${subjectPrefix}.>`,
      ack_wait: this.ackWaitMs * 1_000_000,
      max_ack_pending: this.o.maxAckPending ?? 1024,
      max_deliver: -1,
    };
    try {
      await jsm.consumers.info(this.o.stream.name, durable);
    } catch {
      try {
        await jsm.consumers.add(this.o.stream.name, config);
      } catch (err) {
        // Another central process created it meanwhile.
        if (!/already|in use/i.test((err as Error).message)) throw err;
      }
    }
  }

  stats(): ConsumerStats {
    return { ...this.counts, invalid: { ...this.counts.invalid } };
  }

  /** Finish the message being applied, take no more, close the connection (unacknowledged ones go to another consumer). */
  async stop(): Promise<void> {
    this.stopping = true;
    this.markReady();
    await this.messages?.close().catch(() => undefined);
    await this.running?.catch(() => undefined);
    await this.nc?.close().catch(() => undefined);
  }

  private async run(nc: NatsConnection, durable: string): Promise<void> {
    const js = jetstream(nc);
    while (!this.stopping) {
      try {
        const consumer = await js.consumers.get(this.o.stream.name, durable);
        this.messages = await consumer.consume({ max_messages: this.o.maxInFlight ?? 64 });
        this.markReady();
        for await (const m of this.messages) {
          await this.handle(m);
          if (this.stopping) break;
        }
      } catch (err) {
        if (this.stopping) break;
        this.o.onProblem?.(`consumer: ${(err as Error).message}; trying again`);
        await sleep(1000);
      }
    }
  }

  private async handle(m: JsMsg): Promise<void> {
    if (m.headers?.get('Content-Encoding') !== 'gzip') return this.refuse(m, 'encoding', 'no Content-Encoding: gzip header');
    const d = decode(m.data, m.subject);
    if (!d.ok) return this.refuse(m, d.reason, d.detail);
    const message = d.message;
    let outcome: BatchOutcome | undefined;
    const working = setInterval(() => m.working(), Math.max(100, this.ackWaitMs / 3));
    try {
      outcome = await this.apply(m, message);
    } finally {
      clearInterval(working);
    }
    if (outcome === undefined) return;
    if (outcome.applied) {
      this.counts.applied++;
      this.counts.lost_at_sensors += message.seq - message.prev - 1;
    } else this.counts.skipped++;
    // Only now, after the commit: a failed ack means a redelivery, which the store skips.
    await m.ackAck().catch((err: unknown) => this.o.onProblem?.(`ack of ${message.site}/${message.sensor} seq ${message.seq} not confirmed (${(err as Error).message}); it will be redelivered and skipped`));
    this.o.onApplied?.(message, outcome);
  }

  /** Apply, retrying while the store fails; undefined when the message was refused or handed back. */
  private async apply(m: JsMsg, message: SensorMessage): Promise<BatchOutcome | undefined> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.o.store.applyBatch(message.batch);
      } catch (err) {
        if (err instanceof BatchError) {
          this.refuse(m, 'store', err.message);
          return undefined;
        }
        this.counts.store_errors++;
        this.o.onProblem?.(`store: ${message.site}/${message.sensor} seq ${message.seq}: ${(err as Error).message}; retrying`);
        if (this.stopping) {
          m.nak();
          return undefined;
        }
        // Keep the message (and so the fetching) waiting while the store is unwell.
        await sleep(Math.min(200 * 2 ** attempt, 5000));
      }
    }
  }

  private refuse(m: JsMsg, reason: string, detail: string): void {
    this.counts.invalid[reason] = (this.counts.invalid[reason] ?? 0) + 1;
    this.o.onProblem?.(`refused message on ${m.subject} (stream seq ${m.seq}): ${reason}: ${detail}`);
    m.term(`${reason}: ${detail}`.slice(0, 200));
    // A work queue keeps a terminated message on some servers (before 2.10): delete it, or it holds stream space for ever.
    this.jsm?.streams.deleteMessage(this.o.stream.name, m.seq, false).catch(() => undefined);
  }

  private async watch(nc: NatsConnection): Promise<void> {
    for await (const s of nc.status()) {
      if (s.type === 'disconnect') this.o.onProblem?.('disconnected from NATS; waiting for it');
      else if (s.type === 'reconnect') this.o.onProblem?.(`reconnected to ${nc.getServer()}`);
    }
  }
}
