import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Dockerode from "dockerode";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isScaleSetError } from "../../client/errors.js";
import { DockerProvider } from "./docker-provider.js";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "docker-unreachable-"));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const JIT = "eyJzZWNyZXQiOiJqaXQtY29uZmlnLWZvci10ZXN0In0=";

describe("DockerProvider without a reachable engine", () => {
  it("says the engine is not reachable at the socket and how to point at it", async () => {
    const socketPath = join(dir, "missing.sock");
    const provider = new DockerProvider({ docker: new Dockerode({ socketPath }) });
    const err = await provider.list(1).catch((e: unknown) => e);
    expect(isScaleSetError(err, "PROVIDER_ERROR")).toBe(true);
    expect((err as Error).message).toBe(
      `listing containers failed: no Docker engine at ${socketPath} (ENOENT); start dockerd, or point DOCKER_HOST or docker.socketPath at the engine's socket`,
    );
  });

  it("names the socket that refuses connections on start, without the JIT config", async () => {
    const socketPath = join(dir, "not-a-socket.sock");
    await writeFile(socketPath, "");
    const provider = new DockerProvider({
      docker: new Dockerode({ socketPath }),
      pull: "never",
    });
    const err = await provider
      .start({ name: "rn-1", jitConfig: JIT, scaleSetId: 1, labels: [] })
      .catch((e: unknown) => e);
    expect((err as Error).message).toContain(`no Docker engine at ${socketPath} (ECONNREFUSED)`);
    expect((err as Error).message).not.toContain(JIT);
  });
});
