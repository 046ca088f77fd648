/**
 * The TypeScript twin of the Go driver's fakeRunnerScaler: target = min(max, assigned), one
 * fresh JIT config per runner, runners forgotten on JobCompleted.
 * @module
 */
import { type ChildProcess, spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { openSync } from "node:fs";
import type { ScaleSetClient } from "../../src/client/index.js";
import type { JobCompleted, JobStarted } from "../../src/wire/types.js";

/** Options of {@link FakeRunnerScaler}. */
export interface FakeRunnerScalerOptions {
  client: ScaleSetClient;
  scaleSetId: number;
  maxRunners: number;
  runnerCmd: string;
  runnerLog: string;
  /** Called once `want` jobs completed. */
  want: number;
  onDone: () => void;
}

/** Starts fake runner processes as the listener asks for them. */
export class FakeRunnerScaler {
  readonly #o: FakeRunnerScalerOptions;
  readonly #procs = new Map<string, ChildProcess>();
  readonly #exits: Promise<void>[] = [];
  readonly #killed = new Set<string>();
  readonly errors: string[] = [];
  started = 0;
  completed = 0;

  constructor(options: FakeRunnerScalerOptions) {
    this.#o = options;
  }

  async handleDesiredRunnerCount(count: number, signal: AbortSignal): Promise<number> {
    const target = Math.min(this.#o.maxRunners, count);
    for (let i = this.#procs.size; i < target; i++) await this.#start(signal);
    return this.#procs.size;
  }

  handleJobStarted(_job: JobStarted): void {}

  handleJobCompleted(job: JobCompleted): void {
    if (job.result !== "succeeded") this.errors.push(`job ${job.jobId}: result ${job.result}`);
    if (this.#procs.delete(job.runnerName)) this.completed++;
    if (this.completed >= this.#o.want) this.#o.onDone();
  }

  async #start(signal: AbortSignal): Promise<void> {
    const name = `runner-${randomUUID().slice(0, 8)}`;
    const jit = await this.#o.client.generateJitRunnerConfig(
      this.#o.scaleSetId,
      { name },
      { signal },
    );
    const log = openSync(this.#o.runnerLog, "a");
    const child = spawn(this.#o.runnerCmd, [], {
      env: { ...process.env, ACTIONS_RUNNER_INPUT_JITCONFIG: jit.encodedJITConfig },
      stdio: ["ignore", log, log],
      detached: true,
    });
    this.#procs.set(name, child);
    this.started++;
    this.#exits.push(
      new Promise((resolve) => {
        child.on("exit", (code, sig) => {
          if ((code !== 0 || sig) && !this.#killed.has(name)) {
            this.errors.push(`fake runner ${name} exited with ${code ?? sig}`);
          }
          resolve();
        });
        child.on("error", (err) => {
          this.errors.push(`fake runner ${name}: ${err.message}`);
          resolve();
        });
      }),
    );
  }

  /** Waits up to 5 s for runners to exit, then kills the ones left; returns how many. */
  async shutdown(): Promise<number> {
    const all = Promise.all(this.#exits);
    let timer: NodeJS.Timeout | undefined;
    const timedOut = await Promise.race([
      all.then(() => false),
      new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(true), 5_000);
      }),
    ]);
    clearTimeout(timer);
    if (!timedOut) return 0;
    let leftover = 0;
    for (const [name, child] of this.#procs) {
      if (child.exitCode === null && child.pid !== undefined) {
        leftover++;
        this.#killed.add(name);
        process.kill(-child.pid, "SIGKILL");
      }
    }
    await all;
    return leftover;
  }
}
