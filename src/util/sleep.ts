/**
 * Abortable delay on global `setTimeout` (so vitest fake timers drive it).
 * @module
 */

/** Options for {@link sleep}. */
export interface SleepOptions {
  signal?: AbortSignal | undefined;
  /** Do not keep the process alive for this timer. @default false */
  unref?: boolean;
}

/**
 * Resolves after `ms` milliseconds; rejects with `signal.reason` as soon as the signal aborts
 * (at once if it already has).
 */
export function sleep(ms: number, options: SleepOptions = {}): Promise<void> {
  const { signal, unref = false } = options;
  return new Promise<void>((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(
      () => {
        signal?.removeEventListener("abort", onAbort);
        resolve();
      },
      Math.max(0, ms),
    );
    if (unref) timer.unref?.();
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
