/**
 * No token, private key, JWT or JIT config appears in any error or log line the client
 * produces, even when servers echo credentials back in their error bodies.
 */
import { generateKeyPairSync } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isScaleSetError, ScaleSetClient } from "../../src/index.js";
import type { Logger } from "../../src/util/logger.js";
import { adminJwt, PAT, REG_TOKEN, sessionBody } from "../helpers/client-fixtures.js";
import {
  type RecordedRequest,
  type RecordingServer,
  startRecordingServer,
} from "../helpers/recording-server.js";

const privateKey = generateKeyPairSync("rsa", { modulusLength: 2048 })
  .privateKey.export({ type: "pkcs8", format: "pem" })
  .toString();
const ADMIN = adminJwt(Math.floor(Date.now() / 1000) + 3600, "secret-admin");
const QUEUE = "queueSecretToken0123456789";
const JIT = "eyJydW5uZXIiOiJzZWNyZXQtaml0LWNvbmZpZyJ9SECRETJITBLOB";
const INSTALLATION = "ghs_secretInstallationToken0123";

const lines: string[] = [];
const logger: Logger = {
  debug: (o, m) => lines.push(`${m} ${JSON.stringify(o)}`),
  info: (o, m) => lines.push(`${m} ${JSON.stringify(o)}`),
  warn: (o, m) => lines.push(`${m} ${JSON.stringify(o)}`),
  error: (o, m) => lines.push(`${m} ${JSON.stringify(o)}`),
};
const echo = (status: number) => (req: RecordedRequest) => ({
  status,
  body: {
    message: `rejected credentials: ${req.headers.authorization}`,
    typeName: "Some.Exception, X",
  },
});

let server: RecordingServer;
beforeAll(async () => {
  server = await startRecordingServer();
});
afterAll(async () => {
  await server.close();
});

function describeError(err: unknown): string {
  const parts: string[] = [];
  for (let e: unknown = err, i = 0; e && i < 5; i++, e = (e as { cause?: unknown }).cause) {
    parts.push(
      String(e),
      JSON.stringify(
        e,
        Object.getOwnPropertyNames(e).filter((k) => k !== "stack"),
      ),
    );
  }
  return parts.join("\n");
}

const http = { retryMax: 2, retryWaitMaxMs: 0, logger };

describe("secrets", () => {
  it("never appear in errors or log lines across the failure paths", async () => {
    const errors: unknown[] = [];
    const capture = async (p: Promise<unknown>) =>
      errors.push(
        await p.then(
          () => new Error("unexpected success"),
          (e: unknown) => e,
        ),
      );

    // 1. PAT rejected by the registration-token endpoint, which echoes it.
    server.on("POST", "/api/v3/orgs/o1/actions/runners/registration-token", echo(401));
    await capture(
      ScaleSetClient.withToken({
        configUrl: `${server.url}/o1?token=${PAT}`,
        token: PAT,
        http,
      }).getRunnerScaleSetById(1),
    );

    // 2. App JWT rejected (echoed), 3. installation token echoed by the registration endpoint.
    server.on("POST", "/api/v3/app/installations/9/access_tokens", echo(401));
    const app = { clientId: "Iv1.x", installationId: 9, privateKey };
    await capture(
      ScaleSetClient.withGitHubApp({
        configUrl: `${server.url}/o2`,
        app,
        http,
      }).getRunnerScaleSetById(1),
    );
    server.on("POST", "/api/v3/app/installations/10/access_tokens", {
      status: 201,
      body: { token: INSTALLATION },
    });
    server.on("POST", "/api/v3/orgs/o3/actions/runners/registration-token", echo(403));
    await capture(
      ScaleSetClient.withGitHubApp({
        configUrl: `${server.url}/o3`,
        app: { ...app, installationId: 10 },
        http,
      }).getRunnerScaleSetById(1),
    );

    // 4. Registration token echoed by runner-registration (retried 401s), 5. admin token in a truncated body.
    for (const org of ["o4", "o5", "o6", "o7"]) {
      server.on("POST", `/api/v3/orgs/${org}/actions/runners/registration-token`, {
        status: 201,
        body: { token: REG_TOKEN },
      });
    }
    server.on("POST", "/api/v3/actions/runner-registration", echo(401));
    await capture(
      ScaleSetClient.withToken({
        configUrl: `${server.url}/o4`,
        token: PAT,
        http,
      }).getRunnerScaleSetById(1),
    );
    server.on("POST", "/api/v3/actions/runner-registration", {
      status: 200,
      body: `{"url":"${server.url}/t/","token":"${ADMIN}`,
    });
    await capture(
      ScaleSetClient.withToken({
        configUrl: `${server.url}/o5`,
        token: PAT,
        http,
      }).getRunnerScaleSetById(1),
    );
    server.on("POST", "/api/v3/actions/runner-registration", {
      status: 200,
      body: { url: `${server.url}/t/`, token: "not-a-jwt-SECRET" },
    });
    await capture(
      ScaleSetClient.withToken({
        configUrl: `${server.url}/o6`,
        token: PAT,
        http,
      }).getRunnerScaleSetById(1),
    );

    // 6. Admin token echoed by the service on 503s (logged retries) and 401s, JIT config in a
    // truncated 200, queue token echoed on 401s.
    server.on("POST", "/api/v3/actions/runner-registration", {
      status: 200,
      body: { url: `${server.url}/t/`, token: ADMIN },
    });
    const client = ScaleSetClient.withToken({ configUrl: `${server.url}/o7`, token: PAT, http });
    server.on("GET", "/t/_apis/runtime/runnerscalesets/1", echo(503));
    await capture(client.getRunnerScaleSetById(1));
    server.on("GET", "/t/_apis/runtime/runnerscalesets/2", echo(401));
    await capture(client.getRunnerScaleSetById(2));
    server.on("POST", "/t/_apis/runtime/runnerscalesets/1/generatejitconfig", {
      status: 200,
      body: `{"runner":{"id":1,"name":"r"},"encodedJITConfig":"${JIT}`,
    });
    await capture(client.generateJitRunnerConfig(1, { name: "r" }));
    server.on("POST", "/t/_apis/runtime/runnerscalesets/1/sessions", {
      status: 200,
      body: sessionBody(server, { messageQueueAccessToken: QUEUE }),
    });
    const session = await client.createMessageSession(1, "me");
    server.on("PATCH", `/t/_apis/runtime/runnerscalesets/1/sessions/${session.session.sessionId}`, {
      status: 200,
      body: sessionBody(server, { messageQueueAccessToken: QUEUE }),
    });
    server.on("GET", "/queue/message", echo(401));
    await capture(session.getMessage(0, 1));
    server.on("GET", "/queue/message", {
      status: 200,
      body: {
        messageId: 1,
        messageType: "RunnerScaleSetJobMessages",
        body: `[{"messageType":"JobStarted","jobId":"${JIT}"`,
        statistics: {},
      },
    });
    await capture(session.getMessage(0, 1));

    expect(errors).toHaveLength(11);
    for (const err of errors) expect(isScaleSetError(err), String(err)).toBe(true);
    expect(lines.length).toBeGreaterThan(0);
    const text = [...errors.map(describeError), ...lines].join("\n");
    const keyLine = privateKey.split("\n")[5] ?? "";
    for (const secret of [
      PAT,
      REG_TOKEN,
      ADMIN,
      QUEUE,
      JIT,
      INSTALLATION,
      "not-a-jwt-SECRET",
      keyLine,
      "PRIVATE KEY",
    ]) {
      expect(text, `leaked ${secret.slice(0, 12)}…`).not.toContain(secret);
    }
    const appJwts = server
      .requestsTo("POST", "/api/v3/app/installations/9/access_tokens")
      .map((r) => r.headers.authorization?.slice(7) ?? "");
    for (const jwt of appJwts) expect(text).not.toContain(jwt);
  });
});
