import { spawn } from "node:child_process";
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ProcessProvider } from "../../src/providers/process/index.js";
import {
  type ProviderHarness,
  pidsInGroup,
  pidsWithArgv,
  runProviderContract,
  waitUntil,
} from "../contracts/runner-provider.contract.js";
import { encodeTestJit, type Observation, writeTestRunnerDir } from "../contracts/test-runner.js";

const repoRoot = fileURLToPath(new URL("../..", import.meta.url));
let root: string;
let harness: ProviderHarness;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "scaleset-process-provider-"));
  const runnerDir = await writeTestRunnerDir(join(root, "runner"));
  const workDir = join(root, "work");
  const observeDir = join(root, "observe");
  await writeTestRunnerDir(observeDir);
  harness = {
    makeProvider: () =>
      new ProcessProvider({
        runnerDir,
        workDir,
        env: { SCALESET_OBSERVE_DIR: observeDir },
        stopGraceMs: 2_000,
      }),
    observeDir,
    secretScanDirs: [workDir],
    leftovers: async (name) => {
      const names = await readdir(workDir).catch(() => []);
      const state = await readdir(join(workDir, ".scaleset")).catch(() => []);
      return [...names.filter((n) => n === name), ...state.filter((n) => n.startsWith(`${name}.`))];
    },
    processGroup: (name) => wrapperPid(workDir, name),
  };
});

/** The pid of the wrapper shell that leads the runner's process group (its pid file). */
async function wrapperPid(workDir: string, name: string): Promise<number | undefined> {
  const text = await readFile(join(workDir, ".scaleset", `${name}.pid`), "utf8").catch(() => "");
  const pid = Number.parseInt(text, 10);
  return Number.isFinite(pid) ? pid : undefined;
}

async function observed(name: string): Promise<Observation> {
  const text = await waitUntil(
    () => readFile(join(harness.observeDir, `${name}.json`), "utf8").catch(() => undefined),
    `${name} to report`,
  );
  return JSON.parse(text) as Observation;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

runProviderContract("process", () => harness);

describe("ProcessProvider", () => {
  it("runs each runner from its own copy of the runner directory and logs its output there", async () => {
    const provider = harness.makeProvider();
    const jitConfig = encodeTestJit({ name: "copy-check", marker: "copy-check-child", nonce: "1" });
    await provider.start({ name: "copy-check", jitConfig, scaleSetId: 42, labels: [] });
    try {
      const seen = await waitUntil(
        () => readFile(join(harness.observeDir, "copy-check.json"), "utf8").catch(() => undefined),
        "observation",
      );
      expect(JSON.parse(seen).cwd).toBe(join(root, "work", "copy-check"));
      expect(await readdir(join(root, "work", "copy-check"))).toEqual(
        expect.arrayContaining(["run.sh", "observe.cjs", "runner.log"]),
      );
    } finally {
      await provider.remove("copy-check");
    }
  });

  it("runners outlive a SIGKILLed daemon and a new provider instance finds and removes them", async () => {
    const jitConfig = encodeTestJit({
      name: "crash-survivor",
      marker: "crash-survivor-child",
      nonce: "2",
    });
    const script = join(root, "daemon.mts");
    const providerModule = pathToFileURL(join(repoRoot, "src/providers/process/index.ts")).href;
    await writeFile(
      script,
      `import { ProcessProvider } from ${JSON.stringify(providerModule)};
const [runnerDir, workDir, observeDir] = process.argv.slice(2);
const provider = new ProcessProvider({ runnerDir, workDir, env: { SCALESET_OBSERVE_DIR: observeDir } });
await provider.start({ name: "crash-survivor", jitConfig: process.env.TEST_JIT, scaleSetId: 4242, labels: [] });
process.stdout.write("started");
setInterval(() => {}, 1 << 30);
`,
    );
    const daemon = spawn(
      process.execPath,
      ["--import", "tsx", script, join(root, "runner"), join(root, "work"), harness.observeDir],
      {
        cwd: repoRoot,
        env: { ...process.env, TEST_JIT: jitConfig },
        stdio: ["ignore", "pipe", "inherit"],
      },
    );
    await new Promise<void>((resolve, reject) => {
      daemon.stdout?.on("data", () => resolve());
      daemon.once("exit", (code) => reject(new Error(`daemon exited early with ${code}`)));
    });
    daemon.kill("SIGKILL");
    await new Promise((resolve) => daemon.once("exit", resolve));

    const provider = harness.makeProvider();
    await waitUntil(
      async () => (await pidsWithArgv("crash-survivor-child")).length > 0,
      "the child",
    );
    expect(await provider.list(4242)).toEqual([
      { name: "crash-survivor", scaleSetId: 4242, state: "running" },
    ]);
    await provider.remove("crash-survivor");
    expect(await pidsWithArgv("crash-survivor-child")).toEqual([]);
    expect(await provider.list(4242)).toEqual([]);
  });

  it("a runner whose wrapper shell was killed still counts as running, and remove stops the rest of its process group", async () => {
    const provider = harness.makeProvider();
    const name = "orphaned";
    const jitConfig = encodeTestJit({ name, marker: "orphaned-child", nonce: "4" });
    await provider.start({ name, jitConfig, scaleSetId: 44, labels: [] });
    try {
      const seen = await observed(name);
      const leader = (await wrapperPid(join(root, "work"), name)) as number;
      process.kill(leader, "SIGKILL");
      await waitUntil(async () => !alive(leader), "the wrapper to die");
      // run.sh (here observe.cjs) and its child still run, orphaned, in the runner's group.
      expect(alive(seen.pid)).toBe(true);
      expect(await provider.list(44)).toEqual([{ name, scaleSetId: 44, state: "running" }]);
      expect((await pidsInGroup(leader)).length).toBeGreaterThan(0);
      await provider.remove(name);
      expect(await pidsInGroup(leader)).toEqual([]);
      expect(await pidsWithArgv("orphaned-child")).toEqual([]);
      expect(await provider.list(44)).toEqual([]);
    } finally {
      await provider.remove(name);
    }
  });

  it("remove stops a descendant that left the runner's process group and lost its parent", async () => {
    const provider = harness.makeProvider();
    const name = "escapee";
    const jitConfig = encodeTestJit({
      name,
      marker: "escapee-child",
      nonce: "5",
      detachChild: true,
    });
    await provider.start({ name, jitConfig, scaleSetId: 45, labels: [] });
    try {
      const seen = await observed(name);
      const childPid = seen.childPid as number;
      await waitUntil(async () => alive(childPid), "the child");
      // A list sees the child while its parent lives, then its parent dies: it is re-parented
      // away from the runner and in a session (and group) of its own.
      expect(await provider.list(45)).toEqual([{ name, scaleSetId: 45, state: "running" }]);
      process.kill(seen.pid, "SIGKILL");
      const exited = await waitUntil(async () => {
        const r = (await provider.list(45)).find((x) => x.name === name);
        return r?.state === "exited" ? r : undefined;
      }, "the runner to exit");
      expect(exited.exitCode).toBe(137);
      expect(alive(childPid)).toBe(true);
      await provider.remove(name);
      expect(await pidsWithArgv("escapee-child")).toEqual([]);
    } finally {
      await provider.remove(name);
    }
  });

  it("passes runners only allow-listed daemon variables, not the daemon's credentials", async () => {
    const credential = "GITHUB_TOKEN";
    const saved = process.env[credential];
    process.env[credential] = "ghp_daemon_credential";
    const provider = harness.makeProvider();
    const jitConfig = encodeTestJit({ name: "env-check", marker: "env-check-child", nonce: "3" });
    try {
      await provider.start({ name: "env-check", jitConfig, scaleSetId: 43, labels: [] });
      const seen = JSON.parse(
        await waitUntil(
          () => readFile(join(harness.observeDir, "env-check.json"), "utf8").catch(() => undefined),
          "observation",
        ),
      ) as Observation;
      expect(seen.envKeys).toEqual(
        expect.arrayContaining(["PATH", "ACTIONS_RUNNER_INPUT_JITCONFIG", "SCALESET_OBSERVE_DIR"]),
      );
      expect(seen.envKeys).not.toContain(credential);
    } finally {
      if (saved === undefined) delete process.env[credential];
      else process.env[credential] = saved;
      await provider.remove("env-check");
    }
  });

  it("rejects runner names that are not safe as a directory name", async () => {
    const provider = harness.makeProvider();
    await expect(
      provider.start({ name: "../escape", jitConfig: "x", scaleSetId: 1, labels: [] }),
    ).rejects.toMatchObject({ code: "PROVIDER_ERROR" });
  });

  it("a missing runner directory gives a PROVIDER_ERROR that names it and leaves nothing behind", async () => {
    const workDir = join(root, "work-missing");
    const provider = new ProcessProvider({ runnerDir: join(root, "nope"), workDir });
    const err = await provider
      .start({ name: "missing-dir", jitConfig: "secret-jit-value", scaleSetId: 9, labels: [] })
      .then(
        () => new Error("start resolved"),
        (e: unknown) => e as Error,
      );
    expect(err).toMatchObject({ code: "PROVIDER_ERROR" });
    expect(err.message).toContain(`no executable run.sh in runner directory ${join(root, "nope")}`);
    expect(err.message).not.toContain("secret-jit-value");
    expect(await provider.list(9)).toEqual([]);
    expect(await readdir(workDir).catch(() => [])).not.toContain("missing-dir");
  });

  it("refuses a work directory inside the runner directory it copies from", () => {
    expect(() => new ProcessProvider({ runnerDir: root, workDir: join(root, "work") })).toThrow(
      /must not be inside runnerDir/,
    );
  });
});

describe("ProcessProvider failed runners", () => {
  it("logs the end of a failed runner's runner.log (secrets blanked) before deleting it, and nothing for a clean exit", async () => {
    const runnerDir = join(root, "failing-runner");
    await mkdir(runnerDir, { recursive: true });
    await writeFile(
      join(runnerDir, "run.sh"),
      [
        "#!/bin/sh",
        'echo "starting runner from $PWD"',
        'echo "config: $ACTIONS_RUNNER_INPUT_JITCONFIG"',
        'if [ "$(cat code)" != 0 ]; then echo "fatal: cannot connect to the broker" >&2; fi',
        'exit "$(cat code)"',
        "",
      ].join("\n"),
      { mode: 0o755 },
    );
    const lines: { obj: Record<string, unknown>; msg: string | undefined }[] = [];
    const record = (obj: Record<string, unknown>, msg?: string) => lines.push({ obj, msg });
    const logger = { debug: record, info: record, warn: record, error: record };
    const provider = new ProcessProvider({ runnerDir, workDir: join(root, "failing-work") });
    for (const [name, code] of [
      ["fails", 3],
      ["succeeds", 0],
    ] as const) {
      await writeFile(join(runnerDir, "code"), String(code));
      const jitConfig = encodeTestJit({ name, marker: `${name}-marker`, nonce: "x".repeat(60) });
      await provider.start({ name, jitConfig, scaleSetId: 9, labels: [] });
      await waitUntil(async () => {
        const runners = await provider.list(9);
        return runners.find((r) => r.name === name && r.state === "exited") ? true : undefined;
      }, `${name} to exit`);
      await provider.remove(name, { logger });
      const text = JSON.stringify(lines);
      expect(text).not.toContain(jitConfig);
      if (code === 0) {
        expect(lines.filter((l) => l.obj["runner"] === name)).toEqual([]);
      } else {
        const failed = lines.find((l) => l.msg === "runner failed; the end of its runner.log");
        expect(failed?.obj).toMatchObject({ runner: name, exitCode: 3 });
        expect(failed?.obj["output"]).toContain("fatal: cannot connect to the broker");
        expect(failed?.obj["output"]).toContain("config: [redacted]");
        expect(failed?.obj["output"]).toContain(
          `starting runner from ${join(root, "failing-work", name)}`,
        );
      }
    }
  });
});
