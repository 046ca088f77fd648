/**
 * The autoscaler: implements the listener's `Scaler` on top of a `RunnerProvider`.
 * @module
 */
import type { Scaler, ScalerContext } from "../listener/types.js";
import { childLogger, type Logger, silentLogger } from "../util/logger.js";
import { sleep } from "../util/sleep.js";
import type { JobCompleted, JobStarted } from "../wire/types.js";
import { errorText } from "./errors.js";
import { Limiter } from "./limiter.js";
import type { ProvisionedRunner, RunnerProvider } from "./provider.js";
import { RunnerBook, type RunnerEntry } from "./runner-book.js";
import { runnerName } from "./runner-name.js";
import { type RemoveReason, RunnerOps } from "./runner-ops.js";
import type {
  AutoscalerClient,
  AutoscalerCounts,
  AutoscalerMetrics,
  AutoscalerOptions,
  RunnerInfo,
} from "./types.js";

/**
 * How long a drain waits for the JobCompleted of a runner that exited after its job (the listener
 * may be gone, e.g. after an unrecoverable error; the completion then never arrives).
 */
const DRAIN_COMPLETION_WAIT_MS = 10_000;

/**
 * Default of `earlyExitMs`: a runner that exits without a job this soon after its launch failed to
 * start (bad runner dir, registration refused, crash), and its replacement waits out the backoff.
 */
export const EARLY_EXIT_MS = 30_000;

/** Start backoff after `failures` failures in a row: 500 ms doubling up to 30 s. */
function backoffMs(failures: number): number {
  return Math.min(30_000, 250 * 2 ** Math.min(failures, 7));
}

/** Totals since the autoscaler was created. */
export interface AutoscalerTotals {
  started: number;
  removed: number;
  failedStarts: number;
  /** Runners that exited before taking a job within `earlyExitMs` of their launch. */
  earlyExits: number;
}

/**
 * Keeps `min(maxRunners, minRunners + assigned jobs)` runners up: starts missing ones with fresh
 * JIT configs (bounded concurrency), tracks idle → busy → done from job messages, removes a runner
 * once its job is done and it has exited, replaces runners that die, removes idle runners on
 * scale-down and never a busy one. Call {@link reconcile} before listening, {@link start} to watch
 * the provider, {@link drain} then {@link stop} on shutdown.
 */
export class Autoscaler implements Scaler {
  readonly #client: AutoscalerClient;
  readonly #provider: RunnerProvider;
  readonly #ops: RunnerOps;
  readonly #scaleSetId: number;
  readonly #scaleSetName: string;
  readonly #minRunners: number;
  #maxRunners: number;
  readonly #pollIntervalMs: number;
  readonly #startWaitMs: number;
  readonly #exitGraceMs: number;
  readonly #earlyExitMs: number;
  readonly #logger: Logger;
  readonly #metrics: AutoscalerMetrics;
  readonly #limiter: Limiter;
  readonly #concurrency: number;
  /**
   * Runners waiting for a start slot, oldest first (already `starting` in the book). A burst of
   * thousands queues entries here instead of building a task per runner up front, which held
   * the first JIT config request back for as long as that took.
   */
  #startQueue: RunnerEntry[] = [];
  #startQueueHead = 0;
  #startsRunning = 0;
  #startsIdleWaiters: Array<() => void> = [];
  readonly #book = new RunnerBook();
  readonly #inFlight = new Set<Promise<void>>();
  readonly #stopController = new AbortController();
  readonly #totals: AutoscalerTotals = { started: 0, removed: 0, failedStarts: 0, earlyExits: 0 };
  #assigned = 0;
  #draining: boolean = false;
  /** Provider/JIT start failures in a row (reset by a successful launch). */
  #failures = 0;
  /** Runners in a row that exited early without a job (reset when a runner takes a job). */
  #earlyExits = 0;
  #backoffUntil = 0;
  #tickPromise: Promise<void> | undefined;
  #monitor: Promise<void> | undefined;
  #unsubscribe: (() => void) | undefined;
  #tickAgain: boolean = false;
  /**
   * Runners that exited with code 0 while busy before their JobCompleted arrived, with the time:
   * their job is most likely done, so they hold their slot (no replacement is started for a job
   * the next statistics will no longer count) until the JobCompleted arrives or `exitGraceMs`
   * passes, and a drain waits for that JobCompleted too.
   */
  readonly #awaitingCompletion = new Map<string, number>();
  /** Names removed lately with the time, so a list taken before the removal does not revive them. */
  readonly #recentlyRemoved = new Map<string, number>();

  constructor(options: AutoscalerOptions) {
    this.#client = options.client;
    this.#provider = options.provider;
    this.#scaleSetId = options.scaleSetId;
    this.#scaleSetName = options.scaleSetName;
    this.#minRunners = options.minRunners ?? 0;
    this.#maxRunners = options.maxRunners ?? 2_147_483_647;
    this.#pollIntervalMs = options.pollIntervalMs ?? 3000;
    this.#startWaitMs = options.startWaitMs ?? 250;
    this.#exitGraceMs = options.exitGraceMs ?? 60_000;
    this.#earlyExitMs = options.earlyExitMs ?? EARLY_EXIT_MS;
    this.#logger = childLogger(options.logger ?? silentLogger, { scaleSet: options.scaleSetName });
    this.#metrics = options.metrics ?? {};
    this.#concurrency = Math.max(1, Math.floor(options.concurrency ?? 16));
    this.#limiter = new Limiter(this.#concurrency);
    this.#ops = new RunnerOps({
      client: this.#client,
      provider: this.#provider,
      book: this.#book,
      scaleSetId: this.#scaleSetId,
      labels: options.labels ?? [],
      callTimeoutMs: options.callTimeoutMs ?? 120_000,
      logger: this.#logger,
      metrics: this.#metrics,
      stopSignal: this.#stopController.signal,
      onChange: () => this.#changed(),
      onRemoved: (name) => this.#recentlyRemoved.set(name, Date.now()),
    });
    if (this.#minRunners < 0 || this.#maxRunners < this.#minRunners) {
      throw new RangeError(`minRunners ${this.#minRunners} must be within 0..${this.#maxRunners}`);
    }
  }

  /** The runner count wanted now: `min(maxRunners, minRunners + assigned)`, 0 while draining. */
  get target(): number {
    return this.#draining ? 0 : Math.min(this.#maxRunners, this.#minRunners + this.#assigned);
  }

  /** True once {@link drain} has been called. */
  get draining(): boolean {
    return this.#draining;
  }

  /** Changes the maximum (e.g. on config reload) and rescales. */
  setMaxRunners(maxRunners: number): void {
    this.#maxRunners = Math.max(this.#minRunners, maxRunners);
    void this.#scale();
  }

  /** Snapshot of every tracked runner. */
  runners(): RunnerInfo[] {
    return this.#book.list();
  }

  /** Runner counts by state with the current target. */
  counts(): AutoscalerCounts {
    return this.#book.counts(this.target, this.#assigned);
  }

  /** Runners started, removed and failed starts since creation. */
  totals(): AutoscalerTotals {
    return { ...this.#totals };
  }

  /**
   * Scaler callback: remembers the assigned count and rescales; returns the target once the
   * starts it began are done or `startWaitMs` has passed (they go on in the background).
   */
  async handleDesiredRunnerCount(count: number, ctx?: ScalerContext): Promise<number> {
    this.#assigned = Math.max(0, count);
    const began = this.#scale();
    if (began && this.#startWaitMs > 0) {
      // Letting the listener ack and re-poll while the JIT config requests are in flight puts
      // those requests behind two others on the same connection (bench/: reaction latency).
      await settledWithin(this.#startsIdle(), this.#startWaitMs, ctx?.signal);
    }
    return this.target;
  }

  /** Scaler callback: marks the runner busy; unknown names are logged, never thrown. */
  async handleJobStarted(job: JobStarted, _ctx?: ScalerContext): Promise<void> {
    const entry = this.#book.get(job.runnerName);
    if (!entry) {
      this.#logger.warn(
        { runner: job.runnerName, jobId: job.jobId },
        "job started on unknown runner",
      );
      return;
    }
    entry.jobId = job.jobId;
    if (entry.id === undefined && job.runnerId) entry.id = job.runnerId;
    if (entry.state === "starting" || entry.state === "idle") this.#book.setState(entry, "busy");
    this.#earlyExits = 0; // runners can take jobs: early exits were not a crash loop
    this.#logger.debug({ runner: entry.name, jobId: job.jobId }, "runner busy");
    this.#changed();
  }

  /** Scaler callback: marks the runner done; it is removed once it has exited. */
  async handleJobCompleted(job: JobCompleted, _ctx?: ScalerContext): Promise<void> {
    if (!job.runnerName) return; // canceled before any runner took it (spec §8.6)
    const awaited = this.#awaitingCompletion.delete(job.runnerName);
    const entry = this.#book.get(job.runnerName);
    if (!entry && awaited) {
      this.#logger.debug(
        { runner: job.runnerName, jobId: job.jobId, result: job.result },
        "job completed after its runner exited",
      );
      this.#changed();
      return;
    }
    if (!entry) {
      this.#logger.info(
        { runner: job.runnerName, jobId: job.jobId },
        "job completed on unknown runner",
      );
      return;
    }
    entry.jobId = job.jobId;
    if (entry.state === "dead") {
      // The service let go of the job (failed it when the runner died): it lets go of the
      // runner too, or has removed it already (RUNNER_NOT_FOUND counts as removed).
      entry.retryAt = 0;
      this.#requestTick();
    } else if (entry.state !== "removing") this.#book.setState(entry, "done");
    this.#logger.debug(
      { runner: entry.name, jobId: job.jobId, result: job.result },
      "job completed",
    );
    this.#changed();
  }

  /**
   * Startup reconciliation: lists what the provider has for the scale set, adopts runners the
   * service still knows and that still run, removes the rest from both sides.
   * Client errors propagate (after the client's own retries).
   */
  async reconcile(
    options: { signal?: AbortSignal } = {},
  ): Promise<{ adopted: number; removed: number }> {
    const listed = await this.#provider.list(this.#scaleSetId, this.#ops.ctx(options.signal));
    let adopted = 0;
    const stale: RunnerEntry[] = [];
    await Promise.all(
      listed.map((found) =>
        this.#limiter.run(async () => {
          const ref = await this.#client.getRunnerByName(found.name, { signal: options.signal });
          const known = ref !== undefined && ref.runnerScaleSetId === this.#scaleSetId;
          if (known && found.state === "running") {
            this.#book.add(found.name, "idle", {
              id: ref.id,
              adopted: true,
              launchedAt: Date.now(),
            });
            adopted++;
          } else {
            stale.push(
              this.#book.add(found.name, "removing", {
                id: known ? ref.id : undefined,
                serviceGone: !known,
              }),
            );
          }
        }),
      ),
    );
    await Promise.all(stale.map((entry) => this.#ops.remove(entry, "stale")));
    this.#logger.info({ adopted, removed: stale.length }, "reconciled runners");
    this.#changed();
    return { adopted, removed: stale.length };
  }

  /** Starts watching the provider every `pollIntervalMs` for runners that exited. Idempotent. */
  start(): void {
    if (this.#monitor !== undefined) return;
    const signal = this.#stopController.signal;
    this.#unsubscribe = this.#provider.onRunnerExit?.(() => this.#requestTick());
    this.#monitor = (async () => {
      while (!signal.aborted) {
        await this.#tick();
        await sleep(this.#pollIntervalMs, { signal }).catch(() => {});
      }
    })();
  }

  /**
   * Stops taking new work, removes idle runners and waits for busy ones to finish and exit, up to
   * `timeoutMs`. Resolves with the runners still left (busy runners are never forced).
   */
  async drain(options: { timeoutMs: number; signal?: AbortSignal }): Promise<RunnerInfo[]> {
    this.#draining = true;
    this.#dropQueuedStarts();
    const deadline = Date.now() + options.timeoutMs;
    this.#logger.info({ runners: this.#book.size, timeoutMs: options.timeoutMs }, "draining");
    while (!options.signal?.aborted) {
      for (const entry of this.#book.entries()) {
        if (entry.state === "idle" && !entry.op) this.#removeLater(entry, "drain");
      }
      await this.settled();
      await this.#tick();
      await this.settled();
      // Dead runners have nothing left at the provider; only the service can release them.
      // Runners that exited after their job are gone, but their JobCompleted is still awaited
      // (the listener keeps running during a drain, so it is received and counted).
      const waiting =
        this.#book.entries().some((e) => e.state !== "dead") || this.#awaitsCompletion();
      if (!waiting || Date.now() >= deadline) break;
      await sleep(Math.min(this.#pollIntervalMs, 250, Math.max(0, deadline - Date.now())), {
        signal: options.signal,
      }).catch(() => {});
    }
    const left = this.#book.list();
    if (left.length > 0)
      this.#logger.warn({ runners: left.map((r) => r.name) }, "drain left runners");
    else this.#logger.info({}, "drained");
    return left;
  }

  /** Waits until no runner start or removal is in flight. */
  async settled(): Promise<void> {
    while (this.#inFlight.size > 0) await Promise.allSettled([...this.#inFlight]);
  }

  /** Stops the provider watch and waits for in-flight operations. Runners are left as they are. */
  async stop(): Promise<void> {
    this.#draining = true;
    this.#dropQueuedStarts();
    this.#stopController.abort(new Error("autoscaler stopped"));
    this.#unsubscribe?.();
    await this.#monitor;
    await this.settled();
  }

  /** Starts or removes runners to meet the target; true when it queued starts. */
  #scale(): boolean {
    if (this.#draining) return false;
    let began = false;
    const counts = this.counts();
    const live = counts.starting + counts.idle + counts.busy;
    // Finished runners still exiting and runners being removed hold their slot until they are
    // gone, so the provider never runs more than maxRunners at once.
    const deficit =
      counts.target - live - counts.removing - counts.done - this.#heldForCompletion();
    if (deficit > 0 && Date.now() >= this.#backoffUntil) {
      this.#logger.debug({ target: counts.target, live, starting: deficit }, "scaling up");
      for (let i = 0; i < deficit; i++) {
        this.#startQueue.push(
          this.#book.add(runnerName(this.#scaleSetName), "starting", { op: true }),
        );
      }
      began = true;
      this.#changed();
      this.#pumpStarts();
    }
    const excess = live - counts.target;
    if (excess > 0) {
      const idle = this.#book
        .entries()
        .filter((e) => e.state === "idle" && !e.op)
        .sort((a, b) => b.since - a.since)
        .slice(0, excess);
      for (const entry of idle) this.#removeLater(entry, "scale-down");
    }
    return began;
  }

  /** Runners gone after their job whose JobCompleted is still awaited (see #awaitingCompletion). */
  #heldForCompletion(): number {
    let held = 0;
    for (const name of this.#awaitingCompletion.keys()) if (!this.#book.has(name)) held++;
    return held;
  }

  /** A runner exited after its job lately and its JobCompleted has not arrived (drain waits). */
  #awaitsCompletion(): boolean {
    const since = Date.now() - DRAIN_COMPLETION_WAIT_MS;
    for (const at of this.#awaitingCompletion.values()) if (at > since) return true;
    return false;
  }

  /** Starts queued runners while fewer than `concurrency` starts are running. */
  #pumpStarts(): void {
    while (this.#startsRunning < this.#concurrency) {
      const entry = this.#startQueue[this.#startQueueHead];
      if (entry === undefined) break;
      this.#startQueueHead++;
      this.#startsRunning++;
      void this.#track(
        this.#startOne(entry).finally(() => {
          this.#startsRunning--;
          this.#pumpStarts();
        }),
      );
    }
    if (this.#startQueueHead >= this.#startQueue.length) {
      this.#startQueue = [];
      this.#startQueueHead = 0;
      if (this.#startsRunning === 0) {
        for (const resolve of this.#startsIdleWaiters.splice(0)) resolve();
      }
    }
  }

  /** Resolves once no start is queued or running. */
  #startsIdle(): Promise<void> {
    if (this.#startsRunning === 0 && this.#startQueueHead >= this.#startQueue.length) {
      return Promise.resolve();
    }
    return new Promise((resolve) => this.#startsIdleWaiters.push(resolve));
  }

  /** Forgets runners still waiting for a start slot (draining or stopping). */
  #dropQueuedStarts(): void {
    const queued = this.#startQueue.slice(this.#startQueueHead);
    if (queued.length === 0) return;
    for (const entry of queued) {
      if (this.#book.get(entry.name) === entry) this.#book.delete(entry.name);
    }
    this.#startQueue = [];
    this.#startQueueHead = 0;
    this.#changed();
    this.#pumpStarts();
  }

  async #startOne(entry: RunnerEntry): Promise<void> {
    if (this.#draining) {
      this.#book.delete(entry.name);
      this.#changed();
      return;
    }
    if (await this.#ops.start(entry)) {
      this.#failures = 0;
      this.#totals.started++;
    } else {
      this.#totals.failedStarts++;
      this.#failures++;
      this.#backOff();
    }
  }

  /** Holds new starts back for the backoff of the failures so far; returns its length. */
  #backOff(): number {
    const ms = backoffMs(this.#failures + this.#earlyExits);
    this.#backoffUntil = Date.now() + ms;
    return ms;
  }

  /** One provider check: removes finished and dead runners and strangers, then rescales. */
  #tick(): Promise<void> {
    this.#tickPromise ??= this.#check().finally(() => {
      this.#tickPromise = undefined;
      if (this.#tickAgain) this.#requestTick();
    });
    return this.#tickPromise;
  }

  /** A check soon: now, or right after the one in flight (which may have listed too early). */
  #requestTick(): void {
    if (this.#stopController.signal.aborted) return;
    if (this.#tickPromise !== undefined) {
      this.#tickAgain = true;
      return;
    }
    this.#tickAgain = false;
    void this.#tick();
  }

  async #check(): Promise<void> {
    let listed: ProvisionedRunner[];
    const listedAt = Date.now();
    try {
      listed = await this.#provider.list(this.#scaleSetId, this.#ops.ctx(undefined));
    } catch (err) {
      this.#metrics.recordProviderError?.("list");
      this.#logger.warn({ err: errorText(err) }, "listing runners failed");
      return;
    }
    const byName = new Map(listed.map((r) => [r.name, r]));
    const now = Date.now();
    for (const entry of this.#book.entries()) {
      // A runner launched after the list call began may simply not be in it yet.
      if (entry.op || entry.state === "starting" || entry.launchedAt >= listedAt) continue;
      const found = byName.get(entry.name);
      const exited = found === undefined || found.state === "exited";
      if (entry.state === "dead") {
        if (now >= entry.retryAt) this.#removeLater(entry, "retry");
      } else if (entry.state === "removing") {
        this.#removeLater(entry, "retry");
      } else if (entry.state === "done") {
        if (exited) this.#removeLater(entry, "finished");
        else if (now - entry.since > this.#exitGraceMs) this.#removeLater(entry, "grace");
      } else if (exited && entry.state === "busy" && found?.exitCode === 0) {
        // A runner exits 0 once its job is done; the JobCompleted may simply not be here yet
        // (it comes through the listener, which may be behind or reconnecting).
        this.#logger.info(
          { runner: entry.name, jobId: entry.jobId, exitCode: 0 },
          "runner exited after its job; completion not received yet",
        );
        this.#awaitingCompletion.set(entry.name, now);
        this.#removeLater(entry, "finished");
      } else if (
        exited &&
        entry.state === "idle" &&
        !entry.adopted &&
        now - entry.launchedAt < this.#earlyExitMs
      ) {
        // Exited at once without a job: a failed start (crash-looping run.sh, refused
        // registration), so the replacement waits out the start backoff.
        this.#totals.earlyExits++;
        this.#earlyExits++;
        const backoff = this.#backOff();
        this.#logger.warn(
          {
            runner: entry.name,
            exitCode: found?.exitCode,
            afterMs: now - entry.launchedAt,
            backoffMs: backoff,
          },
          "runner exited before taking a job",
        );
        this.#removeLater(entry, "exited");
      } else if (exited) {
        this.#logger.warn(
          { runner: entry.name, state: entry.state, exitCode: found?.exitCode },
          entry.state === "busy" ? "runner died during its job" : "runner exited without a job",
        );
        this.#removeLater(entry, "exited");
      }
    }
    for (const [name, at] of this.#recentlyRemoved) {
      if (now - at > 60_000) this.#recentlyRemoved.delete(name);
    }
    for (const [name, at] of this.#awaitingCompletion) {
      if (now - at <= this.#exitGraceMs) continue;
      this.#awaitingCompletion.delete(name);
      this.#logger.info({ runner: name }, "no JobCompleted for a runner that exited after its job");
    }
    for (const found of listed) {
      if (this.#book.has(found.name)) continue;
      if ((this.#recentlyRemoved.get(found.name) ?? 0) >= listedAt) continue;
      this.#logger.warn({ runner: found.name }, "removing unknown runner found at provider");
      const stranger = this.#book.add(found.name, "removing", { serviceGone: true });
      this.#removeLater(stranger, "stale");
    }
    void this.#scale();
  }

  #removeLater(entry: RunnerEntry, reason: RemoveReason): void {
    void this.#track(
      this.#ops.remove(entry, reason).then((gone) => {
        if (gone) this.#totals.removed++;
      }),
    );
  }

  #track(promise: Promise<void>): Promise<void> {
    const tracked = promise.catch((err: unknown) => {
      this.#logger.error({ err: errorText(err) }, "runner operation failed");
    });
    this.#inFlight.add(tracked);
    void tracked.finally(() => this.#inFlight.delete(tracked));
    return tracked;
  }

  #changed(): void {
    this.#metrics.recordRunnerCounts?.(this.counts());
  }
}

/** Resolves when `promise` has settled, `ms` has passed or `signal` aborts. */
function settledWithin(
  promise: Promise<void>,
  ms: number,
  signal: AbortSignal | undefined,
): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener("abort", done, { once: true });
    void promise.then(done, done);
  });
}
