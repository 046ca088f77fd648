/**
 * Retries, timeouts and aborts over real sockets (protocol-spec.md §6).
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ScaleSetClient } from "../../src/index.js";
import { installAuthRoutes, PAT } from "../helpers/client-fixtures.js";
import { type RecordingServer, startRecordingServer } from "../helpers/recording-server.js";

const BY_ID = "/tenant/_apis/runtime/runnerscalesets/7";
let server: RecordingServer;
let configUrl: string;

beforeEach(async () => {
  server = await startRecordingServer();
  configUrl = installAuthRoutes(server);
});
afterEach(async () => {
  await server.close();
});

const fast = (extra: Record<string, unknown> = {}) =>
  ScaleSetClient.withToken({ configUrl, token: PAT, http: { retryWaitMaxMs: 5, ...extra } });

describe("retries", () => {
  it("succeeds after a 503 followed by a 200", async () => {
    server.on("GET", BY_ID, { status: 503, body: "busy" }, { status: 200, body: "null" });
    await expect(fast().getRunnerScaleSetById(7)).resolves.toBeUndefined();
    expect(server.requestsTo("GET", BY_ID)).toHaveLength(2);
  });

  it("retries 429, 500 and 502 but not 501", async () => {
    server.on(
      "GET",
      BY_ID,
      { status: 429 },
      { status: 500 },
      { status: 502 },
      { status: 200, body: "null" },
    );
    await fast().getRunnerScaleSetById(7);
    expect(server.requestsTo("GET", BY_ID)).toHaveLength(4);
    server.on("GET", BY_ID, { status: 501, body: { message: "nope" } });
    await expect(fast().getRunnerScaleSetById(7)).rejects.toMatchObject({ status: 501 });
    expect(server.requestsTo("GET", BY_ID)).toHaveLength(5);
  });

  it("honours Retry-After: 1 on a 429 by waiting about a second", async () => {
    server.on("GET", BY_ID, { status: 200, body: "null" });
    const client = fast();
    await client.getRunnerScaleSetById(7); // exchange first, so only the retry is timed
    server.on(
      "GET",
      BY_ID,
      { status: 429, headers: { "Retry-After": "1" } },
      { status: 200, body: "null" },
    );
    const started = performance.now();
    await client.getRunnerScaleSetById(7);
    expect(performance.now() - started).toBeGreaterThanOrEqual(900);
  });

  it("reports the last status and body once retries run out", async () => {
    server.on("GET", BY_ID, {
      status: 503,
      headers: { ActivityId: "act-9" },
      body: { message: "still down" },
    });
    const err = await fast({ retryMax: 2 })
      .getRunnerScaleSetById(7)
      .catch((e: unknown) => e);
    expect(err).toMatchObject({
      code: "HTTP_ERROR",
      status: 503,
      activityId: "act-9",
      serviceMessage: "still down",
    });
    expect((err as Error).message).toContain(
      "503 Service Unavailable (still down) activity_id=act-9",
    );
    expect(server.requestsTo("GET", BY_ID)).toHaveLength(3);
  });

  it("does not retry a 400", async () => {
    server.on("GET", BY_ID, { status: 400, body: { message: "bad" } });
    await expect(fast().getRunnerScaleSetById(7)).rejects.toMatchObject({
      code: "HTTP_ERROR",
      status: 400,
    });
    expect(server.requestsTo("GET", BY_ID)).toHaveLength(1);
  });

  it("retries runner-registration on 401 and 403, and reports its last response when they persist", async () => {
    server.on(
      "POST",
      "/api/v3/actions/runner-registration",
      { status: 401 },
      { status: 403, body: { message: "forbidden" } },
    );
    const err = await fast({ retryMax: 2 })
      .getRunnerScaleSetById(7)
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ code: "AUTH_FAILED", status: 403, serviceMessage: "forbidden" });
    expect(server.requestsTo("POST", "/api/v3/actions/runner-registration")).toHaveLength(3);
  });

  it("retries connection resets and reports NETWORK_ERROR when they persist", async () => {
    server.on("GET", BY_ID, { status: 0, destroy: true }, { status: 200, body: "null" });
    await expect(fast().getRunnerScaleSetById(7)).resolves.toBeUndefined();
    server.on("GET", BY_ID, { status: 0, destroy: true });
    await expect(fast({ retryMax: 1 }).getRunnerScaleSetById(7)).rejects.toMatchObject({
      code: "NETWORK_ERROR",
    });
  });
});

describe("timeouts and aborts", () => {
  it("times out an attempt after timeoutMs and retries it", async () => {
    server.on(
      "GET",
      BY_ID,
      { status: 200, body: "null", delayMs: 5_000 },
      { status: 200, body: "null" },
    );
    const client = ScaleSetClient.withToken({
      configUrl,
      token: PAT,
      http: { timeoutMs: 100, retryWaitMaxMs: 0 },
    });
    await expect(client.getRunnerScaleSetById(7)).resolves.toBeUndefined();
    expect(server.requestsTo("GET", BY_ID)).toHaveLength(2);
  });

  it("rejects with the abort reason at once during a retry wait", async () => {
    server.on("GET", BY_ID, { status: 503 });
    const client = ScaleSetClient.withToken({
      configUrl,
      token: PAT,
      http: { retryWaitMaxMs: 60_000 },
    });
    const controller = new AbortController();
    const reason = new Error("shutting down");
    const pending = client.getRunnerScaleSetById(7, { signal: controller.signal });
    while (server.requestsTo("GET", BY_ID).length === 0) await new Promise((r) => setTimeout(r, 5));
    controller.abort(reason);
    await expect(pending).rejects.toBe(reason);
  });

  it("rejects with the abort reason while a long poll is held", async () => {
    server.on("GET", BY_ID, { status: 202, delayMs: 10_000 });
    const controller = new AbortController();
    const pending = fast().getRunnerScaleSetById(7, { signal: controller.signal });
    while (server.requestsTo("GET", BY_ID).length === 0) await new Promise((r) => setTimeout(r, 5));
    controller.abort(new Error("stop"));
    await expect(pending).rejects.toThrow("stop");
  });

  it("rejects at once with the reason of an already aborted signal, sending nothing", async () => {
    const reason = new Error("already");
    await expect(
      fast().getRunnerScaleSetById(7, { signal: AbortSignal.abort(reason) }),
    ).rejects.toBe(reason);
    await new Promise((r) => setTimeout(r, 50));
    expect(server.requests).toHaveLength(0);
  });
});
