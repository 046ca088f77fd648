import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { Autoscaler } from "../../src/autoscaler/autoscaler.js";
import { runDaemon } from "../../src/daemon/daemon.js";
import { createFakeRunnerDir, type Emulator, startEmulator } from "../../src/emulator/index.js";
import { ProcessProvider } from "../../src/providers/process/index.js";
import { metricValue, processDaemonConfig, until } from "../helpers/daemon-config.js";

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setup(minRunners: number, maxRunners: number) {
  const dir = await mkdtemp(join(tmpdir(), "scaleset-daemon-"));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  const emulator = await startEmulator({ longPollMs: 300 });
  cleanups.push(() => emulator.close());
  const runnerDir = join(dir, "runner");
  await createFakeRunnerDir(runnerDir);
  const workDir = join(dir, "work");
  const config = processDaemonConfig({
    emulator,
    name: "e2e",
    labels: ["linux"],
    runnerDir,
    workDir,
    minRunners,
    maxRunners,
    drainTimeoutMs: 30_000,
    metrics: true,
  });
  return { emulator, config, workDir, runnerDir };
}

function liveRunners(emulator: Emulator): number {
  return emulator.listRunners().length;
}

describe("scaleset run with the process provider", () => {
  it("runs 10 jobs with min 2 max 4, never over 4 runners, keeps 2 idle, then drains to nothing", async () => {
    const { emulator, config, workDir } = await setup(2, 4);
    const stop = new AbortController();
    let metricsUrl = "";
    const readyStatuses: number[] = [];
    let autoscaler: Autoscaler | undefined;
    // Slow the first service call so /readyz is observed before reconciliation.
    emulator.addFault({ operation: "getRunnerGroupByName", kind: "delay", delayMs: 400 });
    const running = runDaemon({
      config,
      logger: { debug() {}, info() {}, warn() {}, error() {} },
      signal: stop.signal,
      tuning: { pollIntervalMs: 200 },
      onMetricsListening: (url) => {
        metricsUrl = url;
      },
      onReady: (info) => {
        autoscaler = info.autoscalers[0];
      },
    });
    cleanups.push(async () => {
      stop.abort();
      await running.catch(() => {});
    });
    await until(() => metricsUrl);
    readyStatuses.push((await fetch(`${metricsUrl}/readyz`)).status);
    await until(async () => (await fetch(`${metricsUrl}/readyz`)).status === 200);
    expect(readyStatuses).toEqual([503]);
    expect((await fetch(`${metricsUrl}/healthz`)).status).toBe(200);
    await until(() => autoscaler?.counts().idle === 2);

    let maxSeen = 0;
    const sampler = setInterval(() => {
      const c = autoscaler?.counts();
      const atProvider = c ? c.starting + c.idle + c.busy + c.done + c.removing : 0;
      maxSeen = Math.max(maxSeen, liveRunners(emulator), atProvider);
    }, 10);
    cleanups.push(async () => clearInterval(sampler));
    emulator.queueJobs(
      Array.from({ length: 10 }, (_, i) => ({ labels: ["e2e"], durationMs: 100 + (i % 3) * 100 })),
    );
    await until(() => emulator.listJobs().every((j) => j.state === "completed"));
    await until(
      () =>
        autoscaler?.counts().idle === 2 &&
        autoscaler.runners().length === 2 &&
        liveRunners(emulator) === 2,
    );
    clearInterval(sampler);
    expect(maxSeen).toBeLessThanOrEqual(4);
    expect(emulator.listJobs().map((j) => j.result)).toEqual(Array(10).fill("succeeded"));

    const metrics = await (await fetch(`${metricsUrl}/metrics`)).text();
    expect(metricValue(metrics, "gha_started_jobs_total")).toBe(10);
    expect(metricValue(metrics, "gha_completed_jobs_total")).toBe(10);
    expect(metricValue(metrics, "gha_assigned_jobs")).toBe(0);
    expect(metricValue(metrics, "gha_desired_runners")).toBe(2);
    expect(metrics).toContain(
      'gha_max_runners{enterprise="",organization="emulated-org",repository="",name="e2e",namespace=""} 4',
    );
    expect(metrics).toContain("# TYPE scaleset_runner_start_latency_seconds histogram");

    stop.abort();
    await running;
    expect(liveRunners(emulator)).toBe(0);
    expect(
      await new ProcessProvider({ runnerDir: "/nonexistent", workDir }).list(
        emulator.listScaleSets()[0]?.id ?? 0,
      ),
    ).toEqual([]);
    expect(emulator.listSessions()).toEqual([]);
    expect(emulator.listScaleSets().map((s) => s.name)).toEqual(["e2e"]);
  });
});
