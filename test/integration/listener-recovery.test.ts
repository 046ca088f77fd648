import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { FileMessageIdStore } from "../../src/listener/file-message-id-store.js";
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

/** Session creates and deletes as "operation status", once at least `atLeast` were recorded. */
const sessionOps = async (atLeast: number, stale = "\0") => {
  const records = await waitUntil(async () => {
    const found = (await h.records()).filter(
      (r) => r.operation === "createMessageSession" || r.operation === "deleteMessageSession",
    );
    return found.length >= atLeast && found;
  });
  return records.map((r) => `${r.operation} ${r.status}${r.path.includes(stale) ? " stale" : ""}`);
};

describe("Listener against the emulator: recovery paths", () => {
  it("waits out a foreign session's 409 with one create attempt per backoff step, then takes over", async () => {
    h = await startHarness();
    const id = await h.createScaleSet("conflict");
    const other = await h.client.createMessageSession(id, "someone-else");
    const { listener, scaler, logger } = h.listen(id);
    await waitUntil(() => listener.health.state === "waiting-for-conflict");
    expect(listener.health.conflictOwner).toBe("foreign");
    await waitUntil(() => logger.lines.filter((l) => l.obj.recovery === "conflict").length >= 3);
    expect(await ops("deleteMessageSession")).toHaveLength(0);
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

  it("a restarted listener deletes the session its killed predecessor left open (id kept in the store) and gets a session at once", async () => {
    h = await startHarness();
    const id = await h.createScaleSet("restarted");
    const path = join(h.dir, "listener-state.json");
    // The killed run: it created a session and saved its id, then died without deleting it.
    const stale = (await h.client.createMessageSession(id, `test-owner-${id}`)).session.sessionId;
    await new FileMessageIdStore(path).saveSessionId(id, stale);

    const store = new FileMessageIdStore(path);
    const { listener, logger, stop } = h.listen(id, { store });
    await waitUntil(() => listener.health.state === "polling");
    expect(await sessionOps(3, stale)).toEqual([
      "createMessageSession 200", // the killed run's
      "deleteMessageSession 204 stale",
      "createMessageSession 200",
    ]);
    expect(logger.lines.filter((l) => l.obj.recovery === "conflict")).toEqual([]);
    expect(h.emulator.listSessions().map((s) => s.sessionId)).toEqual([listener.health.sessionId]);
    expect(listener.health.sessionId).not.toBe(stale);
    expect(await new FileMessageIdStore(path).loadSessionId(id)).toBe(listener.health.sessionId);

    await stop();
    expect(h.emulator.listSessions()).toEqual([]);
    expect(await new FileMessageIdStore(path).loadSessionId(id)).toBeUndefined();
  });

  it("on a 409 deletes its own recorded session and retries at once when deleting it up front failed", async () => {
    h = await startHarness();
    const id = await h.createScaleSet("retry-own");
    const store = new FileMessageIdStore(join(h.dir, "listener-state.json"));
    const stale = (await h.client.createMessageSession(id, `test-owner-${id}`)).session.sessionId;
    await store.saveSessionId(id, stale);
    h.emulator.addFault({
      operation: "deleteMessageSession",
      scaleSetId: id,
      kind: "status",
      status: 503,
      count: 1,
    });
    const { listener, logger } = h.listen(id, { store });
    await waitUntil(() => listener.health.state === "polling");
    expect(await sessionOps(5)).toEqual([
      "createMessageSession 200", // the stale session
      "deleteMessageSession 503",
      "createMessageSession 409",
      "deleteMessageSession 204",
      "createMessageSession 200",
    ]);
    // The 409 went straight to the delete and a second create: no backoff step was taken.
    expect(logger.lines.filter((l) => l.obj.recovery === "conflict")).toEqual([]);
    expect(await store.loadSessionId(id)).toBe(listener.health.sessionId);
  });

  it("never deletes a conflicting session it did not create, even with an id of its own on record", async () => {
    h = await startHarness();
    const id = await h.createScaleSet("not-mine");
    const path = join(h.dir, "listener-state.json");
    // An earlier run of ours recorded a session that is gone by now; someone else holds the set.
    const ours = await h.client.createMessageSession(id, `test-owner-${id}`);
    await ours.close();
    await new FileMessageIdStore(path).saveSessionId(id, ours.session.sessionId);
    const other = await h.client.createMessageSession(id, "someone-else");

    const store = new FileMessageIdStore(path);
    const { listener, logger } = h.listen(id, { store });
    await waitUntil(() => logger.lines.filter((l) => l.obj.recovery === "conflict").length >= 3);
    expect(listener.health).toMatchObject({
      state: "waiting-for-conflict",
      conflictOwner: "foreign",
    });
    const deletes = await waitUntil(async () => {
      const found = await ops("deleteMessageSession");
      return found.length >= 2 && found;
    });
    expect(deletes.map((r) => r.path.endsWith(`/sessions/${ours.session.sessionId}`))).toEqual([
      true, // our own closed session: deleted by us before the listener started
      true, // the listener's up-front delete of its recorded id: already gone
    ]);
    expect(deletes.map((r) => r.status)).toEqual([204, 404]);
    expect(h.emulator.listSessions().map((s) => s.sessionId)).toEqual([other.session.sessionId]);
    expect(await store.loadSessionId(id)).toBeUndefined();
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
