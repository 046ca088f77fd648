/**
 * `scaleset/emulator`: a local emulator of the GitHub side of the Runner Scale Set API, with a
 * job engine, runner agent, fault injection and control API; plus the fake runner's directory
 * helper.
 * @module
 */
export { startEmulator } from "./emulator.js";
export { createFakeRunnerDir } from "./fake-runner-dir.js";
export { EmulatorOptionError } from "./option-error.js";
export type {
  Emulator,
  EmulatorMode,
  EmulatorOptions,
  FaultKind,
  FaultSpec,
  JobSpec,
  JobState,
  JobView,
  Operation,
  RunnerView,
  SessionView,
} from "./types.js";
export { OPERATIONS } from "./types.js";
