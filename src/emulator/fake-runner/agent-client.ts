/**
 * The fake runner's calls to the emulator's agent endpoints: every request has a timeout, and
 * failures (network errors, timeouts, 5xx) are retried with backoff only until the service has
 * given no usable answer for `unreachableMs`; then {@link UnreachableError}. So the fake runner
 * never waits forever on a service that went away. Node builtins only (see main.ts).
 * @module
 */
import type { FakeRunnerConfig } from "./jit.js";

/** Timing of {@link AgentClient}. */
export interface AgentClientOptions {
  /** Give up once the service has given no usable answer for this long. @default 30_000 */
  unreachableMs?: number;
  /** Timeout of one request, on top of a long poll's hold. @default 10_000 */
  requestTimeoutMs?: number;
}

/** An answer of the service (status below 500), body read in full. */
export interface AgentResponse {
  status: number;
  text: string;
}

/** The service could not be reached for too long; the message says where and since when. */
export class UnreachableError extends Error {
  override name = "UnreachableError";
}

const MAX_BACKOFF_MS = 2_000;

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function describe(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const cause = (err as { cause?: unknown }).cause;
  return cause instanceof Error ? `${err.message}: ${cause.message}` : err.message;
}

/** POSTs to the runner agent endpoints named in the JIT config. */
export class AgentClient {
  readonly #config: FakeRunnerConfig;
  readonly #unreachableMs: number;
  readonly #requestTimeoutMs: number;

  constructor(config: FakeRunnerConfig, options: AgentClientOptions = {}) {
    this.#config = config;
    this.#unreachableMs = options.unreachableMs ?? 30_000;
    this.#requestTimeoutMs = options.requestTimeoutMs ?? 10_000;
  }

  /**
   * POSTs `body` (JSON) to `path`; `holdMs` is how long the service may legitimately hold the
   * request (long poll). Resolves with the first answer below 500; rejects with
   * {@link UnreachableError} once nothing usable came back for `unreachableMs`.
   */
  async post(path: string, body?: unknown, holdMs = 0): Promise<AgentResponse> {
    const url = new URL(path, this.#config.agentUrl);
    let failingSince: number | undefined;
    for (let attempt = 0; ; attempt++) {
      const begun = Date.now();
      const timeoutMs = holdMs + this.#requestTimeoutMs;
      const controller = new AbortController();
      const timer = setTimeout(() => controller.abort(), timeoutMs);
      let failure: string;
      try {
        const init: RequestInit = {
          method: "POST",
          headers: {
            authorization: `Bearer ${this.#config.secret}`,
            "content-type": "application/json",
          },
          signal: controller.signal,
        };
        if (body !== undefined) init.body = JSON.stringify(body);
        const res = await fetch(url, init);
        const text = await res.text();
        if (res.status < 500) return { status: res.status, text };
        failure = `${res.status} ${text.slice(0, 200)}`;
      } catch (err) {
        failure = controller.signal.aborted ? `no answer within ${timeoutMs} ms` : describe(err);
      } finally {
        clearTimeout(timer);
      }
      // A long poll that fails may have been answered until just now: count from the failure.
      failingSince ??= holdMs > 0 ? Date.now() : begun;
      const silentMs = Date.now() - failingSince;
      if (silentMs >= this.#unreachableMs) {
        throw new UnreachableError(
          `cannot reach the service at ${url.origin} for ${Math.round(silentMs / 1000)} s ` +
            `(${attempt + 1} attempts, last: ${failure}); giving up`,
        );
      }
      const backoff = Math.min(MAX_BACKOFF_MS, 100 * 2 ** attempt);
      await delay(Math.min(backoff, this.#unreachableMs - silentMs));
    }
  }
}
