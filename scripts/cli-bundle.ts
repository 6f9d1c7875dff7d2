/**
 * The command line as a few JavaScript files (esbuild) instead of ~250 modules: Node's ES module loader costs
 * about a millisecond per module (resolve, read, compile-cache lookup, link), so a short `analyze` spends most
 * of its time loading. Measured: importing the analysis session took 420 ms of CPU from the modules and 230 ms
 * from a bundle.
 *
 * Two forms:
 *   - 'cjs', the command line (a checkout's in node_modules/.cache/bulwark/, the npm package's in dist/cli/):
 *     scripts that bin/bulwark.js compiles with node:vm and a V8 code cache written after a run (a checkout's
 *     beside the scripts, an installed package's in the user's cache folder), so the cache holds every
 *     function that run compiled. Node's
 *     own compile cache is made when a module is compiled, before it runs: it holds the top-level code only,
 *     and each run compiled the rest again (a third of a short run's CPU: parsing and bytecode generation of
 *     the functions it calls). main.cjs holds main.ts; each command module it loads (`import('./x.ts')`)
 *     is a script of its own, x.cjs, loaded through bin/bulwark.js (`__bulwarkLoad('x')`), so `--version`
 *     reads none of them. A module both use has a copy in each (main.ts's three: exit codes, messages).
 *   - 'esm', the pipeline worker's bundle beside it (a worker thread loads ES modules): entry and chunks.
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
  /** 'cjs': main.cjs and one script per command, for bin/bulwark.js to run with a code cache; 'esm' (default): main.mjs and chunks (the worker's form). */
  format?: 'esm' | 'cjs';
}


/** Rewrites `import.meta.url|dirname|filename` of a module to its original file, relative to the bundle. */
function importMetaPlugin(o: CliBundleOptions): Plugin {
  const cjs = o.format === 'cjs';
  return {
    name: 'import-meta-of-original',
    setup(b) {
      b.onLoad({ filter: /\.ts$/ }, (args) => {
        let text = readFileSync(args.path, 'utf8');
        if (cjs) {
          // A package imported on demand (`await import('mqtt')`): a script's import() goes through bin/bulwark.js.
          text = text.replace(/\bimport\((['"])(?![./])/g, '__bulwarkImport($1');
          if (args.path === mainModule(o.root)) text = text.replace(commandImport, "__bulwarkLoad('$1')");
        }
        if (!text.includes('import.meta')) return { contents: text, loader: 'ts' };
        const original = join(o.sourceRoot, relative(join(o.root, 'src'), args.path)).replace(/\.ts$/, o.sourceExt);
        const file = relative(o.outdir, original).split('\\').join('/');
        const dir = relative(o.outdir, dirname(original)).split('\\').join('/') || '.';
        // A script's own place comes from bin/bulwark.js (`require`, `__dirname` may be a module's own names).
        const here = cjs ? { url: '__bulwarkScriptUrl', dirname: '__bulwarkScriptDir' } : { url: 'import.meta.url', dirname: 'import.meta.dirname' };
        const contents = text
          .replaceAll('import.meta.url', `new URL(${JSON.stringify(file)}, ${here.url}).href`)
          .replaceAll('import.meta.dirname', `(${here.dirname} + ${JSON.stringify(`/${dir}`)})`)
          .replaceAll('import.meta.filename', `(${here.dirname} + ${JSON.stringify(`/${file}`)})`)
          // A module run as a script (`if (import.meta.main)`) is never the main one inside the bundle.
          .replaceAll('import.meta.main', 'false');
        return { contents, loader: 'ts' };
      });
    },
  };
}

/**
 * Comments keep their non-ASCII characters (esbuild escapes them in code): escaped too, so that V8 holds the
 * script as one byte per character (a single '→' makes a 1.3 MB script two bytes per character, and Node's
 * compile cache then re-encodes all of it to UTF-8 to hash it on every run).
 */
function asciiOnly(path: string): void {
  const text = readFileSync(path, 'utf8');
  if (!/[\u0080-\uffff]/.test(text)) return;
  writeFileSync(path, text.replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`));
}

const mainModule = (root: string): string => join(root, 'src/cli/main.ts');
const commandImport = /\bimport\('\.\/([a-z-]+)\.ts'\)/g;

/** The command modules main.ts loads on use (`import('./analyze.ts')`). */
function commandModules(root: string): string[] {
  const names = [...readFileSync(mainModule(root), 'utf8').matchAll(commandImport)].map((m) => m[1]);
  return [...new Set(names)].map((n) => join(root, 'src/cli', `${n}.ts`));
}

/** Bundle src/cli/main.ts into `outdir` (main.cjs and one script per command, or main.mjs and chunks), and the pipeline worker. Returns the local input files. */
export async function buildCliBundle(o: CliBundleOptions): Promise<string[]> {
  const cjs = o.format === 'cjs';
  const inputs = await bundle(o, cjs ? [mainModule(o.root), ...commandModules(o.root)] : [mainModule(o.root)]);
  const worker: CliBundleOptions = { ...o, outdir: join(o.outdir, dirname(WORKER_BUNDLE_SCRIPT)), format: 'esm' };
  return [...new Set([...inputs, ...await bundle(worker, [join(o.root, 'src/engine/pipeline-worker.ts')])])];
}

/**
 * The pipeline worker's bundle in a command line bundle's folder (bin/bulwark.js tells the runs where it is). Both
 * forms bundle it as ES modules: its entry, and the chunk it imports once the worker has turned Node's compile cache
 * on. A worker loads its own modules, and from the ~100 modules of the pipeline that took 250 ms of every threaded
 * run's start before its first packet was read, while the other thread waited (2 M-packet Mirai workload; from the
 * bundle, 60 ms).
 */
export const WORKER_BUNDLE_SCRIPT = 'worker/pipeline-worker.mjs';

/** One esbuild run: the entry points bundled into `o.outdir` in `o.format`. Returns the local input files. */
async function bundle(o: CliBundleOptions, entryPoints: string[]): Promise<string[]> {
  const cjs = o.format === 'cjs';
  const result = await build({
    entryPoints,
    absWorkingDir: o.root,
    outdir: o.outdir,
    bundle: true,
    splitting: !cjs,
    format: cjs ? 'cjs' : 'esm',
    platform: 'node',
    target: 'node22',
    packages: 'external',
    outExtension: { '.js': cjs ? '.cjs' : '.mjs' },
    entryNames: '[name]',
    chunkNames: 'chunk-[hash]',
    metafile: true,
    logLevel: 'warning',
    legalComments: 'none',
    charset: 'ascii',
    plugins: [importMetaPlugin(o)],
  });
  for (const out of Object.keys(result.metafile.outputs)) asciiOnly(resolve(o.root, out));
  return Object.keys(result.metafile.inputs).map((p) => resolve(o.root, p));
}

/** What bin/bulwark.js reads: the current bundle folder and every input with its modification time. */
export interface CliBundlePointer {
  dir: string;
  /** The script in `dir` that bin/bulwark.js runs. */
  script: 'main.cjs';
  /** The checkout the bundle was built from (bin/bulwark.js runs it only from there). */
  root: string;
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
  const inputs = await buildCliBundle({ root, outdir, sourceRoot: join(root, 'src'), sourceExt: '.ts', format: 'cjs' });
  inputs.push(import.meta.filename); // a change to how the bundle is built rebuilds it too
  const pointer: CliBundlePointer = { dir: name, script: 'main.cjs', root, inputs: Object.fromEntries(inputs.map((p) => [p, statSync(p).mtimeMs])) };
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
