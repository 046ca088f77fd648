/**
 * The listener: owns one scale set's message session and drives a {@link Scaler} from it,
 * recovering from every fault in-process (see {@link Listener.run}).
 * @module
 */
import type { RunnerScaleSetInput } from "../client/types.js";
import { childSignal } from "../util/abort.js";
import { childLogger, type Logger, silentLogger } from "../util/logger.js";
import { backoffDelayMs } from "../util/retry.js";
import { sleep } from "../util/sleep.js";
import type { RunnerScaleSetMessage } from "../wire/types.js";
import { classifyError, conflictOwnerOf, type ErrorPhase, errorInfo } from "./classify-error.js";
import { defaultOwner } from "./default-owner.js";
import { dispatchMessage } from "./dispatch-message.js";
import {
  type ListenerOptions,
  type ResolvedListenerOptions,
  resolveListenerOptions,
  validateMaxRunners,
} from "./options.js";
import { OwnSession } from "./own-session.js";
import { recreateScaleSet, scaleSetInputOf } from "./recreate-scale-set.js";
import type {
  ListenerHealth,
  ListenerSession,
  ListenerState,
  Scaler,
  ScalerContext,
} from "./types.js";

/** Options of {@link Listener.run}. */
export interface ListenerRunOptions {
  /** Aborting stops the listener: the in-flight message is finished, the session deleted. */
  signal?: AbortSignal | undefined;
}

/**
 * Polls one scale set's message queue and drives a scaler. Long-lived; create one per scale set
 * (many may share a client and a process). Not re-entrant: one `run()` at a time.
 */
export class Listener {
  readonly owner: string;
  readonly #options: ListenerOptions;
  readonly #config: ResolvedListenerOptions;
  readonly #logger: Logger;
  readonly #own: OwnSession;
  #scaleSetId: number;
  #maxRunners: number;
  #session: ListenerSession | undefined;
  #state: ListenerState = "idle";
  #lastPollAt: number | undefined;
  #lastError: string | undefined;
  #conflictOwner: "self" | "foreign" | "unknown" | undefined;
  #failures = 0;
  #lastMessageId = 0;
  #latestAssigned = 0;
  #needsRefresh: boolean = false;
  #scaleSetMissing: boolean = false;
  #scaleSetInput: RunnerScaleSetInput | undefined;
  #running: boolean = false;

  /** Validates options (throws `ListenerConfigError`, code `INVALID_CONFIG`); no I/O. */
  constructor(options: ListenerOptions) {
    this.#config = resolveListenerOptions(options);
    this.#options = options;
    this.#scaleSetId = options.scaleSetId;
    this.#maxRunners = options.maxRunners;
    this.owner = options.owner ?? defaultOwner(options.scaleSetId);
    this.#logger = childLogger(options.logger ?? silentLogger, { scaleSetId: options.scaleSetId });
    if (typeof options.recreateScaleSet === "object")
      this.#scaleSetInput = options.recreateScaleSet;
    this.#own = new OwnSession({
      client: options.client,
      store: options.store,
      logger: this.#logger,
      requestTimeoutMs: this.#config.requestTimeoutMs,
      closeTimeoutMs: this.#config.closeTimeoutMs,
    });
  }

  /** The scale set listened for; changes when a deleted scale set is re-created. */
  get scaleSetId(): number {
    return this.#scaleSetId;
  }

  /** Current capacity sent with each poll. */
  get maxRunners(): number {
    return this.#maxRunners;
  }

  /** Sets the capacity used from the next poll on. Throws on a value outside 0 … 2^31−1. */
  setMaxRunners(n: number): void {
    validateMaxRunners(n);
    this.#maxRunners = n;
  }

  /** A snapshot of state, last successful poll time, session id and last error. */
  get health(): ListenerHealth {
    return {
      state: this.#state,
      lastPollAt: this.#lastPollAt,
      sessionId: this.#session?.session.sessionId,
      lastError: this.#lastError,
      scaleSetId: this.#scaleSetId,
      conflictOwner: this.#state === "waiting-for-conflict" ? this.#conflictOwner : undefined,
      consecutiveFailures: this.#failures,
    };
  }

  /**
   * Runs until `signal` aborts, then finishes the message in hand, deletes the session (an
   * already-gone session counts as deleted) and resolves. Every service fault is retried with
   * capped, jittered exponential backoff; it rejects only on unrecoverable configuration errors
   * (client codes `AUTH_FAILED`, `INVALID_CONFIG`, `INVALID_CONFIG_URL`), after the same cleanup.
   */
  async run(scaler: Scaler, options: ListenerRunOptions = {}): Promise<void> {
    if (this.#running) throw new Error("Listener.run() is already running");
    this.#running = true;
    // One listener on the caller's signal for the whole run; each request's signal hangs off this
    // one. Node's EventTarget walks all of a signal's listeners on every add, and a MultiListener
    // shares one signal among all its listeners (at 1000 listeners that was ~8 % of idle CPU).
    using own = options.signal ? childSignal(options.signal) : undefined;
    const signal = own?.signal;
    try {
      await this.#loadLastMessageId();
      await this.#own.load(this.#scaleSetId);
      while (!signal?.aborted) await this.#step(scaler, signal);
    } finally {
      await this.#closeSession();
      this.#setState("stopped");
      this.#running = false;
    }
  }

  /** One loop iteration: (re)open the session if needed, poll once, handle the outcome. */
  async #step(scaler: Scaler, signal: AbortSignal | undefined): Promise<void> {
    let phase: ErrorPhase = "session";
    try {
      if (this.#scaleSetMissing && this.#options.recreateScaleSet) {
        phase = "recreate";
        await this.#recreate(signal);
      }
      if (!this.#session) {
        phase = "create-session";
        await this.#openSession(scaler, signal);
      } else if (this.#needsRefresh) {
        await this.#refresh(this.#session, signal);
      }
      phase = "session";
      const polled = await this.#poll(this.#session as ListenerSession, signal);
      if (polled === "timeout") return;
      phase = "handle";
      await this.#handle(this.#session as ListenerSession, polled, scaler);
      this.#failures = 0;
    } catch (err) {
      if (signal?.aborted) return;
      await this.#recover(err, phase, signal);
    }
  }

  /** Creates the session (our own stale one deleted first, see {@link OwnSession.open}). */
  async #openSession(scaler: Scaler, signal: AbortSignal | undefined): Promise<void> {
    this.#setState(this.#conflictOwner ? "waiting-for-conflict" : "creating-session");
    const session = await this.#own.open(this.#scaleSetId, this.owner, signal);
    this.#session = session;
    this.#conflictOwner = undefined;
    this.#needsRefresh = false;
    const { sessionId, statistics, runnerScaleSet } = session.session;
    if (this.#options.recreateScaleSet === true && runnerScaleSet) {
      this.#scaleSetInput = scaleSetInputOf(runnerScaleSet);
    }
    this.#logger.info({ sessionId, owner: this.owner }, "message session created");
    this.#options.metrics?.recordStatistics?.(statistics);
    this.#latestAssigned = statistics.totalAssignedJobs;
    this.#setState("handling");
    await this.#withHandlingSignal(async (ctx) => {
      const desired = await scaler.handleDesiredRunnerCount(this.#latestAssigned, ctx);
      this.#options.metrics?.recordDesiredRunners?.(desired);
    });
  }

  async #refresh(session: ListenerSession, signal: AbortSignal | undefined): Promise<void> {
    const request = childSignal(signal, this.#config.requestTimeoutMs);
    try {
      await session.refresh({ signal: request.signal });
      this.#needsRefresh = false;
      this.#logger.info({ sessionId: session.session.sessionId }, "message session refreshed");
    } finally {
      request.dispose();
    }
  }

  /** One long poll under its own deadline; "timeout" when the deadline (not shutdown) hit. */
  async #poll(
    session: ListenerSession,
    signal: AbortSignal | undefined,
  ): Promise<RunnerScaleSetMessage | undefined | "timeout"> {
    this.#setState("polling");
    const poll = childSignal(signal, this.#config.pollTimeoutMs);
    try {
      const message = await session.getMessage(this.#lastMessageId, this.#maxRunners, {
        signal: poll.signal,
      });
      this.#lastPollAt = Date.now();
      return message;
    } catch (err) {
      if (poll.signal.aborted && !signal?.aborted) {
        this.#logger.warn(
          { timeoutMs: this.#config.pollTimeoutMs },
          "long poll exceeded its deadline; polling again",
        );
        return "timeout";
      }
      throw err;
    } finally {
      poll.dispose();
    }
  }

  /** Handles a poll result under a deadline shutdown does not cancel; acks per `ackMode`. */
  async #handle(
    session: ListenerSession,
    message: RunnerScaleSetMessage | undefined,
    scaler: Scaler,
  ): Promise<void> {
    this.#setState("handling");
    const { metrics } = this.#options;
    await this.#withHandlingSignal(async (ctx) => {
      if (!message) {
        // 202: the reference re-sends the latest known count without recording it.
        await scaler.handleDesiredRunnerCount(this.#latestAssigned, ctx);
        return;
      }
      const { messageId } = message;
      metrics?.recordStatistics?.(message.statistics);
      this.#latestAssigned = message.statistics.totalAssignedJobs;
      if (this.#lastMessageId > 0 && messageId <= this.#lastMessageId) {
        this.#logger.info({ messageId }, "message already handled; acknowledging it again");
        await session.deleteMessage(messageId, { signal: ctx.signal });
        return;
      }
      const before = this.#config.ackMode === "before";
      if (before) {
        await session.deleteMessage(messageId, { signal: ctx.signal });
        await this.#advance(messageId);
      }
      const logger = this.#logger;
      await dispatchMessage(message, { session, scaler, metrics, logger, ctx });
      if (!before) {
        await this.#advance(messageId);
        await session.deleteMessage(messageId, { signal: ctx.signal });
      }
    });
  }

  async #withHandlingSignal(fn: (ctx: ScalerContext) => Promise<void>): Promise<void> {
    const handling = childSignal(undefined, this.#config.handleTimeoutMs);
    try {
      await fn({ signal: handling.signal, scaleSetId: this.#scaleSetId });
    } finally {
      handling.dispose();
    }
  }

  /** Classifies `err`, updates state/health/logs, and waits out the backoff step. */
  async #recover(err: unknown, phase: ErrorPhase, signal: AbortSignal | undefined): Promise<void> {
    const recovery = classifyError(err, phase);
    const info = errorInfo(err);
    this.#lastError = info.message;
    this.#failures++;
    const log = { phase, recovery, failures: this.#failures, err: info.message };
    let immediateFirst = false;
    switch (recovery) {
      case "fatal":
        this.#logger.error(log, "unrecoverable listener error; stopping");
        throw err;
      case "conflict":
        this.#conflictOwner = conflictOwnerOf(info, this.owner);
        this.#setState("waiting-for-conflict");
        this.#logger.warn(
          { ...log, conflictOwner: this.#conflictOwner },
          this.#conflictOwner === "self"
            ? "a stale session of this owner is still active; waiting for it to expire"
            : "another listener holds the message session; waiting",
        );
        break;
      case "new-session":
        this.#session = undefined;
        immediateFirst = true;
        this.#setState("recovering");
        this.#logger.warn(log, "message session lost; creating a new one");
        break;
      case "refresh":
        this.#needsRefresh = true;
        immediateFirst = true;
        this.#setState("recovering");
        this.#logger.warn(log, "message queue token expired; refreshing the session");
        break;
      case "scale-set-missing":
        this.#session = undefined;
        this.#scaleSetMissing = true;
        this.#setState("scale-set-missing");
        this.#logger.error(
          { ...log, recreate: Boolean(this.#options.recreateScaleSet) },
          "scale set not found",
        );
        break;
      default:
        this.#setState("recovering");
        this.#logger.warn(log, "listener error; retrying");
    }
    const step = immediateFirst ? this.#failures - 2 : this.#failures - 1;
    const delayMs = step < 0 ? 0 : backoffDelayMs(step, this.#config.backoff);
    if (delayMs > 0) await sleep(delayMs, { signal }).catch(() => undefined);
  }

  async #recreate(signal: AbortSignal | undefined): Promise<void> {
    const oldScaleSetId = this.#scaleSetId;
    const request = childSignal(signal, this.#config.requestTimeoutMs);
    try {
      const created = await recreateScaleSet(
        this.#options.client,
        oldScaleSetId,
        this.#scaleSetInput,
        request.signal,
      );
      this.#scaleSetId = created.id;
    } finally {
      request.dispose();
    }
    this.#scaleSetMissing = false;
    this.#lastMessageId = 0;
    await this.#own.forget(); // its session went with the old scale set
    this.#logger.warn({ oldScaleSetId, newScaleSetId: this.#scaleSetId }, "scale set re-created");
    this.#options.onScaleSetRecreated?.({ oldScaleSetId, newScaleSetId: this.#scaleSetId });
  }

  async #advance(messageId: number): Promise<void> {
    this.#lastMessageId = messageId;
    const { store } = this.#options;
    if (!store) return;
    try {
      await store.save(this.#scaleSetId, messageId);
    } catch (err) {
      this.#logger.warn({ err: errorInfo(err).message }, "could not save the last message id");
    }
  }

  async #loadLastMessageId(): Promise<void> {
    const { store } = this.#options;
    if (!store) return;
    try {
      this.#lastMessageId = (await store.load(this.#scaleSetId)) ?? this.#lastMessageId;
    } catch (err) {
      this.#logger.warn({ err: errorInfo(err).message }, "could not load the last message id");
    }
  }

  /** Deletes the session with a fresh bounded signal; "already gone" counts as success. */
  async #closeSession(): Promise<void> {
    const session = this.#session;
    this.#session = undefined;
    if (!session) return;
    this.#setState("closing");
    this.#lastError = (await this.#own.close(session)) ?? this.#lastError;
  }

  #setState(state: ListenerState): void {
    if (state === this.#state) return;
    this.#state = state;
    this.#options.metrics?.recordSessionState?.(state);
  }
}
