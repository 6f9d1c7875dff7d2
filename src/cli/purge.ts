/**
 * `bulwark purge`: retention and deletion on a store from the command line (the API has the same).
 * @module
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { removeUploadedFiles } from '../api/routes-retention.ts';
import { describeStore, openStore } from '../store/open.ts';
import type { Store } from '../store/types.ts';
import { storeSpecFrom } from './store-location.ts';
import { ConfigError, loadConfig, type BulwarkConfig } from './config/load.ts';
import type { Deleted } from '../store/types.ts';
import { ExitCode } from './exit-codes.ts';

export const purgeHelp = `Usage: bulwark purge [--db FILE] (--days N | --capture ID | --device ID | --finding ID)

Deletes from a store:
  --days N         captures, devices and findings not seen for N days of traffic time (counted back from the
                   newest traffic in the store, or from now when that is earlier)
  --capture ID     one capture with its findings (and its file, when it is one of the server's uploads)
  --device ID      one device (a name or type you set for it is kept for when it comes back)
  --finding ID     one finding
  --db FILE        the store (default ./bulwark.db)
  --store WHERE    the store as 'bulwark serve --store' takes it: a file, sqlite:FILE or postgres://…
  --config FILE    configuration file (store.url, PostgreSQL credentials and TLS)
  --upload-dir DIR the server's upload folder (default: bulwark-uploads beside the store)

'bulwark serve' applies the configuration file's retention.days every hour.
`;

export async function purgeCommand(argv: string[]): Promise<number> {
  let v;
  try {
    v = parseArgs({
      args: argv,
      options: {
        db: { type: 'string' }, store: { type: 'string' }, config: { type: 'string' }, days: { type: 'string' }, capture: { type: 'string' }, device: { type: 'string' },
        finding: { type: 'string' }, 'upload-dir': { type: 'string' }, help: { type: 'boolean', short: 'h', default: false },
      },
    }).values;
  } catch (err) {
    process.stderr.write(`bulwark purge: ${(err as Error).message}\n\n${purgeHelp}`);
    return ExitCode.USAGE;
  }
  if (v.help) {
    process.stdout.write(purgeHelp);
    return ExitCode.OK;
  }
  const chosen = [v.days, v.capture, v.device, v.finding].filter((x) => x !== undefined).length;
  if (chosen !== 1) {
    process.stderr.write(`bulwark purge: give exactly one of --days, --capture, --device, --finding\n\n${purgeHelp}`);
    return ExitCode.USAGE;
  }
  if (v.days !== undefined && !/^[1-9]\d*$/.test(v.days)) {
    process.stderr.write(`bulwark purge: --days must be a whole number of days, at least 1, got '${v.days}'\n`);
    return ExitCode.USAGE;
  }
  let config: BulwarkConfig = {};
  try {
    if (v.config !== undefined) config = loadConfig(v.config);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`bulwark purge: ${err.message}\n`);
    return ExitCode.USAGE;
  }
  const spec = storeSpecFrom({ store: v.store, db: v.db }, config);
  if (typeof spec === 'string') {
    process.stderr.write(`bulwark purge: --store: ${spec}\n`);
    return ExitCode.USAGE;
  }
  const db = spec.kind === 'sqlite' ? resolve(spec.path) : resolve('bulwark-postgres');
  if (spec.kind === 'sqlite' && !existsSync(db)) {
    process.stderr.write(`bulwark purge: no store at ${db}\n`);
    return ExitCode.USAGE;
  }
  let store: Store;
  try {
    store = await openStore(spec.kind === 'sqlite' ? { kind: 'sqlite', path: db } : spec);
  } catch (err) {
    process.stderr.write(`bulwark purge: cannot open the store ${describeStore(spec)}: ${(err as Error).message}\n`);
    return ExitCode.NO_INPUT;
  }
  try {
    let d: Deleted;
    if (v.days !== undefined) d = await store.purge(Number(v.days));
    else if (v.capture !== undefined) d = await store.deleteCapture(v.capture);
    else if (v.device !== undefined) d = await store.deleteDevice(v.device);
    else d = await store.deleteFinding(v.finding!);
    const files = removeUploadedFiles(d, resolve(v['upload-dir'] ?? join(dirname(db), 'bulwark-uploads')));
    process.stdout.write(`deleted ${d.captures} captures, ${d.devices} devices, ${d.findings} findings, ${files} capture files\n`);
    return v.days === undefined && d.captures + d.devices + d.findings === 0 ? ExitCode.NO_INPUT : ExitCode.OK;
  } finally {
    await store.close();
  }
}
