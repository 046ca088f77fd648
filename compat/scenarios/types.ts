/**
 * What a TypeScript scenario twin receives and returns. Each twin mirrors the Go scenario of
 * the same name in compat/go/cmd/compat, request for request.
 * @module
 */

/** Inputs of a scenario run. Secrets stay in memory; nothing here is logged. */
export interface ScenarioContext {
  configUrl: string;
  token: string;
  app: { clientId: string; installationId: number; privateKey: string };
  /** Fake runner executable (run.sh); the JIT config goes in ACTIONS_RUNNER_INPUT_JITCONFIG. */
  runnerCmd: string;
  /** The emulator's self-signed CA when it serves https. */
  caPem: string | undefined;
  /** Jobs the listener lifecycle must complete. */
  jobs: number;
  /** File the fake runners' output is appended to. */
  runnerLog: string;
  /** Asks the orchestrator to act on the emulator (queueJobs, expireQueueToken). */
  hook(name: string, args?: Record<string, unknown>): Promise<void>;
  signal: AbortSignal;
}

/** A scenario's outcome details (printed in the report). */
export type ScenarioDetails = Record<string, unknown> | undefined;

/** A scenario known to both drivers. */
export interface ScenarioDefinition {
  name: string;
  /** What the TypeScript side runs, when it is more than a twin of the Go scenario. */
  description?: string;
  /** Emulator job mode the scenario runs against. */
  mode: "github" | "ghes";
  /** Extra emulator options (e.g. short token lifetimes). */
  emulator?: { adminTokenTtlMs?: number; tls?: boolean };
  /** strict: same operations in the same order; loose: same operation set, first of each compared. */
  comparison: "strict" | "loose";
  timeoutMs: number;
  /** The TypeScript twin. */
  run(ctx: ScenarioContext): Promise<ScenarioDetails>;
}
