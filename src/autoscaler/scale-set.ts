/**
 * Get-or-create of a scale set by name in its runner group, with label updates.
 * @module
 */
import type { RequestOptions } from "../client/types.js";
import { type Logger, silentLogger } from "../util/logger.js";
import type { RunnerScaleSet } from "../wire/types.js";
import type { ScaleSetAdminClient } from "./types.js";

/** Options of {@link ensureScaleSet}. */
export interface EnsureScaleSetOptions extends RequestOptions {
  name: string;
  /** Runner group name. @default "default" */
  runnerGroup?: string | undefined;
  /** Labels; the scale set name is always the first one. @default [] */
  labels?: string[] | undefined;
  /** Disable runner self-update. @default true */
  disableUpdate?: boolean | undefined;
  logger?: Logger | undefined;
}

/** What {@link ensureScaleSet} did. */
export interface EnsureScaleSetResult {
  scaleSet: RunnerScaleSet;
  action: "found" | "created" | "updated";
}

/** The label list a scale set should carry: its name first, then the extra labels, deduplicated. */
export function scaleSetLabels(name: string, labels: readonly string[] = []): string[] {
  return [...new Set([name, ...labels.map((l) => l.trim()).filter((l) => l.length > 0)])];
}

/**
 * Finds the scale set `name` in its runner group, creates it when missing, and updates its labels
 * when they differ from the configured ones. Errors of the client propagate unchanged.
 */
export async function ensureScaleSet(
  client: ScaleSetAdminClient,
  options: EnsureScaleSetOptions,
): Promise<EnsureScaleSetResult> {
  const { name, runnerGroup = "default", disableUpdate = true, signal } = options;
  const logger = options.logger ?? silentLogger;
  const group = await client.getRunnerGroupByName(runnerGroup, { signal });
  const wanted = scaleSetLabels(name, options.labels);
  const existing = await client.getRunnerScaleSet(group.id, name, { signal });
  if (!existing) {
    const scaleSet = await client.createRunnerScaleSet(
      {
        name,
        runnerGroupId: group.id,
        labels: wanted.map((label) => ({ name: label, type: "System" })),
        runnerSetting: { disableUpdate },
      },
      { signal },
    );
    logger.info({ scaleSetId: scaleSet.id, name, runnerGroup }, "created scale set");
    return { scaleSet, action: "created" };
  }
  const current = existing.labels.map((l) => l.name);
  if (sameLabels(current, wanted)) {
    logger.info({ scaleSetId: existing.id, name }, "found scale set");
    return { scaleSet: existing, action: "found" };
  }
  const scaleSet = await client.updateRunnerScaleSet(
    existing.id,
    { labels: wanted.map((label) => ({ name: label, type: "System" })) },
    { signal },
  );
  logger.info({ scaleSetId: existing.id, name, from: current, to: wanted }, "updated labels");
  return { scaleSet, action: "updated" };
}

function sameLabels(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  const set = new Set(a);
  return b.every((label) => set.has(label));
}
