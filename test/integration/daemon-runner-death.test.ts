import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { Autoscaler } from "../../src/autoscaler/autoscaler.js";
import type { DaemonConfig } from "../../src/daemon/config-schema.js";
import { runDaemon } from "../../src/daemon/daemon.js";
import { createFakeRunnerDir, startEmulator } from "../../src/emulator/index.js";

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function until<T>(probe: () => T | undefined | false, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 25));
  }
}

async function start(minRunners: number) {
  const dir = await mkdtemp(join(tmpdir(), "scaleset-death-"));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  const emulator = await startEmulator({ longPollMs: 300 });
  cleanups.push(() => emulator.close());
  const runnerDir = join(dir, "runner");
  const workDir = join(dir, "work");
  await createFakeRunnerDir(runnerDir);
  const config: DaemonConfig = {
    url: emulator.configUrl,
    auth: { kind: "token", token: emulator.token },
    logLevel: "info",
    logFormat: "json",
    metricsAddr: undefined,
    drainTimeoutMs: 5_000,
    deleteOnExit: false,
    scaleSets: [
      {
        name: "mortal",
        labels: [],
        runnerGroup: "default",
        minRunners,
        maxRunners: 3,
        provider: { type: "process", runnerDir, workDir },
      },
    ],
  };
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
  cleanups.push(async () => {
    stop.abort();
    await running.catch(() => {});
  });
  const scaler = await until(() => autoscaler);
  return { emulator, workDir, autoscaler: scaler };
}

describe("a runner that dies", () => {
  it("is removed from the service and replaced when it dies idle", async () => {
    const { emulator, workDir, autoscaler } = await start(1);
    const victim = await until(() => autoscaler.runners().find((r) => r.state === "idle"));
    const pid = Number(await readFile(join(workDir, ".scaleset", `${victim.name}.pid`), "utf8"));
    process.kill(pid, "SIGKILL");
    await until(() => !emulator.listRunners().some((r) => r.name === victim.name));
    const replacement = await until(() =>
      autoscaler.runners().find((r) => r.name !== victim.name && r.state === "idle"),
    );
    expect(emulator.listRunners().map((r) => r.name)).toEqual([replacement.name]);
  });

  it("is replaced when it dies mid-job, its process is cleaned up and its removal retried", async () => {
    const { emulator, autoscaler } = await start(0);
    // The job kills its own runner (the fake runner is the command's parent process).
    emulator.queueJobs({ labels: ["mortal"], command: "sleep 0.3; kill -9 $PPID; sleep 5" });
    const victim = await until(() => autoscaler.runners().find((r) => r.state === "busy"));
    await until(() => autoscaler.runners().find((r) => r.name === victim.name)?.state === "dead");
    // The service still counts the job as running, so the runner is replaced while its
    // service-side removal is retried (the service refuses it until the job is failed).
    const replacement = await until(() =>
      autoscaler.runners().find((r) => r.name !== victim.name && r.state === "idle"),
    );
    expect(replacement.name).toMatch(/^mortal-/);
    expect(autoscaler.counts()).toMatchObject({ dead: 1, idle: 1 });
  });
});
