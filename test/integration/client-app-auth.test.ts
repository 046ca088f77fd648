/**
 * GitHub App authentication: RS256 JWT signed with a key generated in the test, verified by a
 * real server (a recording server, then the emulator); a wrong key gives AUTH_FAILED.
 */
import { createVerify, generateKeyPairSync } from "node:crypto";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startEmulator } from "../../src/emulator/index.js";
import { isScaleSetError, ScaleSetClient } from "../../src/index.js";
import { adminJwt } from "../helpers/client-fixtures.js";
import {
  type RecordedRequest,
  type RecordingServer,
  startRecordingServer,
} from "../helpers/recording-server.js";

const keys = generateKeyPairSync("rsa", { modulusLength: 2048 });
const pkcs1 = keys.privateKey.export({ type: "pkcs1", format: "pem" }).toString();
const pkcs8 = keys.privateKey.export({ type: "pkcs8", format: "pem" }).toString();
const publicPem = keys.publicKey.export({ type: "spki", format: "pem" }).toString();
const otherKey = generateKeyPairSync("rsa", { modulusLength: 2048 })
  .privateKey.export({ type: "pkcs8", format: "pem" })
  .toString();
const INSTALLATION_TOKEN = "ghs_installationToken0123456789";

/** Verifies the App JWT like GitHub: signature, alg, iss, iat/exp window. */
function verifyAppJwt(req: RecordedRequest): string | undefined {
  const jwt = /^Bearer (.+)$/.exec(req.headers.authorization ?? "")?.[1] ?? "";
  const [h = "", p = "", s = ""] = jwt.split(".");
  const verifier = createVerify("RSA-SHA256");
  verifier.update(`${h}.${p}`);
  if (!verifier.verify(publicPem, Buffer.from(s, "base64url"))) return "bad signature";
  const header = JSON.parse(Buffer.from(h, "base64url").toString());
  const claims = JSON.parse(Buffer.from(p, "base64url").toString());
  const now = Math.floor(Date.now() / 1000);
  if (header.alg !== "RS256" || header.typ !== "JWT") return "bad header";
  if (claims.iss !== "Iv1.client") return "bad iss";
  if (Math.abs(claims.iat - (now - 60)) > 5 || Math.abs(claims.exp - (now + 480)) > 5)
    return "bad times";
  if (
    Object.keys(claims)
      .sort((a, b) => a.localeCompare(b))
      .join() !== "exp,iat,iss"
  )
    return "extra claims";
  return undefined;
}

let server: RecordingServer;
beforeEach(async () => {
  server = await startRecordingServer();
  server.on("POST", "/api/v3/app/installations/42/access_tokens", (req) => {
    const problem = verifyAppJwt(req);
    return problem
      ? { status: 401, body: { message: `A JSON web token could not be decoded (${problem})` } }
      : { status: 201, body: { token: INSTALLATION_TOKEN, expires_at: "2099-01-01T00:00:00Z" } };
  });
  server.on("POST", "/api/v3/orgs/my-org/actions/runners/registration-token", (req) =>
    req.headers.authorization === `Bearer ${INSTALLATION_TOKEN}`
      ? { status: 201, body: { token: "REGTOKEN" } }
      : { status: 401, body: { message: "Bad credentials" } },
  );
  server.on("POST", "/api/v3/actions/runner-registration", () => ({
    status: 201,
    body: { url: `${server.url}/tenant`, token: adminJwt(Math.floor(Date.now() / 1000) + 3600) },
  }));
  server.on("GET", "/tenant/_apis/runtime/runnerscalesets/7", { status: 200, body: "null" });
});
afterEach(async () => {
  await server.close();
});

const app = (privateKey: string) =>
  ScaleSetClient.withGitHubApp({
    configUrl: `${server.url}/my-org`,
    app: { clientId: "Iv1.client", installationId: 42, privateKey },
  });

describe("GitHub App auth", () => {
  it.each([
    ["PKCS#1", pkcs1],
    ["PKCS#8", pkcs8],
  ])(
    "signs a JWT the server verifies with a %s key and exchanges the installation token",
    async (_, pem) => {
      await expect(app(pem).getRunnerScaleSetById(7)).resolves.toBeUndefined();
      const [req] = server.requestsTo("POST", "/api/v3/app/installations/42/access_tokens");
      expect(req?.headers["content-type"]).toBe("application/vnd.github+json");
      expect(req?.headers["content-length"]).toBe("0");
      expect(req?.headers.accept).toBeUndefined();
      expect(server.requestsTo("GET", "/tenant/_apis/runtime/runnerscalesets/7")).toHaveLength(1);
    },
  );

  it("rejects a JWT signed with the wrong key with a clear AUTH_FAILED error", async () => {
    const err = await app(otherKey)
      .getRunnerScaleSetById(7)
      .catch((e: unknown) => e);
    expect(isScaleSetError(err, "AUTH_FAILED")).toBe(true);
    expect((err as Error).message).toMatch(
      /^failed to get access token for GitHub App auth: POST http:\/\/127\.0\.0\.1:\d+\/api\/v3\/app\/installations\/42\/access_tokens failed: 401 Unauthorized \(A JSON web token could not be decoded \(bad signature\)\)$/,
    );
    expect(
      server.requestsTo("POST", "/api/v3/orgs/my-org/actions/runners/registration-token"),
    ).toHaveLength(0);
  });

  it("validates App credentials up front, naming the field", () => {
    const base = {
      configUrl: "https://github.com/o",
      app: { clientId: "c", installationId: 1, privateKey: pkcs8 },
    };
    expect(() =>
      ScaleSetClient.withGitHubApp({ ...base, app: { ...base.app, clientId: "" } }),
    ).toThrow(/app\.clientId/);
    expect(() =>
      ScaleSetClient.withGitHubApp({ ...base, app: { ...base.app, installationId: 0 } }),
    ).toThrow(/app\.installationId/);
    expect(() =>
      ScaleSetClient.withGitHubApp({ ...base, app: { ...base.app, privateKey: "nope" } }),
    ).toThrow(/app\.privateKey/);
  });

  it("is accepted by the emulator with the right key and rejected with the wrong one", async () => {
    const emulator = await startEmulator({
      app: { clientId: "Iv1.client", installationId: 42, publicKeyPem: publicPem },
    });
    try {
      const make = (privateKey: string) =>
        ScaleSetClient.withGitHubApp({
          configUrl: emulator.configUrl,
          app: { clientId: "Iv1.client", installationId: 42, privateKey },
        });
      await expect(make(pkcs1).getRunnerGroupByName("default")).resolves.toMatchObject({ id: 1 });
      const err = await make(otherKey)
        .getRunnerGroupByName("default")
        .catch((e: unknown) => e);
      expect(err).toMatchObject({ code: "AUTH_FAILED", status: 401 });
    } finally {
      await emulator.close();
    }
  });
});
