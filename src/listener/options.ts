/**
 * Listener options, their defaults and up-front validation.
 * @module
 */
import type { RunnerScaleSetInput } from "../client/types.js";
import type { Logger } from "../util/logger.js";
import type { ListenerClient, MessageIdStore, MetricsRecorder } from "./types.js";

/** Capped exponential backoff with jitter used for every recovery wait. */
export interface BackoffOptions {
  /** First delay. @default 1000 */
  minDelayMs?: number;
  /** Cap. @default 30000 */
  maxDelayMs?: number;
  /** Growth factor. @default 2 */
  factor?: number;
  /** Randomise each delay within [delay/2, delay]. @default true */
  jitter?: boolean;
}

/** Called after the listener re-created a scale set deleted server-side. */
export type ScaleSetRecreatedHandler = (event: {
  oldScaleSetId: number;
  newScaleSetId: number;
}) => void;

/** Options of {@link Listener}. */
export interface ListenerOptions {
  /** The client (a `ScaleSetClient`); many listeners may share one. */
  client: ListenerClient;
  /** Id of the scale set to listen for (non-zero). */
  scaleSetId: number;
  /** Session owner name. @default `${hostname}-${stable id derived from host and scale set}` */
  owner?: string | undefined;
  /** Capacity sent as `X-ScaleSetMaxCapacity`; read at each poll, change with `setMaxRunners`. */
  maxRunners: number;
  /** @default silent */
  logger?: Logger | undefined;
  metrics?: MetricsRecorder | undefined;
  /** Keeps the last handled message id across restarts. */
  store?: MessageIdStore | undefined;
  /**
   * `after` (default): acknowledge a message once it has been handled (at-least-once).
   * `before`: acknowledge first, as the Go reference does (at-most-once on crashes).
   */
  ackMode?: "after" | "before" | undefined;
  /**
   * What to do when the service reports the scale set deleted (404 `RunnerScaleSetNotFoundException`).
   * `false` (default): report it (state `scale-set-missing`) and keep checking with backoff.
   * `true`: re-create it with the settings last seen in the session; an object: with these settings.
   */
  recreateScaleSet?: RunnerScaleSetInput | boolean | undefined;
  /** Called after a re-creation; `listener.scaleSetId` holds the new id too. */
  onScaleSetRecreated?: ScaleSetRecreatedHandler | undefined;
  /** Deadline of one GetMessage long poll (the server holds ~50 s). @default 70000 */
  pollTimeoutMs?: number | undefined;
  /** Deadline for handling one received message (shutdown does not cancel it). @default 120000 */
  handleTimeoutMs?: number | undefined;
  /** Deadline of other session calls made outside message handling (create, refresh). @default 60000 */
  requestTimeoutMs?: number | undefined;
  /** Deadline for deleting the session on shutdown. @default 10000 */
  closeTimeoutMs?: number | undefined;
  backoff?: BackoffOptions | undefined;
}

/** Options with every default applied. */
export interface ResolvedListenerOptions {
  ackMode: "after" | "before";
  pollTimeoutMs: number;
  handleTimeoutMs: number;
  requestTimeoutMs: number;
  closeTimeoutMs: number;
  backoff: Required<BackoffOptions>;
}

/** Error thrown for invalid listener options (code `INVALID_CONFIG`, like the client's). */
export class ListenerConfigError extends Error {
  override name = "ListenerConfigError";
  readonly code = "INVALID_CONFIG";
}

const MAX_CAPACITY = 2 ** 31 - 1;

/** Throws `ListenerConfigError` unless `n` is an integer in 0 … 2^31−1. */
export function validateMaxRunners(n: number): void {
  if (!Number.isInteger(n) || n < 0 || n > MAX_CAPACITY) {
    throw new ListenerConfigError(`maxRunners must be an integer in 0…${MAX_CAPACITY}, got ${n}`);
  }
}

function positive(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value <= 0) {
    throw new ListenerConfigError(`${name} must be a positive number of ms, got ${value}`);
  }
  return value;
}

/** Validates `options` and applies defaults; throws `ListenerConfigError` on bad input. */
export function resolveListenerOptions(options: ListenerOptions): ResolvedListenerOptions {
  if (!Number.isSafeInteger(options.scaleSetId) || options.scaleSetId <= 0) {
    throw new ListenerConfigError(
      `scaleSetId must be a positive integer, got ${options.scaleSetId}`,
    );
  }
  validateMaxRunners(options.maxRunners);
  const ackMode = options.ackMode ?? "after";
  if (ackMode !== "after" && ackMode !== "before") {
    throw new ListenerConfigError(`ackMode must be "after" or "before", got ${String(ackMode)}`);
  }
  const b = options.backoff ?? {};
  const minDelayMs = positive("backoff.minDelayMs", b.minDelayMs, 1000);
  const maxDelayMs = positive("backoff.maxDelayMs", b.maxDelayMs, 30_000);
  return {
    ackMode,
    pollTimeoutMs: positive("pollTimeoutMs", options.pollTimeoutMs, 70_000),
    handleTimeoutMs: positive("handleTimeoutMs", options.handleTimeoutMs, 120_000),
    requestTimeoutMs: positive("requestTimeoutMs", options.requestTimeoutMs, 60_000),
    closeTimeoutMs: positive("closeTimeoutMs", options.closeTimeoutMs, 10_000),
    backoff: {
      minDelayMs,
      maxDelayMs: Math.max(minDelayMs, maxDelayMs),
      factor: b.factor ?? 2,
      jitter: b.jitter ?? true,
    },
  };
}
