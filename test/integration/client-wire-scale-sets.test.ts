/**
 * Exact wire of the auth exchange and the scale-set / runner-group / runner operations of
 * protocol-spec.md §3.3, asserted against literal expectations written from the spec.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { isScaleSetError, ScaleSetClient } from "../../src/index.js";
import { adminJwt, installAuthRoutes, PAT, REG_TOKEN } from "../helpers/client-fixtures.js";
import {
  type RecordedRequest,
  type RecordingServer,
  startRecordingServer,
} from "../helpers/recording-server.js";

const UA =
  '{"system":"sys\\u003c\\u0026\\u003e","version":"1.0","commit_sha":"abc","scale_set_id":7,"subsystem":"test","build_version":"v0.1.0","build_commit_sha":"v0.1.0","kind":"scaleset"}';
const systemInfo = {
  system: "sys<&>",
  version: "1.0",
  commitSha: "abc",
  scaleSetId: 7,
  subsystem: "test",
};
const SET = "/tenant/_apis/runtime/runnerscalesets";
const AGENTS = "/tenant/_apis/distributedtask/pools/0/agents";

let server: RecordingServer;
let client: ScaleSetClient;

beforeEach(async () => {
  server = await startRecordingServer();
  const configUrl = installAuthRoutes(server);
  client = ScaleSetClient.withToken({
    configUrl,
    token: PAT,
    systemInfo,
    http: { retryWaitMaxMs: 0 },
  });
});
afterEach(async () => {
  await server.close();
});

/** The one Actions-service request sent by the test, with the common headers checked. */
function actionsRequest(method: string, path: string): RecordedRequest {
  const [req, ...rest] = server.requestsTo(method, path);
  expect(rest).toHaveLength(0);
  if (!req) throw new Error(`no ${method} ${path}`);
  expect(req.headers["content-type"]).toBe("application/json");
  expect(req.headers.authorization).toMatch(/^Bearer eyJ/);
  expect(req.headers["user-agent"]).toBe(UA);
  expect(req.headers.accept).toBeUndefined();
  if (method === "POST" || method === "PATCH") {
    expect(req.headers["content-length"]).toBe(String(Buffer.byteLength(req.body)));
  }
  return req;
}

const scaleSetWire = {
  id: 7,
  name: "my set",
  runnerGroupId: 1,
  runnerGroupName: "default",
  labels: [{ type: "System", name: "my set" }],
  RunnerSetting: { disableUpdate: true },
  createdOn: "2026-01-02T03:04:05Z",
  runnerJitConfigUrl: "https://example.test/jit",
  statistics: null,
};
const scaleSet = {
  id: 7,
  name: "my set",
  runnerGroupId: 1,
  runnerGroupName: "default",
  labels: [{ type: "System", name: "my set" }],
  runnerSetting: { disableUpdate: true },
  createdOn: "2026-01-02T03:04:05Z",
  runnerJitConfigUrl: "https://example.test/jit",
  statistics: undefined,
};

describe("admin connection exchange", () => {
  it("sends nothing until the first call, then exchanges the PAT for a registration token and the admin token", async () => {
    expect(server.requests).toHaveLength(0);
    server.on("GET", `${SET}/7`, { status: 200, body: "null" });
    await client.getRunnerScaleSetById(7);
    const [reg, admin, call] = server.requests;
    expect(reg?.method).toBe("POST");
    expect(reg?.url).toBe("/api/v3/orgs/my-org/actions/runners/registration-token");
    expect(reg?.headers["content-type"]).toBe("application/vnd.github.v3+json");
    expect(reg?.headers.authorization).toBe(`Bearer ${PAT}`);
    expect(reg?.headers["user-agent"]).toBe(UA);
    expect(reg?.headers["content-length"]).toBe("0");
    expect(reg?.headers.accept).toBeUndefined();
    expect(reg?.body).toBe("");
    expect(admin?.method).toBe("POST");
    expect(admin?.url).toBe("/api/v3/actions/runner-registration");
    expect(admin?.headers["content-type"]).toBe("application/json");
    expect(admin?.headers.authorization).toBe(`RemoteAuth ${REG_TOKEN}`);
    expect(admin?.body).toBe(`{"url":"${server.url}/my-org","runner_event":"register"}\n`);
    expect(call?.url).toBe("/tenant/_apis/runtime/runnerscalesets/7?api-version=6.0-preview");
  });

  it("writes the runner-registration URL without HTML escaping", async () => {
    const c = ScaleSetClient.withToken({ configUrl: `${server.url}/my-org?a=1&b=<x>`, token: PAT });
    server.on("GET", `${SET}/7`, { status: 200, body: "null" });
    await c.getRunnerScaleSetById(7);
    expect(server.requestsTo("POST", "/api/v3/actions/runner-registration")[0]?.body).toBe(
      `{"url":"${server.url}/my-org?a=1&b=<x>","runner_event":"register"}\n`,
    );
  });
});

describe("scale sets", () => {
  it("getRunnerScaleSet sends the sorted, form-encoded query and maps count 1 to the scale set", async () => {
    server.on("GET", SET, { status: 200, body: { count: 1, value: [scaleSetWire] } });
    await expect(client.getRunnerScaleSet(1, "my set")).resolves.toEqual(scaleSet);
    const req = actionsRequest("GET", SET);
    expect(req.query).toBe("api-version=6.0-preview&name=my+set&runnerGroupId=1");
    expect(req.body).toBe("");
  });

  it("getRunnerScaleSet returns undefined for count 0 and fails clearly for count > 1 or count 1 without a value", async () => {
    server.on(
      "GET",
      SET,
      { status: 200, body: { count: 0, value: [] } },
      { status: 200, body: { count: 2, value: [scaleSetWire, scaleSetWire] } },
      { status: 200, body: { count: 1, value: [] } },
    );
    await expect(client.getRunnerScaleSet(1, "a")).resolves.toBeUndefined();
    await expect(client.getRunnerScaleSet(1, "a")).rejects.toMatchObject({ code: "NOT_UNIQUE" });
    await expect(client.getRunnerScaleSet(1, "a")).rejects.toMatchObject({ code: "BAD_RESPONSE" });
  });

  it("getRunnerScaleSetById maps 200, null and 404", async () => {
    server.on(
      "GET",
      `${SET}/7`,
      { status: 200, body: scaleSetWire },
      { status: 200, body: "null" },
      {
        status: 404,
        body: {
          typeName: "GitHub.Actions.Runtime.WebApi.RunnerScaleSetNotFoundException, X",
          message: "gone",
        },
      },
    );
    await expect(client.getRunnerScaleSetById(7)).resolves.toEqual(scaleSet);
    await expect(client.getRunnerScaleSetById(7)).resolves.toBeUndefined();
    await expect(client.getRunnerScaleSetById(7)).resolves.toBeUndefined();
    expect(server.requestsTo("GET", `${SET}/7`)[0]?.query).toBe("api-version=6.0-preview");
  });

  it("getRunnerGroupByName keeps the trailing slash and maps count 1, 0 and > 1", async () => {
    const group = { id: 3, name: "my group", size: 2, isDefaultGroup: false };
    server.on(
      "GET",
      "/tenant/_apis/runtime/runnergroups/",
      { status: 200, body: { count: 1, value: [group] } },
      { status: 200, body: { count: 0, value: [] } },
      { status: 200, body: { count: 2, value: [group, group] } },
    );
    await expect(client.getRunnerGroupByName("my group")).resolves.toEqual(group);
    const req = server.requestsTo("GET", "/tenant/_apis/runtime/runnergroups/")[0];
    expect(req?.query).toBe("api-version=6.0-preview&groupName=my+group");
    await expect(client.getRunnerGroupByName("x")).rejects.toMatchObject({
      code: "RUNNER_GROUP_NOT_FOUND",
    });
    await expect(client.getRunnerGroupByName("x")).rejects.toMatchObject({ code: "NOT_UNIQUE" });
  });

  it("createRunnerScaleSet sends Go's bytes with label types defaulted and accepts only 200", async () => {
    server.on(
      "POST",
      SET,
      { status: 200, body: scaleSetWire },
      { status: 201, body: scaleSetWire },
    );
    const input = {
      name: "my-set",
      runnerGroupId: 1,
      labels: [{ name: "linux" }, { name: "x<64>", type: "User" }],
      runnerSetting: { disableUpdate: true },
    };
    await expect(client.createRunnerScaleSet(input)).resolves.toEqual(scaleSet);
    expect(actionsRequest("POST", SET).body).toBe(
      '{"name":"my-set","runnerGroupId":1,"labels":[{"type":"System","name":"linux"},{"type":"User","name":"x\\u003c64\\u003e"}],"RunnerSetting":{"disableUpdate":true},"createdOn":"0001-01-01T00:00:00Z"}',
    );
    expect(input.labels[0]).toEqual({ name: "linux" });
    const err = await client.createRunnerScaleSet({ name: "my-set" }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: "HTTP_ERROR", status: 201 });
    expect(server.requestsTo("POST", SET)[1]?.body).toBe(
      '{"name":"my-set","labels":[{"type":"System","name":"my-set"}],"RunnerSetting":{},"createdOn":"0001-01-01T00:00:00Z"}',
    );
  });

  it("createRunnerScaleSet refuses a scale set without name and labels before sending anything", async () => {
    await expect(client.createRunnerScaleSet({})).rejects.toMatchObject({ code: "INVALID_CONFIG" });
    expect(server.requests).toHaveLength(0);
  });

  it("updateRunnerScaleSet sends a partial PATCH body", async () => {
    server.on("PATCH", `${SET}/7`, { status: 200, body: scaleSetWire });
    await expect(client.updateRunnerScaleSet(7, { runnerGroupId: 3 })).resolves.toEqual(scaleSet);
    const req = actionsRequest("PATCH", `${SET}/7`);
    expect(req.query).toBe("api-version=6.0-preview");
    expect(req.body).toBe(
      '{"runnerGroupId":3,"RunnerSetting":{},"createdOn":"0001-01-01T00:00:00Z"}',
    );
  });

  it("deleteRunnerScaleSet expects 204 and treats 200 as a failure", async () => {
    server.on("DELETE", `${SET}/7`, { status: 204 }, { status: 200, body: {} });
    await expect(client.deleteRunnerScaleSet(7)).resolves.toBeUndefined();
    expect(server.requestsTo("DELETE", `${SET}/7`)[0]?.headers["content-type"]).toBe(
      "application/json",
    );
    expect(server.requestsTo("DELETE", `${SET}/7`)[0]?.query).toBe("api-version=6.0-preview");
    await expect(client.deleteRunnerScaleSet(7)).rejects.toMatchObject({
      code: "HTTP_ERROR",
      status: 200,
    });
  });
});

describe("runners", () => {
  const runner = { id: 11, name: "runner-1", runnerScaleSetId: 7 };

  it("generateJitRunnerConfig sends name and an empty workFolder and maps AgentExistsException to RUNNER_EXISTS", async () => {
    const path = `${SET}/7/generatejitconfig`;
    server.on(
      "POST",
      path,
      {
        status: 200,
        body: { runner: { ...runner, status: "offline" }, encodedJITConfig: "ZW5jb2RlZA==" },
      },
      {
        status: 409,
        headers: { ActivityId: "act-1" },
        body: {
          typeName:
            "GitHub.DistributedTask.WebApi.AgentExistsException, GitHub.DistributedTask.WebApi",
          message: "exists",
        },
      },
    );
    await expect(client.generateJitRunnerConfig(7, { name: "runner-1" })).resolves.toEqual({
      runner,
      encodedJITConfig: "ZW5jb2RlZA==",
    });
    expect(actionsRequest("POST", path).body).toBe('{"name":"runner-1","workFolder":""}');
    const err = await client
      .generateJitRunnerConfig(7, { name: "runner-1", workFolder: "/w" })
      .catch((e: unknown) => e);
    expect(isScaleSetError(err, "RUNNER_EXISTS")).toBe(true);
    expect(err).toMatchObject({ status: 409, activityId: "act-1", serviceMessage: "exists" });
    expect(server.requestsTo("POST", path)[1]?.body).toBe('{"name":"runner-1","workFolder":"/w"}');
  });

  it("getRunner maps 200 and AgentNotFoundException", async () => {
    server.on(
      "GET",
      `${AGENTS}/11`,
      { status: 200, body: runner },
      {
        status: 404,
        body: {
          typeName: "GitHub.DistributedTask.WebApi.AgentNotFoundException, X",
          message: "no",
        },
      },
    );
    await expect(client.getRunner(11)).resolves.toEqual(runner);
    expect(actionsRequest("GET", `${AGENTS}/11`).query).toBe("api-version=6.0-preview");
    await expect(client.getRunner(11)).rejects.toMatchObject({
      code: "RUNNER_NOT_FOUND",
      status: 404,
    });
  });

  it("getRunnerByName sends agentName and maps count 1 and 0", async () => {
    server.on(
      "GET",
      AGENTS,
      { status: 200, body: { count: 1, value: [runner] } },
      { status: 200, body: { count: 0, value: [] } },
    );
    await expect(client.getRunnerByName("runner-1")).resolves.toEqual(runner);
    expect(server.requestsTo("GET", AGENTS)[0]?.query).toBe(
      "agentName=runner-1&api-version=6.0-preview",
    );
    await expect(client.getRunnerByName("runner-1")).resolves.toBeUndefined();
  });

  it("removeRunner expects 204 and maps JobStillRunningException", async () => {
    server.on(
      "DELETE",
      `${AGENTS}/11`,
      { status: 204 },
      {
        status: 400,
        body: {
          typeName: "GitHub.DistributedTask.WebApi.JobStillRunningException, X",
          message: "busy",
        },
      },
    );
    await expect(client.removeRunner(11)).resolves.toBeUndefined();
    expect(server.requestsTo("DELETE", `${AGENTS}/11`)[0]?.body).toBe("");
    await expect(client.removeRunner(11)).rejects.toMatchObject({
      code: "JOB_STILL_RUNNING",
      status: 400,
    });
  });
});

describe("admin token lifetime", () => {
  it("re-exchanges exactly once before the next call when the admin token is within 60 s of expiry", async () => {
    const s = await startRecordingServer();
    try {
      const configUrl = installAuthRoutes(s, { adminTtlSec: 30 });
      const c = ScaleSetClient.withToken({ configUrl, token: PAT });
      s.on("GET", `${SET}/7`, { status: 200, body: "null" });
      await c.getRunnerScaleSetById(7);
      await c.getRunnerScaleSetById(7);
      expect(s.requestsTo("POST", "/api/v3/actions/runner-registration")).toHaveLength(2);
      const [first, second] = s.requestsTo("GET", `${SET}/7`);
      expect(first?.headers.authorization).not.toBe(second?.headers.authorization);
    } finally {
      await s.close();
    }
  });

  it("shares one exchange between concurrent calls", async () => {
    server.on("GET", `${SET}/7`, { status: 200, body: "null" });
    await Promise.all([1, 2, 3, 4, 5].map(() => client.getRunnerScaleSetById(7)));
    expect(server.requestsTo("POST", "/api/v3/actions/runner-registration")).toHaveLength(1);
    expect(server.requestsTo("GET", `${SET}/7`)).toHaveLength(5);
  });

  it("keeps a long-lived admin token across calls", async () => {
    server.on("GET", `${SET}/7`, { status: 200, body: "null" });
    await client.getRunnerScaleSetById(7);
    await client.getRunnerScaleSetById(7);
    expect(server.requestsTo("POST", "/api/v3/actions/runner-registration")).toHaveLength(1);
    expect(adminJwt(1).split(".")).toHaveLength(3);
  });
});
