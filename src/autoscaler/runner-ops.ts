/**
 * The two runner operations the autoscaler performs: start (JIT config + provider start) and
 * remove (service, then provider), each updating the runner book.
 * @module
 */
import { childSignal } from "../util/abort.js";
import type { Logger } from "../util/logger.js";
import { errorText, hasCode } from "./errors.js";
import type { ProviderContext, RunnerProvider } from "./provider.js";
import type { RunnerBook, RunnerEntry } from "./runner-book.js";
import type { AutoscalerClient, AutoscalerMetrics } from "./types.js";

const DEAD_RETRY_MAX_MS = 30_000;

/** Why a runner is removed; only scale-down and drain keep a runner that turns out busy. */
export type RemoveReason =
  | "scale-down"
  | "drain"
  | "exited"
  | "finished"
  | "grace"
  | "stale"
  | "retry";

/** Options of {@link RunnerOps}. */
export interface RunnerOpsOptions {
  client: AutoscalerClient;
  provider: RunnerProvider;
  book: RunnerBook;
  scaleSetId: number;
  labels: string[];
  callTimeoutMs: number;
  logger: Logger;
  metrics: AutoscalerMetrics;
  /** Aborts in-flight starts when the autoscaler stops. */
  stopSignal: AbortSignal;
  /** Called after every state change. */
  onChange: () => void;
  /** Called when a runner has left the book for good. */
  onRemoved: (name: string) => void;
}

/** Performs runner starts and removals; the autoscaler decides when. */
export class RunnerOps {
  readonly #o: RunnerOpsOptions;

  constructor(options: RunnerOpsOptions) {
    this.#o = options;
  }

  /** Provider call context with the autoscaler's logger. */
  ctx(signal: AbortSignal | undefined): ProviderContext {
    return { signal, logger: this.#o.logger };
  }

  /**
   * Generates a JIT config and starts the runner. Resolves true once launched; on failure the
   * runner is cleaned up on both sides and false is returned (never throws).
   */
  async start(entry: RunnerEntry): Promise<boolean> {
    const { client, provider, book, logger, metrics } = this.#o;
    const child = childSignal(this.#o.stopSignal, this.#o.callTimeoutMs);
    let step: "jit" | "start" = "jit";
    try {
      const jit = await client.generateJitRunnerConfig(
        this.#o.scaleSetId,
        { name: entry.name },
        { signal: child.signal },
      );
      entry.id = jit.runner.id;
      step = "start";
      await provider.start(
        {
          name: entry.name,
          jitConfig: jit.encodedJITConfig,
          scaleSetId: this.#o.scaleSetId,
          labels: this.#o.labels,
        },
        this.ctx(child.signal),
      );
      if (entry.state === "starting") book.setState(entry, "idle");
      entry.launchedAt = Date.now();
      entry.op = false;
      const latencyMs = Date.now() - entry.requestedAt;
      metrics.recordRunnerStarted?.(latencyMs);
      logger.info({ runner: entry.name, runnerId: entry.id, latencyMs }, "runner started");
      return true;
    } catch (err) {
      metrics.recordProviderError?.(step);
      logger.warn({ runner: entry.name, step, err: errorText(err) }, "runner start failed");
      entry.serviceGone = entry.id === undefined;
      book.setState(entry, "removing");
      entry.op = false;
      await this.remove(entry, "stale");
      return false;
    } finally {
      child.dispose();
      this.#o.onChange();
    }
  }

  /**
   * Removes a runner from the service, then from the provider. A runner the service reports as
   * running a job is kept (state `busy`) when removed for scale-down or drain; a runner that has
   * exited but that the service will not yet let go becomes `dead` and is retried. Returns true
   * when the runner is gone from the book. Never throws.
   */
  async remove(entry: RunnerEntry, reason: RemoveReason): Promise<boolean> {
    const { client, provider, book, logger, metrics } = this.#o;
    if (entry.op) return false;
    entry.op = true;
    if (entry.state !== "dead") book.setState(entry, "removing");
    this.#o.onChange();
    const child = childSignal(undefined, this.#o.callTimeoutMs);
    try {
      let busy = false;
      if (!entry.serviceGone && entry.id !== undefined) {
        try {
          await client.removeRunner(entry.id, { signal: child.signal });
          entry.serviceGone = true;
        } catch (err) {
          if (hasCode(err, "RUNNER_NOT_FOUND")) entry.serviceGone = true;
          else if (hasCode(err, "JOB_STILL_RUNNING")) busy = true;
          else {
            metrics.recordProviderError?.("remove-runner");
            logger.warn(
              { runner: entry.name, err: errorText(err) },
              "removing runner from service failed",
            );
          }
        }
      } else {
        entry.serviceGone = true;
      }
      if (busy && (reason === "scale-down" || reason === "drain")) {
        book.setState(entry, "busy");
        logger.info({ runner: entry.name }, "runner took a job meanwhile; kept");
        return false;
      }
      if (!entry.providerGone) {
        await provider.remove(entry.name, this.ctx(child.signal));
        entry.providerGone = true;
      }
      if (!entry.serviceGone) {
        // The service refuses while it counts the job as running; it fails the job (and
        // removes the runner itself) once the runner stops renewing its job lock. Retry with
        // backoff; the job's JobCompleted triggers a retry at once.
        if (entry.state !== "dead") entry.deadRetries = 0;
        book.setState(entry, "dead");
        entry.retryAt = Date.now() + Math.min(DEAD_RETRY_MAX_MS, 1_000 * 2 ** entry.deadRetries);
        entry.deadRetries++;
        return false;
      }
      book.delete(entry.name);
      this.#o.onRemoved(entry.name);
      logger.info({ runner: entry.name, reason }, "runner removed");
      return true;
    } catch (err) {
      metrics.recordProviderError?.("remove");
      logger.warn({ runner: entry.name, reason, err: errorText(err) }, "removing runner failed");
      return false;
    } finally {
      child.dispose();
      entry.op = false;
      this.#o.onChange();
    }
  }
}
