/**
 * Two `scaleset run` for the same scale set on one host: the second is refused at start (exit 2)
 * instead of deleting the first's message session and removing its runners.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { instanceLockPath } from "../../src/daemon/instance-lock.js";
import { createFakeRunnerDir, type Emulator, startEmulator } from "../../src/emulator/index.js";
import { waitUntil } from "../helpers/fake-listener-client.js";

const repoRoot = fileURLToPath(new URL("../..", import.meta.url));
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

interface Daemon {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

function startDaemon(emulator: Emulator, runnerDir: string, home: string): Daemon {
  const child = spawn(
    process.execPath,
    [
      "--import",
      "tsx",
      "src/cli/main.ts",
      "run",
      "--url",
      emulator.configUrl,
      "--name",
      "linux",
      "--provider",
      "process",
      "--runner-dir",
      runnerDir,
      "--work-dir",
      join(home, "work"),
      "--log-format",
      "json",
    ],
    {
      cwd: repoRoot,
      // HOME: the state directory (~/.scaleset/state) of this test only.
      env: { ...process.env, HOME: home, GITHUB_TOKEN: emulator.token },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let out = "";
  child.stdout?.on("data", (d: Buffer) => {
    out += d.toString();
  });
  child.stderr?.on("data", (d: Buffer) => {
    out += d.toString();
  });
  const exited = new Promise<number | null>((resolve) =>
    child.once("exit", (code) => resolve(code)),
  );
  cleanups.push(async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    await exited;
  });
  return { child, output: () => out, exited };
}

describe("two scaleset run for the same scale set on one host", () => {
  it("refuses the second with exit 2 and leaves the first's session and runners alone", async () => {
    const home = await mkdtemp(join(tmpdir(), "scaleset-instance-lock-"));
    cleanups.push(() => rm(home, { recursive: true, force: true }));
    const emulator = await startEmulator({ longPollMs: 300 });
    cleanups.push(() => emulator.close());
    const runnerDir = join(home, "runner");
    await createFakeRunnerDir(runnerDir);

    const first = startDaemon(emulator, runnerDir, home);
    const session = await waitUntil(() => emulator.listSessions()[0], 30_000);

    const second = startDaemon(emulator, runnerDir, home);
    expect(await second.exited).toBe(2);
    const lock = instanceLockPath(emulator.configUrl, "linux", join(home, ".scaleset", "state"));
    const pid = first.child.pid;
    expect(second.output()).toBe(
      `scaleset: scale set "linux" at ${emulator.configUrl} is already run by pid ${pid} on this host (lock ${lock}); stop that daemon first, or delete the lock file if pid ${pid} is not a scaleset daemon\n`,
    );
    expect(emulator.listSessions().map((s) => s.sessionId)).toEqual([session.sessionId]);
    expect(first.child.exitCode).toBeNull();
    expect(first.output()).not.toContain("stale");

    // The first still gets and runs jobs.
    emulator.queueJobs([{ labels: ["linux"], durationMs: 200 }]);
    await waitUntil(() => emulator.listJobs().every((j) => j.state === "completed"), 30_000);
    expect(emulator.listJobs().map((j) => j.result)).toEqual(["succeeded"]);

    first.child.kill("SIGTERM");
    expect(await first.exited).toBe(0);
    // A clean stop removes the lock (and the session state file) again.
    expect(await readdir(join(home, ".scaleset", "state"))).toEqual([]);
  });
});
