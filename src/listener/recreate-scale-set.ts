/**
 * Re-creating a scale set that was deleted server-side, with the settings it had.
 * @module
 */
import type { RunnerScaleSetInput } from "../client/types.js";
import type { RunnerScaleSet } from "../wire/types.js";
import type { ListenerClient } from "./types.js";

/** The create input that reproduces `scaleSet` (name, group, labels, settings). */
export function scaleSetInputOf(scaleSet: RunnerScaleSet): RunnerScaleSetInput {
  return {
    name: scaleSet.name,
    runnerGroupId: scaleSet.runnerGroupId,
    labels: scaleSet.labels.map((label) => ({ name: label.name, type: label.type })),
    runnerSetting: { ...scaleSet.runnerSetting },
  };
}

/**
 * Re-creates the scale set from `input`. When the client can look scale sets up by name and one
 * with that name exists already (another replica re-created it), that one is adopted instead.
 * Throws when no settings are known or the service refuses.
 */
export async function recreateScaleSet(
  client: ListenerClient,
  oldScaleSetId: number,
  input: RunnerScaleSetInput | undefined,
  signal: AbortSignal,
): Promise<RunnerScaleSet> {
  if (!input?.name) {
    throw new Error(
      `cannot re-create scale set ${oldScaleSetId}: its settings are unknown (pass recreateScaleSet settings)`,
    );
  }
  if (client.getRunnerScaleSet && input.runnerGroupId !== undefined) {
    const existing = await client.getRunnerScaleSet(input.runnerGroupId, input.name, { signal });
    if (existing && existing.id !== oldScaleSetId) return existing;
  }
  const { id: _ignored, ...rest } = input;
  return client.createRunnerScaleSet(rest, { signal });
}
