import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunnerProvider } from "../../src/autoscaler/provider.js";
import { type MessageSessionClient, ScaleSetClient } from "../../src/client/index.js";
import { createFakeRunnerDir, type Emulator, startEmulator } from "../../src/emulator/index.js";
import { DockerProvider } from "../../src/providers/docker/index.js";
import { ProcessProvider } from "../../src/providers/process/index.js";
import { waitUntil } from "../contracts/runner-provider.contract.js";
import { buildRunnerImage, dockerEngine, RUNNER_IMAGE } from "../helpers/docker-engine.js";

// The providers with the real fake runner (not the contract's test runner): it reads the JIT
// config from ACTIONS_RUNNER_INPUT_JITCONFIG, takes its job from the emulator and exits 0.
const engine = await dockerEngine();
let emulator: Emulator;
let client: ScaleSetClient;
let session: MessageSessionClient;
let scaleSetId: number;
let root: string;
let lastMessageId = 0;
const cleanups: (() => Promise<unknown>)[] = [];

beforeAll(async () => {
  emulator = await startEmulator({ longPollMs: 100 });
  cleanups.push(() => emulator.close());
  client = ScaleSetClient.withToken({ configUrl: emulator.configUrl, token: emulator.token });
  const scaleSet = await client.createRunnerScaleSet({
    name: "provider-fake-runner",
    runnerGroupId: 1,
    labels: [{ name: "provider-fake-runner" }],
  });
  scaleSetId = scaleSet.id;
  session = await client.createMessageSession(scaleSetId, "provider-test");
  cleanups.push(() => session.close());
  root = await mkdtemp(join(tmpdir(), "scaleset-provider-fake-runner-"));
  cleanups.push(() => rm(root, { recursive: true, force: true }));
});

afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

async function runOneJob(provider: RunnerProvider, name: string): Promise<void> {
  const { encodedJITConfig } = await client.generateJitRunnerConfig(scaleSetId, { name });
  emulator.queueJobs({ labels: ["provider-fake-runner"], durationMs: 100 });
  // A poll announces our capacity, so the emulator assigns the job to the scale set.
  const message = await session.getMessage(lastMessageId, 10);
  if (message) {
    lastMessageId = message.messageId;
    await session.deleteMessage(message.messageId);
  }
  await provider.start({ name, jitConfig: encodedJITConfig, scaleSetId, labels: [] });
  try {
    const job = await emulator.waitFor(
      () => emulator.listJobs().find((j) => j.runnerName === name && j.state === "completed"),
      30_000,
    );
    expect(job.result).toBe("succeeded");
    const exited = await waitUntil(async () => {
      const runner = (await provider.list(scaleSetId)).find((r) => r.name === name);
      return runner?.state === "exited" ? runner : undefined;
    }, "the runner to exit");
    expect(exited.exitCode).toBe(0);
  } finally {
    await provider.remove(name);
  }
}

describe("providers with the fake runner", () => {
  it("the process provider runs the fake runner, which completes an emulator job and exits 0", async () => {
    const runnerDir = join(root, "fake-runner");
    await createFakeRunnerDir(runnerDir);
    await runOneJob(
      new ProcessProvider({ runnerDir, workDir: join(root, "work") }),
      "fake-process",
    );
  });

  it.skipIf(!engine.docker)(
    "the docker provider runs the runner image's fake runner, which completes an emulator job",
    async () => {
      await buildRunnerImage();
      const provider = new DockerProvider({
        image: RUNNER_IMAGE,
        network: "host",
        ...(engine.docker ? { docker: engine.docker } : {}),
      });
      await runOneJob(provider, "fake-docker");
    },
    300_000,
  );
});
