/**
 * Building and running the Go driver (compat/go/cmd/compat), answering its hook requests.
 * @module
 */
import { spawn, spawnSync } from "node:child_process";
import { createWriteStream } from "node:fs";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

/** Directory of the Go module. */
export const GO_DIR = join(dirname(fileURLToPath(import.meta.url)), "go");
/** The built driver binary (gitignored). */
export const GO_BIN = join(GO_DIR, "bin", "compat");

/** True when a `go` executable is on PATH. */
export function goAvailable(): boolean {
  const r = spawnSync("go", ["version"], { encoding: "utf8" });
  return r.error === undefined && r.status === 0;
}

/** `go build` of the driver; returns the `go version` line. Throws with go's output on failure. */
export function buildGoDriver(): string {
  const build = spawnSync("go", ["build", "-o", GO_BIN, "./cmd/compat"], {
    cwd: GO_DIR,
    encoding: "utf8",
  });
  if (build.status !== 0) {
    throw new Error(`go build failed:\n${build.stderr}${build.stdout}`);
  }
  return spawnSync("go", ["version"], { encoding: "utf8" }).stdout.trim();
}

/** Result line the driver prints per scenario. */
export interface ScenarioResult {
  name: string;
  ok: boolean;
  error?: string;
  durationMs?: number;
  details?: Record<string, unknown>;
}

/** Inputs of one Go driver run. */
export interface GoRunOptions {
  scenario: string;
  configUrl: string;
  token: string;
  appClientId: string;
  appInstallationId: number;
  appKeyFile: string;
  runnerCmd: string;
  /** PEM file of the emulator's CA in TLS mode. */
  caFile: string | undefined;
  jobs: number;
  /** File the driver's stderr (and its fake runners' output) is appended to. */
  logFile: string;
  timeoutMs: number;
  onHook: (name: string, args: Record<string, unknown> | undefined) => Promise<void> | void;
}

/** Runs one scenario through the Go driver and returns its result line. */
export async function runGoScenario(o: GoRunOptions): Promise<ScenarioResult> {
  const log = createWriteStream(o.logFile, { flags: "a" });
  const child = spawn(
    GO_BIN,
    [
      `--scenario=${o.scenario}`,
      `--config-url=${o.configUrl}`,
      `--app-client-id=${o.appClientId}`,
      `--app-installation-id=${o.appInstallationId}`,
      `--runner-cmd=${o.runnerCmd}`,
      `--jobs=${o.jobs}`,
      ...(o.caFile ? [`--ca-file=${o.caFile}`] : []),
    ],
    {
      // Secrets go through the environment, never the argument list.
      env: { ...process.env, COMPAT_TOKEN: o.token, COMPAT_APP_KEY_FILE: o.appKeyFile },
      stdio: ["pipe", "pipe", "pipe"],
    },
  );
  child.stderr.pipe(log);
  const timer = setTimeout(() => child.kill("SIGKILL"), o.timeoutMs + 10_000);
  let result: ScenarioResult | undefined;
  const lines = createInterface({ input: child.stdout });
  lines.on("line", (line) => {
    let msg: { type?: string; name?: string; args?: Record<string, unknown> } & ScenarioResult;
    try {
      msg = JSON.parse(line);
    } catch {
      log.write(`[stdout] ${line}\n`);
      return;
    }
    if (msg.type === "hook") {
      Promise.resolve()
        .then(() => o.onHook(msg.name ?? "", msg.args ?? undefined))
        .then(
          () => child.stdin.write(`${JSON.stringify({ ok: true })}\n`),
          (err: unknown) =>
            child.stdin.write(`${JSON.stringify({ ok: false, error: String(err) })}\n`),
        )
        .catch(() => {});
    } else if (msg.type === "result") {
      result = msg;
    }
  });
  const code = await new Promise<number | null>((resolve) => {
    child.on("close", (c) => resolve(c));
  });
  clearTimeout(timer);
  await new Promise<void>((resolve) => log.end(resolve));
  return (
    result ?? {
      name: o.scenario,
      ok: false,
      error: `Go driver exited with ${code} without a result (see ${o.logFile})`,
    }
  );
}
