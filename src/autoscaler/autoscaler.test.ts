import { afterEach, describe, expect, it } from "vitest";
import { FakeProvider } from "../../test/helpers/fake-provider.js";
import { FakeScaleSetService } from "../../test/helpers/fake-scale-set-service.js";
import type { Logger } from "../util/logger.js";
import { type JobCompleted, type JobStarted, ZERO_TIME } from "../wire/types.js";
import { Autoscaler } from "./autoscaler.js";
import type { AutoscalerOptions } from "./types.js";

const SCALE_SET_ID = 7;
const started: Autoscaler[] = [];

afterEach(async () => {
  await Promise.all(started.splice(0).map((a) => a.stop()));
});

function jobBase(jobId: string) {
  return {
    runnerRequestId: 1,
    repositoryName: "repo",
    ownerName: "org",
    jobId,
    jobWorkflowRef: "",
    jobDisplayName: "build",
    workflowRunId: 1,
    eventName: "push",
    requestLabels: ["set"],
    queueTime: ZERO_TIME,
    scaleSetAssignTime: ZERO_TIME,
    runnerAssignTime: ZERO_TIME,
    finishTime: ZERO_TIME,
  };
}

function jobStarted(runnerName: string, jobId = `job-${runnerName}`): JobStarted {
  return { ...jobBase(jobId), messageType: "JobStarted", runnerId: 0, runnerName };
}

function jobCompleted(runnerName: string, jobId = `job-${runnerName}`): JobCompleted {
  return {
    ...jobBase(jobId),
    messageType: "JobCompleted",
    runnerId: 0,
    runnerName,
    result: "succeeded",
  };
}

class RecordingLogger implements Logger {
  readonly lines: string[] = [];
  debug = (obj: Record<string, unknown>, msg?: string) =>
    this.lines.push(`${msg} ${JSON.stringify(obj)}`);
  info = this.debug;
  warn = this.debug;
  error = this.debug;
}

async function until<T>(probe: () => T | undefined | false, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 5));
  }
}

function setup(options: Partial<AutoscalerOptions> = {}, provider = new FakeProvider()) {
  const service = new FakeScaleSetService();
  const logger = new RecordingLogger();
  const autoscaler = new Autoscaler({
    client: service,
    provider,
    scaleSetId: SCALE_SET_ID,
    scaleSetName: "set",
    minRunners: 0,
    maxRunners: 10,
    pollIntervalMs: 20,
    logger,
    ...options,
  });
  started.push(autoscaler);
  return { autoscaler, provider, service, logger };
}

describe("Autoscaler", () => {
  it("keeps min(max, min + assigned) runners, each with its own JIT config and a prefixed name", async () => {
    const { autoscaler, provider, service } = setup({ minRunners: 2, maxRunners: 4 });
    expect(await autoscaler.handleDesiredRunnerCount(0)).toBe(2);
    await autoscaler.settled();
    expect(provider.running()).toHaveLength(2);
    expect(await autoscaler.handleDesiredRunnerCount(5)).toBe(4);
    await autoscaler.settled();
    expect(provider.running()).toHaveLength(4);
    expect(service.runnerNames()).toHaveLength(4);
    for (const runner of provider.runners.values()) {
      expect(runner.name).toMatch(/^set-[0-9a-f]{8}$/);
      expect(runner.jitConfig).toBe(`jit-secret-${runner.name}`);
    }
  });

  it("starts runners in parallel but never more than the concurrency limit at once", async () => {
    const { autoscaler, provider } = setup(
      { maxRunners: 50, concurrency: 4 },
      new FakeProvider({ startDelayMs: 10 }),
    );
    await autoscaler.handleDesiredRunnerCount(20);
    await autoscaler.settled();
    expect(provider.running()).toHaveLength(20);
    expect(provider.maxInFlightStarts).toBe(4);
  });

  it("returns the desired count after the starts it began, so the listener acks after them", async () => {
    const { autoscaler, provider } = setup({}, new FakeProvider({ startDelayMs: 5 }));
    expect(await autoscaler.handleDesiredRunnerCount(3)).toBe(3);
    expect(provider.running()).toHaveLength(3);
  });

  it("stops waiting for slow starts after startWaitMs and lets them finish in the background", async () => {
    let release = () => {};
    const gate = new Promise<void>((r) => {
      release = r;
    });
    class GatedProvider extends FakeProvider {
      override async start(...args: Parameters<FakeProvider["start"]>): Promise<void> {
        await gate;
        return super.start(...args);
      }
    }
    const { autoscaler, provider } = setup({ startWaitMs: 20 }, new GatedProvider());
    expect(await autoscaler.handleDesiredRunnerCount(2)).toBe(2);
    expect(provider.running()).toHaveLength(0);
    expect(autoscaler.counts().starting).toBe(2);
    release();
    await autoscaler.settled();
    expect(provider.running()).toHaveLength(2);
  });

  it("queues a burst's starts behind the concurrency limit and forgets the queued ones on drain", async () => {
    let release = () => {};
    const gate = new Promise<void>((r) => {
      release = r;
    });
    let calls = 0;
    class GatedProvider extends FakeProvider {
      override async start(...args: Parameters<FakeProvider["start"]>): Promise<void> {
        calls++;
        await gate;
        return super.start(...args);
      }
    }
    const { autoscaler, provider, service } = setup(
      { concurrency: 2, startWaitMs: 0, maxRunners: 100 },
      new GatedProvider(),
    );
    await autoscaler.handleDesiredRunnerCount(50);
    await until(() => calls === 2);
    expect(autoscaler.counts().starting).toBe(50);
    const drained = autoscaler.drain({ timeoutMs: 5000 });
    release();
    expect(await drained).toEqual([]);
    expect(calls).toBe(2);
    expect(provider.running()).toHaveLength(0);
    expect(service.runnerNames()).toHaveLength(0);
  });

  it("removes a runner once its job completed and it exited, then keeps the minimum", async () => {
    const { autoscaler, provider, service } = setup({ minRunners: 1, maxRunners: 3 });
    autoscaler.start();
    await autoscaler.handleDesiredRunnerCount(1);
    await autoscaler.settled();
    const [first] = provider.running();
    if (!first) throw new Error("no runner");
    await autoscaler.handleJobStarted(jobStarted(first));
    expect(autoscaler.runners().find((r) => r.name === first)?.state).toBe("busy");
    await autoscaler.handleJobCompleted(jobCompleted(first));
    expect(autoscaler.runners().find((r) => r.name === first)?.state).toBe("done");
    await autoscaler.handleDesiredRunnerCount(0);
    service.runners.delete([...service.runners.values()].find((r) => r.name === first)?.id ?? 0);
    provider.exit(first, 0);
    await until(() => !provider.runners.has(first));
    await until(() => autoscaler.counts().idle === 1 && autoscaler.runners().length === 1);
    expect(provider.removed).toContain(first);
  });

  it("replaces a runner that dies mid-job and removes it from the service", async () => {
    const { autoscaler, provider, service, logger } = setup({ minRunners: 0, maxRunners: 3 });
    autoscaler.start();
    await autoscaler.handleDesiredRunnerCount(1);
    await autoscaler.settled();
    const [victim] = provider.running();
    if (!victim) throw new Error("no runner");
    await autoscaler.handleJobStarted(jobStarted(victim));
    provider.exit(victim, 137);
    await until(() => !service.runnerNames().includes(victim) && !provider.runners.has(victim));
    const replacement = await until(() => provider.running().find((n) => n !== victim));
    expect(service.runnerNames()).toEqual([replacement]);
    expect(logger.lines.some((l) => l.startsWith("runner died during its job"))).toBe(true);
  });

  it("treats a busy runner that exits 0 before its JobCompleted as finished: removed, not reported dead, no replacement for its job", async () => {
    const { autoscaler, provider, service, logger } = setup({ maxRunners: 3 });
    autoscaler.start();
    await autoscaler.handleDesiredRunnerCount(1);
    await autoscaler.settled();
    const [name] = provider.running();
    if (!name) throw new Error("no runner");
    await autoscaler.handleJobStarted(jobStarted(name));
    provider.exit(name, 0);
    await until(() => !provider.runners.has(name) && !service.runnerNames().includes(name));
    const lists = provider.lists;
    await until(() => provider.lists >= lists + 5);
    expect(provider.starts).toBe(1);
    expect(autoscaler.runners()).toEqual([]);
    expect(
      logger.lines.filter((l) => l.startsWith("runner exited after its job; completion not")),
    ).toHaveLength(1);
    expect(logger.lines.filter((l) => l.startsWith("runner died"))).toEqual([]);
    await autoscaler.handleJobCompleted(jobCompleted(name));
    await autoscaler.handleDesiredRunnerCount(0);
    expect(logger.lines.filter((l) => l.includes("unknown runner"))).toEqual([]);
    expect(autoscaler.totals()).toMatchObject({ started: 1, removed: 1 });
  });

  it("keeps a runner that died mid-job as dead while the service refuses its removal, and drops it once the service no longer knows it", async () => {
    const { autoscaler, provider, service } = setup({ minRunners: 0, maxRunners: 3 });
    autoscaler.start();
    await autoscaler.handleDesiredRunnerCount(1);
    await autoscaler.settled();
    const [victim] = provider.running();
    if (!victim) throw new Error("no runner");
    await autoscaler.handleJobStarted(jobStarted(victim));
    service.setBusy(victim, true);
    provider.exit(victim, 137);
    await until(() => autoscaler.runners().find((r) => r.name === victim)?.state === "dead");
    expect(provider.runners.has(victim)).toBe(false);
    await until(() => provider.running().find((n) => n !== victim));
    // The service fails the job and removes the lost runner itself: RUNNER_NOT_FOUND on our
    // next removal counts as removed.
    const id = [...service.runners.values()].find((r) => r.name === victim)?.id ?? -1;
    service.runners.delete(id);
    await autoscaler.handleJobCompleted(jobCompleted(victim));
    await until(() => !autoscaler.runners().some((r) => r.name === victim));
    expect(service.runnerNames()).not.toContain(victim);
    expect(autoscaler.counts()).toMatchObject({ dead: 0, idle: 1 });
  });

  it("never removes a busy runner when the target drops, and removes idle ones", async () => {
    const { autoscaler, provider } = setup({ minRunners: 0, maxRunners: 5 });
    await autoscaler.handleDesiredRunnerCount(3);
    await autoscaler.settled();
    const [busy] = provider.running();
    if (!busy) throw new Error("no runner");
    await autoscaler.handleJobStarted(jobStarted(busy));
    await autoscaler.handleDesiredRunnerCount(0);
    await autoscaler.settled();
    expect(provider.running()).toEqual([busy]);
    expect(autoscaler.counts()).toMatchObject({ busy: 1, idle: 0 });
  });

  it("keeps an idle runner the service reports as running a job when scaling down", async () => {
    const { autoscaler, provider, service } = setup({ maxRunners: 5 });
    await autoscaler.handleDesiredRunnerCount(1);
    await autoscaler.settled();
    const [name] = provider.running();
    if (!name) throw new Error("no runner");
    service.setBusy(name, true);
    await autoscaler.handleDesiredRunnerCount(0);
    await autoscaler.settled();
    expect(provider.running()).toEqual([name]);
    expect(autoscaler.runners()[0]?.state).toBe("busy");
  });

  it("logs job messages for unknown runner names instead of throwing", async () => {
    const { autoscaler, logger } = setup();
    await expect(autoscaler.handleJobStarted(jobStarted("someone-else"))).resolves.toBeUndefined();
    await expect(
      autoscaler.handleJobCompleted(jobCompleted("someone-else")),
    ).resolves.toBeUndefined();
    expect(logger.lines.filter((l) => l.includes("unknown runner"))).toHaveLength(2);
  });

  it("forces removal of a finished runner that does not exit within the grace period", async () => {
    const { autoscaler, provider } = setup({ exitGraceMs: 50 });
    autoscaler.start();
    await autoscaler.handleDesiredRunnerCount(1);
    await autoscaler.settled();
    const [name] = provider.running();
    if (!name) throw new Error("no runner");
    await autoscaler.handleJobStarted(jobStarted(name));
    await autoscaler.handleJobCompleted(jobCompleted(name));
    await autoscaler.handleDesiredRunnerCount(0);
    await until(() => provider.runners.size === 0 && autoscaler.runners().length === 0);
  });

  it("cleans up after a failed start and retries with a new runner", async () => {
    const provider = new FakeProvider();
    provider.startFailures.push(new Error("engine unavailable"));
    const { autoscaler, service } = setup({}, provider);
    autoscaler.start();
    await autoscaler.handleDesiredRunnerCount(1);
    await until(() => provider.running().length === 1);
    expect(autoscaler.totals()).toMatchObject({ started: 1, failedStarts: 1 });
    expect(service.runnerNames()).toEqual(provider.running());
  });

  it("backs off restarting runners that exit before taking a job, and a runner that takes a job resets it", async () => {
    const { autoscaler, provider, logger } = setup({ minRunners: 1 });
    autoscaler.start();
    await autoscaler.handleDesiredRunnerCount(0);
    const early = () =>
      logger.lines
        .filter((l) => l.startsWith("runner exited before taking a job "))
        .map((l) => JSON.parse(l.slice(l.indexOf("{"))) as { exitCode: number; backoffMs: number });
    // A crash-looping run.sh: every runner exits as soon as it runs.
    for (let i = 1; i <= 3; i++) {
      const name = await until(() => provider.running()[0], 10_000);
      provider.exit(name, 1);
      await until(() => early().length === i);
    }
    expect(early()).toEqual([
      expect.objectContaining({ exitCode: 1, backoffMs: 500 }),
      expect.objectContaining({ exitCode: 1, backoffMs: 1000 }),
      expect.objectContaining({ exitCode: 1, backoffMs: 2000 }),
    ]);
    const starts = provider.starts;
    const lists = provider.lists;
    await until(() => provider.lists >= lists + 10);
    expect(provider.starts).toBe(starts);
    expect(autoscaler.totals()).toMatchObject({ started: 3, earlyExits: 3, failedStarts: 0 });

    const worker = await until(() => provider.running()[0], 10_000);
    await autoscaler.handleJobStarted(jobStarted(worker));
    await autoscaler.handleJobCompleted(jobCompleted(worker));
    provider.exit(worker, 0);
    const next = await until(() => provider.running().find((n) => n !== worker), 10_000);
    provider.exit(next, 0);
    await until(() => early().length === 4);
    expect(early()[3]).toMatchObject({ exitCode: 0, backoffMs: 500 });
  });

  it("does not back off for an idle runner that exits long after its launch", async () => {
    const { autoscaler, provider, logger } = setup({ minRunners: 1, earlyExitMs: 50 });
    autoscaler.start();
    await autoscaler.handleDesiredRunnerCount(0);
    const first = await until(() => provider.running()[0]);
    await new Promise((r) => setTimeout(r, 100));
    provider.exit(first, 0);
    await until(() => provider.running().find((n) => n !== first));
    expect(logger.lines.filter((l) => l.startsWith("runner exited without a job"))).toHaveLength(1);
    expect(logger.lines.filter((l) => l.startsWith("runner exited before"))).toEqual([]);
    expect(autoscaler.totals()).toMatchObject({ earlyExits: 0 });
  });

  it("does not mistake runners started or removed during a slow provider list for exits or strangers", async () => {
    const provider = new FakeProvider({ listDelayMs: 40, startDelayMs: 5 });
    const { autoscaler, logger } = setup({ pollIntervalMs: 5, maxRunners: 6 }, provider);
    autoscaler.start();
    await autoscaler.handleDesiredRunnerCount(3);
    await new Promise((r) => setTimeout(r, 150));
    await autoscaler.handleDesiredRunnerCount(1);
    await new Promise((r) => setTimeout(r, 150));
    expect(autoscaler.totals()).toMatchObject({ started: 3, removed: 2 });
    expect(logger.lines.filter((l) => /exited without|unknown runner/.test(l))).toEqual([]);
  });

  it("never puts a JIT config in its logs", async () => {
    const provider = new FakeProvider();
    provider.startFailures.push(new Error("boom"));
    const { autoscaler, logger } = setup({}, provider);
    autoscaler.start();
    await autoscaler.handleDesiredRunnerCount(2);
    await until(() => provider.running().length === 2);
    expect(logger.lines.join("\n")).not.toContain("jit-secret");
  });
});

describe("Autoscaler.reconcile", () => {
  it("adopts running runners the service knows and removes the rest from both sides", async () => {
    const provider = new FakeProvider();
    const { autoscaler, service } = setup({ minRunners: 1 }, provider);
    for (const name of ["set-keep", "set-exited", "set-unknown"]) {
      provider.runners.set(name, {
        name,
        scaleSetId: SCALE_SET_ID,
        jitConfig: "x",
        state: name === "set-exited" ? "exited" : "running",
        exitCode: name === "set-exited" ? 0 : undefined,
      });
    }
    await service.generateJitRunnerConfig(SCALE_SET_ID, { name: "set-keep" });
    await service.generateJitRunnerConfig(SCALE_SET_ID, { name: "set-exited" });
    expect(await autoscaler.reconcile()).toEqual({ adopted: 1, removed: 2 });
    expect([...provider.runners.keys()]).toEqual(["set-keep"]);
    expect(service.runnerNames()).toEqual(["set-keep"]);
    await autoscaler.handleDesiredRunnerCount(0);
    await autoscaler.settled();
    expect(provider.running()).toEqual(["set-keep"]);
  });
});

describe("Autoscaler.drain", () => {
  it("removes idle runners, waits for busy ones, and starts nothing new", async () => {
    const { autoscaler, provider, service } = setup({ minRunners: 2, maxRunners: 4 });
    autoscaler.start();
    await autoscaler.handleDesiredRunnerCount(1);
    await autoscaler.settled();
    const [busy] = provider.running();
    if (!busy) throw new Error("no runner");
    await autoscaler.handleJobStarted(jobStarted(busy));
    service.setBusy(busy, true);
    const drained = autoscaler.drain({ timeoutMs: 5000 });
    await until(() => provider.runners.size === 1);
    expect(await autoscaler.handleDesiredRunnerCount(3)).toBe(0);
    await autoscaler.handleJobCompleted(jobCompleted(busy));
    service.setBusy(busy, false);
    provider.exit(busy, 0);
    expect(await drained).toEqual([]);
    expect(provider.runners.size).toBe(0);
    expect(service.runnerNames()).toEqual([]);
  });

  it("waits for the JobCompleted of a runner that exited after its job before it ends", async () => {
    const { autoscaler, provider } = setup();
    autoscaler.start();
    await autoscaler.handleDesiredRunnerCount(1);
    await autoscaler.settled();
    const [name] = provider.running();
    if (!name) throw new Error("no runner");
    await autoscaler.handleJobStarted(jobStarted(name));
    let ended = false;
    const drained = autoscaler.drain({ timeoutMs: 5000 }).finally(() => {
      ended = true;
    });
    provider.exit(name, 0);
    await until(() => !provider.runners.has(name));
    const lists = provider.lists;
    await until(() => provider.lists >= lists + 3);
    expect(ended).toBe(false);
    await autoscaler.handleJobCompleted(jobCompleted(name));
    expect(await drained).toEqual([]);
  });

  it("gives up waiting for busy runners after the drain timeout and reports them", async () => {
    const { autoscaler, provider } = setup({ maxRunners: 2 });
    await autoscaler.handleDesiredRunnerCount(1);
    await autoscaler.settled();
    const [busy] = provider.running();
    if (!busy) throw new Error("no runner");
    await autoscaler.handleJobStarted(jobStarted(busy));
    const left = await autoscaler.drain({ timeoutMs: 50 });
    expect(left.map((r) => r.name)).toEqual([busy]);
    expect(provider.running()).toEqual([busy]);
  });
});
