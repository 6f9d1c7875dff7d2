/**
 * bin/bulwark.js runs a checkout's modules from a bundle cached under node_modules/.cache. Two checkouts can
 * share one node_modules (a symlink, a workspace): each must run its own code, not the bundle the other built
 * from files that look unchanged.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const repo = join(import.meta.dirname, '..');

test('two checkouts sharing one node_modules each run their own code through the bundle cache', { timeout: 120_000 }, (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'bulwark-checkouts-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  // A node_modules of its own (the packages linked, an empty cache), shared by both checkouts.
  const shared = join(dir, 'node_modules');
  mkdirSync(shared);
  for (const entry of readdirSync(join(repo, 'node_modules'))) {
    if (entry !== '.cache') symlinkSync(join(repo, 'node_modules', entry), join(shared, entry));
  }
  const checkout = (name: string, version: string): string => {
    const root = join(dir, name);
    for (const part of ['bin', 'src', 'scripts', 'package.json']) cpSync(join(repo, part), join(root, part), { recursive: true });
    symlinkSync(shared, join(root, 'node_modules'));
    const main = join(root, 'src/cli/main.ts');
    writeFileSync(main, readFileSync(main, 'utf8').replace("'bulwark 0.1.0\\n'", `'bulwark ${version}\\n'`));
    return root;
  };
  const a = checkout('a', '0.1.0-a');
  const b = checkout('b', '0.1.0-b');
  const version = (root: string): string => {
    const run = spawnSync(process.execPath, [join(root, 'bin/bulwark.js'), '--version'], { encoding: 'utf8', env: { ...process.env, BULWARK_NO_BUNDLE: '' } });
    assert.equal(run.status, 0, run.stderr);
    return run.stdout.trim();
  };
  assert.equal(version(a), 'bulwark 0.1.0-a');
  assert.equal(version(b), 'bulwark 0.1.0-b');
  assert.equal(version(a), 'bulwark 0.1.0-a');
  assert.ok(readdirSync(join(shared, '.cache/bulwark')).some((f) => f.startsWith('cli-')), 'runs went through the bundle');
});
