import { mkdtemp, readFile, rm } from "node:fs/promises";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { EmulatorOptions } from "../../src/emulator/index.js";
import { getMessage, startTestEmulator, type TestEmulator } from "../helpers/start-emulator.js";

let t: TestEmulator | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

async function setup(options: EmulatorOptions = {}) {
  t = await startTestEmulator(options);
  const { id } = await t.createScaleSet("fault-set", ["linux"]);
  return { t, id };
}

describe("emulator fault injection", () => {
  it("status: answers the given status with a service-shaped body, once by default", async () => {
    const { t, id } = await setup();
    t.emu.addFault({
      operation: "createMessageSession",
      kind: "status",
      status: 503,
      retryAfter: "1",
    });
    const res = await t.call("POST", `runnerscalesets/${id}/sessions`, { ownerName: "x" });
    expect(res.status).toBe(503);
    expect(res.headers.get("retry-after")).toBe("1");
    expect(await res.json()).toMatchObject({
      typeName: expect.stringContaining("VssServiceUnavailableException"),
      message: expect.any(String),
    });
    expect(
      (await t.call("POST", `runnerscalesets/${id}/sessions`, { ownerName: "x" })).status,
    ).toBe(200);
  });

  it("status: takes a named exception and count; REST operations get GitHub-shaped bodies", async () => {
    const { t, id } = await setup();
    const session = await t.createSession(id);
    t.emu.addFault({
      operation: "getMessage",
      kind: "status",
      status: 400,
      exception: "RunnerScaleSetSessionExpiredException",
      count: 2,
    });
    for (let i = 0; i < 2; i++) {
      const res = await getMessage(session);
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({
        typeName:
          "GitHub.Actions.Runtime.WebApi.RunnerScaleSetSessionExpiredException, GitHub.Actions.Runtime.WebApi",
      });
    }
    expect((await getMessage(session)).status).toBe(202);
    t.emu.addFault({
      operation: "getRegistrationToken",
      kind: "status",
      status: 429,
      retryAfter: "2",
      message: "slow down",
    });
    const rest = await fetch(
      `${t.emu.url}/api/v3/orgs/emulated-org/actions/runners/registration-token`,
      {
        method: "POST",
        headers: { authorization: `Bearer ${t.emu.token}` },
      },
    );
    expect(rest.status).toBe(429);
    expect(await rest.json()).toMatchObject({
      message: "slow down",
      documentation_url: expect.any(String),
    });
  });

  it("scopes faults to a scale set and to a time window", async () => {
    const { t, id } = await setup();
    const other = await t.createScaleSet("other-set", ["linux"]);
    t.emu.addFault({
      operation: "getRunnerScaleSetById",
      scaleSetId: other.id,
      kind: "status",
      status: 500,
      forMs: 200,
    });
    expect((await t.call("GET", `runnerscalesets/${id}`)).status).toBe(200);
    expect((await t.call("GET", `runnerscalesets/${other.id}`)).status).toBe(500);
    expect((await t.call("GET", `runnerscalesets/${other.id}`)).status).toBe(500);
    await new Promise((r) => setTimeout(r, 250));
    expect((await t.call("GET", `runnerscalesets/${other.id}`)).status).toBe(200);
    t.emu.addFault({ operation: "*", kind: "status", status: 500, count: 5 });
    t.emu.clearFaults();
    expect((await t.call("GET", `runnerscalesets/${id}`)).status).toBe(200);
  });

  it("delay: adds latency and then answers normally", async () => {
    const { t, id } = await setup();
    t.emu.addFault({ operation: "getRunnerScaleSetById", kind: "delay", delayMs: 150 });
    const started = Date.now();
    const res = await t.call("GET", `runnerscalesets/${id}`);
    expect(res.status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
  });

  it("stall: holds the request until the client gives up", async () => {
    const { t, id } = await setup();
    t.emu.addFault({ operation: "getRunnerScaleSetById", kind: "stall" });
    const controller = new AbortController();
    const pending = fetch(t.api(`runnerscalesets/${id}`), {
      headers: { authorization: `Bearer ${t.adminToken}` },
      signal: controller.signal,
    });
    const outcome = await Promise.race([
      pending.then(() => "answered"),
      new Promise((r) => setTimeout(() => r("stalled"), 150)),
    ]);
    expect(outcome).toBe("stalled");
    controller.abort();
    await expect(pending).rejects.toThrow();
  });

  it("empty and truncated: answer 200 with an empty or a cut-off JSON body", async () => {
    const { t, id } = await setup();
    const session = await t.createSession(id);
    t.emu.addFault({ operation: "getMessage", kind: "empty" });
    const empty = await getMessage(session);
    expect(empty.status).toBe(200);
    expect(await empty.text()).toBe("");
    t.emu.addFault({ operation: "getRunnerScaleSetById", kind: "truncated" });
    const cut = await t.call("GET", `runnerscalesets/${id}`);
    expect(cut.status).toBe(200);
    const text = await cut.text();
    expect(text.startsWith('{"id":')).toBe(true);
    expect(() => JSON.parse(text)).toThrow();
  });

  it("bom: prefixes the normal body with a UTF-8 BOM", async () => {
    const { t, id } = await setup();
    t.emu.addFault({ operation: "getRunnerScaleSetById", kind: "bom" });
    const res = await t.call("GET", `runnerscalesets/${id}`);
    const bytes = Buffer.from(await res.arrayBuffer());
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(JSON.parse(bytes.subarray(3).toString())).toMatchObject({ id });
  });

  it("reset: drops the connection without an answer", async () => {
    const { t, id } = await setup();
    t.emu.addFault({ operation: "getRunnerScaleSetById", kind: "reset" });
    const url = new URL(t.api(`runnerscalesets/${id}`));
    const outcome = await new Promise<string>((resolve) => {
      const req = request(
        url,
        { headers: { authorization: `Bearer ${t?.adminToken}` }, agent: false },
        (res) => {
          resolve(`status ${res.statusCode}`);
        },
      );
      req.on("error", (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
      req.end();
    });
    expect(outcome).toMatch(/ECONNRESET|socket hang up/);
  });

  it("evictSession and deleteScaleSet act on the service state like the service would", async () => {
    const { t, id } = await setup();
    const session = await t.createSession(id);
    t.emu.evictSession(id);
    expect((await getMessage(session)).status).toBe(401);
    t.emu.deleteScaleSet(id);
    expect((await t.call("GET", `runnerscalesets/${id}`)).status).toBe(404);
    expect(t.emu.listScaleSets()).toHaveLength(0);
  });

  it("records every request to JSONL with operation names and masked Authorization values", async () => {
    const dir = await mkdtemp(join(tmpdir(), "emu-record-"));
    try {
      const file = join(dir, "requests.jsonl");
      const { t, id } = await setup({ recordFile: file });
      const session = await t.createSession(id);
      await getMessage(session);
      await t.close();
      const text = await readFile(file, "utf8");
      const lines = text
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l) as Record<string, unknown>);
      expect(lines.map((l) => l["operation"])).toEqual([
        "getRegistrationToken",
        "runnerRegistration",
        "createRunnerScaleSet",
        "createMessageSession",
        "getMessage",
      ]);
      expect(lines[3]).toMatchObject({
        method: "POST",
        path: `/_services/pipelines/_apis/runtime/runnerscalesets/${id}/sessions`,
        query: { "api-version": "6.0-preview" },
        headers: { authorization: "Bearer ***" },
        body: { sessionId: "00000000-0000-0000-0000-000000000000", ownerName: "test-host" },
        status: 200,
      });
      expect(lines[1]).toMatchObject({ headers: { authorization: "RemoteAuth ***" } });
      expect(lines[4]).toMatchObject({ status: 202, headers: { "x-scalesetmaxcapacity": "10" } });
      expect(text).not.toContain(session.messageQueueAccessToken);
      expect(text).not.toContain(t.adminToken);
      expect(text).not.toContain(t.emu.token);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
