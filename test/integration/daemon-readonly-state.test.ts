/**
 * `scaleset run` where its state directory cannot be written (a read-only root file system in a
 * locked-down container): it says so once and runs anyway.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { runDaemon } from "../../src/daemon/daemon.js";
import { defaultStateDir } from "../../src/daemon/session-store.js";
import { createFakeRunnerDir, startEmulator } from "../../src/emulator/index.js";
import { processDaemonConfig } from "../helpers/daemon-config.js";
import { waitUntil } from "../helpers/fake-listener-client.js";

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe("scaleset run with a state directory it cannot write", () => {
  it("warns, naming SCALESET_STATE_DIR, and still runs its jobs", async () => {
    const dir = await mkdtemp(join(tmpdir(), "scaleset-readonly-state-"));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const emulator = await startEmulator({ longPollMs: 300 });
    cleanups.push(() => emulator.close());
    const runnerDir = join(dir, "runner");
    await createFakeRunnerDir(runnerDir);
    const notADir = join(dir, "file");
    await writeFile(notADir, "");
    const config = processDaemonConfig({
      emulator,
      name: "readonly",
      labels: ["readonly"],
      runnerDir,
      workDir: join(dir, "work"),
    });
    const warnings: string[] = [];
    const stop = new AbortController();
    const running = runDaemon({
      config,
      logger: {
        debug() {},
        info() {},
        warn: (obj, msg) => warnings.push(`${msg} ${JSON.stringify(obj)}`),
        error() {},
      },
      signal: stop.signal,
      tuning: { pollIntervalMs: 200, stateDir: join(notADir, "state") },
    });
    cleanups.push(async () => {
      stop.abort();
      await running.catch(() => {});
    });
    await waitUntil(() => emulator.listScaleSets().find((s) => s.name === "readonly"), 20_000);
    emulator.queueJobs({ labels: ["readonly"] });
    await waitUntil(() => emulator.listJobs().find((j) => j.state === "completed"), 30_000);
    expect(
      warnings.some(
        (w) => w.includes("cannot keep state here") && w.includes("SCALESET_STATE_DIR"),
      ),
    ).toBe(true);
    stop.abort();
    await running;
  });

  it("takes its state directory from SCALESET_STATE_DIR", () => {
    expect(defaultStateDir({ SCALESET_STATE_DIR: "/var/lib/scaleset" })).toBe("/var/lib/scaleset");
    expect(defaultStateDir({})).toMatch(/\.scaleset\/state$/);
  });
});
