/**
 * NATS connection settings shared by sensors and the central consumer, and the JetStream stream both use.
 * Credentials come from the configuration file by reference (an environment variable's name, a file's
 * path), never inline, like the server's access token.
 * @module
 */
import { readFileSync } from 'node:fs';
import { connect, credsAuthenticator, type ConnectionOptions, type NatsConnection } from '@nats-io/transport-node';
import { jetstreamManager, DiscardPolicy, RetentionPolicy, StorageType, type JetStreamManager, type StreamConfig } from '@nats-io/jetstream';
import { subjectPrefix } from './message.ts';

export interface NatsSettings {
  /** nats://host:port (or tls://host:port), one or several (a cluster). */
  servers: string[];
  user?: string;
  password?: string;
  token?: string;
  /** A .creds file (NATS decentralised authentication: a user JWT and its NKey seed). */
  credsFile?: string;
  /** TLS: CA bundle to trust, and a client certificate and key for mutual TLS. */
  tls?: { caFile?: string; certFile?: string; keyFile?: string };
  /** The connection's name in the server's monitoring (`bulwark-sensor home/gw1`). */
  name: string;
}

/** Parse `nats://host:port[,nats://…]`; a string is the problem to print. */
export function parseServers(text: string): string[] | string {
  const out: string[] = [];
  for (const part of text.split(',').map((s) => s.trim()).filter(Boolean)) {
    let url: URL;
    try {
      url = new URL(part);
    } catch {
      return `'${part}' is not a URL (nats://HOST:4222)`;
    }
    if (!['nats:', 'tls:'].includes(url.protocol)) return `'${part}': the scheme must be nats:// or tls://`;
    if (url.username || url.password) return `'${part}': put credentials in the configuration file (nats.user, nats.password_env, nats.creds), not in the URL`;
    out.push(part);
  }
  return out.length > 0 ? out : 'no server given';
}

export function connectionOptions(s: NatsSettings): ConnectionOptions {
  const o: ConnectionOptions = {
    servers: s.servers,
    name: s.name,
    // A sensor outlives NATS outages: keep trying, forever, from the first attempt on.
    maxReconnectAttempts: -1,
    waitOnFirstConnect: true,
    reconnectTimeWait: 1000,
    pingInterval: 10_000,
    maxPingOut: 2,
  };
  if (s.user !== undefined) {
    o.user = s.user;
    o.pass = s.password;
  }
  if (s.token !== undefined) o.token = s.token;
  if (s.credsFile !== undefined) o.authenticator = credsAuthenticator(readFileSync(s.credsFile));
  if (s.tls || s.servers.some((u) => u.startsWith('tls:'))) o.tls = { ...s.tls };
  return o;
}

export function connectNats(s: NatsSettings): Promise<NatsConnection> {
  return connect(connectionOptions(s));
}

/** The stream every sensor publishes to and the central consumer reads. */
export interface StreamSettings {
  name: string;
  /** Bytes the stream may hold before it refuses new messages (the sensors spool meanwhile). */
  maxBytes: number;
  /** How long the server remembers message ids to drop re-sent copies. */
  duplicateWindowMs: number;
}

export const defaultStream: StreamSettings = { name: 'BULWARK', maxBytes: 1 << 30, duplicateWindowMs: 2 * 60 * 60 * 1000 };

/**
 * The stream's configuration. Work-queue retention: a message is removed once the central consumer
 * acknowledged it (after its store transaction committed), so the stream holds exactly the backlog.
 * Discard 'new': when the backlog reaches max_bytes the stream refuses further messages rather than
 * dropping unread ones; the sensors then keep them in their spools (bounded, overflow counted).
 */
export function streamConfig(s: StreamSettings): Partial<StreamConfig> & { name: string } {
  return {
    name: s.name,
    subjects: [`${subjectPrefix}.>`],
    retention: RetentionPolicy.Workqueue,
    discard: DiscardPolicy.New,
    storage: StorageType.File,
    max_bytes: s.maxBytes,
    max_msg_size: -1,
    duplicate_window: s.duplicateWindowMs * 1_000_000,
    num_replicas: 1,
  };
}

/** Create the stream if it does not exist; an existing one is left as its operator configured it. */
export async function ensureStream(nc: NatsConnection, s: StreamSettings): Promise<JetStreamManager> {
  const jsm = await jetstreamManager(nc);
  try {
    await jsm.streams.info(s.name);
  } catch (err) {
    if (!isNotFound(err)) throw err;
    try {
      await jsm.streams.add(streamConfig(s));
    } catch (e) {
      // Two processes may create it at once: the other one's stream is as good.
      if (!String((e as Error).message).includes('already in use')) throw e;
    }
  }
  return jsm;
}

function isNotFound(err: unknown): boolean {
  const e = err as { name?: string; code?: number; api_error?: { err_code?: number }; message?: string };
  return e?.name === 'StreamNotFoundError' || e?.api_error?.err_code === 10059 || /stream not found/i.test(e?.message ?? '');
}

/** Read a secret from an environment variable named in the configuration; a string is the problem. */
export function secretFromEnv(name: string | undefined, env: NodeJS.ProcessEnv): { value?: string } | string {
  if (name === undefined) return {};
  const value = env[name];
  if (value === undefined || value === '') return `the environment variable ${name} (named in the configuration) is not set`;
  return { value };
}
