#!/usr/bin/env node
// Entry point for `npx bulwark`. The CLI is TypeScript run directly by Node 24; the compile cache keeps
// the stripped and compiled modules between runs (startup 0.35 s → 0.08 s, measured).
import module from 'node:module';

module.enableCompileCache?.();
await import('../src/cli/main.ts');
