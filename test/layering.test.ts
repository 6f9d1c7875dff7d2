// The pipeline reads left to right: a stage never imports a stage to its right (DEVELOPERS.md).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const stages = ['capture', 'decode', 'flow', 'flowrec', 'app', 'events', 'pipeline', 'inventory', 'mud', 'detect', 'assess', 'findings', 'engine', 'output', 'store', 'fleet', 'api', 'cli'];
// The event/anomaly spec types are the shared contract every stage describes itself with.
const contracts = new Set(['src/events/types.ts']);
const root = resolve(import.meta.dirname, '..');

function* sourceFiles(dir: string): Generator<string> {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* sourceFiles(path);
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts')) yield path;
  }
}

const stageOf = (file: string): number => stages.indexOf(relative(join(root, 'src'), file).split('/')[0]);

test('no stage imports a stage to its right', () => {
  const violations: string[] = [];
  for (const file of sourceFiles(join(root, 'src'))) {
    const from = stageOf(file);
    assert.ok(from >= 0, `${relative(root, file)} is in no known stage folder: add the folder to this test and DEVELOPERS.md`);
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/from\s+'(\.{1,2}\/[^']+)'/g)) {
      const target = resolve(dirname(file), m[1]);
      if (contracts.has(relative(root, target))) continue;
      const to = stageOf(target);
      if (to > from) violations.push(`${relative(root, file)} imports ${relative(root, target)}`);
    }
  }
  assert.deepEqual(violations, []);
});
