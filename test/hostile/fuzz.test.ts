/**
 * The capture fuzzer, bounded for `npm test` (a few seconds): record-, header- and protocol-level mutants of
 * the real captures in test/traces through the whole analysis, with no internal error. `npm run fuzz` runs it
 * for as long as asked (see fuzz-core.ts).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fuzzCaptures, layoutOf, mutateCapture, seedFiles } from './fuzz-core.ts';
import { rng } from '../support/mutate.ts';
import { readFileSync } from 'node:fs';

test('the mutators change what they say they change', () => {
  const seed = new Uint8Array(readFileSync(join(import.meta.dirname, '../traces/pipeline/ftp.pcap')));
  const l = layoutOf(seed)!;
  assert.equal(l.kind, 'pcap');
  assert.equal(l.records.length, 10); // capinfos -c
  const next = rng(5);
  const header = mutateCapture(seed, 'header', next);
  assert.deepEqual(header.subarray(0, 4), seed.subarray(0, 4));
  assert.notDeepEqual(header.subarray(4, 24), seed.subarray(4, 24));
  const proto = mutateCapture(seed, 'protocol', next);
  assert.equal(proto.length, seed.length);
  assert.deepEqual(proto.subarray(0, 24), seed.subarray(0, 24));
  assert.notDeepEqual(proto, seed);
  const ng = new Uint8Array(readFileSync(join(import.meta.dirname, '../traces/pipeline/sonos.pcapng')));
  assert.equal(layoutOf(ng)?.kind, 'pcapng');
  assert.equal(layoutOf(ng)?.records.length, 61); // capinfos -c
});

test('bounded fuzz run: every level, no internal error', { timeout: 120_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'bulwark-fuzz-test-'));
  try {
    const seeds = seedFiles(64 * 1024).filter((_, i) => i % 3 === 0).slice(0, 16);
    const run = await fuzzCaptures({ seeds, workDir: dir, seed: 11, maxCases: seeds.length * 4, maxPackets: Infinity });
    assert.equal(run.cases, seeds.length * 4);
    assert.ok(run.packets > 1000, `${run.packets} mutated packets`);
    assert.equal(run.internalErrors, 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
