/**
 * The publish options of `analyze` (--publish, --site, --spool, --spool-max-mb, --publish-wait), checked
 * without loading the NATS client: nats-link.ts loads only when a run publishes.
 * @module
 */
import { homedir } from 'node:os';
import { join } from 'node:path';
import { checkName } from '../fleet/names.ts';
import type { NatsConfig } from './config/load.ts';

export interface PublishArgs {
  url: string;
  site: string;
  spoolDir: string;
  spoolMaxBytes: number;
  /** Seconds to wait at the end of a run for the spool to drain (what is left goes with the next run). */
  waitS: number;
}

/** Where a sensor's spool lives unless --spool says: one folder per site and sensor under the state folder. */
export function defaultSpoolDir(site: string, sensor: string, env: NodeJS.ProcessEnv = process.env): string {
  return join(env.XDG_STATE_HOME ?? join(homedir(), '.local', 'state'), 'bulwark', 'spool', `${site}-${sensor}`);
}

/** Check the publish options of `analyze`; a string is the usage problem. */
export function parsePublishArgs(v: { publish?: string; site?: string; spool?: string; 'spool-max-mb'?: string; 'publish-wait'?: string }, config: NatsConfig | undefined, siteName: string | undefined, sensor: string): PublishArgs | string | undefined {
  if (v.publish === undefined) {
    for (const k of ['spool', 'spool-max-mb', 'publish-wait'] as const) if (v[k] !== undefined) return `--${k} applies with --publish`;
    return undefined;
  }
  const site = v.site ?? siteName ?? 'local';
  const bad = checkName('--site', site) ?? checkName('--sensor', sensor);
  if (bad) return bad;
  const mb = Number(v['spool-max-mb'] ?? config?.spool?.max_mb ?? 256);
  if (!Number.isInteger(mb) || mb < 1) return `--spool-max-mb must be a positive integer, got '${v['spool-max-mb']}'`;
  const waitS = Number(v['publish-wait'] ?? 30);
  if (!Number.isFinite(waitS) || waitS < 0) return `--publish-wait must be a number of seconds, got '${v['publish-wait']}'`;
  return { url: v.publish, site, spoolDir: v.spool ?? config?.spool?.dir ?? defaultSpoolDir(site, sensor), spoolMaxBytes: mb * 1024 * 1024, waitS };
}

