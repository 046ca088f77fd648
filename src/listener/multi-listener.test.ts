import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import {
  FakeHttpError,
  FakeListenerClient,
  FakeScaler,
  waitUntil,
} from "../../test/helpers/fake-listener-client.js";
import { FileMessageIdStore } from "./file-message-id-store.js";
import { Listener } from "./listener.js";
import { MultiListener } from "./multi-listener.js";

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "listener-store-"));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

describe("MultiListener", () => {
  it("keeps every healthy scale set handling jobs while others are in a fault loop or stopped", async () => {
    const ids = Array.from({ length: 10 }, (_, i) => i + 1);
    const client = new FakeListenerClient(ids);
    const scalers = new Map(ids.map((id) => [id, new FakeScaler()]));
    client.fail("getMessage", new FakeHttpError("HTTP_ERROR", 500), 1_000_000, 2);
    client.fail("createMessageSession", new FakeHttpError("HTTP_ERROR", 503), 1_000_000, 3);
    client.fail("createMessageSession", new FakeHttpError("AUTH_FAILED", 401), 1, 4);
    const multi = new MultiListener({
      client,
      backoff: { minDelayMs: 5, maxDelayMs: 20 },
      scaleSets: ids.map((id) => ({
        scaleSetId: id,
        maxRunners: 3,
        owner: `o-${id}`,
        scaler: scalers.get(id) as FakeScaler,
      })),
    });
    const controller = new AbortController();
    cleanups.push(() => controller.abort());
    const done = multi.run({ signal: controller.signal });
    const healthy = ids.filter((id) => id > 4);
    await waitUntil(() => healthy.every((id) => client.callsOf("getMessage", id).length > 0));
    for (const id of healthy) client.queue(id, { started: [id] });
    await waitUntil(() => healthy.every((id) => scalers.get(id)?.events.includes(`started:${id}`)));
    expect(multi.get(2)?.health.state).toBe("recovering");
    expect(multi.get(3)?.health.lastError).toMatch(/503/);
    controller.abort();
    const results = await done;
    expect(results.find((r) => r.scaleSetId === 4)?.error).toMatchObject({ code: "AUTH_FAILED" });
    expect(results.filter((r) => r.error)).toHaveLength(1);
    expect(multi.health.every((h) => h.state === "stopped")).toBe(true);
  });

  it("rejects a scale set listed twice", () => {
    const client = new FakeListenerClient();
    const entry = { scaleSetId: 1, maxRunners: 1, scaler: new FakeScaler() };
    expect(() => new MultiListener({ client, scaleSets: [entry, entry] })).toThrow(/twice/);
  });
});

describe("FileMessageIdStore", () => {
  it("reads a missing file as empty and keeps ids per scale set across instances", async () => {
    const path = join(await tempDir(), "sub", "ids.json");
    const store = new FileMessageIdStore(path);
    expect(await store.load(1)).toBeUndefined();
    await Promise.all([store.save(1, 5), store.save(2, 7), store.save(1, 6)]);
    const again = new FileMessageIdStore(path);
    expect(await again.load(1)).toBe(6);
    expect(await again.load(2)).toBe(7);
    expect(JSON.parse(await readFile(path, "utf8"))).toEqual({ lastMessageIds: { 1: 6, 2: 7 } });
  });

  it("lets a restarted listener skip messages it already handled", async () => {
    const path = join(await tempDir(), "ids.json");
    const client = new FakeListenerClient();
    const run = async (scaler: FakeScaler, until: () => boolean) => {
      const listener = new Listener({
        client,
        scaleSetId: 1,
        maxRunners: 1,
        store: new FileMessageIdStore(path),
        backoff: { minDelayMs: 5, maxDelayMs: 10 },
      });
      const controller = new AbortController();
      const done = listener.run(scaler, { signal: controller.signal });
      await waitUntil(until);
      controller.abort();
      await done;
    };
    const first = new FakeScaler();
    client.queue(1, { started: [1] });
    // The ack of the handled message fails, so the service redelivers it after a restart.
    client.fail("deleteMessage", new FakeHttpError("HTTP_ERROR", 500), 1_000);
    await run(first, () => first.events.includes("started:1"));
    client.clearFaults();
    const second = new FakeScaler();
    client.queue(1, { started: [2] });
    await run(second, () => second.events.includes("started:2"));
    expect(second.events).not.toContain("started:1");
    expect(client.scaleSets.get(1)?.queue).toHaveLength(0);
  });
});
