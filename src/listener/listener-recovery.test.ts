import { afterEach, describe, expect, it } from "vitest";
import {
  FakeHttpError,
  FakeListenerClient,
  FakeScaler,
  waitUntil,
} from "../../test/helpers/fake-listener-client.js";
import { sleep } from "../util/sleep.js";
import { Listener } from "./listener.js";
import type { ListenerOptions } from "./options.js";

const controllers: AbortController[] = [];
afterEach(() => {
  for (const c of controllers.splice(0)) c.abort();
});

function start(client: FakeListenerClient, extra: Partial<ListenerOptions> = {}) {
  const listener = new Listener({
    client,
    scaleSetId: 1,
    maxRunners: 5,
    owner: "me",
    backoff: { minDelayMs: 5, maxDelayMs: 20 },
    ...extra,
  });
  const scaler = new FakeScaler();
  const controller = new AbortController();
  controllers.push(controller);
  const done = listener.run(scaler, { signal: controller.signal });
  const stop = async () => {
    controller.abort();
    await done;
  };
  return { listener, scaler, done, stop };
}

/** Queues a job message and waits until the scaler saw it. */
async function jobReachesScaler(client: FakeListenerClient, scaler: FakeScaler, scaleSetId = 1) {
  const marker = 1000 + client.calls.length;
  client.queue(scaleSetId, { started: [marker] });
  await waitUntil(() => scaler.events.includes(`started:${marker}`));
}

describe("Listener recovery", () => {
  it("waits out a session conflict held by another owner, reporting it in health", async () => {
    const client = new FakeListenerClient();
    client.sessions.set(1, "someone-else");
    const { listener, scaler, stop } = start(client);
    await waitUntil(() => client.callsOf("createMessageSession").length >= 3);
    expect(listener.health).toMatchObject({
      state: "waiting-for-conflict",
      conflictOwner: "foreign",
    });
    client.sessions.delete(1);
    await jobReachesScaler(client, scaler);
    expect(listener.health.conflictOwner).toBeUndefined();
    await stop();
  });

  it("recognises a conflicting session carrying its own owner name as its own stale session", async () => {
    const client = new FakeListenerClient();
    client.sessions.set(1, "me");
    const { listener, stop } = start(client);
    await waitUntil(() => listener.health.state === "waiting-for-conflict");
    expect(listener.health.conflictOwner).toBe("self");
    await stop();
  });

  it("creates a new session when the service forgot it, keeping the last message id", async () => {
    const client = new FakeListenerClient();
    const { scaler, stop } = start(client);
    await waitUntil(() => client.callsOf("getMessage").length > 0);
    const first = client.queue(1, { started: [1] });
    await waitUntil(() => client.callsOf("deleteMessage").length > 0);
    client.sessions.delete(1); // evicted
    await waitUntil(() => client.callsOf("createMessageSession").length === 2);
    await jobReachesScaler(client, scaler);
    const polls = client.callsOf("getMessage");
    expect(polls.at(-1)?.args[0]).toBeGreaterThanOrEqual(first);
    await stop();
  });

  it("refreshes the session when a queue token expiry surfaces from the client", async () => {
    const client = new FakeListenerClient();
    const { scaler, stop } = start(client);
    await waitUntil(() => client.callsOf("getMessage").length > 0);
    client.fail("getMessage", new FakeHttpError("MESSAGE_QUEUE_TOKEN_EXPIRED", 401));
    await waitUntil(() => client.callsOf("refresh").length === 1);
    await jobReachesScaler(client, scaler);
    expect(client.callsOf("createMessageSession")).toHaveLength(1);
    await stop();
  });

  it("re-creates the session when a refresh says the session is gone", async () => {
    const client = new FakeListenerClient();
    const { scaler, stop } = start(client);
    await waitUntil(() => client.callsOf("getMessage").length > 0);
    client.fail("getMessage", new FakeHttpError("MESSAGE_QUEUE_TOKEN_EXPIRED", 401));
    client.fail("refresh", () => {
      client.sessions.delete(1);
      return new FakeHttpError("HTTP_ERROR", 404, "RunnerAdminException");
    });
    await waitUntil(() => client.callsOf("createMessageSession").length === 2);
    await jobReachesScaler(client, scaler);
    await stop();
  });

  it("retries transient errors with backoff and keeps the last error in health", async () => {
    const client = new FakeListenerClient();
    const { scaler, listener, stop } = start(client);
    await waitUntil(() => client.callsOf("getMessage").length > 0);
    client.fail("getMessage", new FakeHttpError("HTTP_ERROR", 503), 4);
    await waitUntil(() => (listener.health.consecutiveFailures ?? 0) >= 3);
    expect(listener.health.state).toBe("recovering");
    expect(listener.health.lastError).toMatch(/503/);
    await jobReachesScaler(client, scaler);
    expect(listener.health.consecutiveFailures).toBe(0);
    expect(client.callsOf("createMessageSession")).toHaveLength(1);
    await stop();
  });

  it("aborts a long poll that exceeds its deadline and polls again", async () => {
    const client = new FakeListenerClient();
    client.longPollMs = 10_000;
    const { scaler, stop } = start(client, { pollTimeoutMs: 30 });
    await waitUntil(() => client.callsOf("getMessage").length >= 3);
    await jobReachesScaler(client, scaler);
    expect(client.callsOf("createMessageSession")).toHaveLength(1);
    await stop();
  });

  it("reports a deleted scale set and keeps checking when re-creation is not allowed", async () => {
    const client = new FakeListenerClient();
    const { listener, stop } = start(client);
    await waitUntil(() => client.callsOf("getMessage").length > 0);
    client.deleteScaleSet(1);
    await waitUntil(() => client.callsOf("createMessageSession").length >= 3);
    expect(listener.health.state).toBe("scale-set-missing");
    expect(client.callsOf("createRunnerScaleSet")).toHaveLength(0);
    await stop();
  });

  it("re-creates a deleted scale set when allowed and continues with the new id", async () => {
    const client = new FakeListenerClient();
    const recreated: number[] = [];
    const { listener, scaler, stop } = start(client, {
      recreateScaleSet: true,
      onScaleSetRecreated: (e) => recreated.push(e.newScaleSetId),
    });
    await waitUntil(() => client.callsOf("getMessage").length > 0);
    client.deleteScaleSet(1);
    await waitUntil(() => recreated.length === 1);
    expect(listener.scaleSetId).toBe(recreated[0]);
    expect(client.callsOf("createRunnerScaleSet")[0]?.args[0]).toMatchObject({ name: "set-1" });
    await waitUntil(() => client.callsOf("getMessage", listener.scaleSetId).length > 0);
    await jobReachesScaler(client, scaler, listener.scaleSetId);
    expect(client.callsOf("createRunnerScaleSet")).toHaveLength(1);
    await stop();
  });

  it("stops with the error on bad credentials, after deleting its session", async () => {
    const client = new FakeListenerClient();
    const { done } = start(client);
    await waitUntil(() => client.callsOf("getMessage").length > 0);
    client.fail("getMessage", new FakeHttpError("AUTH_FAILED", 401));
    await expect(done).rejects.toMatchObject({ code: "AUTH_FAILED" });
    expect(client.callsOf("close")).toHaveLength(1);
  });

  it("makes at most one create-session attempt per backoff step", async () => {
    const client = new FakeListenerClient();
    client.fail("createMessageSession", new FakeHttpError("HTTP_ERROR", 500), 100);
    const { stop } = start(client, { backoff: { minDelayMs: 20, maxDelayMs: 20, jitter: false } });
    await sleep(110);
    await stop();
    // 1 immediate attempt + one per 20 ms step: never a burst.
    expect(client.callsOf("createMessageSession").length).toBeLessThanOrEqual(7);
  });
});
