import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ProcessProvider } from "../../src/providers/process/index.js";
import {
  type ProviderHarness,
  runProviderContract,
  waitUntil,
} from "../contracts/runner-provider.contract.js";
import { encodeTestJit, writeTestRunnerDir } from "../contracts/test-runner.js";

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
  };
});

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
    expect(err.message).toContain(join(root, "nope"));
    expect(err.message).not.toContain("secret-jit-value");
    expect(await provider.list(9)).toEqual([]);
    expect(await readdir(workDir).catch(() => [])).not.toContain("missing-dir");
  });
});
