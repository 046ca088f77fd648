/**
 * Container labels that tie a container to a scale set and runner, so `list` finds runners
 * again after a daemon restart, and the mapping from a container summary to a runner.
 * @module
 */
import type { ProvisionedRunner } from "../../autoscaler/provider.js";

/** Marks containers this provider manages. */
export const LABEL_MANAGED_BY = "dev.scaleset.managed-by";
/** The scale set id (decimal). */
export const LABEL_SCALE_SET_ID = "dev.scaleset.scale-set-id";
/** The runner name (also the container name). */
export const LABEL_RUNNER_NAME = "dev.scaleset.runner-name";
/** The runner's labels, comma-separated (informational). */
export const LABEL_RUNNER_LABELS = "dev.scaleset.runner-labels";

/** A container that was created but never started is treated as exited after this long. */
export const CREATED_GRACE_MS = 60_000;

/** True when a container's labels mark it as ours. */
export function isManaged(labels: Record<string, string | undefined> | undefined): boolean {
  return labels?.[LABEL_MANAGED_BY] === "scaleset";
}

/** The labels put on a runner's container. */
export function runnerLabels(name: string, scaleSetId: number, labels: string[]) {
  return {
    [LABEL_MANAGED_BY]: "scaleset",
    [LABEL_SCALE_SET_ID]: String(scaleSetId),
    [LABEL_RUNNER_NAME]: name,
    [LABEL_RUNNER_LABELS]: labels.join(","),
  };
}

/** The fields of a container list entry we read. */
export interface ContainerSummary {
  Names?: string[];
  State?: string;
  Status?: string;
  Created?: number;
  Labels?: Record<string, string | undefined>;
}

/** Maps a labelled container to a runner; exit codes come from the `Exited (N)` status text. */
export function toProvisionedRunner(
  c: ContainerSummary,
  now = Date.now(),
): ProvisionedRunner | undefined {
  const labels = c.Labels ?? {};
  const name = labels[LABEL_RUNNER_NAME] ?? c.Names?.[0]?.replace(/^\//, "");
  const scaleSetId = Number(labels[LABEL_SCALE_SET_ID]);
  if (!name || !Number.isSafeInteger(scaleSetId)) return undefined;
  const state = c.State ?? "";
  const running =
    state === "running" ||
    state === "restarting" ||
    state === "paused" ||
    (state === "created" && now - (c.Created ?? 0) * 1000 < CREATED_GRACE_MS);
  if (running) return { name, scaleSetId, state: "running" };
  const code = /Exited \((-?\d+)\)/.exec(c.Status ?? "")?.[1];
  return {
    name,
    scaleSetId,
    state: "exited",
    exitCode: code === undefined ? undefined : Number(code),
  };
}
