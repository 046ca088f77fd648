import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { createFakeRunnerDir, type Emulator, startEmulator } from "../../src/emulator/index.js";
import { ProcessProvider } from "../../src/providers/process/index.js";

const repoRoot = fileURLToPath(new URL("../..", import.meta.url));
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function until<T>(probe: () => T | undefined | false, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 50));
  }
}

interface Daemon {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

function startDaemon(emulator: Emulator, runnerDir: string, workDir: string): Daemon {
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
      "crashy",
      "--provider",
      "process",
      "--runner-dir",
      runnerDir,
      "--work-dir",
      workDir,
      "--max-runners",
      "3",
      "--log-format",
      "json",
      "--drain-timeout",
      "30s",
    ],
    {
      cwd: repoRoot,
      env: { ...process.env, GITHUB_TOKEN: emulator.token },
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

describe("scaleset run after a crash", () => {
  it("adopts or cleans up what a SIGKILLed daemon left, completes every job and leaks nothing", async () => {
    const dir = await mkdtemp(join(tmpdir(), "scaleset-crash-"));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const emulator = await startEmulator({ longPollMs: 500, sessionTtlMs: 1500 });
    cleanups.push(() => emulator.close());
    const runnerDir = join(dir, "runner");
    const workDir = join(dir, "work");
    await createFakeRunnerDir(runnerDir);

    const first = startDaemon(emulator, runnerDir, workDir);
    await until(() => emulator.listSessions().length === 1);
    emulator.queueJobs(Array.from({ length: 5 }, () => ({ labels: ["crashy"], durationMs: 3000 })));
    await until(() => emulator.listJobs().filter((j) => j.state === "running").length >= 2);
    first.child.kill("SIGKILL");
    await first.exited;

    const second = startDaemon(emulator, runnerDir, workDir);
    await until(() => emulator.listJobs().every((j) => j.state === "completed"), 90_000);
    expect(emulator.listJobs().map((j) => j.result)).toEqual(Array(5).fill("succeeded"));
    await until(() => emulator.listSessions().length === 1);
    second.child.kill("SIGTERM");
    expect(await second.exited).toBe(0);

    const scaleSetId = emulator.listScaleSets()[0]?.id ?? 0;
    expect(emulator.listRunners()).toEqual([]);
    expect(await new ProcessProvider({ runnerDir, workDir }).list(scaleSetId)).toEqual([]);
    expect(second.output()).toMatch(/"msg":"reconciled runners"/);
    const logs = first.output() + second.output();
    expect(logs).not.toContain(emulator.token);
    expect(logs).not.toContain("eyJ");
  });
});
