import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { createServer as createHttpServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createServer as createNetServer, type Socket } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { fakeRunnerCommand } from "../fake-runner-dir.js";

// The fake runner must never wait forever: a service that went away or took its job away makes
// it exit 1 with a message, within its unreachable budget.
const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function jitFor(port: number): string {
  const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString("base64");
  return b64({
    ".runner": b64({
      agentId: 1,
      agentName: "r-1",
      serverUrlV2: `http://127.0.0.1:${port}/_agent`,
    }),
    ".credentials": b64({ scheme: "OAuth" }),
    ".credentials_rsaparams": b64({ d: "secret" }),
  });
}

async function listen(server: Server | ReturnType<typeof createNetServer>): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return (server.address() as AddressInfo).port;
}

/** Runs the fake runner against `port`; resolves with its exit code and stderr. */
function runFakeRunner(port: number): Promise<{ code: number | null; stderr: string }> {
  const [command, ...args] = fakeRunnerCommand();
  const child = spawn(command as string, args, {
    env: {
      PATH: process.env["PATH"] ?? "",
      ACTIONS_RUNNER_INPUT_JITCONFIG: jitFor(port),
      SCALESET_FAKE_RUNNER_UNREACHABLE_MS: "1500",
      SCALESET_FAKE_RUNNER_REQUEST_TIMEOUT_MS: "300",
    },
    stdio: ["ignore", "ignore", "pipe"],
  });
  cleanups.push(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  });
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  return new Promise((resolve) => child.once("close", (code) => resolve({ code, stderr })));
}

/** True while `pid` exists and is not a zombie. */
function running(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return !/^[ZX]/.test(stat.slice(stat.lastIndexOf(")") + 2));
  } catch {
    return false;
  }
}

describe("fake runner", () => {
  it("exits 1 with a clear message when the service accepts connections but never answers", async () => {
    const sockets = new Set<Socket>();
    const blackHole = createNetServer((s) => sockets.add(s));
    const port = await listen(blackHole);
    cleanups.push(
      () =>
        new Promise<void>((resolve) => {
          for (const s of sockets) s.destroy();
          blackHole.close(() => resolve());
        }),
    );
    const { code, stderr } = await runFakeRunner(port);
    expect(code).toBe(1);
    expect(stderr).toMatch(
      new RegExp(
        `cannot reach the service at http://127\\.0\\.0\\.1:${port} for \\d+ s .*no answer within 300 ms`,
      ),
    );
    expect(stderr).not.toContain("secret");
  });

  it("abandons its job, stops the job's command and exits 1 when the service takes the job away", async () => {
    const service = createHttpServer((req, res) => {
      const path = req.url ?? "";
      if (path.startsWith("/_agent/jobs/acquire")) {
        res.setHeader("content-type", "application/json");
        res.end(
          JSON.stringify({
            jobId: "j1",
            displayName: "build",
            durationMs: 0,
            result: "succeeded",
            command: "echo $$ >&2; exec sleep 30",
            renewIntervalMs: 50,
          }),
        );
      } else if (path.endsWith("/renew")) {
        res.statusCode = 400;
        res.end('{"message":"This job is not assigned to the runner."}');
      } else if (path.endsWith("/connect")) {
        res.end("{}");
      } else {
        res.statusCode = 204;
        res.end();
      }
    });
    const port = await listen(service);
    cleanups.push(() => new Promise<void>((resolve) => service.close(() => resolve())));
    const { code, stderr } = await runFakeRunner(port);
    const commandPid = Number.parseInt(stderr, 10);
    expect(code).toBe(1);
    expect(stderr).toMatch(
      /job build abandoned: the service no longer lets this runner hold its job: 400/,
    );
    expect(Number.isInteger(commandPid)).toBe(true);
    for (let i = 0; i < 100 && running(commandPid); i++)
      await new Promise((r) => setTimeout(r, 20));
    expect(running(commandPid)).toBe(false);
  });
});
