import { afterEach, describe, expect, it } from "vitest";
import type { EmulatorOptions } from "../../src/emulator/index.js";
import {
  bearer,
  deleteMessage,
  getMessage,
  nextMessage,
  startTestEmulator,
  type TestEmulator,
} from "../helpers/start-emulator.js";

let t: TestEmulator | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

async function setup(options: EmulatorOptions = {}, labels = ["linux"]) {
  t = await startTestEmulator(options);
  const { id } = await t.createScaleSet("queue-set", labels);
  const session = await t.createSession(id);
  return { t, id, session };
}

describe("emulator message queue (spec §3.14–§3.16, §4)", () => {
  it("answers 202 with an empty body when nothing arrives within the hold", async () => {
    const { session } = await setup({ longPollMs: 50 });
    const res = await getMessage(session);
    expect(res.status).toBe(202);
    expect(await res.text()).toBe("");
  });

  it("answers a parked long poll early when a job is queued, with a JobAssigned message and fresh statistics", async () => {
    const { t, session } = await setup({ longPollMs: 30_000 });
    const pending = getMessage(session, 0, 5);
    await t.emu.waitFor(() => t?.emu.listSessions()[0]?.lastPollAt);
    const [job] = t.emu.queueJobs({
      labels: ["linux"],
      displayName: "unit",
      repository: "app",
      owner: "acme",
      workflowRunId: 77,
    });
    const res = await pending;
    expect(res.status).toBe(200);
    const msg = (await res.json()) as {
      messageId: number;
      messageType: string;
      body: string;
      statistics: unknown;
    };
    expect(msg.messageType).toBe("RunnerScaleSetJobMessages");
    expect(msg.statistics).toEqual({
      totalAvailableJobs: 0,
      totalAcquiredJobs: 0,
      totalAssignedJobs: 1,
      totalRunningJobs: 0,
      totalRegisteredRunners: 0,
      totalBusyRunners: 0,
      totalIdleRunners: 0,
    });
    expect(JSON.parse(msg.body)).toEqual([
      {
        messageType: "JobAssigned",
        runnerRequestId: job?.runnerRequestId,
        repositoryName: "app",
        ownerName: "acme",
        jobId: job?.jobId,
        jobWorkflowRef: "acme/app/.github/workflows/ci.yml@refs/heads/main",
        jobDisplayName: "unit",
        workflowRunId: 77,
        eventName: "push",
        requestLabels: ["linux"],
        queueTime: expect.stringMatching(/Z$/),
        scaleSetAssignTime: expect.stringMatching(/Z$/),
        runnerAssignTime: "0001-01-01T00:00:00Z",
        finishTime: "0001-01-01T00:00:00Z",
      },
    ]);
  });

  it("delivers 120 queued jobs in batches of at most 50 with increasing message ids", async () => {
    const { t, session } = await setup();
    t.emu.queueJobs(Array.from({ length: 120 }, () => ({ labels: ["linux"] })));
    const sizes: number[] = [];
    const ids: number[] = [];
    let last = 0;
    while (sizes.reduce((a, b) => a + b, 0) < 120) {
      const msg = await nextMessage(session, last, 1000);
      sizes.push(msg.jobs.length);
      ids.push(msg.messageId);
      expect(msg.statistics["totalAssignedJobs"]).toBe(120);
      last = msg.messageId;
    }
    expect(sizes).toEqual([50, 50, 20]);
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    expect(new Set(ids).size).toBe(3);
  });

  it("redelivers an unacknowledged message and treats lastMessageId as acknowledgement", async () => {
    const { t, session } = await setup();
    t.emu.queueJobs({ labels: ["linux"] });
    const first = await nextMessage(session);
    const again = await nextMessage(session, 0);
    expect(again.messageId).toBe(first.messageId);
    expect(again.body).toBe(first.body);
    const afterAck = await getMessage(session, first.messageId);
    expect(afterAck.status).toBe(202);
    t.emu.queueJobs({ labels: ["linux"] });
    const second = await nextMessage(session, first.messageId);
    expect(second.messageId).toBeGreaterThan(first.messageId);
    const del = await deleteMessage(session, second.messageId);
    expect(del.status).toBe(204);
    expect((await getMessage(session, 0)).status).toBe(202);
  });

  it("assigns no more jobs than the X-ScaleSetMaxCapacity of the last poll", async () => {
    const { t, session } = await setup();
    t.emu.queueJobs(Array.from({ length: 5 }, () => ({ labels: ["linux"] })));
    const first = await nextMessage(session, 0, 2);
    expect(first.jobs.map((j) => j.messageType)).toEqual(["JobAssigned", "JobAssigned"]);
    expect(first.statistics).toMatchObject({ totalAssignedJobs: 2, totalAvailableJobs: 3 });
    expect((await getMessage(session, first.messageId, 2)).status).toBe(202);
    const zero = await getMessage(session, first.messageId, 0);
    expect(zero.status).toBe(202);
    const more = await nextMessage(session, first.messageId, 4);
    expect(more.jobs).toHaveLength(2);
    expect(more.statistics).toMatchObject({ totalAssignedJobs: 4, totalAvailableJobs: 1 });
  });

  it("in GHES mode offers JobAvailable and assigns only after acquirejobs with the queue token", async () => {
    const { t, id, session } = await setup({ mode: "ghes" });
    const [job] = t.emu.queueJobs({ labels: ["linux"] });
    const offer = await nextMessage(session);
    expect(offer.jobs).toEqual([
      expect.objectContaining({
        messageType: "JobAvailable",
        runnerRequestId: job?.runnerRequestId,
        acquireJobUrl: `${t.service}_apis/runtime/runnerscalesets/${id}/acquirejobs`,
      }),
    ]);
    expect(offer.statistics).toMatchObject({ totalAvailableJobs: 1, totalAssignedJobs: 0 });
    expect((await getMessage(session, offer.messageId)).status).toBe(202);
    const acquire = await fetch(t.api(`runnerscalesets/${id}/acquirejobs`), {
      method: "POST",
      headers: bearer(session.messageQueueAccessToken),
      body: JSON.stringify([job?.runnerRequestId, 99999]),
    });
    expect(acquire.status).toBe(200);
    expect(await acquire.json()).toEqual({ count: 1, value: [job?.runnerRequestId] });
    const assigned = await nextMessage(session, offer.messageId);
    expect(assigned.jobs.map((j) => j.messageType)).toEqual(["JobAssigned"]);
    expect(assigned.statistics).toMatchObject({
      totalAvailableJobs: 0,
      totalAcquiredJobs: 0,
      totalAssignedJobs: 1,
    });
  });

  it("in GHES mode offers still-unacquired jobs again to a new session", async () => {
    const { t, id, session } = await setup({ mode: "ghes" });
    const [job] = t.emu.queueJobs({ labels: ["linux"] });
    const offer = await nextMessage(session);
    expect((await getMessage(session, offer.messageId)).status).toBe(202);
    expect(
      (await t.call("DELETE", `runnerscalesets/${id}/sessions/${session.sessionId}`)).status,
    ).toBe(204);
    const next = await t.createSession(id);
    expect(next.statistics).toMatchObject({ totalAvailableJobs: 1 });
    const again = await nextMessage(next, offer.messageId);
    expect(again.jobs).toEqual([
      expect.objectContaining({
        messageType: "JobAvailable",
        runnerRequestId: job?.runnerRequestId,
      }),
    ]);
  });

  it("answers 401 on GetMessage, DeleteMessage and acquirejobs once the queue token expired; refresh issues a working one", async () => {
    const { t, id, session } = await setup();
    t.emu.expireTokens("queue");
    expect((await getMessage(session)).status).toBe(401);
    expect((await deleteMessage(session, 1)).status).toBe(401);
    const acquire = await fetch(t.api(`runnerscalesets/${id}/acquirejobs`), {
      method: "POST",
      headers: bearer(session.messageQueueAccessToken),
      body: "[1]",
    });
    expect(acquire.status).toBe(401);
    const refreshed = (await (
      await t.call("PATCH", `runnerscalesets/${id}/sessions/${session.sessionId}`)
    ).json()) as typeof session;
    expect((await getMessage(refreshed)).status).toBe(202);
  });

  it("expires a queue token after its configured lifetime", async () => {
    const { session } = await setup({ queueTokenTtlMs: 100, longPollMs: 20 });
    expect((await getMessage(session)).status).toBe(202);
    await new Promise((r) => setTimeout(r, 150));
    expect((await getMessage(session)).status).toBe(401);
  });

  it("rejects the admin token on the queue and the queue token on admin endpoints", async () => {
    const { t, id, session } = await setup();
    const res = await fetch(session.messageQueueUrl, {
      headers: { authorization: `Bearer ${t.adminToken}` },
    });
    expect(res.status).toBe(401);
    const admin = await fetch(t.api(`runnerscalesets/${id}`), {
      headers: bearer(session.messageQueueAccessToken),
    });
    expect(admin.status).toBe(401);
  });

  it("expires a session nobody polls, which then no longer blocks a new one", async () => {
    const { t, id, session } = await setup({ sessionTtlMs: 100 });
    const conflict = await t.call("POST", `runnerscalesets/${id}/sessions`, { ownerName: "other" });
    expect(conflict.status).toBe(409);
    await new Promise((r) => setTimeout(r, 150));
    expect((await getMessage(session)).status).toBe(401);
    const fresh = await t.createSession(id, "other");
    expect(fresh.sessionId).not.toBe(session.sessionId);
    const del = await t.call("DELETE", `runnerscalesets/${id}/sessions/${session.sessionId}`);
    expect(del.status).toBe(400);
  });

  it("ends a parked poll with 401 when its session is evicted", async () => {
    const { t, id, session } = await setup({ longPollMs: 30_000 });
    const pending = getMessage(session);
    await t.emu.waitFor(() => t?.emu.listSessions()[0]?.lastPollAt);
    t.emu.evictSession(id);
    expect((await pending).status).toBe(401);
  });
});
