import { createSign, generateKeyPairSync } from "node:crypto";
import { Agent, buildConnector } from "undici";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ScaleSetClient } from "../../src/client/index.js";
import { type Emulator, startEmulator } from "../../src/emulator/index.js";
import { adminExchange } from "../helpers/start-emulator.js";

const keys = generateKeyPairSync("rsa", { modulusLength: 2048 });
const otherKeys = generateKeyPairSync("rsa", { modulusLength: 2048 });
const publicKeyPem = keys.publicKey.export({ type: "spki", format: "pem" }).toString();

function appJwt(privateKey: typeof keys.privateKey, claims: Record<string, unknown>): string {
  const enc = (v: unknown) => Buffer.from(JSON.stringify(v)).toString("base64url");
  const head = `${enc({ alg: "RS256", typ: "JWT" })}.${enc(claims)}`;
  const sig = createSign("RSA-SHA256").update(head).sign(privateKey).toString("base64url");
  return `${head}.${sig}`;
}

function nowS(): number {
  return Math.floor(Date.now() / 1000);
}

describe("emulator GitHub REST side", () => {
  let emu: Emulator;
  let api: string;
  beforeAll(async () => {
    emu = await startEmulator({
      tokens: ["ghp_allowed"],
      app: { clientId: "Iv1.client", installationId: 42, publicKeyPem },
      adminTokenTtlMs: 90_000,
    });
    api = `${emu.url}/api/v3`;
  });
  afterAll(() => emu.close());

  const post = (path: string, headers: Record<string, string>, body?: string) =>
    fetch(
      `${api}${path}`,
      body === undefined ? { method: "POST", headers } : { method: "POST", headers, body },
    );

  it("issues a registration token with 201 for an allow-listed PAT on org, repo and enterprise paths", async () => {
    for (const path of [
      "/orgs/emulated-org/actions/runners/registration-token",
      "/repos/emulated-org/some-repo/actions/runners/registration-token",
      "/enterprises/acme/actions/runners/registration-token",
    ]) {
      const res = await post(path, {
        authorization: "Bearer ghp_allowed",
        "content-type": "application/vnd.github.v3+json",
      });
      expect(res.status).toBe(201);
      const body = (await res.json()) as { token: string; expires_at: string };
      expect(body.token).toMatch(/^[A-Z0-9]{20,}$/);
      expect(body.expires_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
    }
  });

  it("rejects a wrong or missing PAT with GitHub's 401 body and an unknown org with 404", async () => {
    const wrong = await post("/orgs/emulated-org/actions/runners/registration-token", {
      authorization: "Bearer nope",
    });
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get("x-github-request-id")).toBeTruthy();
    expect(await wrong.json()).toMatchObject({
      message: "Bad credentials",
      documentation_url: "https://docs.github.com/rest",
    });
    const missing = await post("/orgs/emulated-org/actions/runners/registration-token", {});
    expect(missing.status).toBe(401);
    expect(await missing.json()).toMatchObject({ message: "Requires authentication" });
    const otherOrg = await post("/orgs/other/actions/runners/registration-token", {
      authorization: "Bearer ghp_allowed",
    });
    expect(otherOrg.status).toBe(404);
  });

  it("exchanges a registration token for a real-looking admin JWT with the configured lifetime", async () => {
    const admin = await adminExchange(emu, "ghp_allowed");
    expect(admin.url).toBe(`${emu.url}/_services/pipelines/`);
    const parts = admin.token.split(".");
    expect(parts).toHaveLength(3);
    for (const p of parts) expect(p).not.toMatch(/[=+/]/);
    const header = JSON.parse(Buffer.from(parts[0] ?? "", "base64url").toString()) as {
      alg: string;
    };
    const claims = JSON.parse(Buffer.from(parts[1] ?? "", "base64url").toString()) as {
      exp: number;
    };
    expect(header.alg).toBe("HS256");
    expect(typeof claims.exp).toBe("number");
    expect(claims.exp).toBeGreaterThanOrEqual(nowS() + 85);
    expect(claims.exp).toBeLessThanOrEqual(nowS() + 92);
  });

  it("refuses runner-registration with a Bearer PAT (wrong token kind) or a malformed body", async () => {
    const wrongKind = await post(
      "/actions/runner-registration",
      { authorization: "Bearer ghp_allowed", "content-type": "application/json" },
      JSON.stringify({ url: emu.configUrl, runner_event: "register" }),
    );
    expect(wrongKind.status).toBe(401);
    const reg = await post("/orgs/emulated-org/actions/runners/registration-token", {
      authorization: "Bearer ghp_allowed",
    });
    const { token } = (await reg.json()) as { token: string };
    const headers = { authorization: `RemoteAuth ${token}`, "content-type": "application/json" };
    expect((await post("/actions/runner-registration", headers, "{not json")).status).toBe(400);
    const noEvent = await post(
      "/actions/runner-registration",
      headers,
      JSON.stringify({ url: emu.configUrl }),
    );
    expect(noEvent.status).toBe(422);
    expect(((await noEvent.json()) as { message: string }).message).toBe(
      'Invalid request: runner_event must be "register".',
    );
    const badUrl = await post(
      "/actions/runner-registration",
      headers,
      JSON.stringify({ url: "emulated-org", runner_event: "register" }),
    );
    expect(badUrl.status).toBe(422);
    expect(((await badUrl.json()) as { message: string }).message).toMatch(
      /^Invalid request: url must be the absolute config URL/,
    );
  });

  it("registers runners only for the config URL the registration token was issued for", async () => {
    const register = async (tokenPath: string, url: string) => {
      const reg = await post(tokenPath, { authorization: "Bearer ghp_allowed" });
      const { token } = (await reg.json()) as { token: string };
      return post(
        "/actions/runner-registration",
        { authorization: `RemoteAuth ${token}`, "content-type": "application/json" },
        JSON.stringify({ url, runner_event: "register" }),
      );
    };
    const org = "/orgs/emulated-org/actions/runners/registration-token";
    const repo = "/repos/emulated-org/app/actions/runners/registration-token";
    const ent = "/enterprises/acme/actions/runners/registration-token";
    expect((await register(org, `${emu.url}/Emulated-Org`)).status).toBe(200);
    expect((await register(repo, `${emu.url}/emulated-org/app`)).status).toBe(200);
    expect((await register(ent, `${emu.url}/enterprises/acme`)).status).toBe(200);
    const refused = await register(org, `${emu.url}/other-org`);
    expect(refused.status).toBe(404);
    expect(((await refused.json()) as { message: string }).message).toMatch(/issued for another/);
    expect((await register(org, `${emu.url}/emulated-org/app`)).status).toBe(404);
    expect((await register(repo, `${emu.url}/emulated-org`)).status).toBe(404);
    expect((await register(ent, `${emu.url}/enterprises/other`)).status).toBe(404);
  });

  it("verifies GitHub App JWTs: signature, expiry, issuer and installation id", async () => {
    const claims = { iss: "Iv1.client", iat: nowS() - 60, exp: nowS() + 480 };
    const ok = await post("/app/installations/42/access_tokens", {
      authorization: `Bearer ${appJwt(keys.privateKey, claims)}`,
      "content-type": "application/vnd.github+json",
    });
    expect(ok.status).toBe(201);
    const inst = (await ok.json()) as { token: string; expires_at: string };
    expect(inst.token).toMatch(/^ghs_/);
    expect(inst.expires_at).toMatch(/Z$/);
    const reg = await post("/orgs/emulated-org/actions/runners/registration-token", {
      authorization: `Bearer ${inst.token}`,
    });
    expect(reg.status).toBe(201);

    const cases: [string, number][] = [
      [appJwt(otherKeys.privateKey, claims), 401],
      [appJwt(keys.privateKey, { ...claims, exp: nowS() - 120 }), 401],
      [appJwt(keys.privateKey, { ...claims, exp: nowS() + 3600 }), 401],
      [appJwt(keys.privateKey, { ...claims, iss: "someone-else" }), 401],
    ];
    for (const [jwt, status] of cases) {
      const res = await post("/app/installations/42/access_tokens", {
        authorization: `Bearer ${jwt}`,
      });
      expect(res.status).toBe(status);
      expect(((await res.json()) as { message: string }).message).not.toContain(jwt);
    }
    const wrongInstallation = await post("/app/installations/7/access_tokens", {
      authorization: `Bearer ${appJwt(keys.privateKey, claims)}`,
    });
    expect(wrongInstallation.status).toBe(404);
    const pat = await post("/app/installations/42/access_tokens", {
      authorization: "Bearer ghp_allowed",
    });
    expect(pat.status).toBe(401);
    const jwtForRegistration = await post("/orgs/emulated-org/actions/runners/registration-token", {
      authorization: `Bearer ${appJwt(keys.privateKey, claims)}`,
    });
    expect(jwtForRegistration.status).toBe(403);
  });

  it("rejects the PAT, a forged JWT and an expired admin token on the Actions service with 401", async () => {
    const admin = await adminExchange(emu, "ghp_allowed");
    const url = `${admin.url}_apis/runtime/runnerscalesets?api-version=6.0-preview&name=x&runnerGroupId=1`;
    const get = (token: string) =>
      fetch(url, {
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      });
    expect((await get(admin.token)).status).toBe(200);
    const pat = await get("ghp_allowed");
    expect(pat.status).toBe(401);
    expect(await pat.json()).toMatchObject({
      typeName: expect.stringContaining("VssUnauthorizedException"),
    });
    const [h, p] = admin.token.split(".");
    expect((await get(`${h}.${p}.forged`)).status).toBe(401);
    emu.expireTokens("admin");
    expect((await get(admin.token)).status).toBe(401);
    const fresh = await adminExchange(emu, "ghp_allowed");
    expect((await get(fresh.token)).status).toBe(200);
  });
});

describe("emulator admin token lifetime", () => {
  it("refuses an admin token once its configured lifetime has passed", async () => {
    const emu = await startEmulator({ adminTokenTtlMs: 100 });
    try {
      const admin = await adminExchange(emu);
      const url = `${admin.url}_apis/runtime/runnergroups/?api-version=6.0-preview&groupName=default`;
      const get = () => fetch(url, { headers: { authorization: `Bearer ${admin.token}` } });
      expect((await get()).status).toBe(200);
      await new Promise((r) => setTimeout(r, 150));
      expect((await get()).status).toBe(401);
    } finally {
      await emu.close();
    }
  });
});

describe("emulator behind a hosted-style config URL", () => {
  it("serves the REST side at the root of an api.* host, so http://github.localhost/<org> works", async () => {
    const emu = await startEmulator({ tokens: ["ghp_hosted"] });
    // Resolve every host to the emulator, as a checker mapping api.github.localhost to loopback would.
    const port = Number(new URL(emu.url).port);
    const connector = buildConnector({});
    const dispatcher = new Agent({
      connect: (opts, cb) => connector({ ...opts, hostname: "127.0.0.1", port: String(port) }, cb),
    });
    try {
      const client = ScaleSetClient.withToken({
        configUrl: "http://github.localhost/emulated-org",
        token: "ghp_hosted",
        http: { dispatcher, retryMax: 0 },
      });
      const set = await client.createRunnerScaleSet({ name: "hosted" });
      expect(set.id).toBeGreaterThan(0);
      const rest = await dispatcher.request({
        origin: "http://api.github.localhost",
        path: "/orgs/emulated-org/actions/runners/registration-token",
        method: "POST",
        headers: { authorization: "Bearer wrong" },
      });
      expect(rest.statusCode).toBe(401);
      expect(rest.headers["x-github-request-id"]).toBeDefined();
      expect(await rest.body.json()).toMatchObject({ message: "Bad credentials" });
      // Other hosts keep the GHES layout only.
      const plain = await fetch(`${emu.url}/orgs/emulated-org/actions/runners/registration-token`, {
        method: "POST",
        headers: { authorization: "Bearer ghp_hosted" },
      });
      expect(plain.status).toBe(404);
    } finally {
      await dispatcher.close();
      await emu.close();
    }
  });
});
