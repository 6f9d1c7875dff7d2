/**
 * Which store to open, as data a worker thread or another process can be handed: an SQLite file, or a
 * PostgreSQL server with its connection options. `parseStoreLocation` reads the `--store` forms.
 * @module
 */
import { SqliteStore } from './sqlite.ts';
import { PgStore, type PgStoreOptions } from './pg.ts';
import type { Store } from './types.ts';

export type StoreSpec = { kind: 'sqlite'; path: string } | { kind: 'postgres'; options: PgStoreOptions };

/** `postgres://…` / `postgresql://…`, `sqlite:PATH`, or a file path (SQLite). */
export function parseStoreLocation(text: string): StoreSpec {
  if (/^postgres(ql)?:\/\//i.test(text)) return { kind: 'postgres', options: { connectionString: text } };
  if (text.startsWith('sqlite:')) return { kind: 'sqlite', path: text.slice('sqlite:'.length).replace(/^\/\/(?=\/)/, '') };
  return { kind: 'sqlite', path: text };
}

/** Opens (and migrates) the store; `memoPages: false` for a second connection that only writes. */
export async function openStore(spec: StoreSpec, options: { memoPages?: boolean } = {}): Promise<Store> {
  if (spec.kind === 'postgres') return PgStore.open(spec.options);
  return new SqliteStore(spec.path, options);
}

/** The location as shown to people: the password is never part of it. */
export function describeStore(spec: StoreSpec): string {
  if (spec.kind === 'sqlite') return spec.path;
  try {
    const u = new URL(spec.options.connectionString);
    u.password = '';
    return `${u.toString()}${spec.options.schema ? ` (schema ${spec.options.schema})` : ''}`;
  } catch {
    return 'postgres (address not shown)';
  }
}
