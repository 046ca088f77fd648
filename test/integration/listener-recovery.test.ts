import { afterEach, describe, expect, it } from "vitest";
import { waitUntil } from "../helpers/fake-listener-client.js";
import { type Harness, startHarness } from "../helpers/listener-harness.js";

let h: Harness;
afterEach(async () => {
  await h.close();
});

const ops = async (operation: string, status?: number) =>
  (await h.records()).filter(
    (r) => r.operation === operation && (status === undefined || r.status === status),
  );

describe("Listener against the emulator: recovery paths", () => {
  it("waits out a foreign session's 409 with one create attempt per backoff step, then takes over", async () => {
    h = await startHarness();
    const id = await h.createScaleSet("conflict");
    const other = await h.client.createMessageSession(id, "someone-else");
    const { listener, scaler, logger } = h.listen(id);
    await waitUntil(() => listener.health.state === "waiting-for-conflict");
    expect(listener.health.conflictOwner).toBe("foreign");
    await waitUntil(() => logger.lines.filter((l) => l.obj.recovery === "conflict").length >= 3);
    await other.close();
    await waitUntil(() => listener.health.state === "polling");
    await h.jobReachesScaler("conflict", scaler);
    const conflicts = logger.lines.filter((l) => l.obj.recovery === "conflict").length;
    const creates = await ops("createMessageSession");
    // The foreign owner's create + one per backoff step + the one that succeeded.
    expect(creates.length).toBe(1 + conflicts + 1);
    expect(await ops("deleteRunnerScaleSet")).toHaveLength(0);
  });

  it("recognises its own stale session from an earlier run in the conflict", async () => {
    h = await startHarness();
    const id = await h.createScaleSet("stale");
    await h.client.createMessageSession(id, `test-owner-${id}`);
    const { listener } = h.listen(id);
    await waitUntil(() => listener.health.state === "waiting-for-conflict");
    expect(listener.health.conflictOwner).toBe("self");
  });

  it.each([
    ["expired", (h: Harness, id: number) => h.emulator.expireSession(id)],
    ["evicted", (h: Harness, id: number) => h.emulator.evictSession(id)],
  ])(
    "creates a new session when the service reports it %s, and keeps handling jobs",
    async (_, act) => {
      h = await startHarness();
      const id = await h.createScaleSet("lost");
      const { listener, scaler } = h.listen(id);
      await waitUntil(() => listener.health.state === "polling");
      const firstSession = listener.health.sessionId;
      await h.jobReachesScaler("lost", scaler);
      act(h, id);
      await waitUntil(
        () => listener.health.sessionId !== firstSession && listener.health.state === "polling",
      );
      await h.jobReachesScaler("lost", scaler);
      expect((await ops("createMessageSession", 200)).length).toBe(2);
      expect(await ops("deleteRunnerScaleSet")).toHaveLength(0);
    },
  );

  it("refreshes the session when queue-token expiry survives the client's own refresh", async () => {
    h = await startHarness();
    const id = await h.createScaleSet("token");
    const { listener, scaler } = h.listen(id);
    await waitUntil(() => listener.health.state === "polling");
    h.emulator.addFault({
      operation: "getMessage",
      scaleSetId: id,
      kind: "status",
      status: 401,
      count: 2,
    });
    await waitUntil(async () => (await ops("refreshMessageSession", 200)).length >= 2, 10_000);
    await h.jobReachesScaler("token", scaler);
    expect((await ops("createMessageSession")).length).toBe(1);
  });

  it.each([
    { kind: "status", status: 503 },
    { kind: "status", status: 429, retryAfter: "0" },
    { kind: "status", status: 500 },
    { kind: "empty" },
    { kind: "truncated" },
    { kind: "reset" },
  ] as const)(
    "retries a poll answered with $kind $status and still delivers the next job",
    async (fault) => {
      h = await startHarness();
      const id = await h.createScaleSet("flaky");
      const { listener, scaler } = h.listen(id);
      await waitUntil(() => listener.health.state === "polling");
      h.emulator.queueJobs({ labels: ["flaky"] });
      h.emulator.addFault({ operation: "getMessage", scaleSetId: id, count: 3, ...fault });
      await waitUntil(() => (listener.health.consecutiveFailures ?? 0) >= 1 || scaler.max >= 1);
      await waitUntil(() => scaler.max >= 1);
      await h.jobReachesScaler("flaky", scaler);
      expect(listener.health.lastError).toBeDefined();
      expect((await ops("createMessageSession")).length).toBe(1);
    },
  );

  it("aborts a stalled long poll at its deadline and polls again", async () => {
    h = await startHarness();
    const id = await h.createScaleSet("stall");
    const { listener, scaler, logger } = h.listen(id, { pollTimeoutMs: 400 });
    await waitUntil(() => listener.health.state === "polling");
    h.emulator.addFault({ operation: "getMessage", scaleSetId: id, kind: "stall", count: 2 });
    await waitUntil(() => logger.lines.filter((l) => /deadline/.test(l.msg)).length >= 2);
    await h.jobReachesScaler("stall", scaler);
    expect((await ops("createMessageSession")).length).toBe(1);
  });

  it("reports a deleted scale set and re-creates it with the same settings when allowed", async () => {
    h = await startHarness();
    const id = await h.createScaleSet("phoenix");
    const events: { oldScaleSetId: number; newScaleSetId: number }[] = [];
    const { listener, scaler, logger } = h.listen(id, {
      recreateScaleSet: true,
      onScaleSetRecreated: (e) => events.push(e),
    });
    await waitUntil(() => listener.health.state === "polling");
    h.emulator.deleteScaleSet(id);
    await waitUntil(() => events.length === 1 && listener.health.state === "polling");
    expect(logger.lines.some((l) => l.msg === "scale set not found")).toBe(true);
    expect(listener.scaleSetId).toBe(events[0]?.newScaleSetId);
    const recreated = h.emulator.listScaleSets().find((s) => s.id === listener.scaleSetId);
    expect(recreated).toMatchObject({ name: "phoenix", labels: [{ name: "phoenix" }] });
    await h.jobReachesScaler("phoenix", scaler);
    expect(await ops("deleteRunnerScaleSet")).toHaveLength(0);
    expect((await ops("createRunnerScaleSet", 200)).length).toBe(2);
  });

  it("keeps reporting a deleted scale set without re-creating it when not allowed", async () => {
    h = await startHarness();
    const id = await h.createScaleSet("gone");
    const { listener } = h.listen(id);
    await waitUntil(() => listener.health.state === "polling");
    h.emulator.deleteScaleSet(id);
    await waitUntil(() => listener.health.state === "scale-set-missing");
    await waitUntil(async () => (await ops("createMessageSession", 404)).length >= 2);
    expect((await ops("createRunnerScaleSet")).length).toBe(1);
  });

  it("stops with AUTH_FAILED on bad credentials", async () => {
    h = await startHarness({ tokens: ["good-token"] });
    const { ScaleSetClient } = await import("../../src/client/index.js");
    const bad = ScaleSetClient.withToken({ configUrl: h.emulator.configUrl, token: "bad-token" });
    const { done } = h.listen(1, { client: bad });
    await expect(done).rejects.toMatchObject({ code: "AUTH_FAILED" });
  });

  it("deletes its session on shutdown, and treats an already-gone session as deleted", async () => {
    h = await startHarness();
    const a = await h.createScaleSet("bye");
    const b = await h.createScaleSet("gone-before-bye");
    const first = h.listen(a);
    const second = h.listen(b);
    await waitUntil(
      () => first.listener.health.state === "polling" && second.listener.health.state === "polling",
    );
    h.emulator.evictSession(b);
    await Promise.all([first.stop(), second.stop()]);
    expect(first.listener.health.state).toBe("stopped");
    expect(h.emulator.listSessions()).toHaveLength(0);
    expect((await ops("deleteMessageSession", 204)).length).toBeGreaterThanOrEqual(1);
  });
});
