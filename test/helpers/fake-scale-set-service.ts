/**
 * A hand-written in-memory stand-in for the client operations the autoscaler uses: JIT configs,
 * runner lookups and removal (with the service's RUNNER_NOT_FOUND / JOB_STILL_RUNNING answers),
 * and scale set get/create/update.
 * @module
 */
import type { AutoscalerClient, ScaleSetAdminClient } from "../../src/autoscaler/types.js";
import type { RunnerScaleSetInput } from "../../src/client/types.js";
import type {
  RunnerGroup,
  RunnerReference,
  RunnerScaleSet,
  RunnerScaleSetJitRunnerConfig,
} from "../../src/wire/types.js";

/** An error shaped like the client's `ScaleSetError` (string `code`). */
export class FakeServiceError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.code = code;
  }
}

interface FakeServiceRunner extends RunnerReference {
  busy: boolean;
}

/** In-memory service: registered runners and scale sets. */
export class FakeScaleSetService implements AutoscalerClient, ScaleSetAdminClient {
  readonly runners = new Map<number, FakeServiceRunner>();
  readonly scaleSets = new Map<number, RunnerScaleSet>();
  readonly calls: string[] = [];
  /** Errors thrown by the next JIT config requests, in order. */
  readonly jitFailures: Error[] = [];
  #nextId = 1;

  async generateJitRunnerConfig(
    scaleSetId: number,
    settings: { name: string },
  ): Promise<RunnerScaleSetJitRunnerConfig> {
    this.calls.push("generateJitRunnerConfig");
    const failure = this.jitFailures.shift();
    if (failure) throw failure;
    const runner = { id: this.#nextId++, name: settings.name, runnerScaleSetId: scaleSetId };
    this.runners.set(runner.id, { ...runner, busy: false });
    return { runner, encodedJITConfig: `jit-secret-${settings.name}` };
  }

  async getRunnerByName(name: string): Promise<RunnerReference | undefined> {
    this.calls.push("getRunnerByName");
    const found = [...this.runners.values()].find((r) => r.name === name);
    return found && { id: found.id, name: found.name, runnerScaleSetId: found.runnerScaleSetId };
  }

  async removeRunner(runnerId: number): Promise<void> {
    this.calls.push("removeRunner");
    const runner = this.runners.get(runnerId);
    if (!runner) throw new FakeServiceError("RUNNER_NOT_FOUND", `runner ${runnerId} not found`);
    if (runner.busy) throw new FakeServiceError("JOB_STILL_RUNNING", `runner ${runnerId} busy`);
    this.runners.delete(runnerId);
  }

  /** Marks the named runner busy or idle (what the service thinks). */
  setBusy(name: string, busy: boolean): void {
    const runner = [...this.runners.values()].find((r) => r.name === name);
    if (!runner) throw new Error(`no service runner ${name}`);
    runner.busy = busy;
  }

  /** Names of registered runners. */
  runnerNames(): string[] {
    return [...this.runners.values()].map((r) => r.name);
  }

  async getRunnerGroupByName(name: string): Promise<RunnerGroup> {
    if (name !== "default") throw new FakeServiceError("NOT_FOUND", `no runner group ${name}`);
    return { id: 1, name, size: 0, isDefaultGroup: true };
  }

  async getRunnerScaleSet(
    runnerGroupId: number,
    name: string,
  ): Promise<RunnerScaleSet | undefined> {
    return [...this.scaleSets.values()].find(
      (s) => s.name === name && s.runnerGroupId === runnerGroupId,
    );
  }

  async createRunnerScaleSet(input: RunnerScaleSetInput): Promise<RunnerScaleSet> {
    this.calls.push("createRunnerScaleSet");
    const id = this.#nextId++;
    const scaleSet: RunnerScaleSet = {
      id,
      name: input.name ?? "",
      runnerGroupId: input.runnerGroupId ?? 1,
      runnerGroupName: "default",
      labels: (input.labels ?? []).map((l) => ({ name: l.name, type: l.type ?? "System" })),
      runnerSetting: input.runnerSetting ?? {},
      createdOn: new Date().toISOString(),
      runnerJitConfigUrl: "",
      statistics: undefined,
    };
    this.scaleSets.set(id, scaleSet);
    return scaleSet;
  }

  async updateRunnerScaleSet(id: number, patch: RunnerScaleSetInput): Promise<RunnerScaleSet> {
    this.calls.push("updateRunnerScaleSet");
    const current = this.scaleSets.get(id);
    if (!current) throw new FakeServiceError("SCALE_SET_NOT_FOUND", `no scale set ${id}`);
    const labels = patch.labels?.map((l) => ({ name: l.name, type: l.type ?? "System" }));
    const updated = { ...current, ...(labels ? { labels } : {}) };
    this.scaleSets.set(id, updated);
    return updated;
  }
}
