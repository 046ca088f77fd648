#!/usr/bin/env node
/**
 * The fake runner: `main.js --jitconfig <blob>` or `ACTIONS_RUNNER_INPUT_JITCONFIG=<blob>`.
 * Connects to the emulator named in the blob, takes its assigned job, runs it (sleeps for its
 * duration or runs its command), reports completion and exits 0. Exits 1 with a message when it
 * cannot go on: the service removed it or took its job away, or gave no usable answer for
 * `SCALESET_FAKE_RUNNER_UNREACHABLE_MS` (default 30 s; each request times out after
 * `SCALESET_FAKE_RUNNER_REQUEST_TIMEOUT_MS`, default 10 s, plus a long poll's hold).
 * Node builtins only.
 * @module
 */
import type { AgentClientOptions } from "./agent-client.js";
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

function msFromEnv(name: string): number | undefined {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return undefined;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) {
    console.error(`fake-runner: ${name} must be a positive number of milliseconds`);
    process.exit(2);
  }
  return value;
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
  const options: AgentClientOptions = {};
  const unreachableMs = msFromEnv("SCALESET_FAKE_RUNNER_UNREACHABLE_MS");
  const requestTimeoutMs = msFromEnv("SCALESET_FAKE_RUNNER_REQUEST_TIMEOUT_MS");
  if (unreachableMs !== undefined) options.unreachableMs = unreachableMs;
  if (requestTimeoutMs !== undefined) options.requestTimeoutMs = requestTimeoutMs;
  const code = await runFakeRunner(config, options);
  process.exit(code);
} catch (err) {
  if (err instanceof JitConfigError) {
    console.error(`fake-runner: invalid JIT config: ${err.message}`);
    process.exit(2);
  }
  console.error(`fake-runner: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
}
