// Hostile input end to end: mutated real captures (bit flips, boundary bytes, truncations of every part
// of the file, packet headers and payloads) go through the whole pipeline with every event subscribed.
// The run must finish, never throw, and no analyzer may need its exception guard.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mutate, rng } from './support/mutate.ts';
import { runPipeline, trace } from './support/run.ts';

const names = readdirSync(new URL('./traces/pipeline/', import.meta.url)).filter((f) => /\.pcap(ng)?$/.test(f));

test('mutated real captures never break the pipeline', { timeout: 300_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'bulwark-fuzz-'));
  const next = rng(20261123);
  let runs = 0;
  let packets = 0;
  for (const name of names) {
    const original = readFileSync(trace(name));
    for (let i = 0; i < 12; i++) {
      // Mutate a window past the file header so most packets survive and reach the analyzers.
      const bytes = new Uint8Array(original);
      const start = 24 + Math.floor(next() * Math.max(1, bytes.length - 24));
      const len = Math.min(bytes.length - start, 64 + Math.floor(next() * 2048));
      const mutated = mutate(bytes.subarray(start, start + len), next);
      const out = new Uint8Array(start + mutated.length + (bytes.length - start - len));
      out.set(bytes.subarray(0, start));
      out.set(mutated, start);
      out.set(bytes.subarray(start + len), start + mutated.length);
      const path = join(dir, `${name}.${i}`);
      writeFileSync(path, out);
      const { summary } = await runPipeline([path]);
      assert.deepEqual(summary.analyzer_violations, {}, `${name} mutant ${i}`);
      packets += summary.packets;
      runs++;
    }
  }
  assert.equal(runs, names.length * 12);
  assert.ok(packets > 10_000, `packets analysed across mutants: ${packets}`);
});
