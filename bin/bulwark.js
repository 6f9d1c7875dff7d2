#!/usr/bin/env -S MALLOC_ARENA_MAX=2 node --max-old-space-size=320 --min-semi-space-size=16 --max-semi-space-size=16
// Entry point for `bulwark` / `npx bulwark`. In a checkout the CLI is TypeScript run directly by Node 24;
// an installed package (npm i -g bulwark-*.tgz) runs the JavaScript compiled into dist/ (Node refuses to
// strip types under node_modules), on Node 22 or newer. The compile cache keeps compiled modules between
// runs (startup 0.35 s → 0.08 s, measured). The heap cap keeps peak RSS under 512 MB on a flood of new
// flows: every table is bounded, the cap only stops V8 growing lazily (flow-heavy bench: 730 MB uncapped,
// 494 MB capped). Raise it with NODE_OPTIONS for very large inventories. Under that cap V8 sizes the young
// generation at 2 MiB a semi-space, so records that live for a few thousand packets (flows, events on their way
// through the stages) were promoted and collected in the old generation; 16 MiB lets them die young: 4-8 % less
// time and 90 MiB less peak RSS on the 2 M-packet benchmark workloads (npm run bench). It starts at that size
// rather than growing from 1 MiB: the objects a short run builds as it starts (the code cache's functions, the
// registries) then stay where they are, not copied by three scavenges (analyze of a 10-packet capture:
// 195 → 177 ms CPU and 250 fewer page faults, measured with perf stat).
// Plain JavaScript that any Node parses, so an old Node gets a sentence instead of a syntax error.
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 13)) {
  process.stderr.write(`bulwark needs Node.js 22.13 or newer (this is ${process.versions.node}); install a current LTS from your distribution or nodejs.org.\n`);
  process.exit(1);
}

// Node's own modules as CommonJS objects, not `import`: an ES module view of node:fs reads every export once,
// which loads the file streams (several milliseconds of a short run that never uses them).
const { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } = process.getBuiltinModule('node:fs');
const { fileURLToPath, pathToFileURL } = process.getBuiltinModule('node:url');
const module = process.getBuiltinModule('node:module');
const { basename, dirname } = process.getBuiltinModule('node:path');
const vm = process.getBuiltinModule('node:vm');

// Node 22 marks node:sqlite experimental and says so on every run; the store is tested on it, so that one
// notice is not news for a user (every other warning still prints).
const emitWarning = process.emitWarning.bind(process);
process.emitWarning = (warning, ...rest) => {
  const text = typeof warning === 'string' ? warning : warning?.message;
  const type = typeof rest[0] === 'string' ? rest[0] : rest[0]?.type ?? warning?.name;
  if (type === 'ExperimentalWarning' && /SQLite/.test(text ?? '')) return;
  emitWarning(warning, ...rest);
};

module.enableCompileCache?.();
// Before the first await: runScript reads them.
/** Header of a code cache file: magic, then the CPU milliseconds of the run that wrote it. */
const CACHE_MAGIC = 0x32435742; // "BWC2"
const CACHE_HEADER = 8;
/**
 * The header's second word: the writing run's CPU milliseconds, whether its pipeline ran in a worker thread, and
 * whether it read packets on this thread.
 */
const CPU_MS_MASK = 0x3fffffff;
const ANALYZED_BIT = 0x40000000;
const THREADED_BIT = 0x80000000;
/** An installed package's code cache folders: `code-<build id>` in the user's cache folder. */
const CODE_CACHE_PREFIX = 'code-';

const source = new URL('../src/cli/main.ts', import.meta.url);
if (existsSync(source) && major >= 24) {
  const entry = await checkoutEntry();
  if (entry.endsWith('.cjs')) {
    useWorkerBundle(pathToFileURL(entry));
    runScript(entry);
  } else await import(entry);
} else if (existsSync(new URL('../dist/cli/main.cjs', import.meta.url))) {
  const entry = fileURLToPath(new URL('../dist/cli/main.cjs', import.meta.url));
  useWorkerBundle(pathToFileURL(entry));
  runScript(entry, packageCodeCacheDir());
} else await import(new URL('../dist/src/cli/main.js', import.meta.url).href);

/**
 * Where an installed package keeps its scripts' code caches: the package's own folder may not be writable (a
 * global install), so the user's cache folder (`$BULWARK_CACHE_DIR`, else `$XDG_CACHE_HOME/bulwark`, else
 * `~/.cache/bulwark`, as the OUI table's), in a folder named after the build (dist/cli/build-id, a hash of the
 * bundle): V8 checks a cache against its script's length only, so a cache must never meet another build's script.
 * Undefined (no cache) without a build id or a home.
 */
function packageCodeCacheDir() {
  try {
    const id = readFileSync(new URL('../dist/cli/build-id', import.meta.url), 'utf8').trim();
    const base = process.env.BULWARK_CACHE_DIR || (process.env.XDG_CACHE_HOME ? `${process.env.XDG_CACHE_HOME}/bulwark` : process.env.HOME ? `${process.env.HOME}/.cache/bulwark` : '');
    return /^[0-9a-f]{16,64}$/.test(id) && base ? `${base}/${CODE_CACHE_PREFIX}${id}` : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Tell the command line where the pipeline worker bundled beside its bundle is (scripts/cli-bundle.ts,
 * WORKER_BUNDLE_SCRIPT; read in src/engine/threaded-pipeline.ts): a threaded run's worker then loads a few files,
 * not the pipeline's ~100 modules. A bundle built before there was one leaves the worker to its modules.
 */
function useWorkerBundle(bundleEntry) {
  const worker = new URL('worker/pipeline-worker.mjs', bundleEntry);
  if (existsSync(worker)) globalThis[Symbol.for('bulwark.pipelineWorkerBundle')] = worker.href;
}

/**
 * In a checkout, the command line bundled into one script (scripts/cli-bundle.ts: Node's module loader costs
 * about a millisecond per module, and a short run loads ~250), rebuilt when any file it was built from
 * changed; the modules themselves when BULWARK_NO_BUNDLE is set or the bundle cannot be built.
 * Returns the script's path, or the URL of the modules' entry.
 */
async function checkoutEntry() {
  if (process.env.BULWARK_NO_BUNDLE) return source.href;
  const cacheDir = new URL('../node_modules/.cache/bulwark/', import.meta.url);
  const root = fileURLToPath(new URL('..', import.meta.url));
  try {
    const pointer = JSON.parse(readFileSync(new URL('current.json', cacheDir), 'utf8'));
    // Built from this checkout's sources: two checkouts can share one node_modules (a symlink, a workspace),
    // and the other's unchanged files would otherwise look fresh.
    let fresh = pointer.script === 'main.cjs' && pointer.root === root;
    for (const path in pointer.inputs) {
      if (!fresh) break;
      if (statSync(path, { throwIfNoEntry: false })?.mtimeMs !== pointer.inputs[path]) fresh = false;
    }
    if (fresh) return fileURLToPath(new URL(`${pointer.dir}/${pointer.script}`, cacheDir));
  } catch {
    // no bundle yet, or an unreadable pointer: build one
  }
  try {
    const { refreshCheckoutBundle } = await import(new URL('../scripts/cli-bundle.ts', import.meta.url).href);
    const pointer = await refreshCheckoutBundle(root, fileURLToPath(cacheDir));
    return fileURLToPath(new URL(`${pointer.dir}/${pointer.script}`, cacheDir));
  } catch {
    return source.href; // esbuild missing or node_modules read-only: the modules as they are
  }
}

/**
 * Run one of the bundled scripts (main.cjs; it loads each command's script, e.g. analyze.cjs, through
 * `__bulwarkLoad`) with a V8 code cache beside it (`analyze.cjs.cache`), or in `cacheDir` (an installed package's:
 * packageCodeCacheDir). Node's compile cache holds only
 * what is compiled before a module runs (its top level); this cache is written after a run, so it holds every
 * function that run compiled, which later runs neither parse nor compile again. It is written when there is
 * none, when V8 refuses it (another Node, other V8 flags), and when a run worked well beyond the one that
 * wrote it (1.5 times its CPU time and 20 ms more: a bigger run calls more functions; a usage error's run
 * wrote a cache of little use). A run that put the pipeline in a worker thread (`--threads`) compiled the
 * pipeline there, not here: its cache is marked, and the next run that analyses on this thread replaces it
 * (tiny runs compiled the whole pipeline again: 30-50 ms). So is a run that read no packets on this thread (a
 * first run that stopped at a mistyped path): the next run that reads packets here replaces its cache, where
 * the CPU rule did not (tiny runs after it compiled the pipeline every time: 30 ms and 1,400 page faults each).
 * A cache that cannot be written costs only the next run's compiling. Returns the script's exports.
 */
function runScript(file, cacheDir) {
  const started = process.cpuUsage();
  const code = readFileSync(file, 'latin1'); // ASCII (cli-bundle.ts): one byte per character, no decoding
  const cacheFile = cacheDir === undefined ? `${file}.cache` : `${cacheDir}/${basename(file)}.cache`;
  let cachedData;
  let writerCpuMs = 0;
  let writerThreaded = false;
  let writerAnalyzed = false;
  try {
    const bytes = readFileSync(cacheFile);
    if (bytes.length > CACHE_HEADER && bytes.readUInt32LE(0) === CACHE_MAGIC) {
      const word = bytes.readUInt32LE(4);
      writerCpuMs = word & CPU_MS_MASK;
      writerThreaded = (word & THREADED_BIT) !== 0;
      writerAnalyzed = (word & ANALYZED_BIT) !== 0;
      cachedData = bytes.subarray(CACHE_HEADER);
    }
  } catch {
    // the first run of this script
  }
  const script = new vm.Script(`(function (exports, require, module, __filename, __dirname, __bulwarkScriptDir, __bulwarkScriptUrl, __bulwarkImport, __bulwarkLoad) {'use strict';${code}\n})`, {
    filename: file,
    cachedData,
  });
  process.once('exit', () => {
    const used = process.cpuUsage(started);
    const cpuMs = Math.min(CPU_MS_MASK, Math.round((used.user + used.system) / 1000));
    const threaded = globalThis[Symbol.for('bulwark.pipelineInWorker')] === true;
    const analyzed = globalThis[Symbol.for('bulwark.pipelineRanHere')] === true;
    const better = !threaded && (writerThreaded || (analyzed && !writerAnalyzed) || cpuMs > writerCpuMs * 1.5 + 20);
    if (cachedData !== undefined && !script.cachedDataRejected && !better) return;
    try {
      const data = script.createCachedData();
      const header = Buffer.alloc(CACHE_HEADER);
      header.writeUInt32LE(CACHE_MAGIC, 0);
      header.writeUInt32LE((cpuMs | (threaded ? THREADED_BIT : 0) | (analyzed ? ANALYZED_BIT : 0)) >>> 0, 4);
      const tmp = `${cacheFile}.${process.pid}`;
      if (cacheDir !== undefined) prepareCodeCacheDir(cacheDir);
      writeFileSync(tmp, Buffer.concat([header, data]));
      renameSync(tmp, cacheFile);
    } catch {
      // a read-only cache folder: the next run compiles again
    }
  });
  const cjs = { exports: {} };
  const dir = dirname(file);
  const load = (name) => runScript(`${dir}/${name}.cjs`, cacheDir);
  script.runInThisContext()(cjs.exports, module.createRequire(file), cjs, file, dir, dir, pathToFileURL(file).href, (specifier) => import(specifier), load);
  return cjs.exports;
}

/**
 * Make an installed package's code cache folder, and remove the folders of other builds last written over a
 * week ago (an upgrade leaves its predecessor's behind; a week spares another installation still in use).
 */
function prepareCodeCacheDir(dir) {
  if (existsSync(dir)) return;
  mkdirSync(dir, { recursive: true });
  const base = dirname(dir);
  for (const entry of readdirSync(base)) {
    const path = `${base}/${entry}`;
    if (entry.startsWith(CODE_CACHE_PREFIX) && path !== dir && Date.now() - statSync(path).mtimeMs > 7 * 86_400_000) {
      rmSync(path, { recursive: true, force: true });
    }
  }
}
