import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { bearer, startTestEmulator, type TestEmulator } from "../helpers/start-emulator.js";

async function jit(t: TestEmulator, scaleSetId: number, name: string): Promise<Response> {
  return t.call("POST", `runnerscalesets/${scaleSetId}/generatejitconfig`, {
    name,
    workFolder: "",
  });
}

async function byName(t: TestEmulator, name: string): Promise<{ count: number; value: unknown[] }> {
  const res = await fetch(
    `${t.service}_apis/distributedtask/pools/0/agents?agentName=${encodeURIComponent(name)}&api-version=6.0-preview`,
    { headers: bearer(t.adminToken) },
  );
  return (await res.json()) as { count: number; value: unknown[] };
}

describe("emulator runner names (case-insensitive, unique across scale sets)", () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });

  it("refuses a name taken in any case by any scale set, finds it by name in any case, and frees it when the runner is removed", async () => {
    const t = await startTestEmulator();
    try {
      const a = await t.createScaleSet("names-a");
      const b = await t.createScaleSet("names-b");
      const first = (await (await jit(t, a.id, "Runner-X")).json()) as { runner: { id: number } };
      expect((await jit(t, b.id, "runner-x")).status).toBe(409);
      expect(await byName(t, "RUNNER-x")).toMatchObject({
        count: 1,
        value: [{ id: first.runner.id, name: "Runner-X", runnerScaleSetId: a.id }],
      });
      const del = await fetch(
        `${t.service}_apis/distributedtask/pools/0/agents/${first.runner.id}?api-version=6.0-preview`,
        { method: "DELETE", headers: bearer(t.adminToken) },
      );
      expect(del.status).toBe(204);
      expect(await byName(t, "runner-x")).toEqual({ count: 0, value: [] });
      expect((await jit(t, b.id, "runner-x")).status).toBe(200);
      t.emu.deleteScaleSet(b.id);
      expect((await jit(t, a.id, "RUNNER-X")).status).toBe(200);
    } finally {
      await t.close();
    }
  });

  it("keeps names taken after a restart from the state file", async () => {
    const dir = await mkdtemp(join(tmpdir(), "emu-names-"));
    dirs.push(dir);
    const stateFile = join(dir, "state.json");
    const t1 = await startTestEmulator({ stateFile });
    const set = await t1.createScaleSet("names-restart");
    expect((await jit(t1, set.id, "Kept-1")).status).toBe(200);
    await t1.close();
    const t2 = await startTestEmulator({ stateFile, tokens: [t1.emu.token] });
    try {
      expect((await jit(t2, set.id, "kept-1")).status).toBe(409);
      expect(await byName(t2, "KEPT-1")).toMatchObject({ count: 1, value: [{ name: "Kept-1" }] });
    } finally {
      await t2.close();
    }
  });
});
