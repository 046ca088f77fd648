/**
 * What the autoscaler needs from a client, and the options and views it exposes.
 * @module
 */
import type { JitRunnerSettings, RequestOptions, RunnerScaleSetInput } from "../client/types.js";
import type { Logger } from "../util/logger.js";
import type {
  RunnerGroup,
  RunnerReference,
  RunnerScaleSet,
  RunnerScaleSetJitRunnerConfig,
} from "../wire/types.js";
import type { RunnerProvider } from "./provider.js";

/** The client operations the autoscaler uses (implemented by `ScaleSetClient`). */
export interface AutoscalerClient {
  generateJitRunnerConfig(
    scaleSetId: number,
    settings: JitRunnerSettings,
    options?: RequestOptions,
  ): Promise<RunnerScaleSetJitRunnerConfig>;
  getRunnerByName(name: string, options?: RequestOptions): Promise<RunnerReference | undefined>;
  removeRunner(runnerId: number, options?: RequestOptions): Promise<void>;
}

/** The client operations {@link ensureScaleSet} uses. */
export interface ScaleSetAdminClient {
  getRunnerGroupByName(name: string, options?: RequestOptions): Promise<RunnerGroup>;
  getRunnerScaleSet(
    runnerGroupId: number,
    name: string,
    options?: RequestOptions,
  ): Promise<RunnerScaleSet | undefined>;
  createRunnerScaleSet(
    scaleSet: RunnerScaleSetInput,
    options?: RequestOptions,
  ): Promise<RunnerScaleSet>;
  updateRunnerScaleSet(
    id: number,
    patch: RunnerScaleSetInput,
    options?: RequestOptions,
  ): Promise<RunnerScaleSet>;
}

/** Lifecycle of one runner as the autoscaler tracks it. */
export type RunnerState =
  /** JIT config being generated or provider start in flight. */
  | "starting"
  /** Launched, no job seen yet. */
  | "idle"
  /** JobStarted seen. */
  | "busy"
  /** JobCompleted seen; waiting for the runner to exit. */
  | "done"
  /** Being removed (scale-down, exit or cleanup); counts against capacity until done. */
  | "removing"
  /** Exited and removed from the provider; the service still refuses its removal (retried). */
  | "dead";

/** A read-only view of one tracked runner. */
export interface RunnerInfo {
  name: string;
  /** Service-side runner id, once known. */
  id: number | undefined;
  state: RunnerState;
  /** Epoch ms the runner entered its current state. */
  since: number;
  /** Job the runner took, once known. */
  jobId: string | undefined;
  adopted: boolean;
}

/** Counts by state plus the last computed target. */
export interface AutoscalerCounts {
  starting: number;
  idle: number;
  busy: number;
  done: number;
  removing: number;
  dead: number;
  target: number;
  assigned: number;
}

/** Hooks the daemon's metrics implement; all optional. */
export interface AutoscalerMetrics {
  /** A runner was launched: ms from the decision to start to provider start resolved. */
  recordRunnerStarted?(latencyMs: number): void;
  /** A provider or service call made on a runner's behalf failed. */
  recordProviderError?(operation: "start" | "remove" | "list" | "jit" | "remove-runner"): void;
  /** Counts after every change. */
  recordRunnerCounts?(counts: AutoscalerCounts): void;
}

/** Options of {@link Autoscaler}. */
export interface AutoscalerOptions {
  client: AutoscalerClient;
  provider: RunnerProvider;
  scaleSetId: number;
  /** Scale set name: runner names are `<scaleSetName>-<random>`. */
  scaleSetName: string;
  /** Labels handed to the provider with each runner. @default [] */
  labels?: string[];
  /** @default 0 */
  minRunners?: number;
  /** @default 2147483647 */
  maxRunners?: number;
  /** Runner starts in flight at once. @default 16 */
  concurrency?: number;
  /**
   * How long the scaler callback waits for the runner starts it began before it returns, so the
   * listener acknowledges the message and polls again after them (the reference scaler starts
   * runners before it returns, too). Starts still running then go on in the background.
   * 0 returns at once. @default 250
   */
  startWaitMs?: number;
  /** How often the provider is listed to notice runners that exited. @default 3000 */
  pollIntervalMs?: number;
  /** How long a runner whose job completed may take to exit before it is removed. @default 60000 */
  exitGraceMs?: number;
  /**
   * A runner that exits without having taken a job within this long of its launch counts as a
   * failed start: its replacement waits out the start backoff (a crash-looping `run.sh` is not
   * restarted every few seconds with a new registration). @default 30000
   */
  earlyExitMs?: number;
  /** Timeout of each provider/service call made for a runner. @default 120000 */
  callTimeoutMs?: number;
  logger?: Logger;
  metrics?: AutoscalerMetrics;
}
