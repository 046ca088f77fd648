/**
 * The interfaces the listener owns: what it needs from a client, what it calls on a scaler,
 * and the metrics hooks it reports through (mirrors the Go reference's `listener` package).
 * @module
 */
import type { RequestOptions, RunnerScaleSetInput } from "../client/types.js";
import type {
  JobCompleted,
  JobStarted,
  RunnerScaleSet,
  RunnerScaleSetMessage,
  RunnerScaleSetSession,
  RunnerScaleSetStatistic,
} from "../wire/types.js";

/** The message-session operations the listener uses (implemented by the client's session). */
export interface ListenerSession {
  readonly session: RunnerScaleSetSession;
  getMessage(
    lastMessageId: number,
    maxCapacity: number,
    options?: RequestOptions,
  ): Promise<RunnerScaleSetMessage | undefined>;
  deleteMessage(messageId: number, options?: RequestOptions): Promise<void>;
  acquireJobs(requestIds: number[], options?: RequestOptions): Promise<number[]>;
  refresh(options?: RequestOptions): Promise<RunnerScaleSetSession>;
  close(options?: RequestOptions): Promise<void>;
}

/** The client operations the listener uses (implemented by `ScaleSetClient`). */
export interface ListenerClient {
  createMessageSession(
    scaleSetId: number,
    owner: string,
    options?: RequestOptions,
  ): Promise<ListenerSession>;
  getRunnerScaleSetById(id: number, options?: RequestOptions): Promise<RunnerScaleSet | undefined>;
  createRunnerScaleSet(
    scaleSet: RunnerScaleSetInput,
    options?: RequestOptions,
  ): Promise<RunnerScaleSet>;
  /**
   * Optional: look a scale set up by name, so a listener re-creating a deleted scale set adopts
   * one another process already re-created instead of failing on the duplicate name.
   */
  getRunnerScaleSet?(
    runnerGroupId: number,
    name: string,
    options?: RequestOptions,
  ): Promise<RunnerScaleSet | undefined>;
  /**
   * Optional: delete a session by id, so a listener can remove its own stale session (one it
   * created, whose id it kept) instead of waiting for the service to expire it. Without it the
   * listener waits out the 409 as before.
   */
  deleteMessageSession?(
    scaleSetId: number,
    sessionId: string,
    options?: RequestOptions,
  ): Promise<void>;
}

/** Context handed to every scaler callback. */
export interface ScalerContext {
  /** Aborts when the handling deadline passes; shutdown alone does not abort it. */
  signal: AbortSignal;
  scaleSetId: number;
}

/** What the listener drives: the Go reference's three callbacks. */
export interface Scaler {
  /** `count` is `statistics.totalAssignedJobs`; returns the number of runners now desired. */
  handleDesiredRunnerCount(count: number, ctx: ScalerContext): Promise<number>;
  handleJobStarted(job: JobStarted, ctx: ScalerContext): Promise<void>;
  handleJobCompleted(job: JobCompleted, ctx: ScalerContext): Promise<void>;
}

/** Listener session states, reported in `health` and to `recordSessionState`. */
export type ListenerState =
  | "idle"
  | "creating-session"
  | "waiting-for-conflict"
  | "polling"
  | "handling"
  | "recovering"
  | "scale-set-missing"
  | "closing"
  | "stopped";

/** The Go reference's four metrics hooks plus session state changes; all optional. */
export interface MetricsRecorder {
  recordStatistics?(stats: RunnerScaleSetStatistic): void;
  recordJobStarted?(job: JobStarted): void;
  recordJobCompleted?(job: JobCompleted): void;
  recordDesiredRunners?(count: number): void;
  recordSessionState?(state: ListenerState): void;
}

/** Snapshot of a listener's health. */
export interface ListenerHealth {
  state: ListenerState;
  /** Epoch ms of the last successful GetMessage (200 or 202). */
  lastPollAt: number | undefined;
  sessionId: string | undefined;
  lastError: string | undefined;
  /** The scale set listened for (changes when a deleted scale set was re-created). */
  scaleSetId?: number | undefined;
  /**
   * While `waiting-for-conflict`: whether the session in the way carries our own owner name
   * (`self`: a stale session of an earlier run of this listener), another one (`foreign`), or the
   * service did not say (`unknown`).
   */
  conflictOwner?: "self" | "foreign" | "unknown" | undefined;
  /** Failures in a row since the last fully handled poll. */
  consecutiveFailures?: number | undefined;
}

/**
 * Keeps the last handled message id across restarts and, when the two optional session methods
 * are implemented, the id of the listener's open message session: a restarted listener deletes
 * that session of its earlier run instead of waiting out the service's 409 until it expires.
 * A store holds ids only (never a token) and serves one process at a time.
 */
export interface MessageIdStore {
  load(scaleSetId: number): Promise<number | undefined>;
  save(scaleSetId: number, messageId: number): Promise<void>;
  /** Optional: the session id last saved for `scaleSetId` and not cleared since. */
  loadSessionId?(scaleSetId: number): Promise<string | undefined>;
  /**
   * Optional: records the id of the session the listener just created, or clears it
   * (`undefined`) once the session is known to be deleted.
   */
  saveSessionId?(scaleSetId: number, sessionId: string | undefined): Promise<void>;
}
