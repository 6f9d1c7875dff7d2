// The default `--threads` starts a worker only when a core is idle: checked against the kernel's own accounting
// (cores kept busy by this test), never against a time.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Worker } from 'node:worker_threads';
import { availableParallelism, cpus } from 'node:os';
import { join } from 'node:path';
import { idleCores, SPARE_CORE_MIN, spareCore } from './spare-core.ts';
import { ThreadedPipeline } from './threaded-pipeline.ts';
import { Site } from '../pipeline/site.ts';

const root = join(import.meta.dirname, '../..');

/** A busy loop on every core until terminated. */
function busyEveryCore(): Worker[] {
  return Array.from({ length: availableParallelism() }, () => new Worker('for (;;) {}', { eval: true }));
}

test('idle cores are a share of the machine: between none and all of its CPUs', async () => {
  const idle = await idleCores(50);
  assert.ok(idle >= 0 && idle <= cpus().length, `idle ${idle}`);
});

test('with every core busy there is no spare core, and the default run stays on one thread', async () => {
  const busy = busyEveryCore();
  try {
    // Let the loops start before sampling.
    await new Promise((resolve) => setTimeout(resolve, 200));
    const idle = await idleCores();
    assert.ok(idle < SPARE_CORE_MIN, `idle ${idle} cores while every core spins`);
    assert.equal(await spareCore(), false);
    const pipeline = new ThreadedPipeline({ site: new Site({ sensor: 'spare-core-test' }) }, { minBytes: 0, whenIdle: true });
    const summary = await pipeline.run([join(root, 'samples/dlink-camera-setup.pcap')]);
    assert.equal(pipeline.threaded, false, 'no worker on a busy machine');
    assert.equal(summary.packets, 624, 'the run itself is whole (capinfos: 624 packets)');
  } finally {
    await Promise.all(busy.map((w) => w.terminate()));
  }
});
