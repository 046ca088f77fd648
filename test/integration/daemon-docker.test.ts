import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Autoscaler } from "../../src/autoscaler/autoscaler.js";
import type { DaemonConfig } from "../../src/daemon/config-schema.js";
import { runDaemon } from "../../src/daemon/daemon.js";
import { type Emulator, startEmulator } from "../../src/emulator/index.js";
import { LABEL_SCALE_SET_ID } from "../../src/providers/docker/index.js";
import { buildRunnerImage, dockerEngine, RUNNER_IMAGE } from "../helpers/docker-engine.js";

const engine = await dockerEngine();

async function until<T>(probe: () => T | undefined | false, timeoutMs = 90_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe.skipIf(!engine.docker)("scaleset run with the docker provider", () => {
  let emulator: Emulator | undefined;
  beforeAll(async () => {
    await buildRunnerImage();
    emulator = await startEmulator({ longPollMs: 300 });
  }, 300_000);
  afterAll(async () => {
    await emulator?.close();
  });

  it("runs 5 jobs in containers and leaves no container after the drain", async () => {
    const docker = engine.docker;
    if (!docker || !emulator) throw new Error("no engine or emulator");
    const emu = emulator;
    const config: DaemonConfig = {
      url: emu.configUrl,
      auth: { kind: "token", token: emu.token },
      logLevel: "info",
      logFormat: "json",
      metricsAddr: undefined,
      drainTimeoutMs: 60_000,
      deleteOnExit: true,
      scaleSets: [
        {
          name: "docker-e2e",
          labels: [],
          runnerGroup: "default",
          minRunners: 0,
          maxRunners: 3,
          provider: {
            type: "docker",
            image: RUNNER_IMAGE,
            network: "host",
            env: {},
            volumes: [],
            socketPath: undefined,
          },
        },
      ],
    };
    const stop = new AbortController();
    let autoscaler: Autoscaler | undefined;
    let scaleSetId = 0;
    const running = runDaemon({
      config,
      logger: { debug() {}, info() {}, warn() {}, error() {} },
      signal: stop.signal,
      tuning: { pollIntervalMs: 500 },
      onReady: (info) => {
        autoscaler = info.autoscalers[0];
        scaleSetId = info.scaleSetIds[0] ?? 0;
      },
    });
    try {
      await until(() => autoscaler);
      emu.queueJobs(Array.from({ length: 5 }, () => ({ labels: ["docker-e2e"], durationMs: 300 })));
      await until(() => emu.listJobs().every((j) => j.state === "completed"));
      expect(emu.listJobs().map((j) => j.result)).toEqual(Array(5).fill("succeeded"));
      expect(autoscaler?.totals().started).toBeGreaterThanOrEqual(1);
    } finally {
      stop.abort();
      await running;
    }
    const left = await docker.listContainers({
      all: true,
      filters: { label: [`${LABEL_SCALE_SET_ID}=${scaleSetId}`] },
    });
    expect(left).toEqual([]);
    expect(emu.listRunners()).toEqual([]);
  }, 180_000);
});
