/**
 * The actions a scenario may ask of the emulator mid-run (Go through its stdin/stdout line
 * protocol, the TypeScript twins directly).
 * @module
 */
import type { Emulator, FaultSpec, JobSpec } from "../src/emulator/index.js";

/** Applies hook `name` to `emulator`; throws on an unknown hook or bad arguments. */
export function applyHook(
  emulator: Emulator,
  name: string,
  args: Record<string, unknown> | undefined,
): void {
  switch (name) {
    case "queueJobs": {
      const { labels, count } = args ?? {};
      if (!Array.isArray(labels) || typeof count !== "number") {
        throw new Error("queueJobs needs labels (string[]) and count (number)");
      }
      const specs: JobSpec[] = [];
      for (let i = 0; i < count; i++) {
        specs.push({ labels: labels.map(String), durationMs: 100, displayName: `compat-${i + 1}` });
      }
      emulator.queueJobs(specs);
      return;
    }
    case "addFault":
      emulator.addFault(args as unknown as FaultSpec);
      return;
    case "expireQueueToken":
      emulator.expireTokens("queue");
      return;
    default:
      throw new Error(`unknown hook ${name}`);
  }
}
