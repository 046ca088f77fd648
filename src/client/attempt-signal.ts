/**
 * A light per-attempt abort signal for undici's `dispatcher.request`, which accepts any object
 * with `aborted`, `reason` and `addEventListener`/`removeEventListener`. It aborts when the
 * caller's signal aborts or when the attempt's timer fires, without building an
 * `AbortController` (an EventTarget) per attempt on the hot GetMessage/DeleteMessage path.
 * @module
 */
import { setMaxListeners } from "node:events";
import { TimeoutError } from "../util/abort.js";

type Listener = () => void;

// A long-lived caller signal has one listener per in-flight attempt; lift the warning threshold
// once per parent (each attempt removes its listener when done).
const widenedParents = new WeakSet<AbortSignal>();

/** Aborts with the parent's reason or with a `TimeoutError` after `timeoutMs`. Dispose when done. */
export class AttemptSignal implements Disposable {
  aborted: boolean = false;
  reason: unknown = undefined;
  #listeners: Listener[] = [];
  #timer: ReturnType<typeof setTimeout> | undefined;
  readonly #parent: AbortSignal | undefined;
  readonly #onParentAbort: Listener | undefined;

  constructor(parent: AbortSignal | undefined, timeoutMs: number) {
    this.#parent = parent;
    if (parent?.aborted) {
      this.aborted = true;
      this.reason = parent.reason;
      return;
    }
    if (parent) {
      if (!widenedParents.has(parent)) {
        setMaxListeners(0, parent);
        widenedParents.add(parent);
      }
      this.#onParentAbort = () => this.#abort(parent.reason);
      parent.addEventListener("abort", this.#onParentAbort, { once: true });
    }
    if (Number.isFinite(timeoutMs)) {
      this.#timer = setTimeout(() => {
        this.#abort(new TimeoutError(`operation timed out after ${timeoutMs} ms`, timeoutMs));
      }, timeoutMs);
    }
  }

  /** Registers an `abort` listener (called at most once). */
  addEventListener(type: string, listener: Listener): void {
    if (type === "abort" && !this.aborted) this.#listeners.push(listener);
  }

  /** Removes an `abort` listener. */
  removeEventListener(type: string, listener: Listener): void {
    if (type !== "abort") return;
    const i = this.#listeners.indexOf(listener);
    if (i >= 0) this.#listeners.splice(i, 1);
  }

  /** Releases the timer and the parent listener. */
  [Symbol.dispose](): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#onParentAbort) this.#parent?.removeEventListener("abort", this.#onParentAbort);
  }

  #abort(reason: unknown): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason;
    this[Symbol.dispose]();
    const listeners = this.#listeners;
    this.#listeners = [];
    for (const listener of listeners) listener();
  }
}
