/**
 * Cheap wake-ups for long polls: one timer per wait, woken early by `notify()` or an abort.
 * @module
 */

/** A set of parked waiters that `notify()` wakes all at once. */
export class Waiters {
  private readonly parked = new Set<() => void>();

  /** Number of parked waiters. */
  get size(): number {
    return this.parked.size;
  }

  /**
   * Resolves after `holdMs`, on the next `notify()`, or when `signal` aborts, whichever is
   * first. Never rejects.
   */
  wait(holdMs: number, signal?: AbortSignal): Promise<void> {
    return new Promise<void>((resolve) => {
      if (signal?.aborted || holdMs <= 0) {
        resolve();
        return;
      }
      const done = () => {
        clearTimeout(timer);
        this.parked.delete(done);
        signal?.removeEventListener("abort", done);
        resolve();
      };
      const timer = setTimeout(done, holdMs);
      this.parked.add(done);
      signal?.addEventListener("abort", done, { once: true });
    });
  }

  /** Wakes every parked waiter. */
  notify(): void {
    if (this.parked.size === 0) return;
    for (const done of [...this.parked]) done();
  }
}
