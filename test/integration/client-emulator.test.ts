/**
 * Every client operation against the emulator (`startEmulator()`), including the GHES acquire
 * flow, queue-token expiry, session conflicts, faults and TLS + HTTP/2.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Emulator, startEmulator } from "../../src/emulator/index.js";
import { isScaleSetError, type MessageSessionClient, ScaleSetClient } from "../../src/index.js";

let emulator: Emulator;
let client: ScaleSetClient;

beforeAll(async () => {
  emulator = await startEmulator({ mode: "ghes", longPollMs: 50 });
  client = ScaleSetClient.withToken({
    configUrl: emulator.configUrl,
    token: emulator.token,
    http: { retryWaitMaxMs: 10 },
  });
});
afterAll(async () => {
  await emulator.close();
});

async function pollUntil(
  session: MessageSessionClient,
  last: number,
  probe: (m: NonNullable<Awaited<ReturnType<MessageSessionClient["getMessage"]>>>) => boolean,
) {
  for (let i = 0; i < 100; i++) {
    const m = await session.getMessage(last, 10);
    if (m) {
      await session.deleteMessage(m.messageId);
      last = m.messageId;
      if (probe(m)) return m;
    }
  }
  throw new Error("no matching message");
}

describe("client against the emulator", () => {
  it("runs the scale set, runner group and runner operations end to end", async () => {
    const group = await client.getRunnerGroupByName("default");
    expect(group).toMatchObject({ id: 1, name: "default" });
    expect(await client.getRunnerScaleSet(1, "emu set")).toBeUndefined();
    const set = await client.createRunnerScaleSet({
      name: "emu set",
      runnerGroupId: 1,
      labels: [{ name: "emu" }],
    });
    expect(set).toMatchObject({
      name: "emu set",
      runnerGroupId: 1,
      labels: [{ type: "System", name: "emu" }],
    });
    expect(await client.getRunnerScaleSet(1, "emu set")).toMatchObject({ id: set.id });
    expect(await client.getRunnerScaleSetById(set.id)).toMatchObject({
      id: set.id,
      name: "emu set",
    });
    const updated = await client.updateRunnerScaleSet(set.id, {
      runnerSetting: { disableUpdate: true },
    });
    expect(updated).toMatchObject({
      id: set.id,
      name: "emu set",
      runnerSetting: { disableUpdate: true },
    });

    const jit = await client.generateJitRunnerConfig(set.id, { name: "emu-runner-1" });
    expect(jit.runner).toMatchObject({ name: "emu-runner-1", runnerScaleSetId: set.id });
    expect(jit.encodedJITConfig.length).toBeGreaterThan(0);
    const dup = await client
      .generateJitRunnerConfig(set.id, { name: "emu-runner-1" })
      .catch((e: unknown) => e);
    expect(isScaleSetError(dup, "RUNNER_EXISTS")).toBe(true);
    expect(await client.getRunner(jit.runner.id)).toMatchObject({
      id: jit.runner.id,
      name: "emu-runner-1",
    });
    expect(await client.getRunnerByName("emu-runner-1")).toMatchObject({ id: jit.runner.id });
    await client.removeRunner(jit.runner.id);
    expect(await client.getRunnerByName("emu-runner-1")).toBeUndefined();
    await expect(client.getRunner(jit.runner.id)).rejects.toMatchObject({
      code: "RUNNER_NOT_FOUND",
    });

    await client.deleteRunnerScaleSet(set.id);
    expect(await client.getRunnerScaleSetById(set.id)).toBeUndefined();
    expect(await client.getRunnerScaleSet(1, "emu set")).toBeUndefined();
  });

  it("creates a session, long-polls, acquires an available job, acks, refreshes and closes", async () => {
    const set = await client.createRunnerScaleSet({
      name: "emu-queue",
      labels: [{ name: "emu-queue" }],
    });
    const session = await client.createMessageSession(set.id, "emu-host");
    expect(session.session.statistics).toBeDefined();
    await expect(client.createMessageSession(set.id, "other-host")).rejects.toMatchObject({
      code: "SESSION_CONFLICT",
    });

    expect(await session.getMessage(0, 10)).toBeUndefined(); // long poll ends with 202
    emulator.queueJobs({ labels: ["emu-queue"] });
    const available = await pollUntil(session, 0, (m) => m.jobAvailableMessages.length > 0);
    const ids = available.jobAvailableMessages.map((j) => j.runnerRequestId);
    await expect(session.acquireJobs(ids)).resolves.toEqual(ids);
    const assigned = await pollUntil(
      session,
      available.messageId,
      (m) => m.jobAssignedMessages.length > 0,
    );
    expect(assigned.statistics.totalAssignedJobs).toBe(1);

    const before = session.session.messageQueueAccessToken;
    await session.refresh();
    expect(session.session.sessionId).toBeTruthy();
    emulator.expireTokens("queue");
    await session.getMessage(assigned.messageId, 10); // 401 → refresh → retry
    expect(session.session.messageQueueAccessToken).not.toBe(before);

    await session.close();
    expect(emulator.listSessions().filter((s) => s.scaleSetId === set.id)).toHaveLength(0);
    await client.deleteRunnerScaleSet(set.id);
  });

  it("re-exchanges the admin token after the emulator expires it", async () => {
    emulator.expireTokens("admin");
    await expect(client.getRunnerGroupByName("default")).resolves.toMatchObject({ id: 1 });
  });

  it("retries an injected 503 and maps an injected session eviction to SESSION_NOT_FOUND", async () => {
    const set = await client.createRunnerScaleSet({ name: "emu-faults" });
    emulator.addFault({
      operation: "getRunnerScaleSetById",
      kind: "status",
      status: 503,
      count: 2,
    });
    await expect(client.getRunnerScaleSetById(set.id)).resolves.toMatchObject({ id: set.id });
    const session = await client.createMessageSession(set.id, "emu-host");
    emulator.evictSession(set.id);
    await expect(session.refresh()).rejects.toMatchObject({ code: "SESSION_NOT_FOUND" });
    await client.deleteRunnerScaleSet(set.id);
  });

  it("reports an empty or truncated 200 as BAD_RESPONSE and strips a BOM", async () => {
    emulator.addFault({ operation: "getRunnerGroupByName", kind: "bom" });
    await expect(client.getRunnerGroupByName("default")).resolves.toMatchObject({ id: 1 });
    emulator.addFault({ operation: "getRunnerGroupByName", kind: "empty" });
    const empty = await client.getRunnerGroupByName("default").catch((e: unknown) => e);
    emulator.addFault({ operation: "getRunnerGroupByName", kind: "truncated" });
    const truncated = await client.getRunnerGroupByName("default").catch((e: unknown) => e);
    for (const err of [empty, truncated]) {
      expect(isScaleSetError(err) && ["BAD_RESPONSE", "NETWORK_ERROR"].includes(err.code)).toBe(
        true,
      );
    }
  });

  it("speaks HTTP/2 over TLS to an emulator with a generated certificate", async () => {
    const tls = await startEmulator({ tls: true });
    try {
      const c = ScaleSetClient.withToken({
        configUrl: tls.configUrl,
        token: tls.token,
        http: tls.caPem ? { ca: tls.caPem } : { rejectUnauthorized: false },
      });
      await expect(c.getRunnerGroupByName("default")).resolves.toMatchObject({ id: 1 });
    } finally {
      await tls.close();
    }
  });
});
