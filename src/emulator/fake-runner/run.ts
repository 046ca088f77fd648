/**
 * The fake runner's work: come online, wait for an assigned job, run it while renewing its job
 * lock, report it. Node builtins only (see main.ts).
 * @module
 */
import { type ChildProcess, spawn } from "node:child_process";
import { AgentClient, type AgentClientOptions, type AgentResponse } from "./agent-client.js";
import type { FakeRunnerConfig } from "./jit.js";

interface AssignedJob {
  jobId: string;
  displayName: string;
  durationMs: number;
  result: "succeeded" | "failed";
  command?: string;
  renewIntervalMs?: number;
}

/** The runner cannot go on (removed by the service, job taken away, service unreachable). */
export class FakeRunnerError extends Error {
  override name = "FakeRunnerError";
}

const ACQUIRE_HOLD_MS = 30_000;

function expectOk(res: AgentResponse, what: string): void {
  if (res.status >= 200 && res.status < 300) return;
  throw new FakeRunnerError(`${what} failed: ${res.status} ${res.text.slice(0, 200)}`);
}

function runCommand(command: string): { child: ChildProcess; done: Promise<number> } {
  const child = spawn("/bin/sh", ["-c", command], { stdio: "inherit" });
  const done = new Promise<number>((resolve) => {
    child.on("error", () => resolve(127));
    child.on("exit", (code, signal) => resolve(code ?? (signal ? 128 : 1)));
  });
  return { child, done };
}

/**
 * Renews the job lock every `intervalMs` until `stopped` resolves. Resolves with the reason when
 * the lock is lost (the service took the job away or cannot be reached), else never.
 */
async function keepLock(
  client: AgentClient,
  jobPath: string,
  intervalMs: number,
  stopped: Promise<unknown>,
): Promise<string> {
  let stop = false;
  void stopped.then(() => {
    stop = true;
  });
  for (;;) {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([stopped, new Promise((r) => (timer = setTimeout(r, intervalMs)))]);
    clearTimeout(timer);
    if (stop) return new Promise<string>(() => {});
    try {
      const res = await client.post(`${jobPath}/renew`);
      if (res.status >= 400)
        return `the service no longer lets this runner hold its job: ${res.status} ${res.text.slice(0, 200)}`;
    } catch (err) {
      return (err as Error).message;
    }
  }
}

/** Runs one job and returns the process exit code; rejects when the runner cannot go on. */
export async function runFakeRunner(
  config: FakeRunnerConfig,
  options: AgentClientOptions = {},
): Promise<number> {
  const client = new AgentClient(config, options);
  expectOk(await client.post("connect"), "connecting");
  console.log(`√ Connected to GitHub (runner ${config.agentName})`);
  console.log("Listening for Jobs");
  let job: AssignedJob | undefined;
  while (!job) {
    const res = await client.post(
      `jobs/acquire?waitMs=${ACQUIRE_HOLD_MS}`,
      undefined,
      ACQUIRE_HOLD_MS,
    );
    if (res.status === 204) continue;
    expectOk(res, "waiting for a job");
    job = JSON.parse(res.text) as AssignedJob;
  }
  const jobPath = `jobs/${encodeURIComponent(job.jobId)}`;
  console.log(`Running job: ${job.displayName}`);
  expectOk(await client.post(`${jobPath}/started`), "reporting the job started");
  let result = job.result;
  let command: ChildProcess | undefined;
  let finished: Promise<number>;
  if (job.command !== undefined) {
    const run = runCommand(job.command);
    command = run.child;
    finished = run.done;
  } else {
    finished = new Promise((r) => setTimeout(() => r(0), job?.durationMs ?? 0));
  }
  // Keep the job lock, as the real runner renews its job request, so the service does not
  // declare this runner lost while the job runs.
  const lost = keepLock(client, jobPath, job.renewIntervalMs ?? 30_000, finished);
  const outcome = await Promise.race([
    finished.then((code) => ({ code })),
    lost.then((reason) => ({ reason })),
  ]);
  if ("reason" in outcome) {
    command?.kill("SIGTERM");
    throw new FakeRunnerError(`job ${job.displayName} abandoned: ${outcome.reason}`);
  }
  if (job.command !== undefined) result = outcome.code === 0 ? "succeeded" : "failed";
  expectOk(await client.post(`${jobPath}/completed`, { result }), "reporting the job completed");
  console.log(
    `Job ${job.displayName} completed with result: ${result === "succeeded" ? "Succeeded" : "Failed"}`,
  );
  return 0;
}
