#!/usr/bin/env -S MALLOC_ARENA_MAX=2 node --max-old-space-size=320
// Entry point for `bulwark` / `npx bulwark`. In a checkout the CLI is TypeScript run directly by Node 24;
// an installed package (npm i -g bulwark-*.tgz) runs the JavaScript compiled into dist/ (Node refuses to
// strip types under node_modules), on Node 22 or newer. The compile cache keeps compiled modules between
// runs (startup 0.35 s → 0.08 s, measured). The heap cap keeps peak RSS under 512 MB on a flood of new
// flows: every table is bounded, the cap only stops V8 growing lazily (flow-heavy bench: 730 MB uncapped,
// 494 MB capped). Raise it with NODE_OPTIONS for very large inventories.
// Plain JavaScript that any Node parses, so an old Node gets a sentence instead of a syntax error.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import module from 'node:module';

const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 13)) {
  process.stderr.write(`bulwark needs Node.js 22.13 or newer (this is ${process.versions.node}); install a current LTS from your distribution or nodejs.org.\n`);
  process.exit(1);
}

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
const source = new URL('../src/cli/main.ts', import.meta.url);
if (existsSync(source) && major >= 24) await import(await checkoutEntry());
else if (existsSync(new URL('../dist/cli/main.mjs', import.meta.url))) await import(new URL('../dist/cli/main.mjs', import.meta.url).href);
else await import(new URL('../dist/src/cli/main.js', import.meta.url).href);

/**
 * In a checkout, the command line bundled into a few files (scripts/cli-bundle.ts: Node's module loader
 * costs about a millisecond per module, and a short run loads ~250), rebuilt when any file it was built
 * from changed; the modules themselves when BULWARK_NO_BUNDLE is set or the bundle cannot be built.
 */
async function checkoutEntry() {
  if (process.env.BULWARK_NO_BUNDLE) return source.href;
  const cacheDir = new URL('../node_modules/.cache/bulwark/', import.meta.url);
  try {
    const pointer = JSON.parse(readFileSync(new URL('current.json', cacheDir), 'utf8'));
    let fresh = true;
    for (const path in pointer.inputs) {
      if (statSync(path, { throwIfNoEntry: false })?.mtimeMs !== pointer.inputs[path]) {
        fresh = false;
        break;
      }
    }
    if (fresh) return new URL(`${pointer.dir}/main.mjs`, cacheDir).href;
  } catch {
    // no bundle yet, or an unreadable pointer: build one
  }
  try {
    const { refreshCheckoutBundle } = await import(new URL('../scripts/cli-bundle.ts', import.meta.url).href);
    const pointer = await refreshCheckoutBundle(fileURLToPath(new URL('..', import.meta.url)), fileURLToPath(cacheDir));
    return new URL(`${pointer.dir}/main.mjs`, cacheDir).href;
  } catch {
    return source.href; // esbuild missing or node_modules read-only: the modules as they are
  }
}
