/**
 * The autoscaler's bookkeeping: one entry per runner it started or adopted.
 * @module
 */
import type { AutoscalerCounts, RunnerInfo, RunnerState } from "./types.js";

/** Mutable record of one runner (internal to the autoscaler). */
export interface RunnerEntry {
  name: string;
  id: number | undefined;
  state: RunnerState;
  since: number;
  jobId: string | undefined;
  adopted: boolean;
  /** Epoch ms the autoscaler decided to start it. */
  requestedAt: number;
  /** Epoch ms the provider had launched it (0 while starting); adopted runners: adoption time. */
  launchedAt: number;
  /** An operation (start, removal) is in flight; the monitor leaves it alone. */
  op: boolean;
  /** The service no longer has the runner (removed, or never registered). */
  serviceGone: boolean;
  /** The provider no longer has the runner. */
  providerGone: boolean;
  /** While `dead`: service-side removals refused so far, and when to try the next one (epoch ms). */
  deadRetries: number;
  retryAt: number;
}

/** Runners by name with counts by state. Not safe across processes; fine across async calls. */
export class RunnerBook {
  readonly #runners = new Map<string, RunnerEntry>();
  /** Kept as runners come, go and change state: counting by a scan made a burst quadratic. */
  readonly #byState: Record<RunnerState, number> = {
    starting: 0,
    idle: 0,
    busy: 0,
    done: 0,
    removing: 0,
    dead: 0,
  };

  /** Adds a runner in `state`; `fields` override the defaults. */
  add(name: string, state: RunnerState, fields: Partial<RunnerEntry> = {}): RunnerEntry {
    const now = Date.now();
    const entry: RunnerEntry = {
      name,
      id: undefined,
      state,
      since: now,
      jobId: undefined,
      adopted: false,
      requestedAt: now,
      launchedAt: 0,
      op: false,
      serviceGone: false,
      providerGone: false,
      deadRetries: 0,
      retryAt: 0,
      ...fields,
    };
    const previous = this.#runners.get(name);
    if (previous) this.#byState[previous.state]--;
    this.#runners.set(name, entry);
    this.#byState[entry.state]++;
    return entry;
  }

  get(name: string): RunnerEntry | undefined {
    return this.#runners.get(name);
  }

  has(name: string): boolean {
    return this.#runners.has(name);
  }

  delete(name: string): void {
    const entry = this.#runners.get(name);
    if (!entry) return;
    this.#runners.delete(name);
    this.#byState[entry.state]--;
  }

  get size(): number {
    return this.#runners.size;
  }

  entries(): RunnerEntry[] {
    return [...this.#runners.values()];
  }

  /** Moves a runner to `state` and stamps the time. */
  setState(entry: RunnerEntry, state: RunnerState): void {
    if (this.#runners.get(entry.name) === entry) {
      this.#byState[entry.state]--;
      this.#byState[state]++;
    }
    entry.state = state;
    entry.since = Date.now();
  }

  /** Runner counts by state (`target`/`assigned` filled by the caller). */
  counts(target: number, assigned: number): AutoscalerCounts {
    return { ...this.#byState, target, assigned };
  }

  /** Read-only snapshot of every runner. */
  list(): RunnerInfo[] {
    return this.entries().map(({ name, id, state, since, jobId, adopted }) => ({
      name,
      id,
      state,
      since,
      jobId,
      adopted,
    }));
  }
}
