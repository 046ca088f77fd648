/**
 * Request bodies with the reference's exact bytes (protocol-spec.md §3.7–§3.13, Appendix A.2):
 * Go key order, `omitempty` rules, the always-present `"RunnerSetting":{}` and zero
 * `createdOn`, label `type` defaulting to `System`.
 * @module
 */
import type { Label } from "../wire/types.js";
import { NIL_UUID, ZERO_TIME } from "../wire/types.js";
import { ConfigError } from "./errors.js";
import { goJson } from "./go-json.js";
import type { JitRunnerSettings, LabelInput, RunnerScaleSetInput } from "./types.js";

/** Labels with `type` defaulted to `System` (the caller's objects are not mutated). */
export function defaultLabels(labels: readonly LabelInput[] | undefined): Label[] {
  return (labels ?? []).map((label, i) => {
    if (typeof label?.name !== "string")
      throw new ConfigError(`labels[${i}].name`, "must be a string");
    return { type: label.type || "System", name: label.name };
  });
}

/**
 * The create body: labels defaulted, and `[{type: System, name}]` when there are none.
 * @throws ConfigError when there is neither a name nor a label (no request is sent).
 */
export function encodeCreateScaleSet(input: RunnerScaleSetInput): string {
  let labels = defaultLabels(input.labels);
  if (labels.length === 0) {
    if (!input.name) {
      throw new ConfigError("scaleSet", "runner scale set must have a name or at least one label");
    }
    labels = [{ type: "System", name: input.name }];
  }
  return encodeScaleSet({ ...input, labels });
}

/** The update (PATCH) body: labels defaulted, no name label injected (spec §3.8). */
export function encodeUpdateScaleSet(patch: RunnerScaleSetInput): string {
  return encodeScaleSet({ ...patch, labels: defaultLabels(patch.labels) });
}

function encodeScaleSet(s: RunnerScaleSetInput & { labels: Label[] }): string {
  return goJson({
    ...(s.id ? { id: s.id } : {}),
    ...(s.name ? { name: s.name } : {}),
    ...(s.runnerGroupId ? { runnerGroupId: s.runnerGroupId } : {}),
    ...(s.runnerGroupName ? { runnerGroupName: s.runnerGroupName } : {}),
    ...(s.labels.length > 0
      ? { labels: s.labels.map((l) => ({ type: l.type, name: l.name })) }
      : {}),
    RunnerSetting: s.runnerSetting?.disableUpdate ? { disableUpdate: true } : {},
    createdOn: ZERO_TIME,
    ...(s.runnerJitConfigUrl ? { runnerJitConfigUrl: s.runnerJitConfigUrl } : {}),
  });
}

/** `{"name":…,"workFolder":…}`, both keys always present (spec §3.10). */
export function encodeJitSettings(settings: JitRunnerSettings): string {
  return goJson({ name: settings.name, workFolder: settings.workFolder ?? "" });
}

/** `{"sessionId":"<nil uuid>","ownerName":…}`, owner omitted when empty (spec §3.13). */
export function encodeCreateSession(owner: string): string {
  return goJson(owner ? { sessionId: NIL_UUID, ownerName: owner } : { sessionId: NIL_UUID });
}
