import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getMessage, startTestEmulator, type TestEmulator } from "../helpers/start-emulator.js";

describe("emulator control API over HTTP", () => {
  let t: TestEmulator;
  let control: string;
  const post = (path: string, body?: unknown) =>
    fetch(`${control}${path}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  beforeAll(async () => {
    t = await startTestEmulator({ longPollMs: 50 });
    control = t.emu.controlUrl;
  });
  afterAll(() => t.close());

  it("describes itself and queues one or many jobs", async () => {
    expect(await (await fetch(control)).json()).toEqual({
      url: t.emu.url,
      configUrl: t.emu.configUrl,
      controlUrl: control,
      mode: "github",
      org: "emulated-org",
    });
    const one = await post("/jobs", { labels: ["a"], durationMs: 10 });
    expect(one.status).toBe(201);
    expect(await one.json()).toEqual([
      {
        jobId: expect.any(String),
        runnerRequestId: expect.any(Number),
        state: "queued",
        labels: ["a"],
        assignments: 0,
      },
    ]);
    const many = (await (
      await post("/jobs", [{ labels: ["a"] }, { labels: ["b"] }])
    ).json()) as unknown[];
    expect(many).toHaveLength(2);
    const wrapped = (await (
      await post("/jobs", { jobs: [{ labels: ["c"] }] })
    ).json()) as unknown[];
    expect(wrapped).toHaveLength(1);
    expect((await post("/jobs", { labels: [] })).status).toBe(400);
    expect(((await (await fetch(`${control}/jobs`)).json()) as unknown[]).length).toBe(4);
  });

  it("lists scale sets, sessions and runners", async () => {
    const { id } = await t.createScaleSet("ctl-set", ["a"]);
    const session = await t.createSession(id, "ctl-owner");
    await t.call("POST", `runnerscalesets/${id}/generatejitconfig`, {
      name: "ctl-runner",
      workFolder: "",
    });
    const sets = (await (await fetch(`${control}/scale-sets`)).json()) as {
      id: number;
      name: string;
    }[];
    expect(sets.map((s) => s.name)).toContain("ctl-set");
    expect(await (await fetch(`${control}/sessions`)).json()).toEqual([
      { sessionId: session.sessionId, scaleSetId: id, ownerName: "ctl-owner" },
    ]);
    expect(await (await fetch(`${control}/runners`)).json()).toEqual([
      { id: expect.any(Number), name: "ctl-runner", scaleSetId: id, status: "registered" },
    ]);
  });

  it("sets, lists and clears faults, and expires tokens and sessions", async () => {
    const { id } = await t.createScaleSet("ctl-fault-set", ["z"]);
    const session = await t.createSession(id);
    const added = await post("/faults", {
      operation: "getMessage",
      kind: "status",
      status: 500,
      count: 3,
    });
    expect(added.status).toBe(201);
    const { id: faultId } = (await added.json()) as { id: string };
    expect(await (await fetch(`${control}/faults`)).json()).toEqual([
      { id: faultId, operation: "getMessage", kind: "status", status: 500, count: 3, remaining: 3 },
    ]);
    expect((await getMessage(session)).status).toBe(500);
    expect((await fetch(`${control}/faults/${faultId}`, { method: "DELETE" })).status).toBe(204);
    expect((await getMessage(session)).status).toBe(202);
    expect((await post("/faults", { operation: "nope", kind: "status" })).status).toBe(400);
    await post("/faults", { operation: "*", kind: "delay", delayMs: 1 });
    expect((await fetch(`${control}/faults`, { method: "DELETE" })).status).toBe(204);
    expect(await (await fetch(`${control}/faults`)).json()).toEqual([]);

    expect((await post("/tokens/expire", { kind: "queue" })).status).toBe(204);
    expect((await getMessage(session)).status).toBe(401);
    const refreshed = (await (
      await t.call("PATCH", `runnerscalesets/${id}/sessions/${session.sessionId}`)
    ).json()) as typeof session;
    expect((await getMessage(refreshed)).status).toBe(202);
    expect((await post(`/sessions/${id}/expire`)).status).toBe(204);
    expect(
      (await t.call("PATCH", `runnerscalesets/${id}/sessions/${session.sessionId}`)).status,
    ).toBe(400);
    const again = await t.createSession(id);
    expect((await post(`/sessions/${id}/evict`)).status).toBe(204);
    expect(
      (await t.call("PATCH", `runnerscalesets/${id}/sessions/${again.sessionId}`)).status,
    ).toBe(404);
    expect((await fetch(`${control}/scale-sets/${id}`, { method: "DELETE" })).status).toBe(204);
    expect((await t.call("GET", `runnerscalesets/${id}`)).status).toBe(404);
  });
});
