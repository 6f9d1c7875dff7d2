/**
 * `serve --interface` on an interface that does not exist: one sentence saying what to do, exit code 4,
 * nothing stored. Needs dumpcap (no root: it fails before capturing anything).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SqliteStore } from '../../src/store/sqlite.ts';

const bulwarkJs = fileURLToPath(new URL('../../bin/bulwark.js', import.meta.url));
const skip = spawnSync('sh', ['-c', 'command -v dumpcap']).status === 0 ? false : 'needs dumpcap (scripts/test-tools.sh installs it)';

test('serve --interface on a missing interface: one sentence, exit 4, nothing stored', { skip, timeout: 90_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'bulwark-serve-fail-'));
  try {
    const db = join(dir, 'b.db');
    const r = spawnSync(process.execPath, [bulwarkJs, 'serve', '--interface', 'bwnone0', '--port', '0', '--db', db, '--no-profiles'], { encoding: 'utf8', timeout: 80_000 });
    assert.equal(r.status, 4, r.stderr);
    assert.match(r.stderr, /^bulwark serve: cannot capture on 'bwnone0' \(no such interface, or it is down\): 'bulwark interfaces' lists/);
    assert.equal(r.stderr.trim().split('\n').length, 1);
    assert.doesNotMatch(r.stdout, /capturing on/);
    const store = new SqliteStore(db);
    assert.equal((await store.listCaptures({ limit: 10, offset: 0 })).total, 0);
    assert.deepEqual(await store.listSensors(), []);
    await store.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
