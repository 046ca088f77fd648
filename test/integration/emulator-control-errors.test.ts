import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestEmulator, type TestEmulator } from "../helpers/start-emulator.js";

describe("emulator control API with a bad job spec", () => {
  let t: TestEmulator;
  const queue = async (body: unknown) => {
    const res = await fetch(`${t.emu.controlUrl}/jobs`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    return {
      status: res.status,
      body: (await res.json()) as { message?: string }[] & { message?: string },
    };
  };
  beforeAll(async () => {
    t = await startTestEmulator({ longPollMs: 50 });
  });
  afterAll(() => t.close());

  it.each([
    ["a spec without labels", {}, " at labels: Invalid input: expected array, received undefined."],
    [
      "a misspelt key",
      { label: ["linux"] },
      " at labels: Invalid input: expected array, received undefined.",
    ],
    ["an array with one bad spec", [{ labels: ["a"] }, { labels: [] }], " at 1.labels: Too small"],
    [
      "a jobs list with a bad spec",
      { jobs: [{ labels: ["a"], durationMs: -1 }] },
      " at jobs.0.durationMs: Too small",
    ],
    ["a number", 5, ": Invalid input: expected object, received number."],
  ])("%s: 400 naming the field, nothing queued", async (_what, body, expected) => {
    const res = await queue(body);
    expect(res.status).toBe(400);
    expect(res.body.message).toContain(`Invalid request body${expected}`);
    expect(t.emu.listJobs()).toEqual([]);
  });

  it("still queues one spec, an array and a jobs list", async () => {
    expect((await queue({ labels: ["a"] })).status).toBe(201);
    expect((await queue([{ labels: ["a"] }, { labels: ["b"] }])).body).toHaveLength(2);
    expect((await queue({ jobs: [{ labels: ["c"] }] })).body).toHaveLength(1);
    expect(t.emu.listJobs().map((j) => j.labels)).toEqual([["a"], ["a"], ["b"], ["c"]]);
  });
});
