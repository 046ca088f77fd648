import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { ScaleSetClient } from "../../src/client/index.js";
import type { RequestOptions } from "../../src/client/types.js";
import type { JobView } from "../../src/emulator/types.js";
import { Listener } from "../../src/listener/listener.js";
import type { ListenerClient, ListenerSession } from "../../src/listener/types.js";
import { type EmulatorProcess, startEmulatorProcess } from "../helpers/emulator-process.js";
import { waitUntil } from "../helpers/fake-listener-client.js";
import { RecordingScaler } from "../helpers/listener-harness.js";

/** Wraps the real client to see which jobs each handled message acquired and which acks succeeded. */
class ObservingClient implements ListenerClient {
  readonly acquired: number[][] = [];
  readonly acked: number[] = [];
  readonly inner: ScaleSetClient;
  constructor(inner: ScaleSetClient) {
    this.inner = inner;
  }
  getRunnerScaleSetById(id: number, options?: RequestOptions) {
    return this.inner.getRunnerScaleSetById(id, options);
  }
  createRunnerScaleSet(...args: Parameters<ScaleSetClient["createRunnerScaleSet"]>) {
    return this.inner.createRunnerScaleSet(...args);
  }
  async createMessageSession(scaleSetId: number, owner: string, options?: RequestOptions) {
    const session = await this.inner.createMessageSession(scaleSetId, owner, options);
    const observed: ListenerSession = {
      get session() {
        return session.session;
      },
      getMessage: (last, cap, o) => session.getMessage(last, cap, o),
      acquireJobs: async (ids, o) => {
        const got = await session.acquireJobs(ids, o);
        this.acquired.push(ids);
        return got;
      },
      deleteMessage: async (id, o) => {
        await session.deleteMessage(id, o);
        this.acked.push(id);
      },
      refresh: (o) => session.refresh(o),
      close: (o) => session.close(o),
    };
    return observed;
  }
}

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe("Listener across an emulator crash", () => {
  it("reconnects after the emulator is killed mid-poll and restarted from its saved state, losing no acknowledged job and handling none twice", async () => {
    const dir = await mkdtemp(join(tmpdir(), "listener-restart-"));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const emulatorOptions = {
      mode: "ghes" as const,
      tokens: ["restart-pat"],
      stateFile: join(dir, "state.json"),
      longPollMs: 10_000,
      sessionTtlMs: 60_000,
    };
    let emulator: EmulatorProcess = await startEmulatorProcess(emulatorOptions);
    cleanups.push(() => emulator.kill());
    const client = new ObservingClient(
      ScaleSetClient.withToken({
        configUrl: emulator.configUrl,
        token: "restart-pat",
        http: { retryMax: 0 },
      }),
    );
    const set = await client.createRunnerScaleSet({
      name: "crash",
      runnerGroupId: 1,
      labels: [{ name: "crash" }],
    });
    const listener = new Listener({
      client,
      scaleSetId: set.id,
      maxRunners: 100,
      backoff: { minDelayMs: 20, maxDelayMs: 200 },
      pollTimeoutMs: 20_000,
    });
    const scaler = new RecordingScaler();
    const controller = new AbortController();
    const done = listener.run(scaler, { signal: controller.signal });
    cleanups.push(async () => {
      controller.abort();
      await done;
    });
    const queue = (n: number) =>
      emulator.call<JobView[]>(
        "queueJobs",
        Array.from({ length: n }, () => ({ labels: ["crash"] })),
      );
    const before = (await queue(3)).map((j) => j.runnerRequestId);
    await waitUntil(() => before.every((id) => client.acquired.flat().includes(id)), 10_000);
    await waitUntil(() => client.acked.length >= client.acquired.length);
    await new Promise((r) => setTimeout(r, 300)); // let the emulator's debounced state save land
    await waitUntil(() => listener.health.state === "polling");
    const ackedBeforeKill = client.acquired.flat();

    await emulator.kill();
    await waitUntil(() => (listener.health.consecutiveFailures ?? 0) >= 1, 10_000);
    expect(listener.health.state).toBe("recovering");

    emulator = await startEmulatorProcess({ ...emulatorOptions, port: emulator.port });
    const after = (await queue(3)).map((j) => j.runnerRequestId);
    await waitUntil(() => after.every((id) => client.acquired.flat().includes(id)), 15_000);
    await waitUntil(() => listener.health.state === "polling");

    const handled = client.acquired.flat();
    for (const id of ackedBeforeKill) expect(handled.filter((x) => x === id)).toHaveLength(1);
    for (const id of after) expect(handled).toContain(id);
    const jobs = await emulator.call<JobView[]>("listJobs");
    expect(jobs.filter((j) => j.state === "available" || j.state === "queued")).toEqual([]);
    expect(jobs).toHaveLength(6);
    expect(scaler.max).toBeGreaterThanOrEqual(1);
  });
});
