/**
 * The interface a runner provider implements (docker, process, …). The autoscaler owns it.
 * @module
 */
import type { Logger } from "../util/logger.js";

/** What the autoscaler asks a provider to start. `jitConfig` is a secret: never log it. */
export interface RunnerSpec {
  name: string;
  jitConfig: string;
  scaleSetId: number;
  labels: string[];
}

/** Context for provider calls. */
export interface ProviderContext {
  signal?: AbortSignal | undefined;
  logger?: Logger | undefined;
}

/** A runner the provider has (running or exited but not yet removed). */
export interface ProvisionedRunner {
  name: string;
  scaleSetId: number;
  state: "running" | "exited";
  /** Exit code when `state` is `exited` and known. */
  exitCode?: number | undefined;
}

/** Starts, removes and lists runners on some infrastructure. */
export interface RunnerProvider {
  /** Short name used in logs and metrics, e.g. `docker`, `process`. */
  readonly name: string;
  /** Starts a runner; resolves once it has been launched (not once its job ran). */
  start(runner: RunnerSpec, ctx?: ProviderContext): Promise<void>;
  /** Stops (if needed) and removes a runner and everything left of it; missing is success. */
  remove(name: string, ctx?: ProviderContext): Promise<void>;
  /** Everything this provider has for the scale set, including runners from before a restart. */
  list(scaleSetId: number, ctx?: ProviderContext): Promise<ProvisionedRunner[]>;
  /**
   * Optional: calls `listener` soon after a runner started by this provider instance exits, so the
   * autoscaler need not wait for its next `list`. Best effort (runners that exited while the daemon
   * was down are only seen by `list`, which stays the source of truth). Returns an unsubscribe
   * function; a listener that throws is ignored.
   */
  onRunnerExit?(listener: (runner: ProvisionedRunner) => void): () => void;
}
