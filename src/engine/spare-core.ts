/**
 * Whether a second thread would find a core of its own (`--threads` left to its default): the kernel's per-CPU
 * times sampled over a short interval, as `make -l` looks at the load before starting more jobs. A second thread
 * pays only when a core is idle: on a machine whose cores are busy with other work, Linux shares CPU between
 * processes, not threads, so a second thread gets no more CPU and its extra work (the records crossing between
 * the threads) shows in full (README, "Threads, start-up and folders of captures").
 * @module
 */
import { availableParallelism, cpus } from 'node:os';

/** The machine's CPU times and this process's at one moment: the start of a sample. */
export interface CpuSample {
  at: number;
  /** Per CPU: idle and total milliseconds since boot. */
  idle: number[];
  total: number[];
  /** This process's CPU (all its threads), microseconds. */
  own: number;
}

/**
 * Monotonic milliseconds. Not `performance.now()`: the first read of that global loads perf_hooks and ten modules
 * behind it, and every analyze run takes a sample as it starts.
 */
const nowMs = (): number => Number(process.hrtime.bigint()) / 1e6;

export function cpuSample(): CpuSample {
  const idle: number[] = [];
  const total: number[] = [];
  for (const c of cpus()) {
    const t = c.times;
    idle.push(t.idle);
    total.push(t.user + t.nice + t.sys + t.idle + t.irq);
  }
  const own = process.cpuUsage();
  return { at: nowMs(), idle, total, own: own.user + own.system };
}

/**
 * Cores that other processes left idle since `from`, counting this process's own CPU as idle (its threads are
 * what the answer is for): 0 .. number of CPUs.
 */
export function idleCoresSince(from: CpuSample, to: CpuSample = cpuSample()): number {
  const n = Math.min(from.idle.length, to.idle.length);
  let idle = 0;
  let total = 0;
  for (let i = 0; i < n; i++) {
    idle += to.idle[i] - from.idle[i];
    total += to.total[i] - from.total[i];
  }
  if (total <= 0) return 0;
  const wallMs = total / n;
  const ownCores = wallMs > 0 ? (to.own - from.own) / 1000 / wallMs : 0;
  return Math.min(n, (idle / total) * n + ownCores);
}

/** Least idle cores, over the sample, for a second thread to be worth starting. */
export const SPARE_CORE_MIN = 1.8;
/** Shortest sample: the kernel counts CPU time in ticks of 10 ms, so 60 ms gives each CPU six. */
export const SAMPLE_MS = 60;

/**
 * Whether this process may use a second core: more than one is available to it, and over the sample from `from`
 * (at least SAMPLE_MS, waited for when shorter) other processes left two cores nearly idle — one for each thread.
 */
export async function spareCore(from: CpuSample = cpuSample()): Promise<boolean> {
  if (availableParallelism() < 2) return false;
  const left = SAMPLE_MS - (nowMs() - from.at);
  if (left > 0) await new Promise((resolve) => setTimeout(resolve, left));
  return idleCoresSince(from) >= SPARE_CORE_MIN;
}
