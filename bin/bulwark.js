#!/usr/bin/env node
// Entry point for `npx bulwark`: the CLI is TypeScript run directly by Node 24.
import '../src/cli/main.ts';
