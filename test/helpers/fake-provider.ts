/**
 * A hand-written in-memory `RunnerProvider` for autoscaler tests: runners are records that tests
 * make exit, fail or linger; it counts calls and the highest number of starts in flight.
 * @module
 */
import type {
  ProviderContext,
  ProvisionedRunner,
  RunnerProvider,
  RunnerSpec,
} from "../../src/autoscaler/provider.js";

/** One runner the fake provider holds. */
export interface FakeRunner {
  name: string;
  scaleSetId: number;
  jitConfig: string;
  state: "running" | "exited";
  exitCode: number | undefined;
}

/** Options of {@link FakeProvider}. */
export interface FakeProviderOptions {
  /** Delay of each start. @default 0 */
  startDelayMs?: number;
  /** Delay of each list; the answer is the state when list was called. @default 0 */
  listDelayMs?: number;
}

/** In-memory provider; `runners` is public so tests can seed and inspect it. */
export class FakeProvider implements RunnerProvider {
  readonly name = "fake";
  readonly runners = new Map<string, FakeRunner>();
  readonly startDelayMs: number;
  readonly listDelayMs: number;
  starts = 0;
  removes = 0;
  lists = 0;
  inFlightStarts = 0;
  maxInFlightStarts = 0;
  /** Errors thrown by the next starts, in order. */
  readonly startFailures: Error[] = [];
  /** Names removed, in order. */
  readonly removed: string[] = [];
  readonly #exitListeners = new Set<(runner: ProvisionedRunner) => void>();

  constructor(options: FakeProviderOptions = {}) {
    this.startDelayMs = options.startDelayMs ?? 0;
    this.listDelayMs = options.listDelayMs ?? 0;
  }

  async start(runner: RunnerSpec, _ctx?: ProviderContext): Promise<void> {
    this.starts++;
    this.inFlightStarts++;
    this.maxInFlightStarts = Math.max(this.maxInFlightStarts, this.inFlightStarts);
    try {
      if (this.startDelayMs > 0) await new Promise((r) => setTimeout(r, this.startDelayMs));
      const failure = this.startFailures.shift();
      if (failure) throw failure;
      this.runners.set(runner.name, {
        name: runner.name,
        scaleSetId: runner.scaleSetId,
        jitConfig: runner.jitConfig,
        state: "running",
        exitCode: undefined,
      });
    } finally {
      this.inFlightStarts--;
    }
  }

  async remove(name: string, _ctx?: ProviderContext): Promise<void> {
    this.removes++;
    if (this.runners.delete(name)) this.removed.push(name);
  }

  async list(scaleSetId: number, _ctx?: ProviderContext): Promise<ProvisionedRunner[]> {
    this.lists++;
    const snapshot = [...this.runners.values()]
      .filter((r) => r.scaleSetId === scaleSetId)
      .map(({ name, state, exitCode }) => ({ name, scaleSetId, state, exitCode }));
    if (this.listDelayMs > 0) await new Promise((r) => setTimeout(r, this.listDelayMs));
    return snapshot;
  }

  onRunnerExit(listener: (runner: ProvisionedRunner) => void): () => void {
    this.#exitListeners.add(listener);
    return () => this.#exitListeners.delete(listener);
  }

  /** Makes a runner exit with `exitCode` and tells exit listeners. */
  exit(name: string, exitCode = 0): void {
    const runner = this.runners.get(name);
    if (!runner) throw new Error(`no fake runner ${name}`);
    runner.state = "exited";
    runner.exitCode = exitCode;
    for (const listener of this.#exitListeners) {
      listener({ name, scaleSetId: runner.scaleSetId, state: "exited", exitCode });
    }
  }

  /** Names of runners currently running. */
  running(): string[] {
    return [...this.runners.values()].filter((r) => r.state === "running").map((r) => r.name);
  }
}
