/**
 * The behaviour every RunnerProvider must have, run against each real provider from
 * test/integration/provider-*.test.ts. The harness configures the provider so that runners run
 * the test runner of ./test-runner.ts and write their observations to `observeDir`.
 */
import { randomBytes } from "node:crypto";
import { readdir, readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { ProvisionedRunner, RunnerProvider } from "../../src/autoscaler/provider.js";
import { sleep } from "../../src/util/sleep.js";
import { encodeTestJit, type Observation, sha256 } from "./test-runner.js";

/** What a provider test file hands the contract. */
export interface ProviderHarness {
  /** A new provider instance over the same state; calling it twice simulates a daemon restart. */
  makeProvider(): RunnerProvider;
  /** Host directory where the test runner writes `<runner-name>.json`. */
  observeDir: string;
  /** Directories that must never hold a JIT config, checked while runners run and after removal. */
  secretScanDirs: string[];
  /** Whatever of runner `name` still exists on the infrastructure (dirs, containers): [] when clean. */
  leftovers(name: string): Promise<string[]>;
  /**
   * Optional: the host process group of runner `name` while it is recorded (read before removal);
   * after removal the contract checks that no process of that group is left.
   */
  processGroup?(name: string): Promise<number | undefined>;
}

const WAIT_MS = 20_000;

/** Polls `probe` until it returns a truthy value. */
export async function waitUntil<T>(
  probe: () => Promise<T | undefined | false>,
  what: string,
  timeoutMs = WAIT_MS,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

/** Pids whose command line (argv) contains `needle`, as `ps` would show to anyone. */
export async function pidsWithArgv(needle: string): Promise<number[]> {
  const found: number[] = [];
  for (const entry of await readdir("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = await readFile(`/proc/${entry}/cmdline`, "utf8");
      const state = (await readFile(`/proc/${entry}/stat`, "utf8")).split(") ")[1]?.[0];
      if (state !== "Z" && cmdline.includes(needle)) found.push(Number(entry));
    } catch {
      // The process ended while we looked.
    }
  }
  return found;
}

/** Live (not zombie) pids whose process group is `pgid`, found by scanning `/proc`. */
export async function pidsInGroup(pgid: number): Promise<number[]> {
  const found: number[] = [];
  for (const entry of await readdir("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = await readFile(`/proc/${entry}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (fields[0] !== "Z" && fields[0] !== "X" && Number(fields[2]) === pgid) {
        found.push(Number(entry));
      }
    } catch {
      // The process ended while we looked.
    }
  }
  return found;
}

/** Files under `dir` (recursively) whose content contains `needle`. */
export async function filesContaining(dir: string, needle: string): Promise<string[]> {
  const hits: string[] = [];
  let entries: import("node:fs").Dirent[];
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return hits;
  }
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) hits.push(...(await filesContaining(path, needle)));
    else if (entry.isFile() && (await stat(path)).size < 10_000_000) {
      if ((await readFile(path, "utf8").catch(() => "")).includes(needle)) hits.push(path);
    }
  }
  return hits;
}

/** Registers the RunnerProvider contract tests for one provider. */
export function runProviderContract(name: string, harness: () => ProviderHarness): void {
  describe(`RunnerProvider contract: ${name}`, () => {
    const started: { provider: RunnerProvider; name: string }[] = [];

    afterEach(async () => {
      const h = harness();
      for (const runner of started.splice(0)) {
        const group = await h.processGroup?.(runner.name);
        await runner.provider.remove(runner.name);
        if (group !== undefined) expect(await pidsInGroup(group)).toEqual([]);
      }
    });

    /** Removes `runnerName` and checks that no process of its group is left. */
    async function removeAndCheck(provider: RunnerProvider, runnerName: string): Promise<void> {
      const group = await harness().processGroup?.(runnerName);
      await provider.remove(runnerName);
      if (group !== undefined) expect(await pidsInGroup(group)).toEqual([]);
    }

    function newRunner(overrides: { exitCode?: number; leaveChild?: boolean } = {}) {
      const id = randomBytes(4).toString("hex");
      const spec = {
        name: `ct-${id}`,
        marker: `scaleset-contract-child-${id}`,
        nonce: randomBytes(16).toString("hex"),
        ...overrides,
      };
      return { spec, jitConfig: encodeTestJit(spec) };
    }

    function newScaleSetId(): number {
      return 100_000 + Math.floor(Math.random() * 1_000_000);
    }

    async function start(
      provider: RunnerProvider,
      scaleSetId: number,
      overrides: { exitCode?: number; leaveChild?: boolean } = {},
    ) {
      const runner = newRunner(overrides);
      await provider.start({
        name: runner.spec.name,
        jitConfig: runner.jitConfig,
        scaleSetId,
        labels: ["self-hosted", "contract"],
      });
      started.push({ provider, name: runner.spec.name });
      return runner;
    }

    async function observation(runnerName: string): Promise<Observation> {
      const h = harness();
      return waitUntil(async () => {
        try {
          return JSON.parse(
            await readFile(join(h.observeDir, `${runnerName}.json`), "utf8"),
          ) as Observation;
        } catch {
          return undefined;
        }
      }, `runner ${runnerName} to report`);
    }

    function find(list: ProvisionedRunner[], runnerName: string) {
      return list.find((r) => r.name === runnerName);
    }

    it("start launches a runner that list reports as running under its scale set id", async () => {
      const provider = harness().makeProvider();
      const scaleSetId = newScaleSetId();
      const { spec } = await start(provider, scaleSetId);
      await observation(spec.name);
      const listed = find(await provider.list(scaleSetId), spec.name);
      expect(listed).toMatchObject({ name: spec.name, scaleSetId, state: "running" });
    });

    it("the runner gets the JIT config in its environment, never in a process argv or a file", async () => {
      const h = harness();
      const provider = h.makeProvider();
      const { spec, jitConfig } = await start(provider, newScaleSetId());
      const seen = await observation(spec.name);
      expect(seen.jitSha256).toBe(sha256(jitConfig));
      expect(seen.argv.join(" ")).not.toContain(jitConfig);
      expect(await pidsWithArgv(jitConfig)).toEqual([]);
      for (const dir of h.secretScanDirs) expect(await filesContaining(dir, jitConfig)).toEqual([]);
      await provider.remove(spec.name);
      for (const dir of h.secretScanDirs) expect(await filesContaining(dir, jitConfig)).toEqual([]);
    });

    it("a runner that exits is listed as exited with its exit code", async () => {
      const provider = harness().makeProvider();
      const scaleSetId = newScaleSetId();
      const { spec } = await start(provider, scaleSetId, { exitCode: 3 });
      const listed = await waitUntil(async () => {
        const r = find(await provider.list(scaleSetId), spec.name);
        return r?.state === "exited" ? r : undefined;
      }, "the runner to exit");
      expect(listed).toEqual({ name: spec.name, scaleSetId, state: "exited", exitCode: 3 });
    });

    it("remove stops a running runner and its child processes and leaves nothing behind", async () => {
      const h = harness();
      const provider = h.makeProvider();
      const scaleSetId = newScaleSetId();
      const { spec } = await start(provider, scaleSetId);
      await observation(spec.name);
      await waitUntil(async () => (await pidsWithArgv(spec.marker)).length > 0, "the child");
      await removeAndCheck(provider, spec.name);
      expect(await pidsWithArgv(spec.marker)).toEqual([]);
      expect(find(await provider.list(scaleSetId), spec.name)).toBeUndefined();
      expect(await h.leftovers(spec.name)).toEqual([]);
    });

    it("remove stops the processes a runner left behind when it exited", async () => {
      const h = harness();
      const provider = h.makeProvider();
      const scaleSetId = newScaleSetId();
      const { spec } = await start(provider, scaleSetId, { exitCode: 0, leaveChild: true });
      await waitUntil(async () => {
        const r = find(await provider.list(scaleSetId), spec.name);
        return r?.state === "exited";
      }, "the runner to exit");
      await removeAndCheck(provider, spec.name);
      expect(await pidsWithArgv(spec.marker)).toEqual([]);
      expect(await h.leftovers(spec.name)).toEqual([]);
    });

    it("remove of an unknown runner succeeds and changes nothing", async () => {
      const provider = harness().makeProvider();
      const scaleSetId = newScaleSetId();
      const { spec } = await start(provider, scaleSetId);
      await provider.remove(`ct-unknown-${randomBytes(4).toString("hex")}`);
      expect(find(await provider.list(scaleSetId), spec.name)?.state).toBe("running");
    });

    it("a new provider instance lists and removes runners started by an earlier one", async () => {
      const h = harness();
      const scaleSetId = newScaleSetId();
      const first = h.makeProvider();
      const running = await start(first, scaleSetId);
      const exited = await start(first, scaleSetId, { exitCode: 7 });
      await observation(running.spec.name);
      await observation(exited.spec.name);

      const second = h.makeProvider();
      const listed = await waitUntil(async () => {
        const all = await second.list(scaleSetId);
        return find(all, exited.spec.name)?.state === "exited" ? all : undefined;
      }, "the restarted provider to see the exit");
      expect(find(listed, running.spec.name)?.state).toBe("running");
      expect(find(listed, exited.spec.name)).toMatchObject({ state: "exited", exitCode: 7 });

      await removeAndCheck(second, running.spec.name);
      await removeAndCheck(second, exited.spec.name);
      expect(await pidsWithArgv(running.spec.marker)).toEqual([]);
      expect(await second.list(scaleSetId)).toEqual([]);
      expect(await h.leftovers(running.spec.name)).toEqual([]);
    });

    it("list returns only the runners of the requested scale set", async () => {
      const provider = harness().makeProvider();
      const a = newScaleSetId();
      const b = a + 1;
      const inA = await start(provider, a);
      const inB = await start(provider, b);
      expect((await provider.list(a)).map((r) => r.name)).toEqual([inA.spec.name]);
      expect((await provider.list(b)).map((r) => r.name)).toEqual([inB.spec.name]);
      expect(await provider.list(b + 1)).toEqual([]);
    });

    it("starting a name that is already running rejects with a PROVIDER_ERROR and keeps the runner", async () => {
      const provider = harness().makeProvider();
      const scaleSetId = newScaleSetId();
      const runner = await start(provider, scaleSetId);
      await observation(runner.spec.name);
      const again = provider.start({
        name: runner.spec.name,
        jitConfig: runner.jitConfig,
        scaleSetId,
        labels: [],
      });
      await expect(again).rejects.toMatchObject({ code: "PROVIDER_ERROR" });
      await again.catch((err: Error) => expect(err.message).not.toContain(runner.jitConfig));
      expect(find(await provider.list(scaleSetId), runner.spec.name)?.state).toBe("running");
    });

    it("onRunnerExit, when offered, reports a runner's exit with its code", async (ctx) => {
      const provider = harness().makeProvider();
      if (!provider.onRunnerExit) ctx.skip();
      const events: ProvisionedRunner[] = [];
      const off = provider.onRunnerExit?.((r) => events.push(r));
      try {
        const scaleSetId = newScaleSetId();
        const { spec } = await start(provider, scaleSetId, { exitCode: 5 });
        const event = await waitUntil(
          async () => events.find((e) => e.name === spec.name),
          "the exit event",
        );
        expect(event).toEqual({ name: spec.name, scaleSetId, state: "exited", exitCode: 5 });
      } finally {
        off?.();
      }
    });
  });
}
