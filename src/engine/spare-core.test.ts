// The default `--threads` starts a worker only when a core is idle: checked against the kernel's own accounting
// (cores kept busy by this test), never against a time.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Worker } from 'node:worker_threads';
import { availableParallelism, cpus } from 'node:os';
import { join } from 'node:path';
import { cpuSample, idleCoresSince, SPARE_CORE_MIN } from './spare-core.ts';
import { execFileSync } from 'node:child_process';

const root = join(import.meta.dirname, '../..');

/** A busy loop on every core until terminated. */
function busyEveryCore(): Worker[] {
  return Array.from({ length: availableParallelism() }, () => new Worker('for (;;) {}', { eval: true }));
}

test('idle cores are a share of the machine: between none and all of its CPUs; this process busy counts as idle', async () => {
  const from = cpuSample();
  await new Promise((resolve) => setTimeout(resolve, 60));
  const idle = idleCoresSince(from);
  assert.ok(idle >= 0 && idle <= cpus().length, `idle ${idle}`);
  // This thread spinning is this process's own use: counted back as idle, it does not make the machine look
  // busier to its own threads. The kernel's idle time alone (raw) drops by what the spin used.
  const before = cpuSample();
  const until = Date.now() + 200;
  while (Date.now() < until) { /* spin */ }
  const after = cpuSample();
  const sum = (a: number[]): number => a.reduce((x, y) => x + y, 0);
  const raw = ((sum(after.idle) - sum(before.idle)) / (sum(after.total) - sum(before.total))) * before.idle.length;
  const ownCores = (after.own - before.own) / 1000 / ((sum(after.total) - sum(before.total)) / before.idle.length);
  assert.ok(ownCores > 0.2, `the spin used ${ownCores} of a core`);
  assert.ok(Math.abs(idleCoresSince(before, after) - Math.min(cpus().length, raw + ownCores)) < 1e-9);
});

test('with every core busy there is no spare core, and the default run stays on one thread', async () => {
  const busy = busyEveryCore();
  try {
    // Let the loops start before sampling.
    await new Promise((resolve) => setTimeout(resolve, 200));
    // The spinning threads are this process's: the check is made in a child process, where they are another's.
    const out = execFileSync(process.execPath, ['-e', `import('${join(import.meta.dirname, 'spare-core.ts')}').then(async (m) => {
      const from = m.cpuSample(); await new Promise((r) => setTimeout(r, 150)); console.log(m.idleCoresSince(from), await m.spareCore()); })`], { encoding: 'utf8' });
    const [idle, spare] = out.trim().split(' ');
    assert.ok(Number(idle) < SPARE_CORE_MIN, `idle ${idle} cores while every core spins`);
    assert.equal(spare, 'false');
    // In this process the spinning threads are its own, so a run here would count them as idle: the default run is
    // checked in a child process too.
    const run = execFileSync(process.execPath, ['-e', `Promise.all([import('${join(import.meta.dirname, 'threaded-pipeline.ts')}'), import('${join(root, 'src/pipeline/site.ts')}')]).then(async ([t, s]) => {
      const p = new t.ThreadedPipeline({ site: new s.Site({ sensor: 'spare-core-test' }) }, { minBytes: 0, whenIdle: true });
      const summary = await p.run(['${join(root, 'samples/dlink-camera-setup.pcap')}']); console.log(p.threaded, summary.packets); })`], { encoding: 'utf8' });
    assert.equal(run.trim(), 'false 624', 'no worker on a busy machine; the run itself is whole (capinfos: 624 packets)');
  } finally {
    await Promise.all(busy.map((w) => w.terminate()));
  }
});
