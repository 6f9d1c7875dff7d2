/**
 * bin/bulwark.js runs a checkout's modules from a bundle cached under node_modules/.cache. Two checkouts can
 * share one node_modules (a symlink, a workspace): each must run its own code, not the bundle the other built
 * from files that look unchanged.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WORKER_BUNDLE_SCRIPT } from '../scripts/cli-bundle.ts';

const repo = join(import.meta.dirname, '..');

/** Checkouts of this repository in a temporary folder, sharing one node_modules of their own (the packages linked, an empty cache). */
function tempCheckouts(t: TestContext): { shared: string; checkout(name: string, version?: string): string } {
  const dir = mkdtempSync(join(tmpdir(), 'bulwark-checkouts-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const shared = join(dir, 'node_modules');
  mkdirSync(shared);
  for (const entry of readdirSync(join(repo, 'node_modules'))) {
    if (entry !== '.cache') symlinkSync(join(repo, 'node_modules', entry), join(shared, entry));
  }
  const checkout = (name: string, version?: string): string => {
    const root = join(dir, name);
    for (const part of ['bin', 'src', 'scripts', 'package.json']) cpSync(join(repo, part), join(root, part), { recursive: true });
    symlinkSync(shared, join(root, 'node_modules'));
    const main = join(root, 'src/cli/main.ts');
    if (version) writeFileSync(main, readFileSync(main, 'utf8').replace("'bulwark 0.1.0\\n'", `'bulwark ${version}\\n'`));
    return root;
  };
  return { shared, checkout };
}

const bulwark = (root: string, args: string[]) =>
  spawnSync(process.execPath, [join(root, 'bin/bulwark.js'), ...args], { encoding: 'utf8', env: { ...process.env, BULWARK_NO_BUNDLE: '' } });

test('two checkouts sharing one node_modules each run their own code through the bundle cache', { timeout: 120_000 }, (t) => {
  const { shared, checkout } = tempCheckouts(t);
  const a = checkout('a', '0.1.0-a');
  const b = checkout('b', '0.1.0-b');
  const version = (root: string): string => {
    const run = bulwark(root, ['--version']);
    assert.equal(run.status, 0, run.stderr);
    return run.stdout.trim();
  };
  assert.equal(version(a), 'bulwark 0.1.0-a');
  assert.equal(version(b), 'bulwark 0.1.0-b');
  assert.equal(version(a), 'bulwark 0.1.0-a');
  assert.ok(readdirSync(join(shared, '.cache/bulwark')).some((f) => f.startsWith('cli-')), 'runs went through the bundle');
});

test('a threaded analyze loads its pipeline worker from the bundle beside the command line', { timeout: 120_000 }, (t) => {
  const { shared, checkout } = tempCheckouts(t);
  const root = checkout('a');
  // 115 times a 147 kB capture: over the 16 MiB from which `--threads 2` puts the pipeline in a worker.
  const files = Array.from({ length: 115 }, () => join(repo, 'samples/dlink-camera-setup.pcap'));
  const analyze = (threads: string) => bulwark(root, ['analyze', ...files, '--quiet', '--threads', threads]);
  const counts = (line: string): string => line.replace(/ wall_s=\S+ pps=\S+/, '');
  const one = analyze('1');
  const two = analyze('2');
  assert.equal(one.status, 0, one.stderr);
  assert.equal(two.status, 0, two.stderr);
  // capinfos: 624 packets in the capture, 115 times.
  assert.match(one.stdout, /^packets=71760 /);
  assert.equal(counts(two.stdout), counts(one.stdout));
  // The bundled worker replaced by one that only says where it comes from: the threaded run ends with its words.
  const pointer = JSON.parse(readFileSync(join(shared, '.cache/bulwark/current.json'), 'utf8')) as { dir: string };
  writeFileSync(join(shared, '.cache/bulwark', pointer.dir, WORKER_BUNDLE_SCRIPT),
    "import { parentPort } from 'node:worker_threads';\nparentPort.postMessage({ kind: 'failed', message: 'the bundled worker ran' });\n");
  const replaced = analyze('2');
  assert.notEqual(replaced.status, 0);
  assert.match(replaced.stderr, /the bundled worker ran/);
});

test('a code cache written by a run that read no packets is replaced by the next run that reads some', { timeout: 120_000 }, (t) => {
  const { shared, checkout } = tempCheckouts(t);
  const root = checkout('a');
  const cacheWord = (): number => {
    const pointer = JSON.parse(readFileSync(join(shared, '.cache/bulwark/current.json'), 'utf8')) as { dir: string };
    return readFileSync(join(shared, '.cache/bulwark', pointer.dir, 'analyze.cjs.cache')).readUInt32LE(4);
  };
  // bin/bulwark.js's header: the writer's CPU milliseconds, 0x40000000 when it read packets on the main thread.
  const ANALYZED_BIT = 0x40000000;
  const mistyped = bulwark(root, ['analyze', join(repo, 'samples/no-such-capture.pcap'), '--quiet']);
  assert.notEqual(mistyped.status, 0);
  assert.equal(cacheWord() & ANALYZED_BIT, 0, 'the first run read nothing');
  const tiny = bulwark(root, ['analyze', join(repo, 'samples/dlink-camera-setup.pcap'), '--quiet', '--threads', '1']);
  assert.equal(tiny.status, 0, tiny.stderr);
  assert.notEqual(cacheWord() & ANALYZED_BIT, 0, 'replaced by a run that read packets, however short');
  const again = bulwark(root, ['analyze', join(repo, 'samples/no-such-capture.pcap'), '--quiet']);
  assert.notEqual(again.status, 0);
  assert.notEqual(cacheWord() & ANALYZED_BIT, 0, 'a run that read nothing does not replace it');
});
