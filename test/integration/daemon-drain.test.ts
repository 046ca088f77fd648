import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { Autoscaler } from "../../src/autoscaler/autoscaler.js";
import { runDaemon } from "../../src/daemon/daemon.js";
import { createFakeRunnerDir, startEmulator } from "../../src/emulator/index.js";
import { metricValue, processDaemonConfig, until } from "../helpers/daemon-config.js";

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe("scaleset run drain", () => {
  it("keeps the session until busy runners finished, so their jobs count as completed, not as runners that died", async () => {
    const dir = await mkdtemp(join(tmpdir(), "scaleset-drain-"));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const emulator = await startEmulator({ longPollMs: 300 });
    cleanups.push(() => emulator.close());
    const runnerDir = join(dir, "runner");
    await createFakeRunnerDir(runnerDir);
    const config = processDaemonConfig({
      emulator,
      name: "drainer",
      runnerDir,
      workDir: join(dir, "work"),
      maxRunners: 3,
      drainTimeoutMs: 30_000,
      metrics: true,
    });
    const lines: Array<{ level: string; msg: string }> = [];
    const log = (level: string) => (_obj: Record<string, unknown>, msg?: string) => {
      lines.push({ level, msg: msg ?? "" });
    };
    const stop = new AbortController();
    let metricsUrl = "";
    let autoscaler: Autoscaler | undefined;
    const running = runDaemon({
      config,
      logger: { debug: log("debug"), info: log("info"), warn: log("warn"), error: log("error") },
      signal: stop.signal,
      tuning: { pollIntervalMs: 200 },
      onMetricsListening: (url) => {
        metricsUrl = url;
      },
      onReady: (info) => {
        autoscaler = info.autoscalers[0];
      },
    });
    let stopped = false;
    void running.finally(() => {
      stopped = true;
    });
    cleanups.push(async () => {
      stop.abort();
      await running.catch(() => {});
    });
    const scaler = await until(() => autoscaler);
    emulator.queueJobs(
      Array.from({ length: 3 }, () => ({ labels: ["drainer"], durationMs: 1500 })),
    );
    await until(() => scaler.counts().busy === 3);

    stop.abort();
    // The drain waits for the busy runners; meanwhile their completions still arrive.
    await until(() => scaler.draining);
    const metrics = async () => (await fetch(`${metricsUrl}/metrics`)).text();
    await until(async () => metricValue(await metrics(), "gha_completed_jobs_total") === 3);
    expect(stopped).toBe(false);
    await running;

    expect(emulator.listJobs().map((j) => j.result)).toEqual(Array(3).fill("succeeded"));
    expect(lines.filter((l) => l.level === "warn")).toEqual([]);
    expect(lines.filter((l) => l.msg === "runner died during its job")).toEqual([]);
    expect(emulator.listRunners()).toEqual([]);
    expect(emulator.listSessions()).toEqual([]);
  });
});
