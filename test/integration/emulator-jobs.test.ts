import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createFakeRunnerDir, type EmulatorOptions } from "../../src/emulator/index.js";
import {
  bearer,
  type MessageJson,
  nextMessage,
  type SessionJson,
  startTestEmulator,
  type TestEmulator,
} from "../helpers/start-emulator.js";

let dir: string;
let runSh: string;
const children: ChildProcess[] = [];
let t: TestEmulator | undefined;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "emu-jobs-"));
  runSh = await createFakeRunnerDir(join(dir, "runner"));
});
afterEach(async () => {
  for (const c of children.splice(0)) if (c.exitCode === null) c.kill("SIGKILL");
  await t?.close();
  t = undefined;
});
afterAll(() => rm(dir, { recursive: true, force: true }));

interface Run {
  code: Promise<number | null>;
  output: () => string;
}

function startRunner(jit: string, viaArg: boolean): Run {
  const env = { ...process.env };
  if (!viaArg) env["ACTIONS_RUNNER_INPUT_JITCONFIG"] = jit;
  const child = spawn(runSh, viaArg ? ["--jitconfig", jit] : [], {
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.push(child);
  let out = "";
  child.stdout?.on("data", (d: Buffer) => {
    out += d.toString();
  });
  child.stderr?.on("data", (d: Buffer) => {
    out += d.toString();
  });
  return { code: new Promise((r) => child.on("exit", (code) => r(code))), output: () => out };
}

async function jit(t: TestEmulator, scaleSetId: number, name: string): Promise<string> {
  const res = await t.call("POST", `runnerscalesets/${scaleSetId}/generatejitconfig`, {
    name,
    workFolder: "",
  });
  expect(res.status).toBe(200);
  return ((await res.json()) as { encodedJITConfig: string }).encodedJITConfig;
}

async function stats(t: TestEmulator, id: number): Promise<Record<string, number>> {
  const res = await t.call("GET", `runnerscalesets/${id}`);
  return ((await res.json()) as { statistics: Record<string, number> }).statistics;
}

/** Polls (acking via lastMessageId) until `count` job messages of `type` arrived. */
async function collect(
  session: SessionJson,
  last: { id: number },
  type: string,
  count: number,
): Promise<MessageJson[]> {
  const messages: MessageJson[] = [];
  let seen = 0;
  while (seen < count) {
    const msg = await nextMessage(session, last.id, 100);
    last.id = msg.messageId;
    messages.push(msg);
    for (const m of msg.jobs) if (m.messageType === type) seen++;
    expect(msg.statistics["totalAssignedJobs"]).toBeGreaterThanOrEqual(
      Number(msg.statistics["totalRunningJobs"]),
    );
  }
  return messages;
}

async function setup(options: EmulatorOptions = {}) {
  t = await startTestEmulator({ longPollMs: 500, ...options });
  const { id } = await t.createScaleSet("jobs-set", ["linux"]);
  const session = await t.createSession(id);
  return { t, id, session, last: { id: 0 } };
}

describe("emulator job engine with real fake-runner processes", () => {
  it("github mode: three jobs go JobAssigned → JobStarted → JobCompleted with statistics at each step", async () => {
    const { t, id, session, last } = await setup();
    const gate = join(dir, "go-github");
    const jobs = t.emu.queueJobs(
      Array.from({ length: 3 }, (_, i) => ({
        labels: ["linux"],
        displayName: `job-${i}`,
        command: `while [ ! -f '${gate}' ]; do sleep 0.05; done`,
      })),
    );
    const assigned = await collect(session, last, "JobAssigned", 3);
    expect(assigned.at(-1)?.statistics).toEqual({
      totalAvailableJobs: 0,
      totalAcquiredJobs: 0,
      totalAssignedJobs: 3,
      totalRunningJobs: 0,
      totalRegisteredRunners: 0,
      totalBusyRunners: 0,
      totalIdleRunners: 0,
    });
    const blobs = await Promise.all([0, 1, 2].map((i) => jit(t, id, `gh-runner-${i}`)));
    expect(await stats(t, id)).toMatchObject({
      totalRegisteredRunners: 3,
      totalIdleRunners: 3,
      totalBusyRunners: 0,
    });
    const runs = blobs.map((b, i) => startRunner(b, i === 0));
    const started = await collect(session, last, "JobStarted", 3);
    const startedJobs = started
      .flatMap((m) => m.jobs)
      .filter((j) => j.messageType === "JobStarted");
    expect(startedJobs.map((j) => j.jobId).sort((a, b) => a.localeCompare(b))).toEqual(
      jobs.map((j) => j.jobId).sort((a, b) => a.localeCompare(b)),
    );
    for (const j of startedJobs) expect(j.runnerName).toMatch(/^gh-runner-\d$/);
    expect(await stats(t, id)).toEqual({
      totalAvailableJobs: 0,
      totalAcquiredJobs: 0,
      totalAssignedJobs: 3,
      totalRunningJobs: 3,
      totalRegisteredRunners: 3,
      totalBusyRunners: 3,
      totalIdleRunners: 0,
    });
    const busy = t.emu.listRunners()[0];
    const removeBusy = await fetch(
      `${t.service}_apis/distributedtask/pools/0/agents/${busy?.id}?api-version=6.0-preview`,
      {
        method: "DELETE",
        headers: bearer(t.adminToken),
      },
    );
    expect(removeBusy.status).toBe(400);
    expect(await removeBusy.json()).toMatchObject({
      typeName: expect.stringContaining("JobStillRunningException"),
    });
    await writeFile(gate, "");
    const completed = await collect(session, last, "JobCompleted", 3);
    const done = completed.flatMap((m) => m.jobs).filter((j) => j.messageType === "JobCompleted");
    expect(done.map((j) => j.result)).toEqual(["succeeded", "succeeded", "succeeded"]);
    for (const j of done) expect(j.runnerAssignTime).not.toBe("0001-01-01T00:00:00Z");
    expect(completed.at(-1)?.statistics).toEqual({
      totalAvailableJobs: 0,
      totalAcquiredJobs: 0,
      totalAssignedJobs: 0,
      totalRunningJobs: 0,
      totalRegisteredRunners: 0,
      totalBusyRunners: 0,
      totalIdleRunners: 0,
    });
    expect(await Promise.all(runs.map((r) => r.code))).toEqual([0, 0, 0]);
    expect(t.emu.listRunners()).toEqual([]);
    expect(t.emu.listJobs().map((j) => j.state)).toEqual(["completed", "completed", "completed"]);
    for (const r of runs) for (const b of blobs) expect(r.output()).not.toContain(b);
  });

  it("GHES mode: runners get nothing until the client acquires the JobAvailable jobs", async () => {
    const { t, id, session, last } = await setup({ mode: "ghes" });
    const jobs = t.emu.queueJobs(
      Array.from({ length: 3 }, () => ({
        labels: ["linux"],
        durationMs: 50,
        result: "failed" as const,
      })),
    );
    const offers = await collect(session, last, "JobAvailable", 3);
    expect(offers.at(-1)?.statistics).toMatchObject({
      totalAvailableJobs: 3,
      totalAssignedJobs: 0,
    });
    const blobs = await Promise.all([0, 1, 2].map((i) => jit(t, id, `ghes-runner-${i}`)));
    const runs = blobs.map((b) => startRunner(b, false));
    await t.emu.waitFor(() => t?.emu.listRunners().every((r) => r.status === "online"), 20_000);
    expect(t.emu.listJobs().map((j) => j.state)).toEqual(["available", "available", "available"]);
    const acquire = await fetch(t.api(`runnerscalesets/${id}/acquirejobs`), {
      method: "POST",
      headers: bearer(session.messageQueueAccessToken),
      body: JSON.stringify(jobs.map((j) => j.runnerRequestId)),
    });
    expect(await acquire.json()).toEqual({ count: 3, value: jobs.map((j) => j.runnerRequestId) });
    await collect(session, last, "JobAssigned", 3);
    const completed = await collect(session, last, "JobCompleted", 3);
    const done = completed.flatMap((m) => m.jobs).filter((j) => j.messageType === "JobCompleted");
    expect(done.map((j) => j.result)).toEqual(["failed", "failed", "failed"]);
    expect(await Promise.all(runs.map((r) => r.code))).toEqual([0, 0, 0]);
  });

  it("cancels an assignment nobody picks up (canceled, zero runnerAssignTime), reassigns, and fails after 3 requeues", async () => {
    const { t, session, last } = await setup({ pickupTimeoutMs: 60 });
    const [job] = t.emu.queueJobs({ labels: ["linux"] });
    const seen: string[] = [];
    while (!seen.includes("JobCompleted:failed")) {
      const msg = await nextMessage(session, last.id, 10);
      last.id = msg.messageId;
      for (const m of msg.jobs) {
        expect(m.jobId).toBe(job?.jobId);
        seen.push(m.messageType === "JobCompleted" ? `JobCompleted:${m.result}` : m.messageType);
        if (m.messageType === "JobCompleted")
          expect(m.runnerAssignTime).toBe("0001-01-01T00:00:00Z");
      }
    }
    expect(seen).toEqual([
      "JobAssigned",
      "JobCompleted:canceled",
      "JobAssigned",
      "JobCompleted:canceled",
      "JobAssigned",
      "JobCompleted:canceled",
      "JobAssigned",
      "JobCompleted:failed",
    ]);
    expect(t.emu.listJobs()[0]).toMatchObject({
      state: "completed",
      result: "failed",
      assignments: 4,
    });
  });

  it("declares a runner lost when it stops renewing its job lock: the job fails and the runner is removed", async () => {
    const { t, id, session, last } = await setup({ runnerLostTimeoutMs: 150 });
    const [job] = t.emu.queueJobs({ labels: ["linux"] });
    await collect(session, last, "JobAssigned", 1);
    const blob = await jit(t, id, "lost-runner");
    const files = JSON.parse(Buffer.from(blob, "base64").toString()) as Record<
      string,
      string | undefined
    >;
    const dotRunner = JSON.parse(Buffer.from(files[".runner"] ?? "", "base64").toString()) as {
      serverUrlV2: string;
    };
    const rsa = JSON.parse(
      Buffer.from(files[".credentials_rsaparams"] ?? "", "base64").toString(),
    ) as { d: string };
    const agent = (path: string) =>
      fetch(`${dotRunner.serverUrlV2}${path}`, { method: "POST", headers: bearer(rsa.d) });
    expect((await agent("connect")).status).toBe(200);
    const taken = (await (await agent("jobs/acquire?waitMs=1000")).json()) as {
      jobId: string;
      renewIntervalMs: number;
    };
    expect(taken).toMatchObject({ jobId: job?.jobId, renewIntervalMs: 37 });
    expect((await agent(`jobs/${taken.jobId}/started`)).status).toBe(204);
    expect((await agent(`jobs/${taken.jobId}/renew`)).status).toBe(204);
    const completed = await collect(session, last, "JobCompleted", 1);
    expect(
      completed.flatMap((m) => m.jobs).find((j) => j.messageType === "JobCompleted"),
    ).toMatchObject({
      result: "failed",
      runnerName: "lost-runner",
    });
    expect(t.emu.listRunners()).toEqual([]);
    expect((await agent(`jobs/${taken.jobId}/renew`)).status).toBe(401);
  });

  it("the fake runner renews its job lock, so a job longer than the lost-runner timeout completes", async () => {
    const { t, id, session, last } = await setup({ runnerLostTimeoutMs: 200 });
    t.emu.queueJobs({ labels: ["linux"], durationMs: 700 });
    await collect(session, last, "JobAssigned", 1);
    const run = startRunner(await jit(t, id, "renewing-runner"), true);
    const completed = await collect(session, last, "JobCompleted", 1);
    expect(
      completed.flatMap((m) => m.jobs).find((j) => j.messageType === "JobCompleted")?.result,
    ).toBe("succeeded");
    expect(await run.code).toBe(0);
  });

  it("the fake runner exits non-zero with a clear message on a bad JIT config and without one", async () => {
    const bad = startRunner("not-a-blob", true);
    expect(await bad.code).not.toBe(0);
    expect(bad.output()).toContain("invalid JIT config");
    const none = spawn(runSh, [], {
      env: { ...process.env, ACTIONS_RUNNER_INPUT_JITCONFIG: "" },
      stdio: "pipe",
    });
    children.push(none);
    let err = "";
    none.stderr.on("data", (d: Buffer) => {
      err += d.toString();
    });
    expect(await new Promise((r) => none.on("exit", r))).not.toBe(0);
    expect(err).toContain("no JIT config");
  });
});
