/**
 * A small concurrency limiter: at most `limit` tasks run at once, the rest wait in order.
 * @module
 */

/** Runs tasks with bounded concurrency. Safe to call from many places at once. */
export class Limiter {
  readonly #limit: number;
  #active = 0;
  readonly #queue: Array<() => void> = [];

  constructor(limit: number) {
    this.#limit = Math.max(1, Math.floor(limit));
  }

  /** Tasks currently running plus waiting. */
  get size(): number {
    return this.#active + this.#queue.length;
  }

  /** Runs `task` once a slot is free; resolves or rejects with its result. */
  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.#active >= this.#limit) {
      await new Promise<void>((resolve) => this.#queue.push(resolve));
    } else {
      this.#active++;
    }
    try {
      return await task();
    } finally {
      const next = this.#queue.shift();
      if (next) next();
      else this.#active--;
    }
  }
}
