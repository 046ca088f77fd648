/**
 * One scale set inside the daemon: scale set get-or-create, provider, autoscaler (reconciled at
 * start) and listener, with readiness/liveness and an orderly drain.
 * @module
 */
import { Autoscaler } from "../autoscaler/autoscaler.js";
import type { RunnerProvider } from "../autoscaler/provider.js";
import { ensureScaleSet } from "../autoscaler/scale-set.js";
import type { ScaleSetClient } from "../client/index.js";
import { Listener } from "../listener/listener.js";
import type { ListenerOptions } from "../listener/options.js";
import type { ListenerHealth, MessageIdStore, MetricsRecorder } from "../listener/types.js";
import { childLogger, type Logger } from "../util/logger.js";
import type { JobStarted } from "../wire/types.js";
import type { ScaleSetConfig } from "./config-schema.js";
import type { DaemonMetrics } from "./metrics.js";

/** Knobs mostly for tests and the demo; production uses the defaults. */
export interface RuntimeTuning {
  /** Provider list interval of the autoscaler. @default 3000 */
  pollIntervalMs?: number;
  /** Grace for a finished runner to exit. @default 60000 */
  exitGraceMs?: number;
  /** Extra listener options (backoff, timeouts). */
  listener?: Partial<Omit<ListenerOptions, "client" | "scaleSetId" | "maxRunners">>;
  /** Directory of the per-scale-set session-id files. @default ~/.scaleset/state */
  stateDir?: string;
  /** Observes every JobStarted the listener hands over (after metrics). */
  onJobStarted?: (job: JobStarted) => void;
}

/** Options of {@link ScaleSetRuntime}. */
export interface ScaleSetRuntimeOptions {
  config: ScaleSetConfig;
  /** The scale set's config URL, for its metrics labels. @default the metrics' own URL */
  configUrl?: string;
  client: ScaleSetClient;
  /**
   * The client serves other scale sets too (same URL and credentials), so its User-Agent does not
   * name this scale set's id. @default false
   */
  sharedClient?: boolean;
  provider: RunnerProvider;
  metrics: DaemonMetrics;
  logger: Logger;
  /**
   * Keeps the listener's session id across restarts, so a restart after a crash deletes the
   * session the previous run left open instead of waiting for it to expire.
   */
  store?: MessageIdStore | undefined;
  tuning?: RuntimeTuning | undefined;
}

const ALIVE_WINDOW_MS = 120_000;

/** Runs one scale set; `start()` then, on shutdown, `stop()`. */
export class ScaleSetRuntime {
  readonly config: ScaleSetConfig;
  readonly #o: ScaleSetRuntimeOptions;
  readonly #logger: Logger;
  readonly #listenerAbort = new AbortController();
  readonly #startedAt = Date.now();
  #scaleSetId: number | undefined;
  #autoscaler: Autoscaler | undefined;
  #listener: Listener | undefined;
  #listening: Promise<void> | undefined;
  #reconciled: boolean = false;

  constructor(options: ScaleSetRuntimeOptions) {
    this.config = options.config;
    this.#o = options;
    this.#logger = childLogger(options.logger, { scaleSet: options.config.name });
  }

  get scaleSetId(): number | undefined {
    return this.#scaleSetId;
  }

  get autoscaler(): Autoscaler | undefined {
    return this.#autoscaler;
  }

  get health(): ListenerHealth | undefined {
    return this.#listener?.health;
  }

  /** Reconciled, and the listener has an open session. */
  get ready(): boolean {
    const health = this.#listener?.health;
    return (
      this.#reconciled &&
      health?.sessionId !== undefined &&
      (health.state === "polling" || health.state === "handling")
    );
  }

  /** Polled within the last 2 minutes (or started less than 2 minutes ago). */
  get alive(): boolean {
    const last = this.#listener?.health.lastPollAt ?? this.#startedAt;
    return Date.now() - last < ALIVE_WINDOW_MS && this.#listener?.health.state !== "stopped";
  }

  /**
   * Gets or creates the scale set, reconciles runners, then starts listening. Resolves once
   * listening has begun; `listening` settles when the listener stops (rejects on config errors).
   */
  async start(signal: AbortSignal): Promise<void> {
    const { config, client, provider, metrics, tuning } = this.#o;
    const { scaleSet } = await ensureScaleSet(client, {
      name: config.name,
      runnerGroup: config.runnerGroup,
      labels: config.labels,
      logger: this.#logger,
      signal,
    });
    this.#scaleSetId = scaleSet.id;
    if (!this.#o.sharedClient)
      client.setSystemInfo({ ...client.systemInfo, scaleSetId: scaleSet.id });
    const hooks = metrics.forScaleSet(
      config.name,
      provider.name,
      config.minRunners,
      config.maxRunners,
      this.#o.configUrl,
    );
    const autoscaler = new Autoscaler({
      client,
      provider,
      scaleSetId: scaleSet.id,
      scaleSetName: config.name,
      labels: scaleSet.labels.map((l) => l.name),
      minRunners: config.minRunners,
      maxRunners: config.maxRunners,
      // The autoscaler adds the scaleSet field itself (the runtime's child logger would repeat it).
      logger: this.#o.logger,
      metrics: hooks.autoscaler,
      ...(tuning?.pollIntervalMs === undefined ? {} : { pollIntervalMs: tuning.pollIntervalMs }),
      ...(tuning?.exitGraceMs === undefined ? {} : { exitGraceMs: tuning.exitGraceMs }),
    });
    this.#autoscaler = autoscaler;
    await autoscaler.reconcile({ signal });
    autoscaler.start();
    this.#reconciled = true;
    this.#listener = new Listener({
      store: this.#o.store,
      ...tuning?.listener,
      client,
      scaleSetId: scaleSet.id,
      maxRunners: config.maxRunners,
      logger: this.#logger,
      metrics: withObserver(hooks.listener, tuning?.onJobStarted),
    });
    this.#listening = this.#listener.run(autoscaler, { signal: this.#listenerAbort.signal });
  }

  /** Settles when the listener stops; rejects on unrecoverable listener errors. */
  get listening(): Promise<void> {
    return this.#listening ?? new Promise<void>(() => {});
  }

  /**
   * Drains: no new runners (the autoscaler's target is 0), idle runners removed, busy ones waited
   * for up to `drainTimeoutMs`. The listener keeps its session meanwhile, so the JobCompleted of
   * every job that finishes during the drain is still received (and counted); it is stopped, and
   * its session deleted, once the drain is over. Optionally deletes the scale set.
   */
  async stop(options: { drainTimeoutMs: number; deleteScaleSet: boolean }): Promise<void> {
    const autoscaler = this.#autoscaler;
    const left = (await autoscaler?.drain({ timeoutMs: options.drainTimeoutMs })) ?? [];
    this.#listenerAbort.abort(new Error("shutting down"));
    await this.#listening?.catch(() => {});
    await autoscaler?.stop();
    if (options.deleteScaleSet && this.#scaleSetId !== undefined) {
      if (left.length > 0) {
        this.#logger.warn(
          { runners: left.length },
          "runners left; scale set kept despite --delete-on-exit",
        );
      } else {
        await this.#o.client.deleteRunnerScaleSet(this.#scaleSetId);
        this.#logger.info({ scaleSetId: this.#scaleSetId }, "deleted scale set");
      }
    }
  }
}

function withObserver(
  recorder: MetricsRecorder,
  onJobStarted: ((job: JobStarted) => void) | undefined,
): MetricsRecorder {
  if (!onJobStarted) return recorder;
  return {
    ...recorder,
    recordJobStarted: (job) => {
      recorder.recordJobStarted?.(job);
      onJobStarted(job);
    },
  };
}
