/**
 * `scaleset/providers/docker`: runners as Docker containers on a real engine (dockerode).
 *
 * ```ts
 * import { DockerProvider } from "scaleset/providers/docker";
 * const provider = new DockerProvider({ image: "scaleset-fake-runner:local", network: "host" });
 * ```
 * @module
 */
export { ProviderError } from "../errors.js";
export {
  DEFAULT_RUNNER_COMMAND,
  DEFAULT_RUNNER_IMAGE,
  DockerProvider,
  type DockerProviderOptions,
} from "./docker-provider.js";
export {
  LABEL_MANAGED_BY,
  LABEL_RUNNER_LABELS,
  LABEL_RUNNER_NAME,
  LABEL_SCALE_SET_ID,
} from "./labels.js";
