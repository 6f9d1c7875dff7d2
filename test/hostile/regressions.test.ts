/**
 * Inputs that once broke Bulwark, replayed forever: every capture in test/hostile/regressions/ (crash inputs the
 * fuzzer saved, with a .txt beside each saying what it was, and the cases of issue #11) must go through the whole
 * analysis without an internal error.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { analyseCase } from './fuzz-core.ts';

const dir = join(import.meta.dirname, 'regressions');
const files = readdirSync(dir).filter((f) => /\.(pcap|pcapng|gz)$/.test(f));

test('regression inputs exist', () => assert.ok(files.length > 0));
for (const f of files) {
  test(`regression ${f}: no internal error`, async () => {
    const r = await analyseCase(join(dir, f));
    assert.deepEqual(r.errors, []);
  });
}
