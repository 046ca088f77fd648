/**
 * Builds the configured `RunnerProvider` of a scale set.
 * @module
 */
import type { RunnerProvider } from "../autoscaler/provider.js";
import type { Logger } from "../util/logger.js";
import type { ProviderConfig } from "./config-schema.js";

/**
 * A provider for `config`. Providers are imported lazily so a process-only setup never loads the
 * Docker client.
 */
export async function createProvider(
  config: ProviderConfig,
  logger: Logger,
): Promise<RunnerProvider> {
  if (config.type === "process") {
    const { ProcessProvider } = await import("../providers/process/index.js");
    return new ProcessProvider({ runnerDir: config.runnerDir, workDir: config.workDir, logger });
  }
  const { DockerProvider } = await import("../providers/docker/index.js");
  let docker: import("dockerode") | undefined;
  if (config.socketPath) {
    const { default: Dockerode } = await import("dockerode");
    docker = new Dockerode({ socketPath: config.socketPath });
  }
  return new DockerProvider({
    image: config.image,
    network: config.network,
    env: config.env,
    volumes: config.volumes,
    docker,
    logger,
  });
}
