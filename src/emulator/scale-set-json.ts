/**
 * Response JSON of scale sets and runners, in the key order the service uses.
 * @module
 */
import { type ServiceContext, serviceBase } from "./context.js";
import type { RunnerRecord, ScaleSetRecord } from "./records.js";

/**
 * A RunnerScaleSet response (spec §3.7). The settings key is `runnerSetting` (camelCase, as a
 * .NET camelCase serializer would write it; Go decodes either casing — spec §10.2 choice).
 * `runnerJitConfigUrl` is on `base` (see `publicBase`).
 */
export function scaleSetJson(
  ctx: ServiceContext,
  s: ScaleSetRecord,
  base: string,
): Record<string, unknown> {
  return {
    id: s.id,
    name: s.name,
    runnerGroupId: s.runnerGroupId,
    runnerGroupName: s.runnerGroupName,
    labels: s.labels.map((l) => ({ type: l.type, name: l.name })),
    runnerSetting: { ...s.runnerSetting },
    createdOn: s.createdOn,
    runnerJitConfigUrl: `${serviceBase(base)}_apis/runtime/runnerscalesets/${s.id}/generatejitconfig`,
    statistics: ctx.state.statistics(s.id),
  };
}

/** A runner (agent) response: the RunnerReference keys of spec §3.11 plus a few agent fields. */
export function runnerJson(r: RunnerRecord): Record<string, unknown> {
  return {
    id: r.id,
    name: r.name,
    runnerScaleSetId: r.scaleSetId,
    status: r.status === "registered" || r.status === "offline" ? "offline" : "online",
    busy: r.status === "busy",
    ephemeral: true,
    enabled: true,
    version: "2.330.0",
    osDescription: "Linux",
  };
}
