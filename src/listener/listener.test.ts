import { afterEach, describe, expect, it } from "vitest";
import {
  FakeHttpError,
  FakeListenerClient,
  FakeScaler,
  waitUntil,
} from "../../test/helpers/fake-listener-client.js";
import { Listener } from "./listener.js";
import type { ListenerOptions } from "./options.js";
import type { ListenerState } from "./types.js";

const controllers: AbortController[] = [];
afterEach(() => {
  for (const c of controllers.splice(0)) c.abort();
});

function start(client: FakeListenerClient, extra: Partial<ListenerOptions> = {}) {
  const states: ListenerState[] = [];
  const listener = new Listener({
    client,
    scaleSetId: 1,
    maxRunners: 5,
    owner: "me",
    backoff: { minDelayMs: 5, maxDelayMs: 20 },
    metrics: { recordSessionState: (s) => states.push(s) },
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
  return { listener, scaler, controller, done, stop, states };
}

describe("Listener message handling", () => {
  it("feeds the session statistics first, then handles a message in the reference order and acks it afterwards", async () => {
    const client = new FakeListenerClient();
    const { scaler, stop } = start(client);
    await waitUntil(() => client.callsOf("getMessage").length > 0);
    client.queue(1, { totalAssignedJobs: 2, available: [7], started: [5], completed: [4] });
    await waitUntil(() => client.callsOf("deleteMessage").length > 0);
    await stop();
    expect(scaler.events.slice(0, 4)).toEqual([
      "desired:0",
      "started:5",
      "completed:4",
      "desired:2",
    ]);
    const order = client.calls
      .map((c) => c.operation)
      .filter((op) => op === "acquireJobs" || op === "deleteMessage");
    expect(order).toEqual(["acquireJobs", "deleteMessage"]);
    expect(client.callsOf("acquireJobs")[0]?.args).toEqual([[7]]);
  });

  it("acknowledges before handling when ackMode is before", async () => {
    const client = new FakeListenerClient();
    const { scaler, stop } = start(client, { ackMode: "before" });
    await waitUntil(() => client.callsOf("getMessage").length > 0);
    client.queue(1, { totalAssignedJobs: 1, available: [3] });
    await waitUntil(() => scaler.desired.includes(1));
    await stop();
    const order = client.calls
      .map((c) => c.operation)
      .filter((op) => op === "acquireJobs" || op === "deleteMessage");
    expect(order).toEqual(["deleteMessage", "acquireJobs"]);
  });

  it("re-sends the latest known assigned count to the scaler when a poll returns no message", async () => {
    const client = new FakeListenerClient();
    const { scaler, stop } = start(client);
    await waitUntil(() => client.callsOf("getMessage").length > 0);
    client.queue(1, { totalAssignedJobs: 3 });
    await waitUntil(() => scaler.desired.filter((n) => n === 3).length >= 3);
    await stop();
    expect(scaler.desired.slice(1).every((n) => n === 3)).toBe(true);
  });

  it("passes the last handled message id and the current maxRunners on each poll", async () => {
    const client = new FakeListenerClient();
    const { listener, stop } = start(client);
    await waitUntil(() => client.callsOf("getMessage").length > 0);
    const id = client.queue(1, {});
    await waitUntil(() => client.callsOf("deleteMessage").length > 0);
    listener.setMaxRunners(9);
    await waitUntil(() => client.callsOf("getMessage").some((c) => c.args[1] === 9));
    await stop();
    expect(client.callsOf("getMessage").at(-1)?.args).toEqual([id, 9]);
    expect(() => listener.setMaxRunners(-1)).toThrow(/maxRunners/);
  });

  it("does not ack a message whose handling failed, and handles its redelivery", async () => {
    const client = new FakeListenerClient();
    const { scaler, stop, listener } = start(client);
    await waitUntil(() => client.callsOf("getMessage").length > 0);
    scaler.failures = 1;
    client.queue(1, { started: [11] });
    await waitUntil(() => client.callsOf("deleteMessage").length > 0);
    expect(listener.health.lastError).toMatch(/scaler failed/);
    await stop();
    expect(scaler.events.filter((e) => e === "started:11")).toHaveLength(2);
    expect(client.callsOf("deleteMessage")).toHaveLength(1);
  });

  it("finishes the message in hand on shutdown, then deletes the session and resolves", async () => {
    const client = new FakeListenerClient();
    const { scaler, controller, done, listener, states } = start(client);
    await waitUntil(() => client.callsOf("getMessage").length > 0);
    let release: () => void = () => {};
    scaler.gate = new Promise((r) => {
      release = r;
    });
    client.queue(1, { started: [1], totalAssignedJobs: 1 });
    await waitUntil(() => scaler.events.includes("started:1"));
    controller.abort();
    release();
    await done;
    expect(scaler.events).toContain("desired:1");
    expect(scaler.contexts.every((ctx) => !ctx.signal.aborted)).toBe(true);
    expect(client.callsOf("deleteMessage")).toHaveLength(1);
    expect(client.callsOf("close")).toHaveLength(1);
    expect(client.sessions.size).toBe(0);
    expect(listener.health.state).toBe("stopped");
    expect(states.slice(-2)).toEqual(["closing", "stopped"]);
  });

  it("treats an already-gone session as deleted on shutdown", async () => {
    const client = new FakeListenerClient();
    const { stop, listener } = start(client);
    await waitUntil(() => client.callsOf("getMessage").length > 0);
    client.fail("close", new FakeHttpError("SESSION_NOT_FOUND", 404));
    await stop();
    expect(listener.health.lastError).toBeUndefined();
  });

  it("rejects invalid options up front", () => {
    const client = new FakeListenerClient();
    expect(() => new Listener({ client, scaleSetId: 0, maxRunners: 1 })).toThrow(/scaleSetId/);
    expect(() => new Listener({ client, scaleSetId: 1, maxRunners: 1.5 })).toThrow(/maxRunners/);
  });

  it("defaults the owner to the host name plus a stable id", () => {
    const client = new FakeListenerClient();
    const a = new Listener({ client, scaleSetId: 1, maxRunners: 1 });
    const b = new Listener({ client, scaleSetId: 1, maxRunners: 1 });
    expect(a.owner).toBe(b.owner);
    expect(a.owner).toMatch(/-[0-9a-f]{8}$/);
  });
});
