/**
 * Per-operation child signals: abort when the parent aborts or when a timeout passes.
 *
 * Built on an `AbortController`, global `setTimeout` and `events.addAbortListener` and disposed
 * explicitly, because `AbortSignal.any` with a long-lived parent leaks one entry per call on
 * Node 20 and `AbortSignal.timeout` ignores fake timers (STYLE.md, Node 20 facts).
 * @module
 */
import { addAbortListener, setMaxListeners } from "node:events";

// A long-lived parent (a daemon's shutdown signal) legitimately has many short-lived children at
// once (one per in-flight request); each child removes its listener on dispose, so lift the
// warning threshold for parents instead of printing a false leak warning.
const widenedParents = new WeakSet<AbortSignal>();

/** A child signal and the function that releases its timer and parent listener. */
export interface ChildSignal extends Disposable {
  signal: AbortSignal;
  dispose(): void;
}

/** Error used as the abort reason when a child signal times out. */
export class TimeoutError extends Error {
  override name = "TimeoutError";
  readonly code = "TIMEOUT";
  readonly timeoutMs: number;
  constructor(message: string, timeoutMs: number) {
    super(message);
    this.timeoutMs = timeoutMs;
  }
}

/**
 * A signal that aborts with the parent's reason when `parent` aborts, or with a `TimeoutError`
 * after `timeoutMs` (when given and finite). Call `dispose()` (or use `using`) when done.
 */
export function childSignal(parent?: AbortSignal, timeoutMs?: number): ChildSignal {
  const controller = new AbortController();
  let timer: ReturnType<typeof setTimeout> | undefined;
  let parentListener: Disposable | undefined;
  if (parent?.aborted) {
    controller.abort(parent.reason);
  } else {
    if (parent) {
      if (!widenedParents.has(parent)) {
        setMaxListeners(0, parent);
        widenedParents.add(parent);
      }
      parentListener = addAbortListener(parent, () => controller.abort(parent.reason));
    }
    if (timeoutMs !== undefined && Number.isFinite(timeoutMs)) {
      timer = setTimeout(() => {
        controller.abort(new TimeoutError(`operation timed out after ${timeoutMs} ms`, timeoutMs));
      }, timeoutMs);
    }
  }
  const dispose = () => {
    if (timer !== undefined) clearTimeout(timer);
    parentListener?.[Symbol.dispose]();
    timer = undefined;
    parentListener = undefined;
  };
  return { signal: controller.signal, dispose, [Symbol.dispose]: dispose };
}

/** Throws `signal.reason` when the signal is already aborted (aborts are not our errors). */
export function throwIfAborted(signal?: AbortSignal): void {
  if (signal?.aborted) throw signal.reason;
}

/** True when `err` is the reason of an aborted `signal` or a DOM AbortError. */
export function isAbortError(err: unknown, signal?: AbortSignal): boolean {
  if (signal?.aborted && err === signal.reason) return true;
  return err instanceof Error && err.name === "AbortError";
}
