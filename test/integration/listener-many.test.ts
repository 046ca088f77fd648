import { afterEach, describe, expect, it } from "vitest";
import { MultiListener } from "../../src/listener/multi-listener.js";
import { waitUntil } from "../helpers/fake-listener-client.js";
import { type Harness, RecordingScaler, startHarness } from "../helpers/listener-harness.js";

let h: Harness;
afterEach(async () => {
  await h.close();
});

describe("MultiListener against the emulator", () => {
  it("handles a job for each of 200 scale sets, each with its own session, while 20 of them are in a fault loop", async () => {
    h = await startHarness({ longPollMs: 3_000 });
    const names = Array.from({ length: 200 }, (_, i) => `many-${i}`);
    const ids: number[] = [];
    for (const name of names) ids.push(await h.createScaleSet(name));
    const faulty = new Set(ids.slice(0, 20));
    const scalers = new Map(ids.map((id) => [id, new RecordingScaler()]));
    const multi = new MultiListener({
      client: h.client,
      backoff: { minDelayMs: 50, maxDelayMs: 300 },
      pollTimeoutMs: 10_000,
      scaleSets: ids.map((scaleSetId) => ({
        scaleSetId,
        maxRunners: 5,
        owner: `many-owner-${scaleSetId}`,
        scaler: scalers.get(scaleSetId) as RecordingScaler,
      })),
    });
    const controller = new AbortController();
    const done = multi.run({ signal: controller.signal });
    try {
      await waitUntil(() => h.emulator.listSessions().length === 200, 30_000);
      const owners = new Set(h.emulator.listSessions().map((s) => s.ownerName));
      expect(owners.size).toBe(200);
      for (const id of faulty) {
        const kind = id % 2 === 0 ? "status" : "reset";
        h.emulator.addFault({
          operation: "getMessage",
          scaleSetId: id,
          kind,
          status: 500,
          forMs: 60_000,
        });
      }
      await waitUntil(
        () => [...faulty].every((id) => (multi.get(id)?.health.consecutiveFailures ?? 0) >= 2),
        20_000,
      );

      const healthy = ids.filter((id) => !faulty.has(id));
      h.emulator.queueJobs(ids.map((_, i) => ({ labels: [names[i] as string] })));
      await waitUntil(() => healthy.every((id) => (scalers.get(id)?.max ?? 0) >= 1), 30_000);
      // The faulty ones are still failing (no job seen), yet never stalled the others.
      expect([...faulty].every((id) => scalers.get(id)?.max === 0)).toBe(true);
      expect([...faulty].every((id) => multi.get(id)?.health.lastError !== undefined)).toBe(true);

      h.emulator.clearFaults();
      await waitUntil(() => ids.every((id) => (scalers.get(id)?.max ?? 0) >= 1), 30_000);
      expect(h.emulator.listSessions()).toHaveLength(200);
    } finally {
      controller.abort();
      const results = await done;
      expect(results.filter((r) => r.error)).toEqual([]);
    }
    expect(h.emulator.listSessions()).toHaveLength(0);
  });
});
