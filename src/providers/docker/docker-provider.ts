/**
 * The Docker provider: one container per runner, named after the runner and labelled with its
 * scale set, on a real engine through dockerode.
 * @module
 */
import Dockerode from "dockerode";
import type {
  ProviderContext,
  ProvisionedRunner,
  RunnerProvider,
  RunnerSpec,
} from "../../autoscaler/provider.js";
import { throwIfAborted } from "../../util/abort.js";
import { type Logger, silentLogger } from "../../util/logger.js";
import { ProviderError } from "../errors.js";
import { assertValidRunnerName, isValidRunnerName } from "../runner-name.js";
import { demuxDockerLog, scrubLongTokens, tailText } from "../runner-output.js";
import { engineErrorMessage } from "./engine-error.js";
import { ExitEvents } from "./exit-events.js";
import { ensureImage, hasStatus } from "./image.js";
import {
  type ContainerSummary,
  isManaged,
  LABEL_MANAGED_BY,
  LABEL_SCALE_SET_ID,
  runnerLabels,
  toProvisionedRunner,
} from "./labels.js";

/** The official runner image, used when no `image` is given. */
export const DEFAULT_RUNNER_IMAGE = "ghcr.io/actions/actions-runner:latest";
/** The official image's entry point. */
export const DEFAULT_RUNNER_COMMAND: readonly string[] = ["/home/runner/run.sh"];
const JIT_CONFIG_ENV = "ACTIONS_RUNNER_INPUT_JITCONFIG";

/** Options of {@link DockerProvider}. */
export interface DockerProviderOptions {
  /** Runner image. @default "ghcr.io/actions/actions-runner:latest" */
  image?: string | undefined;
  /** Container command. @default ["/home/runner/run.sh"] */
  command?: readonly string[] | undefined;
  /** Network mode (`host`, `bridge`, a network name). `host` lets runners reach loopback servers. @default the engine's default */
  network?: string | undefined;
  /** Extra environment for every runner container. */
  env?: Record<string, string> | undefined;
  /** Bind mounts / volumes in Docker's `source:target[:ro]` form. */
  volumes?: readonly string[] | undefined;
  /** Time between SIGTERM and SIGKILL on `remove` (rounded up to whole seconds). @default 10_000 */
  stopGraceMs?: number | undefined;
  /** `missing`: pull the image when it is not present; `never`: fail instead. @default "missing" */
  pull?: "missing" | "never" | undefined;
  /** The engine client. @default `new Dockerode()` (DOCKER_HOST or /var/run/docker.sock) */
  docker?: Dockerode | undefined;
  logger?: Logger | undefined;
}

/**
 * Starts runners as containers: command `/home/runner/run.sh`, JIT config in the env var
 * `ACTIONS_RUNNER_INPUT_JITCONFIG`, container name = runner name, labels
 * `dev.scaleset.scale-set-id` / `dev.scaleset.runner-name` so a restarted daemon lists them.
 * The image is pulled only when missing. Security note: like the reference implementation, the
 * JIT config is in the container's environment, which `docker inspect` shows to anyone who can
 * reach the Docker socket (root-equivalent anyway); it is never logged nor put in an error.
 * Safe to call concurrently for different runner names.
 */
export class DockerProvider implements RunnerProvider {
  readonly name = "docker";
  /** The engine client in use. */
  readonly docker: Dockerode;
  readonly #image: string;
  readonly #command: string[];
  readonly #network: string | undefined;
  readonly #env: string[];
  readonly #volumes: string[];
  readonly #stopGraceSec: number;
  readonly #pull: "missing" | "never";
  readonly #logger: Logger;
  readonly #exits: ExitEvents;
  #imageReady: Promise<void> | undefined;

  constructor(options: DockerProviderOptions = {}) {
    this.docker = options.docker ?? new Dockerode();
    this.#image = options.image ?? DEFAULT_RUNNER_IMAGE;
    this.#command = [...(options.command ?? DEFAULT_RUNNER_COMMAND)];
    this.#network = options.network;
    this.#env = Object.entries(options.env ?? {}).map(([k, v]) => `${k}=${v}`);
    this.#volumes = [...(options.volumes ?? [])];
    this.#stopGraceSec = Math.max(0, Math.ceil((options.stopGraceMs ?? 10_000) / 1000));
    this.#pull = options.pull ?? "missing";
    this.#logger = options.logger ?? silentLogger;
    this.#exits = new ExitEvents(this.docker, this.#logger);
  }

  /** Creates and starts the runner's container; rejects with a {@link ProviderError}. */
  async start(runner: RunnerSpec, ctx: ProviderContext = {}): Promise<void> {
    assertValidRunnerName(runner.name, this.name);
    throwIfAborted(ctx.signal);
    await this.#ensureImage();
    throwIfAborted(ctx.signal);
    const container = await this.#create(runner);
    try {
      throwIfAborted(ctx.signal);
      await container.start();
    } catch (err) {
      await container.remove({ force: true, v: true }).catch(() => {});
      if (ctx.signal?.aborted && err === ctx.signal.reason) throw err;
      throw this.#error(
        `starting container ${runner.name} failed: ${engineErrorMessage(err, runner.jitConfig)}`,
        runner.name,
      );
    }
    (ctx.logger ?? this.#logger).info(
      { runner: runner.name, scaleSetId: runner.scaleSetId, containerId: container.id },
      "runner container started",
    );
  }

  /** Stops the container (SIGTERM, SIGKILL after the grace period) and removes it; missing is success. */
  async remove(name: string, ctx: ProviderContext = {}): Promise<void> {
    if (!isValidRunnerName(name)) return;
    const container = this.docker.getContainer(name);
    let info: Dockerode.ContainerInspectInfo;
    try {
      info = await container.inspect();
    } catch (err) {
      if (hasStatus(err, 404)) return;
      throw this.#error(
        `inspecting container ${name} failed: ${engineErrorMessage(err)}`,
        name,
        err,
      );
    }
    if (!isManaged(info.Config.Labels)) {
      throw this.#error(`container ${name} is not managed by scaleset; leaving it alone`, name);
    }
    if (!info.State.Running && info.State.ExitCode !== 0) {
      await this.#reportFailedExit(
        container,
        name,
        info.State.ExitCode,
        ctx.logger ?? this.#logger,
      );
    }
    try {
      if (info.State.Running) await container.stop({ t: this.#stopGraceSec });
    } catch (err) {
      // 304: already stopped; 404: already gone.
      if (!hasStatus(err, 304) && !hasStatus(err, 404)) {
        throw this.#error(
          `stopping container ${name} failed: ${engineErrorMessage(err)}`,
          name,
          err,
        );
      }
    }
    try {
      await container.remove({ force: true, v: true });
    } catch (err) {
      // 404: gone; 409: another removal is in progress.
      if (!hasStatus(err, 404) && !hasStatus(err, 409)) {
        throw this.#error(
          `removing container ${name} failed: ${engineErrorMessage(err)}`,
          name,
          err,
        );
      }
    }
    (ctx.logger ?? this.#logger).info({ runner: name }, "runner container removed");
  }

  /** A container that ended non-zero takes its log with it: log the end of it first. */
  async #reportFailedExit(
    container: Dockerode.Container,
    name: string,
    exitCode: number,
    logger: Logger,
  ): Promise<void> {
    let log: Buffer;
    try {
      log = (await container.logs({
        stdout: true,
        stderr: true,
        follow: false,
        tail: 100,
      })) as unknown as Buffer;
    } catch {
      return; // the log is a courtesy; removal goes on
    }
    const output = tailText(demuxDockerLog(log));
    if (output === "") return;
    logger.warn(
      { runner: name, exitCode, output: scrubLongTokens(output) },
      "runner failed; the end of its container log",
    );
  }

  /** Containers (running or exited, not yet removed) labelled with `scaleSetId`. */
  async list(scaleSetId: number, _ctx: ProviderContext = {}): Promise<ProvisionedRunner[]> {
    let containers: ContainerSummary[];
    try {
      containers = await this.docker.listContainers({
        all: true,
        filters: { label: [`${LABEL_MANAGED_BY}=scaleset`, `${LABEL_SCALE_SET_ID}=${scaleSetId}`] },
      });
    } catch (err) {
      throw new ProviderError(`listing containers failed: ${engineErrorMessage(err)}`, {
        provider: this.name,
        cause: err,
      });
    }
    const now = Date.now();
    return containers.flatMap((c) => toProvisionedRunner(c, now) ?? []);
  }

  /** See {@link RunnerProvider.onRunnerExit}: fires for every managed container that dies. */
  onRunnerExit(listener: (runner: ProvisionedRunner) => void): () => void {
    return this.#exits.subscribe(listener);
  }

  #ensureImage(): Promise<void> {
    this.#imageReady ??= ensureImage(this.docker, this.#image, this.#pull).catch((err: unknown) => {
      this.#imageReady = undefined;
      throw err;
    });
    return this.#imageReady;
  }

  async #create(runner: RunnerSpec, retry = true): Promise<Dockerode.Container> {
    const options: Dockerode.ContainerCreateOptions = {
      name: runner.name,
      Image: this.#image,
      Cmd: this.#command,
      Env: [...this.#env, `${JIT_CONFIG_ENV}=${runner.jitConfig}`],
      Labels: runnerLabels(runner.name, runner.scaleSetId, runner.labels),
      HostConfig: {
        ...(this.#network === undefined ? {} : { NetworkMode: this.#network }),
        Binds: this.#volumes,
      },
    };
    try {
      return await this.docker.createContainer(options);
    } catch (err) {
      if (hasStatus(err, 409) && retry && (await this.#removeIfExited(runner.name))) {
        return this.#create(runner, false);
      }
      if (hasStatus(err, 404)) this.#imageReady = undefined;
      const what = hasStatus(err, 409)
        ? "a container with that name already exists"
        : engineErrorMessage(err, runner.jitConfig);
      // No `cause`: keep the engine's error (and anything it might echo) out of our error.
      throw this.#error(
        `creating container ${runner.name} from ${this.#image} failed: ${what}`,
        runner.name,
      );
    }
  }

  /** Removes a leftover exited container of ours named `name`; false when it runs or is not ours. */
  async #removeIfExited(name: string): Promise<boolean> {
    try {
      const info = await this.docker.getContainer(name).inspect();
      if (info.State.Running || !isManaged(info.Config.Labels)) return false;
      await this.remove(name);
      return true;
    } catch {
      return false;
    }
  }

  #error(message: string, runnerName: string, cause?: unknown): ProviderError {
    return new ProviderError(message, { provider: this.name, runnerName, cause });
  }
}
