/**
 * The command line as a few JavaScript files (esbuild; one chunk per lazily loaded command) instead of ~250
 * modules: Node's ES module loader costs about a millisecond per module (resolve, read, compile-cache
 * lookup, link), so a short `analyze` spends most of its time loading. Measured: importing the analysis
 * session took 420 ms of CPU from the modules and 230 ms from a bundle.
 *
 * Modules that find files next to themselves (`import.meta.url`, `dirname`, `filename`: JSON data, schemas,
 * worker scripts) keep finding them: each module's `import.meta` is rewritten to its original file's place,
 * relative to the bundle, so the bundle needs the source tree beside it (src/ in a checkout, dist/src/ in
 * the package). Packages under node_modules stay external.
 *
 * Used two ways: build-package.ts writes dist/cli/ for the npm package; in a checkout bin/bulwark.js keeps
 * one in node_modules/.cache/bulwark/ and rebuilds it when any of its input files changed
 * (`current.json` lists each input with its modification time).
 * @module
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { build, type Plugin } from 'esbuild';

export interface CliBundleOptions {
  /** The repository (holds src/). */
  root: string;
  /** Folder the bundle is written to. */
  outdir: string;
  /** Where each module's original file lives at run time: src/ (checkout) or dist/src/ (package). */
  sourceRoot: string;
  /** Extension of the run-time originals: '.ts' in a checkout, '.js' in the package. */
  sourceExt: '.ts' | '.js';
}

/** Rewrites `import.meta.url|dirname|filename` of a module to its original file, relative to the bundle. */
function importMetaPlugin(o: CliBundleOptions): Plugin {
  return {
    name: 'import-meta-of-original',
    setup(b) {
      b.onLoad({ filter: /\.ts$/ }, (args) => {
        const text = readFileSync(args.path, 'utf8');
        if (!text.includes('import.meta')) return { contents: text, loader: 'ts' };
        const original = join(o.sourceRoot, relative(join(o.root, 'src'), args.path)).replace(/\.ts$/, o.sourceExt);
        const file = relative(o.outdir, original).split('\\').join('/');
        const dir = relative(o.outdir, dirname(original)).split('\\').join('/') || '.';
        const contents = text
          .replaceAll('import.meta.url', `new URL(${JSON.stringify(file)}, import.meta.url).href`)
          .replaceAll('import.meta.dirname', `(import.meta.dirname + ${JSON.stringify(`/${dir}`)})`)
          .replaceAll('import.meta.filename', `(import.meta.dirname + ${JSON.stringify(`/${file}`)})`)
          // A module run as a script (`if (import.meta.main)`) is never the main one inside the bundle.
          .replaceAll('import.meta.main', 'false');
        return { contents, loader: 'ts' };
      });
    },
  };
}

/** Bundle src/cli/main.ts into `outdir` (main.mjs and chunks). Returns the local input files. */
export async function buildCliBundle(o: CliBundleOptions): Promise<string[]> {
  const result = await build({
    entryPoints: [join(o.root, 'src/cli/main.ts')],
    absWorkingDir: o.root,
    outdir: o.outdir,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node22',
    packages: 'external',
    outExtension: { '.js': '.mjs' },
    entryNames: '[name]',
    chunkNames: 'chunk-[hash]',
    metafile: true,
    logLevel: 'warning',
    legalComments: 'none',
    plugins: [importMetaPlugin(o)],
  });
  return Object.keys(result.metafile.inputs).map((p) => resolve(o.root, p));
}

/** What bin/bulwark.js reads: the current bundle folder and every input with its modification time. */
export interface CliBundlePointer {
  dir: string;
  inputs: Record<string, number>;
}

/**
 * Checkout: build a fresh bundle into a new folder under `cacheDir`, then point `current.json` at it
 * (written to a temporary name and renamed, so a concurrent run reads the old pointer or the new one).
 * Folders of earlier builds are removed a week after they were built: a run started before the switch
 * (a live sensor, a server) may still load a command's chunk from its own folder.
 */
export async function refreshCheckoutBundle(root: string, cacheDir: string): Promise<CliBundlePointer> {
  mkdirSync(cacheDir, { recursive: true });
  const name = `cli-${Date.now().toString(36)}-${process.pid}`;
  const outdir = join(cacheDir, name);
  const inputs = await buildCliBundle({ root, outdir, sourceRoot: join(root, 'src'), sourceExt: '.ts' });
  inputs.push(import.meta.filename); // a change to how the bundle is built rebuilds it too
  const pointer: CliBundlePointer = { dir: name, inputs: Object.fromEntries(inputs.map((p) => [p, statSync(p).mtimeMs])) };
  const tmp = join(cacheDir, `current.json.${process.pid}`);
  writeFileSync(tmp, JSON.stringify(pointer));
  renameSync(tmp, join(cacheDir, 'current.json'));
  for (const entry of readdirSync(cacheDir)) {
    const path = join(cacheDir, entry);
    if (entry.startsWith('cli-') && entry !== name && existsSync(path) && Date.now() - statSync(path).mtimeMs > 7 * 86_400_000) {
      rmSync(path, { recursive: true, force: true });
    }
  }
  return pointer;
}
