import { describe, expect, it } from "vitest";
import { JobEngine } from "./engine.js";
import type { RunnerRecord } from "./records.js";
import { ServiceState } from "./state.js";
import type { EmulatorMode } from "./types.js";

function setup(mode: EmulatorMode, state = new ServiceState()) {
  const engine = new JobEngine(state, {
    mode,
    org: "org",
    pickupTimeoutMs: 60_000,
    runnerLostTimeoutMs: 60_000,
    acquireJobUrl: (id) => `http://emulator/${id}/acquirejobs`,
    onChange: () => undefined,
  });
  if (!state.scaleSets.has(1)) {
    state.scaleSets.set(1, {
      id: 1,
      name: "set",
      runnerGroupId: 1,
      runnerGroupName: "default",
      labels: [{ type: "System", name: "linux" }],
      runnerSetting: {},
      createdOn: "2026-01-01T00:00:00Z",
    });
    const now = Date.now();
    state.sessions.set(1, {
      sessionId: "s",
      scaleSetId: 1,
      ownerName: "o",
      createdAt: now,
      lastActivityAt: now,
      activePolls: 0,
      maxCapacity: 10,
    });
  }
  return { state, engine };
}

function runner(id: number): RunnerRecord {
  return {
    id,
    name: `r${id}`,
    scaleSetId: 1,
    status: "online",
    workFolder: "",
    clientId: `c${id}`,
    secret: `s${id}`,
  };
}

describe("runners taking jobs", () => {
  it("hands out the untaken assigned job first in queue order, even when it was assigned later", () => {
    const { state, engine } = setup("ghes");
    const [a, b] = engine.queueJobs([{ labels: ["linux"] }, { labels: ["linux"] }]);
    engine.acquire(1, [b?.runnerRequestId ?? 0]);
    engine.acquire(1, [a?.runnerRequestId ?? 0]);
    const r1 = runner(1);
    const r2 = runner(2);
    state.addRunner(r1);
    state.addRunner(r2);
    expect(engine.take(r1)?.jobId).toBe(a?.jobId);
    expect(engine.take(r2)?.jobId).toBe(b?.jobId);
    expect(engine.take(runner(3))).toBeUndefined();
    expect(engine.take(r1)?.jobId).toBe(a?.jobId);
  });

  it("still hands out untaken assigned jobs after a save and restore", () => {
    const first = setup("github");
    const [a] = first.engine.queueJobs([{ labels: ["linux"] }, { labels: ["linux"] }]);
    first.engine.take(runner(1));
    const saved = JSON.parse(JSON.stringify(first.state.toSaved(0, {} as never)));
    const restored = new ServiceState();
    restored.restore(saved);
    const { engine } = setup("github", restored);
    const job = engine.take(runner(2));
    expect(job).toBeDefined();
    expect(job?.jobId).not.toBe(a?.jobId);
    expect(job?.state).toBe("assigned");
    expect(engine.take(runner(3))).toBeUndefined();
  });
});
