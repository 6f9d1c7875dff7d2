/**
 * Where `serve` keeps its data: `--store` (a path, `sqlite:PATH` or `postgres://…`), else `--db`, else the
 * configuration file's `store.url` or `store.path`, else ./bulwark.db. PostgreSQL credentials and TLS come
 * from the file's `store.postgres` (the password from an environment variable or a file, never the file itself).
 * @module
 */
import { readFileSync } from 'node:fs';
import { parseStoreLocation, type StoreSpec } from '../store/open.ts';
import type { PgStoreOptions } from '../store/pg.ts';
import type { BulwarkConfig } from './config/load.ts';

/** The store to open, or the reason it cannot be (a usage error). */
export function storeSpecFrom(cli: { store?: string; db?: string }, config: BulwarkConfig, env: NodeJS.ProcessEnv = process.env): StoreSpec | string {
  const text = cli.store ?? cli.db ?? config.store?.url ?? config.store?.path ?? './bulwark.db';
  const spec = parseStoreLocation(text);
  if (spec.kind === 'sqlite') return spec;
  const pgConfig = config.store?.postgres ?? {};
  let url: URL;
  try {
    url = new URL(spec.options.connectionString);
  } catch {
    return `'${text}' is not a PostgreSQL address (postgres://[USER@]HOST[:PORT]/DATABASE)`;
  }
  if (url.password !== '') return 'a PostgreSQL password in the address would show in process lists: put it in the environment variable named by store.postgres.password_env (or in store.postgres.password_file)';
  const options: PgStoreOptions = { connectionString: text };
  if (pgConfig.user !== undefined) options.user = pgConfig.user;
  if (pgConfig.schema !== undefined) options.schema = pgConfig.schema;
  if (pgConfig.pool !== undefined) options.max = pgConfig.pool;
  if (pgConfig.password_env !== undefined) {
    const value = env[pgConfig.password_env];
    if (value === undefined) return `store.postgres.password_env: the environment variable ${pgConfig.password_env} is not set`;
    options.password = value;
  } else if (pgConfig.password_file !== undefined) {
    try {
      options.password = readFileSync(pgConfig.password_file, 'utf8').split(/\r?\n/)[0];
    } catch (err) {
      return `store.postgres.password_file: ${(err as Error).message}`;
    }
  }
  const tls = pgConfig.tls;
  if (tls) {
    const mode = tls.mode ?? 'verify-full';
    if (mode === 'disable') options.ssl = false;
    else {
      try {
        const read = (f: string | undefined): string | undefined => (f === undefined ? undefined : readFileSync(f, 'utf8'));
        options.ssl = { rejectUnauthorized: mode === 'verify-full' };
        const [ca, cert, key] = [read(tls.ca), read(tls.cert), read(tls.key)];
        if (ca !== undefined) options.ssl.ca = ca;
        if (cert !== undefined) options.ssl.cert = cert;
        if (key !== undefined) options.ssl.key = key;
        if (tls.server_name !== undefined) options.ssl.servername = tls.server_name;
      } catch (err) {
        return `store.postgres.tls: ${(err as Error).message}`;
      }
    }
  }
  return { kind: 'postgres', options };
}
