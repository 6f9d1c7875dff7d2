/**
 * Whether a second thread would find a core of its own (`--threads` left to its default): the kernel's per-CPU
 * times sampled over a short interval, as `make -l` looks at the load before starting more jobs. A second thread
 * pays only when a core is idle: on a machine whose cores are busy with other work, Linux shares CPU between
 * processes, not threads, so a second thread gets no more CPU and its extra work (the records crossing between
 * the threads) shows in full (README, "Threads, start-up and folders of captures").
 * @module
 */
import { availableParallelism, cpus } from 'node:os';

/** Idle share of the machine over `ms` milliseconds, in cores (0 .. number of CPUs). */
export async function idleCores(ms = 100): Promise<number> {
  const before = cpus();
  await new Promise((resolve) => setTimeout(resolve, ms));
  const after = cpus();
  let idle = 0;
  let total = 0;
  const n = Math.min(before.length, after.length);
  for (let i = 0; i < n; i++) {
    const a = before[i].times, b = after[i].times;
    idle += b.idle - a.idle;
    total += b.user - a.user + (b.nice - a.nice) + (b.sys - a.sys) + (b.idle - a.idle) + (b.irq - a.irq);
  }
  return total > 0 ? (idle / total) * n : 0;
}

/** Least idle cores, over the sample, for a second thread to be worth starting. */
export const SPARE_CORE_MIN = 0.8;

/** Whether this process may use a second core: more than one is available to it and one is idle now. */
export async function spareCore(): Promise<boolean> {
  if (availableParallelism() < 2) return false;
  return (await idleCores()) >= SPARE_CORE_MIN;
}
