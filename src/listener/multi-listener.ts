/**
 * Many scale sets in one process: one {@link Listener} per scale set, sharing a client (and so
 * its HTTP connections), each in its own failure domain.
 * @module
 */
import { addAbortListener, setMaxListeners } from "node:events";
import { Listener } from "./listener.js";
import type { ListenerOptions } from "./options.js";
import type { ListenerHealth, Scaler } from "./types.js";

/** Per-scale-set options; anything not given is taken from the shared options. */
export interface MultiListenerEntry
  extends Omit<ListenerOptions, "client" | "logger" | "metrics" | "store"> {
  scaler: Scaler;
  /** Overrides the shared metrics recorder for this scale set. */
  metrics?: ListenerOptions["metrics"];
}

/** Options of {@link MultiListener}. */
export interface MultiListenerOptions
  extends Omit<ListenerOptions, "scaleSetId" | "maxRunners" | "owner" | "onScaleSetRecreated"> {
  scaleSets: MultiListenerEntry[];
}

/** How one scale set's listener ended. */
export interface MultiListenerResult {
  /** The scale set id the listener ended with (differs from the configured one after re-creation). */
  scaleSetId: number;
  /** Set when the listener stopped on an unrecoverable error; the others kept running. */
  error?: unknown;
}

/**
 * Runs one listener per scale set in this process. A fault, backoff or even an unrecoverable
 * error of one scale set never stalls another: each listener has its own loop, session,
 * deadlines and backoff, and they share only the client. Create one shared client (e.g. one
 * `ScaleSetClient`) so all long polls ride the same HTTP connections (HTTP/2 when offered).
 */
export class MultiListener {
  /** The listeners, in the order of `scaleSets`. */
  readonly listeners: readonly Listener[];
  readonly #scalers: Scaler[];

  /** Validates every entry up front (throws `ListenerConfigError`); no I/O. */
  constructor(options: MultiListenerOptions) {
    const { scaleSets, ...shared } = options;
    const seen = new Set<number>();
    this.#scalers = [];
    this.listeners = scaleSets.map(({ scaler, ...entry }) => {
      if (seen.has(entry.scaleSetId)) {
        throw new Error(`scale set ${entry.scaleSetId} is listed twice`);
      }
      seen.add(entry.scaleSetId);
      this.#scalers.push(scaler);
      return new Listener({ ...shared, ...entry });
    });
  }

  /** Health of every listener, in the order of `scaleSets`. */
  get health(): ListenerHealth[] {
    return this.listeners.map((listener) => listener.health);
  }

  /** The listener currently handling `scaleSetId`, if any. */
  get(scaleSetId: number): Listener | undefined {
    return this.listeners.find((listener) => listener.scaleSetId === scaleSetId);
  }

  /**
   * Runs every listener until `signal` aborts; resolves once all have cleaned up, with one
   * result per scale set. Never rejects: a listener that stopped on an unrecoverable error
   * reports it in its result (and its health) while the others keep running.
   */
  async run(options: { signal?: AbortSignal | undefined } = {}): Promise<MultiListenerResult[]> {
    // One listener on the caller's signal; the listeners (one poll listener each) hang off an
    // inner signal without a max-listeners warning.
    const inner = new AbortController();
    setMaxListeners(0, inner.signal);
    const { signal } = options;
    const forward = signal ? addAbortListener(signal, () => inner.abort(signal.reason)) : undefined;
    if (signal?.aborted) inner.abort(signal.reason);
    try {
      return await Promise.all(
        this.listeners.map(async (listener, i) => {
          try {
            await listener.run(this.#scalers[i] as Scaler, { signal: inner.signal });
            return { scaleSetId: listener.scaleSetId };
          } catch (error) {
            return { scaleSetId: listener.scaleSetId, error };
          }
        }),
      );
    } finally {
      forward?.[Symbol.dispose]();
    }
  }
}
