/**
 * The stores the contract tests run against: SQLite in a temporary file, and PostgreSQL in a schema of its
 * own (random name, dropped afterwards) on the server `BULWARK_TEST_POSTGRES` names (default
 * postgres://127.0.0.1:5432/test; scripts/test-services.sh starts the local one). Test support only.
 * @module
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { SqliteStore } from './sqlite.ts';
import { PgStore, quoteIdent, withDefaultUser } from './pg.ts';
import type { Store } from './types.ts';

export const testPostgresUrl = process.env.BULWARK_TEST_POSTGRES ?? 'postgres://127.0.0.1:5432/test';

export interface OpenedStore<S extends Store = Store> {
  store: S;
  /** Closes the store and removes what it wrote. */
  drop(): Promise<void>;
}

export interface StoreKind {
  name: 'sqlite' | 'postgres';
  /** Why the kind cannot run here (the test is skipped with this message), or undefined. */
  skip: string | undefined;
  open(): Promise<OpenedStore>;
}

let reachable: Promise<string | undefined> | undefined;

/** Undefined when the test server answers; else why not (once per process). */
export function postgresUnavailable(): Promise<string | undefined> {
  reachable ??= (async () => {
    const c = new pg.Client({ connectionString: withDefaultUser(testPostgresUrl), connectionTimeoutMillis: 3000 });
    try {
      await c.connect();
      await c.query('SELECT 1');
      return undefined;
    } catch (err) {
      return `no PostgreSQL at ${testPostgresUrl} (${err instanceof Error ? err.message : String(err)}); run scripts/test-services.sh or set BULWARK_TEST_POSTGRES`;
    } finally {
      await c.end().catch(() => {});
    }
  })();
  return reachable;
}

export function openTestSqlite(): OpenedStore<SqliteStore> {
  const dir = mkdtempSync(join(tmpdir(), 'bulwark-store-'));
  const store = new SqliteStore(join(dir, 'b.db'));
  return { store, drop: async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  } };
}

export async function openTestPostgres(schema = `bulwark_test_${randomBytes(6).toString('hex')}`): Promise<OpenedStore<PgStore>> {
  const store = await PgStore.open({ connectionString: testPostgresUrl, schema, max: 4 });
  return { store, drop: async () => {
    await store.close();
    const c = new pg.Client({ connectionString: withDefaultUser(testPostgresUrl) });
    await c.connect();
    try {
      await c.query(`DROP SCHEMA IF EXISTS ${quoteIdent(schema)} CASCADE`);
    } finally {
      await c.end();
    }
  } };
}

export async function storeKinds(): Promise<StoreKind[]> {
  return [
    { name: 'sqlite', skip: undefined, open: async () => openTestSqlite() },
    { name: 'postgres', skip: await postgresUnavailable(), open: () => openTestPostgres() },
  ];
}
