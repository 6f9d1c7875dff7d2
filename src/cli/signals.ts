/**
 * Stop a live run on SIGINT or SIGTERM: the first signal aborts (the run then writes its outputs), a second
 * one exits at once.
 * @module
 */

export interface StopSignal {
  signal: AbortSignal;
  dispose(): void;
}

export function stopOnSignals(onStop?: (name: string) => void): StopSignal {
  const controller = new AbortController();
  const handler = (name: NodeJS.Signals): void => {
    if (controller.signal.aborted) process.exit(130);
    onStop?.(name);
    controller.abort();
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return {
    signal: controller.signal,
    dispose: () => {
      process.off('SIGINT', handler);
      process.off('SIGTERM', handler);
    },
  };
}
