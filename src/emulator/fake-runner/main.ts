#!/usr/bin/env node
/**
 * The fake runner: `main.js --jitconfig <blob>` or `ACTIONS_RUNNER_INPUT_JITCONFIG=<blob>`.
 * Connects to the emulator named in the blob, takes its assigned job, runs it (sleeps for its
 * duration or runs its command), reports completion and exits 0. Node builtins only.
 * @module
 */
import { decodeJitConfig, JitConfigError } from "./jit.js";
import { runFakeRunner } from "./run.js";

function jitFromArgs(argv: string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--jitconfig") return argv[i + 1];
    if (arg?.startsWith("--jitconfig=")) return arg.slice("--jitconfig=".length);
  }
  return undefined;
}

const { ACTIONS_RUNNER_INPUT_JITCONFIG: envBlob } = process.env;
const blob = jitFromArgs(process.argv.slice(2)) ?? envBlob;
if (!blob) {
  console.error(
    "fake-runner: no JIT config: pass --jitconfig <blob> or set ACTIONS_RUNNER_INPUT_JITCONFIG",
  );
  process.exit(2);
}
try {
  const config = decodeJitConfig(blob);
  const code = await runFakeRunner(config);
  process.exit(code);
} catch (err) {
  if (err instanceof JitConfigError) {
    console.error(`fake-runner: invalid JIT config: ${err.message}`);
    process.exit(2);
  }
  console.error(`fake-runner: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
}
