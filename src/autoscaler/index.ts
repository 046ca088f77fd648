/**
 * `scaleset/autoscaler`: the `Scaler` that keeps runners up through a `RunnerProvider`, and
 * the scale set get-or-create used before listening.
 * @module
 */
export { Autoscaler, type AutoscalerTotals } from "./autoscaler.js";
export type {
  ProviderContext,
  ProvisionedRunner,
  RunnerProvider,
  RunnerSpec,
} from "./provider.js";
export { runnerName } from "./runner-name.js";
export {
  type EnsureScaleSetOptions,
  type EnsureScaleSetResult,
  ensureScaleSet,
  scaleSetLabels,
} from "./scale-set.js";
export type {
  AutoscalerClient,
  AutoscalerCounts,
  AutoscalerMetrics,
  AutoscalerOptions,
  RunnerInfo,
  RunnerState,
  ScaleSetAdminClient,
} from "./types.js";
