import { mkdtemp, readdir, readFile, readlink, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { Autoscaler } from "../../src/autoscaler/autoscaler.js";
import { runDaemon } from "../../src/daemon/daemon.js";
import { createFakeRunnerDir, startEmulator } from "../../src/emulator/index.js";
import { pidsInGroup } from "../contracts/runner-provider.contract.js";
import { processDaemonConfig } from "../helpers/daemon-config.js";

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function until<T>(
  probe: () => T | undefined | false | Promise<T | undefined | false>,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** The pid of a runner's wrapper shell, which leads its process group. */
async function groupOf(workDir: string, name: string): Promise<number> {
  return Number(await readFile(join(workDir, ".scaleset", `${name}.pid`), "utf8"));
}

/** Live processes whose working directory is (or was) under `dir`. */
async function pidsUnder(dir: string): Promise<number[]> {
  const found: number[] = [];
  for (const entry of await readdir("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const cwd = await readlink(`/proc/${entry}/cwd`).catch(() => "");
    if (cwd.startsWith(dir)) found.push(Number(entry));
  }
  return found;
}

async function start(minRunners: number) {
  const dir = await mkdtemp(join(tmpdir(), "scaleset-death-"));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  // A runner that stops renewing its job lock for 1 s is lost: its job fails and the service
  // removes it.
  const emulator = await startEmulator({ longPollMs: 300, runnerLostTimeoutMs: 1_000 });
  cleanups.push(() => emulator.close());
  const runnerDir = join(dir, "runner");
  const workDir = join(dir, "work");
  await createFakeRunnerDir(runnerDir);
  const config = processDaemonConfig({
    emulator,
    name: "mortal",
    runnerDir,
    workDir,
    minRunners,
    maxRunners: 3,
  });
  const stop = new AbortController();
  let autoscaler: Autoscaler | undefined;
  const running = runDaemon({
    config,
    logger: { debug() {}, info() {}, warn() {}, error() {} },
    signal: stop.signal,
    tuning: { pollIntervalMs: 200 },
    onReady: (info) => {
      autoscaler = info.autoscalers[0];
    },
  });
  const stopDaemon = async () => {
    stop.abort();
    await running.catch(() => {});
  };
  cleanups.push(stopDaemon);
  const scaler = await until(() => autoscaler);
  return { emulator, workDir, autoscaler: scaler, stopDaemon };
}

describe("a runner that dies", () => {
  it("is removed from the service and replaced when it dies idle", async () => {
    const { emulator, workDir, autoscaler, stopDaemon } = await start(1);
    const victim = await until(() => autoscaler.runners().find((r) => r.state === "idle"));
    const group = await groupOf(workDir, victim.name);
    process.kill(-group, "SIGKILL");
    await until(() => !emulator.listRunners().some((r) => r.name === victim.name));
    const replacement = await until(() =>
      autoscaler.runners().find((r) => r.name !== victim.name && r.state === "idle"),
    );
    expect(emulator.listRunners().map((r) => r.name)).toEqual([replacement.name]);
    const replacementGroup = await groupOf(workDir, replacement.name);
    await stopDaemon();
    expect(await pidsInGroup(group)).toEqual([]);
    expect(await pidsInGroup(replacementGroup)).toEqual([]);
    expect(await pidsUnder(workDir)).toEqual([]);
  });

  it("is not leaked when only its wrapper shell is killed: it keeps running and the drain stops all of it", async () => {
    const { emulator, workDir, autoscaler, stopDaemon } = await start(1);
    const runner = await until(() => autoscaler.runners().find((r) => r.state === "idle"));
    const group = await groupOf(workDir, runner.name);
    // Right after the start, while the fake runner is still loading.
    process.kill(group, "SIGKILL");
    await until(() =>
      emulator.listRunners().find((r) => r.name === runner.name && r.status !== "registered"),
    );
    expect(autoscaler.runners().map((r) => [r.name, r.state])).toEqual([[runner.name, "idle"]]);
    expect((await pidsInGroup(group)).length).toBeGreaterThan(0);
    await stopDaemon();
    expect(await pidsInGroup(group)).toEqual([]);
    expect(await pidsUnder(workDir)).toEqual([]);
    expect(emulator.listRunners()).toEqual([]);
  });

  it("is replaced when it dies mid-job; its job fails, its service-side runner goes and nothing of it is left", async () => {
    const { emulator, workDir, autoscaler, stopDaemon } = await start(0);
    // The job kills its own runner (the fake runner is the command's parent process) and
    // leaves a process behind in the runner's process group.
    const [job] = emulator.queueJobs({
      labels: ["mortal"],
      command: "sleep 0.3; kill -9 $PPID; sleep 30",
    });
    const victim = await until(() => autoscaler.runners().find((r) => r.state === "busy"));
    const group = await groupOf(workDir, victim.name);
    // The service still counts the job as running, so the runner is replaced at once.
    const replacement = await until(() =>
      autoscaler.runners().find((r) => r.name !== victim.name && r.state !== "busy"),
    );
    expect(replacement.name).toMatch(/^mortal-/);
    // Once the provider has removed the dead runner, the job's leftover is gone with it.
    await until(() => {
      const state = autoscaler.runners().find((r) => r.name === victim.name)?.state;
      return state === "dead" || state === undefined;
    });
    expect(await pidsInGroup(group)).toEqual([]);
    // The service notices the lost runner (no lock renewal), fails the job and drops the runner;
    // the autoscaler then lets go of it too, and of the replacement (nothing is assigned now).
    const failed = await until(() =>
      emulator.listJobs().find((j) => j.jobId === job?.jobId && j.state === "completed"),
    );
    expect(failed.result).toBe("failed");
    expect(failed.runnerName).toBe(victim.name);
    await until(() => autoscaler.runners().length === 0 && emulator.listRunners().length === 0);
    expect(autoscaler.counts()).toMatchObject({ dead: 0, idle: 0, busy: 0, removing: 0 });
    await stopDaemon();
    expect(await pidsInGroup(group)).toEqual([]);
    expect(await pidsUnder(workDir)).toEqual([]);
  });
});
