/**
 * Helpers shared by the TypeScript twins: client construction with the same system info the
 * Go driver uses, and the scale set every scenario creates.
 * @module
 */
import { ScaleSetClient } from "../../src/client/index.js";
import type { RunnerScaleSet } from "../../src/wire/types.js";
import type { ScenarioContext } from "./types.js";

/** Identical to the Go driver's SystemInfo, so only build_version/build_commit_sha differ. */
export const systemInfo = {
  system: "scaleset-compat",
  version: "0.0.0",
  commitSha: "compat",
  scaleSetId: 0,
  subsystem: "compat",
};

/** A PAT client for the scenario's emulator. */
export function patClient(ctx: ScenarioContext): ScaleSetClient {
  return ScaleSetClient.withToken({
    configUrl: ctx.configUrl,
    token: ctx.token,
    systemInfo,
    ...(ctx.caPem ? { http: { ca: ctx.caPem } } : {}),
  });
}

/** Creates `name` in the default group with one label and disableUpdate, like the Go driver. */
export async function createSet(
  client: ScaleSetClient,
  name: string,
  signal: AbortSignal,
): Promise<RunnerScaleSet> {
  const set = await client.createRunnerScaleSet(
    { name, runnerGroupId: 1, labels: [{ name }], runnerSetting: { disableUpdate: true } },
    { signal },
  );
  check(set.id !== 0, "create scale set: response has no id");
  return set;
}

/** Throws `message` unless `condition` holds. */
export function check(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(message);
}

/** Runs `fn` and returns the error it throws (or undefined). */
export async function errorOf(fn: () => Promise<unknown>): Promise<unknown> {
  try {
    await fn();
    return undefined;
  } catch (err) {
    return err;
  }
}
