/**
 * One retry helper for the whole project, with p-retry's option names plus units.
 * @module
 */
import { sleep } from "./sleep.js";

/** Context handed to `shouldRetry`, `onRetry` and `delayMs`. */
export interface RetryContext {
  error: unknown;
  /** 1-based number of the attempt that just failed. */
  attempt: number;
  /** Retries left after this one. */
  retriesLeft: number;
}

/** Options for {@link retry}. */
export interface RetryOptions {
  /** Retries after the first attempt. @default 4 */
  retries?: number;
  /** First backoff delay. @default 1000 */
  minDelayMs?: number;
  /** Cap on the computed backoff delay. @default 30000 */
  maxDelayMs?: number;
  /** Backoff growth factor. @default 2 */
  factor?: number;
  /** Randomise each delay within [delay/2, delay]. @default false */
  jitter?: boolean;
  /** Whether a failure is retried. @default every error */
  shouldRetry?: (ctx: RetryContext) => boolean;
  /** Overrides the computed delay for one retry (e.g. `Retry-After`); undefined keeps it. */
  delayMs?: (ctx: RetryContext) => number | undefined;
  /** Called before waiting for the next attempt. */
  onRetry?: (ctx: RetryContext & { delayMs: number }) => void;
  signal?: AbortSignal | undefined;
}

/** The delay before retry number `retryIndex` (0-based): min(min × factor^n, max), optionally jittered. */
export function backoffDelayMs(
  retryIndex: number,
  options: Pick<RetryOptions, "minDelayMs" | "maxDelayMs" | "factor" | "jitter"> = {},
): number {
  const { minDelayMs = 1000, maxDelayMs = 30_000, factor = 2, jitter = false } = options;
  const raw = Math.min(maxDelayMs, minDelayMs * factor ** retryIndex);
  return jitter ? raw / 2 + Math.random() * (raw / 2) : raw;
}

/**
 * Runs `fn` until it succeeds, `shouldRetry` says no, retries run out (the last error is thrown)
 * or the signal aborts (its reason is thrown, also during a wait).
 */
export async function retry<T>(
  fn: (attempt: number) => Promise<T>,
  options: RetryOptions = {},
): Promise<T> {
  const { retries = 4, signal } = options;
  for (let attempt = 1; ; attempt++) {
    if (signal?.aborted) throw signal.reason;
    try {
      return await fn(attempt);
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      const ctx: RetryContext = { error, attempt, retriesLeft: retries - attempt + 1 };
      if (ctx.retriesLeft <= 0 || (options.shouldRetry && !options.shouldRetry(ctx))) throw error;
      const delayMs = options.delayMs?.(ctx) ?? backoffDelayMs(attempt - 1, options);
      options.onRetry?.({ ...ctx, delayMs });
      await sleep(delayMs, { signal });
    }
  }
}
