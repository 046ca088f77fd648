import { chmod, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DockerProvider } from "../../src/providers/docker/index.js";
import {
  type ProviderHarness,
  runProviderContract,
} from "../contracts/runner-provider.contract.js";
import { encodeTestJit, writeTestRunnerDir } from "../contracts/test-runner.js";
import { buildRunnerImage, dockerEngine, RUNNER_IMAGE } from "../helpers/docker-engine.js";

const engine = await dockerEngine();
let root: string;
let harness: ProviderHarness;

describe.skipIf(!engine.docker)("DockerProvider", () => {
  const docker = engine.docker as NonNullable<typeof engine.docker>;

  beforeAll(async () => {
    await buildRunnerImage();
    root = await mkdtemp(join(tmpdir(), "scaleset-docker-provider-"));
    await chmod(root, 0o755);
    // The image's node and sh run the contract's test runner, mounted over /home/runner.
    const runnerDir = await writeTestRunnerDir(join(root, "runner"));
    const observeDir = join(root, "observe");
    await mkdir(observeDir);
    await chmod(observeDir, 0o777);
    harness = {
      makeProvider: () =>
        new DockerProvider({
          docker,
          image: RUNNER_IMAGE,
          network: "host",
          env: { SCALESET_OBSERVE_DIR: "/observe" },
          volumes: [`${runnerDir}:/home/runner:ro`, `${observeDir}:/observe`],
          stopGraceMs: 2_000,
        }),
      observeDir,
      secretScanDirs: [observeDir],
      leftovers: async (name) => {
        const found = await docker.listContainers({ all: true, filters: { name: [`^/${name}$`] } });
        return found.map((c) => c.Id);
      },
    };
  }, 300_000);

  afterAll(async () => {
    if (root) await rm(root, { recursive: true, force: true });
  });

  runProviderContract("docker", () => harness);

  it("labels each container with its scale set id and runner name", async () => {
    const provider = harness.makeProvider();
    const jitConfig = encodeTestJit({
      name: "docker-labels",
      marker: "docker-labels-child",
      nonce: "1",
    });
    await provider.start({ name: "docker-labels", jitConfig, scaleSetId: 77, labels: ["a", "b"] });
    try {
      const info = await docker.getContainer("docker-labels").inspect();
      expect(info.Config.Labels).toMatchObject({
        "dev.scaleset.scale-set-id": "77",
        "dev.scaleset.runner-name": "docker-labels",
        "dev.scaleset.runner-labels": "a,b",
      });
      expect(info.Config.Cmd).toEqual(["/home/runner/run.sh"]);
      expect(info.HostConfig.NetworkMode).toBe("host");
    } finally {
      await provider.remove("docker-labels");
    }
  });

  it("a missing image that cannot be pulled gives a PROVIDER_ERROR naming it and the build script", async () => {
    const provider = new DockerProvider({ docker, image: "scaleset-no-such-image:never" });
    const err = await provider
      .start({ name: "docker-no-image", jitConfig: "secret-jit-value", scaleSetId: 78, labels: [] })
      .then(
        () => new Error("start resolved"),
        (e: unknown) => e as Error,
      );
    expect(err).toMatchObject({ code: "PROVIDER_ERROR" });
    expect(err.message).toContain("scaleset-no-such-image:never");
    expect(err.message).toContain("npm run build:runner-image");
    expect(err.message).not.toContain("secret-jit-value");
    expect(await provider.list(78)).toEqual([]);
  });

  it("refuses to remove a container with a runner's name that scaleset does not manage", async () => {
    const foreign = await docker.createContainer({ name: "docker-foreign", Image: RUNNER_IMAGE });
    try {
      await expect(harness.makeProvider().remove("docker-foreign")).rejects.toMatchObject({
        code: "PROVIDER_ERROR",
      });
      expect((await foreign.inspect()).Name).toBe("/docker-foreign");
    } finally {
      await foreign.remove({ force: true });
    }
  });

  it("logs the end of a failed container's log (secrets blanked) before removing it", async () => {
    const runnerDir = join(root, "failing-runner");
    await mkdir(runnerDir);
    await writeFile(
      join(runnerDir, "run.sh"),
      [
        "#!/bin/sh",
        'echo "config: $ACTIONS_RUNNER_INPUT_JITCONFIG"',
        'echo "fatal: cannot connect to the broker" >&2',
        "exit 3",
        "",
      ].join("\n"),
      { mode: 0o755 },
    );
    await chmod(runnerDir, 0o755);
    const provider = new DockerProvider({
      docker,
      image: RUNNER_IMAGE,
      network: "host",
      volumes: [`${runnerDir}:/home/runner:ro`],
      stopGraceMs: 2_000,
    });
    const lines: { obj: Record<string, unknown>; msg: string | undefined }[] = [];
    const record = (obj: Record<string, unknown>, msg?: string) => lines.push({ obj, msg });
    const logger = { debug: record, info: record, warn: record, error: record };
    const name = "docker-fails";
    const jitConfig = encodeTestJit({ name, marker: "docker-fails", nonce: "y".repeat(60) });
    await provider.start({ name, jitConfig, scaleSetId: 77, labels: [] });
    for (let i = 0; i < 200; i++) {
      const runners = await provider.list(77);
      if (runners.some((r) => r.state === "exited")) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    await provider.remove(name, { logger });
    const failed = lines.find((l) => l.msg === "runner failed; the end of its container log");
    expect(failed?.obj).toMatchObject({ runner: name, exitCode: 3 });
    expect(failed?.obj["output"]).toContain("fatal: cannot connect to the broker");
    expect(failed?.obj["output"]).toContain("config: [redacted]");
    expect(JSON.stringify(lines)).not.toContain(jitConfig);
  });
});
