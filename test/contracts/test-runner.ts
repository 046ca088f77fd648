/**
 * A tiny stand-in for the runner directory used by the provider contract: `run.sh` execs node on
 * `observe.cjs`, which records what the runner saw (a hash of the JIT config, never the value),
 * then exits with the code named in the JIT config or stays up with a child process until killed.
 */
import { createHash } from "node:crypto";
import { chmod, mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";

/** What the contract puts in a test JIT config (base64 JSON, like the real blob's shape). */
export interface TestJitSpec {
  name: string;
  /** Exit at once with this code; when absent, stay up (with a child) until killed. */
  exitCode?: number;
  /** With `exitCode`: start the child anyway and leave it running (a job's background process). */
  leaveChild?: boolean;
  /** Start the child in a session of its own (`setsid`), outside the runner's process group. */
  detachChild?: boolean;
  /** Unique text in the child's argv, so tests can find it among all processes. */
  marker: string;
  /** Random filler, so every JIT config is unique. */
  nonce: string;
}

/** What `observe.cjs` writes to `$SCALESET_OBSERVE_DIR/<name>.json`. */
export interface Observation {
  name: string;
  jitSha256: string;
  argv: string[];
  cwd: string;
  pid: number;
  childPid?: number;
  /** Names (not values) of the runner's environment variables. */
  envKeys: string[];
}

const RUN_SH = `#!/bin/sh
# Test runner: records what it saw (see observe.cjs).
exec node "\${0%/*}/observe.cjs" "$@"
`;

const OBSERVE_CJS = `"use strict";
const fs = require("node:fs");
const crypto = require("node:crypto");
const childProcess = require("node:child_process");
const jit = process.env.ACTIONS_RUNNER_INPUT_JITCONFIG || "";
let spec = {};
try { spec = JSON.parse(Buffer.from(jit, "base64").toString("utf8")); } catch {}
const stayUp = typeof spec.exitCode !== "number";
const child = stayUp || spec.leaveChild === true
  ? childProcess.spawn(process.execPath, ["-e", "setInterval(() => {}, 1 << 30)", String(spec.marker)], { stdio: "ignore", detached: spec.detachChild === true })
  : undefined;
const observation = {
  name: spec.name,
  jitSha256: crypto.createHash("sha256").update(jit).digest("hex"),
  argv: process.argv,
  cwd: process.cwd(),
  pid: process.pid,
  childPid: child ? child.pid : undefined,
  envKeys: Object.keys(process.env),
};
const out = process.env.SCALESET_OBSERVE_DIR + "/" + spec.name + ".json";
fs.writeFileSync(out + ".tmp", JSON.stringify(observation));
fs.renameSync(out + ".tmp", out);
if (!stayUp) process.exit(spec.exitCode);
// Like the real runner, end on SIGTERM (needed when we run as PID 1 in a container).
process.on("SIGTERM", () => process.exit(143));
setInterval(() => {}, 1 << 30);
`;

/** Writes the test runner directory (`run.sh` + `observe.cjs`), readable by any user. */
export async function writeTestRunnerDir(dir: string): Promise<string> {
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, "run.sh"), RUN_SH, { mode: 0o755 });
  await writeFile(join(dir, "observe.cjs"), OBSERVE_CJS, { mode: 0o644 });
  await chmod(dir, 0o755);
  return dir;
}

/** Encodes a test JIT config. */
export function encodeTestJit(spec: TestJitSpec): string {
  return Buffer.from(JSON.stringify(spec)).toString("base64");
}

/** sha256 hex of a string, as observe.cjs computes it. */
export function sha256(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}
