/**
 * The fake runner's work: come online, wait for an assigned job, run it, report it.
 * Node builtins only (see main.ts).
 * @module
 */
import { spawn } from "node:child_process";
import type { FakeRunnerConfig } from "./jit.js";

interface AssignedJob {
  jobId: string;
  displayName: string;
  durationMs: number;
  result: "succeeded" | "failed";
  command?: string;
  renewIntervalMs?: number;
}

async function call(config: FakeRunnerConfig, path: string, body?: unknown): Promise<Response> {
  for (let attempt = 0; ; attempt++) {
    try {
      const init: RequestInit = {
        method: "POST",
        headers: { authorization: `Bearer ${config.secret}`, "content-type": "application/json" },
      };
      if (body !== undefined) init.body = JSON.stringify(body);
      const res = await fetch(new URL(path, config.agentUrl), init);
      if (res.status >= 500 && attempt < 5) {
        await res.arrayBuffer();
        await new Promise((r) => setTimeout(r, 200 * 2 ** attempt));
        continue;
      }
      return res;
    } catch (err) {
      if (attempt >= 5) throw new Error(`cannot reach the service: ${(err as Error).message}`);
      await new Promise((r) => setTimeout(r, 200 * 2 ** attempt));
    }
  }
}

async function expectOk(res: Response, what: string): Promise<void> {
  if (res.ok) {
    await res.arrayBuffer();
    return;
  }
  const text = await res.text();
  throw new Error(`${what} failed: ${res.status} ${text.slice(0, 200)}`);
}

function runCommand(command: string): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn("/bin/sh", ["-c", command], { stdio: "inherit" });
    child.on("error", () => resolve(127));
    child.on("exit", (code, signal) => resolve(code ?? (signal ? 128 : 1)));
  });
}

/** Runs one job and returns the process exit code. */
export async function runFakeRunner(config: FakeRunnerConfig): Promise<number> {
  await expectOk(await call(config, "connect"), "connecting");
  console.log(`√ Connected to GitHub (runner ${config.agentName})`);
  console.log("Listening for Jobs");
  let job: AssignedJob | undefined;
  while (!job) {
    const res = await call(config, "jobs/acquire?waitMs=30000");
    if (res.status === 204) {
      await res.arrayBuffer();
      continue;
    }
    if (!res.ok) {
      const text = await res.text();
      throw new Error(`waiting for a job failed: ${res.status} ${text.slice(0, 200)}`);
    }
    job = (await res.json()) as AssignedJob;
  }
  const jobPath = `jobs/${encodeURIComponent(job.jobId)}`;
  console.log(`Running job: ${job.displayName}`);
  await expectOk(await call(config, `${jobPath}/started`), "reporting the job started");
  // Keep the job lock, as the real runner renews its job request, so the service does not
  // declare this runner lost while the job runs.
  const renew = setInterval(() => {
    call(config, `${jobPath}/renew`).then(
      (res) => res.arrayBuffer(),
      () => undefined,
    );
  }, job.renewIntervalMs ?? 30_000);
  let result = job.result;
  if (job.command !== undefined) {
    const code = await runCommand(job.command);
    result = code === 0 ? "succeeded" : "failed";
  } else {
    await new Promise((r) => setTimeout(r, job?.durationMs ?? 0));
  }
  clearInterval(renew);
  await expectOk(
    await call(config, `${jobPath}/completed`, { result }),
    "reporting the job completed",
  );
  console.log(
    `Job ${job.displayName} completed with result: ${result === "succeeded" ? "Succeeded" : "Failed"}`,
  );
  return 0;
}
