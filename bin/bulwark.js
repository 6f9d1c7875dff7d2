#!/usr/bin/env -S MALLOC_ARENA_MAX=2 node --max-old-space-size=320
// Entry point for `bulwark` / `npx bulwark`. In a checkout the CLI is TypeScript run directly by Node 24;
// an installed package (npm i -g bulwark-*.tgz) runs the JavaScript compiled into dist/ (Node refuses to
// strip types under node_modules), on Node 22 or newer. The compile cache keeps compiled modules between
// runs (startup 0.35 s → 0.08 s, measured). The heap cap keeps peak RSS under 512 MB on a flood of new
// flows: every table is bounded, the cap only stops V8 growing lazily (flow-heavy bench: 730 MB uncapped,
// 494 MB capped). Raise it with NODE_OPTIONS for very large inventories.
// Plain JavaScript that any Node parses, so an old Node gets a sentence instead of a syntax error.
import { existsSync } from 'node:fs';
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
if (existsSync(source) && major >= 24) await import(source.href);
else await import(new URL('../dist/src/cli/main.js', import.meta.url).href);
