/**
 * The command line's side of the NATS link: settings from the configuration file and the command line,
 * the sensor link of `analyze --publish` (batches from the session, spool, publisher, status), and the
 * consumer of `serve --consume`.
 * @module
 */
import { existsSync } from 'node:fs';
import { hostname } from 'node:os';
import { basename } from 'node:path';
import type { AnalysisOptions, AnalysisResult } from '../engine/session.ts';
import type { RunSummary } from '../pipeline/stats.ts';
import { BatchBuilder } from '../store/batch-builder.ts';
import type { BatchWriter, SensorStatus } from '../store/batch.ts';
import { BatchConsumer } from '../fleet/consumer.ts';
import { defaultStream, parseServers, secretFromEnv, type NatsSettings, type StreamSettings } from '../fleet/connect.ts';
import { SensorPublisher, type PublisherStats } from '../fleet/publisher.ts';
import { Spool } from '../fleet/spool.ts';
import type { NatsConfig } from './config/load.ts';
import type { PublishArgs } from './publish-options.ts';

export const bulwarkVersion = '0.1.0';

/** NATS settings from `url` (the command line's, else the configuration's) and the configuration; a string is the problem. */
export function natsSettings(url: string | undefined, config: NatsConfig | undefined, name: string, env: NodeJS.ProcessEnv = process.env): NatsSettings | string {
  const text = url ?? config?.url;
  if (text === undefined) return 'no NATS server: give nats://HOST:4222 (or nats.url in the configuration file)';
  const servers = parseServers(text);
  if (typeof servers === 'string') return servers;
  const s: NatsSettings = { servers, name };
  if (config?.user !== undefined) {
    s.user = config.user;
    const pass = secretFromEnv(config.password_env, env);
    if (typeof pass === 'string') return `nats.password_env: ${pass}`;
    s.password = pass.value;
  }
  const token = secretFromEnv(config?.token_env, env);
  if (typeof token === 'string') return `nats.token_env: ${token}`;
  if (token.value !== undefined) s.token = token.value;
  if (config?.creds !== undefined) s.credsFile = config.creds;
  if (config?.tls) s.tls = { caFile: config.tls.ca, certFile: config.tls.cert, keyFile: config.tls.key };
  for (const [key, path] of [['nats.creds', s.credsFile], ['nats.tls.ca', s.tls?.caFile], ['nats.tls.cert', s.tls?.certFile], ['nats.tls.key', s.tls?.keyFile]] as const) {
    if (path !== undefined && !existsSync(path)) return `${key}: no such file '${path}'`;
  }
  return s;
}

export function streamSettings(config: NatsConfig | undefined): StreamSettings {
  return {
    name: config?.stream ?? defaultStream.name,
    maxBytes: config?.stream_max_mb !== undefined ? config.stream_max_mb * 1024 * 1024 : defaultStream.maxBytes,
    duplicateWindowMs: config?.duplicate_window_s !== undefined ? config.duplicate_window_s * 1000 : defaultStream.duplicateWindowMs,
  };
}

export { defaultSpoolDir, parsePublishArgs, type PublishArgs } from './publish-options.ts';

/** Heartbeat of a live sensor with nothing new to say (keeps its last-seen fresh in the central list). */
const HEARTBEAT_MS = 30_000;

/**
 * One run's link to the central service: session hooks that collect batches, a publisher that spools and
 * sends them. `published()` after each session publication; `finish()` at the end.
 */
export class SensorLink {
  readonly publisher: SensorPublisher;
  private readonly builder: BatchBuilder;
  private readonly live: boolean;
  private lastSent = 0;

  constructor(args: PublishArgs, settings: NatsSettings, stream: StreamSettings, sensor: string, segmentId: string, live: boolean, log: (line: string) => void) {
    this.live = live;
    this.builder = new BatchBuilder({ site: args.site, sensor, segmentId });
    this.publisher = new SensorPublisher({
      site: args.site, sensor, nats: settings, stream,
      // A new spool numbers on from the clock (ms): above whatever this sensor sent before its spool was lost.
      // One batch a millisecond at most over a run keeps a later run's numbers above an earlier run's.
      spool: new Spool({ dir: args.spoolDir, maxBytes: args.spoolMaxBytes, firstSeq: Date.now() }),
      onLink: (up, detail) => log(`publish: ${detail}${up ? '' : ` (spool ${args.spoolDir})`}`),
    });
  }

  /** A segment id for this run: the capture files' names, or the interface, with the start time. */
  static segmentId(files: readonly string[], iface: string | undefined, started = new Date()): string {
    const what = iface !== undefined ? `live ${iface}` : files.map((f) => (f === '-' ? 'stdin' : basename(f))).join(', ');
    return `${what.slice(0, 160)} @ ${started.toISOString()}`;
  }

  start(): void {
    this.publisher.start();
  }

  hooks(): Pick<AnalysisOptions, 'onFindingChange' | 'onDeviceChange' | 'onDeviceRemoved' | 'onFlow'> {
    return this.builder.hooks();
  }

  /** After a session publication: send what changed (or, live, a heartbeat now and then). */
  published(summary: RunSummary): void {
    const now = Date.now();
    if (this.builder.empty && !(this.live && now - this.lastSent >= HEARTBEAT_MS)) return;
    this.publisher.enqueue(this.builder.take(summary, { status: this.status(summary, now) }));
    this.lastSent = now;
  }

  /**
   * The run ended: the final batch (every device, every finding the run still holds — with its evidence
   * now naming capture hashes and record offsets — and the assessments), then wait up to `waitS` for the
   * spool to drain.
   */
  async finish(result: AnalysisResult, waitS: number): Promise<{ left: number; stats: PublisherStats }> {
    for (const f of result.findings) this.builder.addFinding(f, f.state === 'closed' ? 'closed' : 'updated');
    const batch = this.builder.take(result.summary, { final: true, status: this.status(result.summary, Date.now()), devices: result.devices });
    if (result.assessments.length > 0) batch.assessments = result.assessments;
    this.publisher.enqueue(batch);
    const left = await this.publisher.close(waitS * 1000);
    return { left, stats: this.publisher.stats() };
  }

  private status(summary: RunSummary, now: number): SensorStatus {
    let drops = 0;
    for (const f of summary.files) drops += (f.capture?.dropped_kernel ?? 0) + (f.capture?.dropped_interface ?? 0);
    const overflow = this.publisher.stats().spool.overflow;
    return { version: bulwarkVersion, sent_at: now, packets: summary.packets, drops, bytes: summary.bytes, ...(overflow > 0 ? { spool_overflow: overflow } : {}) };
  }
}

export const defaultNatsName = (role: string, who: string): string => `bulwark-${role} ${who} (${hostname()})`;

/** `serve --consume`: apply sensor batches from JetStream to the store (waits for NATS if it is not up yet). */
export function startConsumer(url: string, config: NatsConfig | undefined, store: BatchWriter, log: (line: string) => void): BatchConsumer | string {
  const settings = natsSettings(url, config, defaultNatsName('central', hostname()));
  if (typeof settings === 'string') return settings;
  const consumer = new BatchConsumer({
    nats: settings, stream: streamSettings(config), durable: config?.consumer, store,
    ...(config?.ack_wait_s !== undefined ? { ackWaitMs: config.ack_wait_s * 1000 } : {}), onProblem: (text) => log(`consume: ${text}`) });
  consumer.start();
  return consumer;
}
