/**
 * Public input/option types of the client that other layers (listener, autoscaler) build on.
 * @module
 */
import type { Label, RunnerSetting } from "../wire/types.js";

/** Options every network call accepts. Aborting rejects with `signal.reason` untouched. */
export interface RequestOptions {
  signal?: AbortSignal | undefined;
}

/** A label as callers may give it: `type` defaults to `System` (spec §3.7). */
export type LabelInput = Label | { name: string; type?: string | undefined };

/** Input of createRunnerScaleSet / updateRunnerScaleSet (fields map to spec §3.7 keys). */
export interface RunnerScaleSetInput {
  id?: number;
  name?: string;
  runnerGroupId?: number;
  runnerGroupName?: string;
  labels?: LabelInput[];
  runnerSetting?: RunnerSetting;
  runnerJitConfigUrl?: string;
}

/** Input of generateJitRunnerConfig (spec §3.10). */
export interface JitRunnerSettings {
  name: string;
  /** @default "" */
  workFolder?: string;
}

/** Caller identity sent in the JSON User-Agent (spec §3.2). */
export interface SystemInfo {
  system: string;
  version: string;
  commitSha: string;
  scaleSetId: number;
  subsystem: string;
}
