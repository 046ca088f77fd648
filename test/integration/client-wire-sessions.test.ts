/**
 * Exact wire of the message-session operations (protocol-spec.md §3.13–§3.16) and the
 * queue-token 401 handling, against literal expectations written from the spec.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type MessageSessionClient, ScaleSetClient } from "../../src/index.js";
import { installAuthRoutes, PAT, sessionBody } from "../helpers/client-fixtures.js";
import { type RecordingServer, startRecordingServer } from "../helpers/recording-server.js";

const SESSIONS = "/tenant/_apis/runtime/runnerscalesets/7/sessions";
const SID = "5b8a3c55-3f5c-4d3f-9a55-0c0b6f0f6a11";
const stats = {
  totalAvailableJobs: 1,
  totalAcquiredJobs: 0,
  totalAssignedJobs: 3,
  totalRunningJobs: 1,
  totalRegisteredRunners: 2,
  totalBusyRunners: 1,
  totalIdleRunners: 1,
};

let server: RecordingServer;
let client: ScaleSetClient;

beforeEach(async () => {
  server = await startRecordingServer();
  const configUrl = installAuthRoutes(server);
  client = ScaleSetClient.withToken({ configUrl, token: PAT, http: { retryWaitMaxMs: 0 } });
  server.on("POST", SESSIONS, { status: 200, body: sessionBody(server) });
});
afterEach(async () => {
  await server.close();
});

async function open(): Promise<MessageSessionClient> {
  return client.createMessageSession(7, "host-1");
}

describe("message session lifecycle", () => {
  it("createMessageSession posts the nil session id and owner and keeps the session", async () => {
    const session = await open();
    const [req] = server.requestsTo("POST", SESSIONS);
    expect(req?.query).toBe("api-version=6.0-preview");
    expect(req?.headers["content-type"]).toBe("application/json");
    expect(req?.headers.authorization).toMatch(/^Bearer eyJ/);
    expect(req?.body).toBe(
      '{"sessionId":"00000000-0000-0000-0000-000000000000","ownerName":"host-1"}',
    );
    expect(session.session).toMatchObject({
      sessionId: SID,
      ownerName: "host-1",
      messageQueueAccessToken: "queue-token-1-abcdefghij",
      statistics: { totalAssignedJobs: 2 },
      runnerScaleSet: { id: 7, name: "my-set", runnerSetting: {}, labels: [] },
    });
  });

  it("createMessageSession maps 409 to SESSION_CONFLICT and a missing scale set to SCALE_SET_NOT_FOUND", async () => {
    server.on(
      "POST",
      SESSIONS,
      {
        status: 409,
        body: {
          typeName:
            "GitHub.Actions.Runtime.WebApi.RunnerScaleSetSessionConflictException, GitHub.Actions.Runtime.WebApi",
          message: "The actions runner scaleset my-set already has an active session.",
        },
      },
      {
        status: 404,
        body: {
          typeName: "GitHub.Actions.Runtime.WebApi.RunnerScaleSetNotFoundException, X",
          message: "no",
        },
      },
    );
    const conflict = await open().catch((e: unknown) => e);
    expect(conflict).toMatchObject({
      code: "SESSION_CONFLICT",
      status: 409,
      exceptionName:
        "GitHub.Actions.Runtime.WebApi.RunnerScaleSetSessionConflictException, GitHub.Actions.Runtime.WebApi",
    });
    expect((conflict as Error).message).toMatch(
      /^failed to create message session: POST http:\/\/127\.0\.0\.1:\d+\/tenant\/_apis\/runtime\/runnerscalesets\/7\/sessions\?api-version=6\.0-preview failed: 409 Conflict \(RunnerScaleSetSessionConflictException: The actions runner scaleset my-set already has an active session\.\)$/,
    );
    await expect(open()).rejects.toMatchObject({ code: "SCALE_SET_NOT_FOUND" });
  });

  it("refresh PATCHes the session with an empty body and replaces the snapshot", async () => {
    const session = await open();
    server.on("PATCH", `${SESSIONS}/${SID}`, {
      status: 200,
      body: sessionBody(server, { messageQueueAccessToken: "queue-token-2-abcdefghij" }),
    });
    await session.refresh();
    const [req] = server.requestsTo("PATCH", `${SESSIONS}/${SID}`);
    expect(req?.query).toBe("api-version=6.0-preview");
    expect(req?.headers["content-type"]).toBe("application/json");
    expect(req?.headers["content-length"]).toBe("0");
    expect(req?.body).toBe("");
    expect(session.session.messageQueueAccessToken).toBe("queue-token-2-abcdefghij");
  });

  it("refresh maps a broker eviction (404 RunnerAdminException) to SESSION_NOT_FOUND", async () => {
    const session = await open();
    server.on("PATCH", `${SESSIONS}/${SID}`, {
      status: 404,
      body: {
        typeName:
          "GitHub.Actions.Runtime.WebApi.RunnerAdminException, GitHub.Actions.Runtime.WebApi",
        message: "runner referenced a session ID that doesn't exist in redis",
      },
    });
    await expect(session.refresh()).rejects.toMatchObject({
      code: "SESSION_NOT_FOUND",
      status: 404,
    });
  });

  it("close DELETEs the session expecting 204 and maps an expired session to SESSION_NOT_FOUND", async () => {
    const session = await open();
    server.on(
      "DELETE",
      `${SESSIONS}/${SID}`,
      { status: 204 },
      {
        status: 400,
        body: {
          typeName:
            "GitHub.Actions.Runtime.WebApi.RunnerScaleSetSessionExpiredException, GitHub.Actions.Runtime.WebApi",
          message: `The session identifier ${SID} is not valid.`,
        },
      },
    );
    await session.close();
    const [req] = server.requestsTo("DELETE", `${SESSIONS}/${SID}`);
    expect(req?.query).toBe("api-version=6.0-preview");
    expect(req?.headers["content-type"]).toBe("application/json");
    await expect(session.close()).rejects.toMatchObject({ code: "SESSION_NOT_FOUND", status: 400 });
  });

  it("deleteMessageSession DELETEs a session by id with the admin token, without opening one", async () => {
    const stale = "0c6a1e2f-9b7d-4c1e-8f3a-2d5e6f708192";
    const path = `${SESSIONS}/${stale}`;
    server.on(
      "DELETE",
      path,
      { status: 204 },
      {
        status: 404,
        body: {
          typeName:
            "GitHub.Actions.Runtime.WebApi.RunnerAdminException, GitHub.Actions.Runtime.WebApi",
          message: "runner referenced a session ID that doesn't exist in redis",
        },
      },
      {
        status: 400,
        body: {
          typeName:
            "GitHub.Actions.Runtime.WebApi.RunnerScaleSetSessionExpiredException, GitHub.Actions.Runtime.WebApi",
          message: `The session identifier ${stale} is not valid.`,
        },
      },
      { status: 200 },
    );
    await expect(client.deleteMessageSession(7, stale)).resolves.toBeUndefined();
    const [req] = server.requestsTo("DELETE", path);
    expect(req?.query).toBe("api-version=6.0-preview");
    expect(req?.headers["content-type"]).toBe("application/json");
    expect(req?.headers.authorization).toMatch(/^Bearer eyJ/);
    expect(req?.body).toBe("");
    expect(server.requestsTo("POST", SESSIONS)).toHaveLength(0);
    await expect(client.deleteMessageSession(7, stale)).rejects.toMatchObject({
      code: "SESSION_NOT_FOUND",
      status: 404,
    });
    await expect(client.deleteMessageSession(7, stale)).rejects.toMatchObject({
      code: "SESSION_NOT_FOUND",
      status: 400,
    });
    await expect(client.deleteMessageSession(7, stale)).rejects.toMatchObject({
      code: "HTTP_ERROR",
      status: 200,
    });
    expect(server.requestsTo("DELETE", path)).toHaveLength(4);
  });

  it("deleteMessageSession refuses a non-UUID id or scale set id without sending anything or echoing the id", async () => {
    const notAnId = "../../runnerscalesets/7?ghs_secretLookingValue";
    const err = await client.deleteMessageSession(7, notAnId).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: "INVALID_CONFIG", field: "sessionId" });
    expect((err as Error).message).not.toContain("ghs_");
    await expect(
      client.deleteMessageSession(0, "0c6a1e2f-9b7d-4c1e-8f3a-2d5e6f708192"),
    ).rejects.toMatchObject({ code: "INVALID_CONFIG", field: "scaleSetId" });
    expect(server.requests.filter((r) => r.method === "DELETE")).toHaveLength(0);
  });
});

describe("message queue", () => {
  it("getMessage sends the queue URL as is for lastMessageId 0 with Accept, max capacity and the queue token", async () => {
    const session = await open();
    server.on("GET", "/queue/message", { status: 202 });
    await expect(session.getMessage(0, 10)).resolves.toBeUndefined();
    const [req] = server.requestsTo("GET", "/queue/message");
    expect(req?.query).toBe("sessionId=5b8a3c55");
    expect(req?.headers.accept).toBe("application/json; api-version=6.0-preview");
    expect(req?.headers.authorization).toBe("Bearer queue-token-1-abcdefghij");
    expect(req?.headers["x-scalesetmaxcapacity"]).toBe("10");
    expect(req?.headers["content-type"]).toBeUndefined();
    expect(req?.headers["user-agent"]).toContain('"kind":"scaleset"');
  });

  it("getMessage adds lastMessageId to the sorted query and parses a 200 message", async () => {
    const session = await open();
    const jobs = [
      {
        messageType: "JobAvailable",
        runnerRequestId: 101,
        acquireJobUrl: "https://x/acquire",
        requestLabels: ["linux"],
      },
      {
        messageType: "JobAssigned",
        runnerRequestId: 102,
        jobId: "j-2",
        queueTime: "2026-01-02T03:04:05.123+02:00",
      },
      { messageType: "JobStarted", runnerRequestId: 103, runnerId: 5, runnerName: "r-5" },
      {
        messageType: "JobCompleted",
        runnerRequestId: 104,
        result: "succeeded",
        runnerId: 5,
        runnerName: "r-5",
      },
      { messageType: "SomethingNew", whatever: true },
    ];
    server.on("GET", "/queue/message", {
      status: 200,
      body: {
        messageId: 43,
        messageType: "RunnerScaleSetJobMessages",
        body: JSON.stringify(jobs),
        statistics: stats,
      },
    });
    const message = await session.getMessage(42, 2147483647);
    expect(server.requestsTo("GET", "/queue/message")[0]?.query).toBe(
      "lastMessageId=42&sessionId=5b8a3c55",
    );
    expect(server.requestsTo("GET", "/queue/message")[0]?.headers["x-scalesetmaxcapacity"]).toBe(
      "2147483647",
    );
    expect(message?.messageId).toBe(43);
    expect(message?.statistics).toEqual(stats);
    expect(message?.jobAvailableMessages).toEqual([
      expect.objectContaining({
        messageType: "JobAvailable",
        runnerRequestId: 101,
        acquireJobUrl: "https://x/acquire",
        requestLabels: ["linux"],
        queueTime: "0001-01-01T00:00:00Z",
      }),
    ]);
    expect(message?.jobAssignedMessages[0]).toMatchObject({
      jobId: "j-2",
      queueTime: "2026-01-02T03:04:05.123+02:00",
    });
    expect(message?.jobStartedMessages[0]).toMatchObject({ runnerId: 5, runnerName: "r-5" });
    expect(message?.jobCompletedMessages[0]).toMatchObject({
      result: "succeeded",
      runnerRequestId: 104,
    });
  });

  it("deleteMessage appends the id to the queue path, keeps its query and expects 204", async () => {
    const session = await open();
    server.on("DELETE", "/queue/message/43", { status: 204 }, { status: 200 });
    await session.deleteMessage(43);
    const [req] = server.requestsTo("DELETE", "/queue/message/43");
    expect(req?.query).toBe("sessionId=5b8a3c55");
    expect(req?.headers["content-type"]).toBe("application/json");
    expect(req?.headers.authorization).toBe("Bearer queue-token-1-abcdefghij");
    await expect(session.deleteMessage(43)).rejects.toMatchObject({
      code: "HTTP_ERROR",
      status: 200,
    });
  });

  it("acquireJobs posts the request ids with the message-queue token", async () => {
    const session = await open();
    const path = "/tenant/_apis/runtime/runnerscalesets/7/acquirejobs";
    server.on("POST", path, { status: 200, body: { count: 1, value: [12345] } });
    await expect(session.acquireJobs([12345, 12346])).resolves.toEqual([12345]);
    const [req] = server.requestsTo("POST", path);
    expect(req?.query).toBe("api-version=6.0-preview");
    expect(req?.headers["content-type"]).toBe("application/json");
    expect(req?.headers.authorization).toBe("Bearer queue-token-1-abcdefghij");
    expect(req?.body).toBe("[12345,12346]");
  });
});

describe("queue token expiry", () => {
  it("refreshes the session once and retries once after a 401 from GetMessage", async () => {
    const session = await open();
    server.on("GET", "/queue/message", { status: 401 }, { status: 202 });
    server.on("PATCH", `${SESSIONS}/${SID}`, {
      status: 200,
      body: sessionBody(server, { messageQueueAccessToken: "queue-token-2-abcdefghij" }),
    });
    await expect(session.getMessage(0, 1)).resolves.toBeUndefined();
    const polls = server.requestsTo("GET", "/queue/message");
    expect(polls.map((r) => r.headers.authorization)).toEqual([
      "Bearer queue-token-1-abcdefghij",
      "Bearer queue-token-2-abcdefghij",
    ]);
    expect(server.requestsTo("PATCH", `${SESSIONS}/${SID}`)).toHaveLength(1);
  });

  it("surfaces MESSAGE_QUEUE_TOKEN_EXPIRED on a second 401 for each queue operation", async () => {
    const session = await open();
    server.on("PATCH", `${SESSIONS}/${SID}`, { status: 200, body: sessionBody(server) });
    server.on("GET", "/queue/message", { status: 401 });
    server.on("DELETE", "/queue/message/1", { status: 401 });
    server.on("POST", "/tenant/_apis/runtime/runnerscalesets/7/acquirejobs", { status: 401 });
    await expect(session.getMessage(0, 1)).rejects.toMatchObject({
      code: "MESSAGE_QUEUE_TOKEN_EXPIRED",
      status: 401,
    });
    await expect(session.deleteMessage(1)).rejects.toMatchObject({
      code: "MESSAGE_QUEUE_TOKEN_EXPIRED",
    });
    await expect(session.acquireJobs([1])).rejects.toMatchObject({
      code: "MESSAGE_QUEUE_TOKEN_EXPIRED",
    });
    expect(server.requestsTo("GET", "/queue/message")).toHaveLength(2);
    expect(server.requestsTo("DELETE", "/queue/message/1")).toHaveLength(2);
    expect(
      server.requestsTo("POST", "/tenant/_apis/runtime/runnerscalesets/7/acquirejobs"),
    ).toHaveLength(2);
    expect(server.requestsTo("PATCH", `${SESSIONS}/${SID}`)).toHaveLength(3);
  });

  it("treats a 401 on each queue operation as token expiry whatever exception its body names", async () => {
    const session = await open();
    const expiredBody = {
      typeName:
        "GitHub.Actions.Runtime.WebApi.RunnerScaleSetSessionExpiredException, GitHub.Actions.Runtime.WebApi",
      message: "The session identifier is not valid.",
    };
    const acquire = "/tenant/_apis/runtime/runnerscalesets/7/acquirejobs";
    server.on("PATCH", `${SESSIONS}/${SID}`, { status: 200, body: sessionBody(server) });
    server.on("GET", "/queue/message", { status: 401, body: expiredBody }, { status: 202 });
    server.on(
      "DELETE",
      "/queue/message/1",
      { status: 401, body: { ...expiredBody, typeName: "AgentNotFoundException" } },
      { status: 204 },
    );
    server.on(
      "POST",
      acquire,
      { status: 401, body: expiredBody },
      { status: 200, body: { count: 1, value: [5] } },
    );
    await expect(session.getMessage(0, 1)).resolves.toBeUndefined();
    await expect(session.deleteMessage(1)).resolves.toBeUndefined();
    await expect(session.acquireJobs([5])).resolves.toEqual([5]);
    expect(server.requestsTo("PATCH", `${SESSIONS}/${SID}`)).toHaveLength(3);
  });

  it("concurrent refreshes share one PATCH", async () => {
    const session = await open();
    server.on("PATCH", `${SESSIONS}/${SID}`, {
      status: 200,
      body: sessionBody(server),
      delayMs: 20,
    });
    await Promise.all([session.refresh(), session.refresh(), session.refresh()]);
    expect(server.requestsTo("PATCH", `${SESSIONS}/${SID}`)).toHaveLength(1);
  });
});
