import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bearer, startTestEmulator, type TestEmulator } from "../helpers/start-emulator.js";

const ZERO_STATS = {
  totalAvailableJobs: 0,
  totalAcquiredJobs: 0,
  totalAssignedJobs: 0,
  totalRunningJobs: 0,
  totalRegisteredRunners: 0,
  totalBusyRunners: 0,
  totalIdleRunners: 0,
};

describe("emulator Actions service endpoints (spec §3.4–§3.13)", () => {
  let t: TestEmulator;
  beforeAll(async () => {
    t = await startTestEmulator();
  });
  afterAll(() => t.close());

  it("creates a scale set with 200, defaulting labels to the name and echoing the documented shape", async () => {
    const res = await t.call("POST", "runnerscalesets", {
      name: "my-set",
      labels: [{ type: "System", name: "my-set" }],
      RunnerSetting: {},
      createdOn: "0001-01-01T00:00:00Z",
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toEqual({
      id: expect.any(Number),
      name: "my-set",
      runnerGroupId: 1,
      runnerGroupName: "default",
      labels: [{ type: "System", name: "my-set" }],
      runnerSetting: {},
      createdOn: expect.stringMatching(/Z$/),
      runnerJitConfigUrl: `${t.service}_apis/runtime/runnerscalesets/${body["id"]}/generatejitconfig`,
      statistics: ZERO_STATS,
    });
    const noLabels = await t.call("POST", "runnerscalesets", {
      name: "bare",
      RunnerSetting: { disableUpdate: true },
    });
    expect(await noLabels.json()).toMatchObject({
      labels: [{ type: "System", name: "bare" }],
      runnerSetting: { disableUpdate: true },
    });
  });

  it("answers 409 for a duplicate name, 400 for a malformed body or missing api-version", async () => {
    const dup = await t.call("POST", "runnerscalesets", { name: "my-set" });
    expect(dup.status).toBe(409);
    expect(await dup.json()).toMatchObject({
      typeName: expect.stringContaining("RunnerScaleSetExistsException"),
    });
    const bad = await t.call("POST", "runnerscalesets", { name: 5 });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({
      typeName: expect.stringContaining("ArgumentException"),
      message: expect.any(String),
    });
    const notJson = await fetch(t.api("runnerscalesets"), {
      method: "POST",
      headers: bearer(t.adminToken),
      body: "{",
    });
    expect(notJson.status).toBe(400);
    const noVersion = await fetch(
      `${t.service}_apis/runtime/runnerscalesets?name=my-set&runnerGroupId=1`,
      {
        headers: bearer(t.adminToken),
      },
    );
    expect(noVersion.status).toBe(400);
  });

  it("gets a scale set by name (count 0 or 1) and by id (404 RunnerScaleSetNotFoundException when unknown)", async () => {
    const found = await t.call("GET", "runnerscalesets?name=my-set&runnerGroupId=1");
    expect(found.status).toBe(200);
    const list = (await found.json()) as { count: number; value: { id: number; name: string }[] };
    expect(list.count).toBe(1);
    expect(list.value).toHaveLength(1);
    expect(list.value[0]?.name).toBe("my-set");
    const none = await t.call("GET", "runnerscalesets?name=nope&runnerGroupId=1");
    expect(await none.json()).toEqual({ count: 0, value: [] });
    const byId = await t.call("GET", `runnerscalesets/${list.value[0]?.id}`);
    expect(await byId.json()).toMatchObject({ id: list.value[0]?.id, name: "my-set" });
    const missing = await t.call("GET", "runnerscalesets/999");
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({
      typeName:
        "GitHub.Actions.Runtime.WebApi.RunnerScaleSetNotFoundException, GitHub.Actions.Runtime.WebApi",
      message: expect.any(String),
      errorCode: 0,
      eventId: 3000,
    });
    expect(missing.headers.get("activityid")).toBeTruthy();
  });

  it("finds the default runner group (path keeps runnergroups/) and returns count 0 for others", async () => {
    const res = await fetch(
      `${t.service}_apis/runtime/runnergroups/?api-version=6.0-preview&groupName=default`,
      {
        headers: bearer(t.adminToken),
      },
    );
    expect(await res.json()).toEqual({
      count: 1,
      value: [{ id: 1, name: "default", size: 0, isDefaultGroup: true }],
    });
    const other = await t.call("GET", "runnergroups/?groupName=gpu");
    expect(await other.json()).toEqual({ count: 0, value: [] });
  });

  it("updates with merge semantics and deletes with 204", async () => {
    const { id } = await t.createScaleSet("to-update", ["a", "b"]);
    const res = await t.call("PATCH", `runnerscalesets/${id}`, {
      name: "renamed",
      RunnerSetting: {},
      createdOn: "0001-01-01T00:00:00Z",
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      id,
      name: "renamed",
      labels: [
        { type: "System", name: "a" },
        { type: "System", name: "b" },
      ],
    });
    const del = await t.call("DELETE", `runnerscalesets/${id}`);
    expect(del.status).toBe(204);
    expect(await del.text()).toBe("");
    expect((await t.call("GET", `runnerscalesets/${id}`)).status).toBe(404);
  });

  it("generates JIT configs in the real blob shape and answers AgentExistsException for a duplicate name", async () => {
    const { id } = await t.createScaleSet("jit-set");
    const res = await t.call("POST", `runnerscalesets/${id}/generatejitconfig`, {
      name: "runner-1",
      workFolder: "",
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { runner: unknown; encodedJITConfig: string };
    expect(body.runner).toEqual({ id: expect.any(Number), name: "runner-1", runnerScaleSetId: id });
    const files = JSON.parse(Buffer.from(body.encodedJITConfig, "base64").toString()) as Record<
      string,
      string | undefined
    >;
    expect(Object.keys(files).sort((a, b) => a.localeCompare(b))).toEqual([
      ".credentials",
      ".credentials_rsaparams",
      ".runner",
    ]);
    const dotRunner = JSON.parse(Buffer.from(files[".runner"] ?? "", "base64").toString());
    expect(dotRunner).toMatchObject({
      agentName: "runner-1",
      ephemeral: true,
      serverUrl: t.service,
      useV2Flow: true,
    });
    const creds = JSON.parse(Buffer.from(files[".credentials"] ?? "", "base64").toString());
    expect(creds).toMatchObject({
      scheme: "OAuth",
      data: { clientId: expect.any(String), requireFipsCryptography: "False" },
    });
    const rsa = JSON.parse(Buffer.from(files[".credentials_rsaparams"] ?? "", "base64").toString());
    expect(Object.keys(rsa).sort((a, b) => a.localeCompare(b))).toEqual([
      "d",
      "dp",
      "dq",
      "exponent",
      "inverseQ",
      "modulus",
      "p",
      "q",
    ]);

    const dup = await t.call("POST", `runnerscalesets/${id}/generatejitconfig`, {
      name: "runner-1",
      workFolder: "",
    });
    expect(dup.status).toBe(409);
    expect(await dup.json()).toMatchObject({
      typeName: expect.stringContaining("AgentExistsException"),
    });
    const bad = await t.call("POST", `runnerscalesets/${id}/generatejitconfig`, { workFolder: "" });
    expect(bad.status).toBe(400);
  });

  it("looks runners up by id and name, removes them with 204 and answers AgentNotFoundException after", async () => {
    const { id } = await t.createScaleSet("lookup-set");
    const jit = (await (
      await t.call("POST", `runnerscalesets/${id}/generatejitconfig`, {
        name: "look-1",
        workFolder: "",
      })
    ).json()) as {
      runner: { id: number };
    };
    const runnerId = jit.runner.id;
    const agents = `${t.service}_apis/distributedtask/pools/0/agents`;
    const byId = await fetch(`${agents}/${runnerId}?api-version=6.0-preview`, {
      headers: bearer(t.adminToken),
    });
    expect(await byId.json()).toMatchObject({ id: runnerId, name: "look-1", runnerScaleSetId: id });
    const byName = await fetch(`${agents}?agentName=look-1&api-version=6.0-preview`, {
      headers: bearer(t.adminToken),
    });
    expect(await byName.json()).toMatchObject({
      count: 1,
      value: [{ id: runnerId, name: "look-1", runnerScaleSetId: id }],
    });
    const none = await fetch(`${agents}?agentName=zzz&api-version=6.0-preview`, {
      headers: bearer(t.adminToken),
    });
    expect(await none.json()).toEqual({ count: 0, value: [] });
    const del = await fetch(`${agents}/${runnerId}?api-version=6.0-preview`, {
      method: "DELETE",
      headers: bearer(t.adminToken),
    });
    expect(del.status).toBe(204);
    const gone = await fetch(`${agents}/${runnerId}?api-version=6.0-preview`, {
      headers: bearer(t.adminToken),
    });
    expect(gone.status).toBe(404);
    expect(await gone.json()).toMatchObject({
      typeName: expect.stringContaining("AgentNotFoundException"),
    });
  });

  it("keeps one session per scale set: 409 with the owner in the message, refresh 200, delete 204", async () => {
    const { id } = await t.createScaleSet("session-set");
    const s1 = await t.createSession(id, "host-a");
    expect(s1).toEqual({
      sessionId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      ownerName: "host-a",
      runnerScaleSet: expect.objectContaining({ id, name: "session-set" }),
      messageQueueUrl: `${t.service}_apis/runtime/runnerscalesets/${id}/messages?sessionId=${s1.sessionId}`,
      messageQueueAccessToken: expect.any(String),
      statistics: ZERO_STATS,
    });
    const conflict = await t.call("POST", `runnerscalesets/${id}/sessions`, {
      ownerName: "host-b",
    });
    expect(conflict.status).toBe(409);
    const err = (await conflict.json()) as { typeName: string; message: string };
    expect(err.typeName).toBe(
      "GitHub.Actions.Runtime.WebApi.RunnerScaleSetSessionConflictException, GitHub.Actions.Runtime.WebApi",
    );
    expect(err.message).toContain("host-a");
    const refreshed = await t.call("PATCH", `runnerscalesets/${id}/sessions/${s1.sessionId}`);
    expect(refreshed.status).toBe(200);
    const s2 = (await refreshed.json()) as { sessionId: string; messageQueueAccessToken: string };
    expect(s2.sessionId).toBe(s1.sessionId);
    expect(s2.messageQueueAccessToken).not.toBe(s1.messageQueueAccessToken);
    const del = await t.call("DELETE", `runnerscalesets/${id}/sessions/${s1.sessionId}`);
    expect(del.status).toBe(204);
    expect((await t.createSession(id, "host-b")).ownerName).toBe("host-b");
    const missingSet = await t.call("POST", "runnerscalesets/999/sessions", { ownerName: "x" });
    expect(missingSet.status).toBe(404);
    expect(await missingSet.json()).toMatchObject({
      typeName: expect.stringContaining("RunnerScaleSetNotFoundException"),
    });
  });

  it("accepts create-session bodies with the nil, any other UUID-shaped or no sessionId, and ignores it", async () => {
    for (const [i, sessionId] of [
      "00000000-0000-0000-0000-000000000000",
      "11111111-2222-3333-4444-555555555555",
      undefined,
    ].entries()) {
      const { id } = await t.createScaleSet(`any-uuid-${i}`);
      const res = await t.call("POST", `runnerscalesets/${id}/sessions`, {
        ...(sessionId ? { sessionId } : {}),
        ownerName: "host",
      });
      expect(res.status, String(sessionId)).toBe(200);
      const created = (await res.json()) as { sessionId: string };
      expect(created.sessionId).not.toBe(sessionId);
    }
  });

  it("answers 400 SessionExpiredException for an expired session and 404 RunnerAdminException for an evicted one", async () => {
    const { id } = await t.createScaleSet("expiry-set");
    const s1 = await t.createSession(id);
    t.emu.expireSession(id);
    const del = await t.call("DELETE", `runnerscalesets/${id}/sessions/${s1.sessionId}`);
    expect(del.status).toBe(400);
    expect(await del.json()).toMatchObject({
      typeName:
        "GitHub.Actions.Runtime.WebApi.RunnerScaleSetSessionExpiredException, GitHub.Actions.Runtime.WebApi",
      message: `The session identifier ${s1.sessionId} is not valid.`,
    });
    const s2 = await t.createSession(id);
    t.emu.evictSession(id);
    const refresh = await t.call("PATCH", `runnerscalesets/${id}/sessions/${s2.sessionId}`);
    expect(refresh.status).toBe(404);
    expect(await refresh.json()).toMatchObject({
      typeName: expect.stringContaining("RunnerAdminException"),
    });
  });

  it("serves the legacy acquirablejobs endpoint: 204 when none, 200 with the job list otherwise", async () => {
    const { id } = await t.createScaleSet("legacy-set", ["legacy"]);
    expect((await t.call("GET", `runnerscalesets/${id}/acquirablejobs`)).status).toBe(204);
    const [job] = t.emu.queueJobs({ labels: ["legacy"], repository: "r", owner: "o" });
    const res = await t.call("GET", `runnerscalesets/${id}/acquirablejobs`);
    expect(res.status).toBe(200);
    const concatenated = await fetch(
      `${t.service}/_apis/runtime/runnerscalesets/${id}/acquirejobs?api-version=6.0-preview`,
      {
        method: "POST",
        headers: bearer(t.adminToken),
        body: "[]",
      },
    );
    expect(await concatenated.json()).toEqual({ count: 0, value: [] });
    expect(await res.json()).toEqual({
      count: 1,
      value: [
        {
          acquireJobUrl: `${t.service}_apis/runtime/runnerscalesets/${id}/acquirejobs`,
          messageType: "JobAvailable",
          runnerRequestId: job?.runnerRequestId,
          repositoryName: "r",
          ownerName: "o",
          jobWorkflowRef: "o/r/.github/workflows/ci.yml@refs/heads/main",
          eventName: "push",
          requestLabels: ["legacy"],
        },
      ],
    });
  });
});
