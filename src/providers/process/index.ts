/**
 * `scaleset/providers/process`: runners as local processes, one fresh copy of the runner
 * directory per runner.
 *
 * ```ts
 * import { ProcessProvider } from "scaleset/providers/process";
 * const provider = new ProcessProvider({ runnerDir: "/opt/actions-runner", workDir: "/var/lib/scaleset/runners" });
 * ```
 * @module
 */
export { ProviderError } from "../errors.js";
export {
  DEFAULT_INHERITED_ENV,
  JIT_CONFIG_ENV,
  ProcessProvider,
  type ProcessProviderOptions,
} from "./process-provider.js";
