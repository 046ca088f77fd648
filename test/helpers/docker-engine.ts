/**
 * A real Docker engine for tests (DESIGN.md §8): uses the one at DOCKER_HOST or
 * /var/run/docker.sock; when none answers and we are root, starts one with .ci/start-docker
 * (installs Debian's docker.io if needed); otherwise reports why Docker tests must skip.
 *
 * ```ts
 * const engine = await dockerEngine();
 * describe.skipIf(!engine.docker)("…", () => { … });
 * ```
 */
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import Dockerode from "dockerode";

const run = promisify(execFile);
const repoRoot = fileURLToPath(new URL("../..", import.meta.url));

/** The local image built offline by `npm run build:runner-image`. */
export const RUNNER_IMAGE = "scaleset-fake-runner:local";

/** Either a usable engine or the reason there is none. */
export type DockerEngine =
  | { docker: Dockerode; skipReason?: undefined }
  | { docker?: undefined; skipReason: string };

async function ping(docker: Dockerode): Promise<boolean> {
  try {
    await Promise.race([
      docker.ping(),
      new Promise((_, reject) =>
        setTimeout(() => reject(new Error("ping timeout")), 3_000).unref(),
      ),
    ]);
    return true;
  } catch {
    return false;
  }
}

let cached: Promise<DockerEngine> | undefined;

async function detect(): Promise<DockerEngine> {
  const { DOCKER_HOST } = process.env;
  const where = DOCKER_HOST ?? "/var/run/docker.sock";
  const docker = new Dockerode();
  if (await ping(docker)) return { docker };
  const script = `${repoRoot}.ci/start-docker`;
  if (DOCKER_HOST || process.getuid?.() !== 0 || !existsSync(script)) {
    return { skipReason: `no Docker engine answers at ${where} and this process cannot start one` };
  }
  try {
    // start-docker takes a lock, so parallel test files start one engine between them.
    await run("bash", [script], { timeout: 300_000 });
  } catch (err) {
    return {
      skipReason: `starting a Docker engine failed: ${(err as Error).message.split("\n")[0]}`,
    };
  }
  if (await ping(docker)) return { docker };
  return { skipReason: `a Docker engine was started but does not answer at ${where}` };
}

/**
 * The engine to use (detected once per test file). When there is none, prints one line saying
 * why, so a skipped Docker suite is never silent.
 */
export async function dockerEngine(): Promise<DockerEngine> {
  cached ??= detect().then((engine) => {
    if (engine.skipReason) process.stderr.write(`[docker tests skipped] ${engine.skipReason}\n`);
    return engine;
  });
  return cached;
}

/**
 * Builds `scaleset-fake-runner:local` (a quick no-op when it is current; see
 * scripts/build-runner-image.sh). Call in `beforeAll` with a generous timeout.
 */
export async function buildRunnerImage(): Promise<void> {
  await run("bash", [`${repoRoot}scripts/build-runner-image.sh`], {
    cwd: repoRoot,
    timeout: 300_000,
  });
}
