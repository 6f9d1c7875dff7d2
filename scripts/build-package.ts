/**
 * Builds what `npm pack` ships (run by the `prepack` script): the TypeScript compiled to JavaScript under
 * dist/src (same layout as src/, so paths relative to a module hold), the command line bundled into dist/cli/
 * (bin/bulwark.js runs it; it finds data files and worker scripts in dist/src/), the dashboard built into dist/web/dist,
 * the data files modules read at run time, and the example configuration and schemas under dist/docs.
 * Development keeps running the .ts files directly; bin/bulwark.js picks dist/ only where src/ is absent.
 * @module
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { buildWeb } from '../web/build.ts';
import { buildCliBundle } from './cli-bundle.ts';

const root = join(import.meta.dirname, '..');
const dist = join(root, 'dist');

rmSync(dist, { recursive: true, force: true });
const tsc = spawnSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(root, 'tsconfig.build.json')], { stdio: 'inherit' });
if (tsc.status !== 0) process.exit(tsc.status ?? 1);

/** SHA-256 (first 32 hex digits) over the names and contents of every file under `dir`, in sorted order. */
function bundleHash(dir: string): string {
  const hash = createHash('sha256');
  const files = (function* walk(d: string): Generator<string> {
    for (const name of readdirSync(d).sort()) {
      const path = join(d, name);
      if (statSync(path).isDirectory()) yield* walk(path);
      else yield path;
    }
  })(dir);
  for (const file of files) hash.update(relative(dir, file)).update('\0').update(readFileSync(file)).update('\0');
  return hash.digest('hex').slice(0, 32);
}

/** Data files under src/ that modules load at run time (JSON and friends), tests excluded. */
function* dataFiles(dir: string): Generator<string> {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* dataFiles(path);
    else if (!name.endsWith('.ts') && !name.includes('.test.')) yield path;
  }
}
for (const file of dataFiles(join(root, 'src'))) {
  const target = join(dist, relative(root, file));
  mkdirSync(dirname(target), { recursive: true });
  cpSync(file, target);
}
// The command line bundled (start-up: a few files instead of ~250 modules); it reads data files and
// starts workers from dist/src/, beside it.
// As scripts with a code cache written after a run, as in a checkout (bin/bulwark.js): an ES module bundle
// under Node's compile cache compiled again, on every run, each function the run called (tiny capture:
// 189 ms of CPU against 167 ms in a checkout). The build id names the caches' folder (a hash of the bundle).
await buildCliBundle({ root, outdir: join(dist, 'cli'), sourceRoot: join(dist, 'src'), sourceExt: '.js', format: 'cjs' });
writeFileSync(join(dist, 'cli/build-id'), `${bundleHash(join(dist, 'cli'))}\n`);
await buildWeb({ outdir: join(dist, 'web/dist'), minify: true, sourcemap: false });
cpSync(join(root, 'docs/bulwark.example.yaml'), join(dist, 'docs/bulwark.example.yaml'));
cpSync(join(root, 'docs/schema'), join(dist, 'docs/schema'), { recursive: true });
console.log(`built ${relative(process.cwd(), dist)}/`);
