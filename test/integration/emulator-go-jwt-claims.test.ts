/**
 * Regression for a defect found by `npm run compat`: the reference Go client parses the admin
 * token with golang-jwt v4 `RegisteredClaims` (spec §2.5), which rejects a numeric `jti`
 * ("cannot unmarshal number into ... jti of type string") and so failed every request. Any
 * registered claim the emulator emits must have the type RFC 7519 / golang-jwt give it.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestEmulator, type TestEmulator } from "../helpers/start-emulator.js";

function claimsOf(jwt: string): Record<string, unknown> {
  const parts = jwt.split(".");
  expect(parts).toHaveLength(3);
  const header = JSON.parse(Buffer.from(parts[0] ?? "", "base64url").toString()) as {
    alg?: unknown;
  };
  expect(typeof header.alg).toBe("string");
  return JSON.parse(Buffer.from(parts[1] ?? "", "base64url").toString()) as Record<string, unknown>;
}

/** golang-jwt v4 RegisteredClaims field types. */
function expectGoRegisteredClaimTypes(claims: Record<string, unknown>): void {
  for (const key of ["iss", "sub", "jti"]) {
    if (key in claims) expect(typeof claims[key], `claim ${key}`).toBe("string");
  }
  for (const key of ["exp", "nbf", "iat"]) {
    if (key in claims) expect(typeof claims[key], `claim ${key}`).toBe("number");
  }
  if ("aud" in claims) {
    const aud = claims["aud"];
    const ok =
      typeof aud === "string" || (Array.isArray(aud) && aud.every((a) => typeof a === "string"));
    expect(ok, "claim aud is a string or an array of strings").toBe(true);
  }
  expect(typeof claims["exp"]).toBe("number");
}

describe("emulator JWTs decode with the Go client's registered-claim types", () => {
  let t: TestEmulator;
  beforeAll(async () => {
    t = await startTestEmulator();
  });
  afterAll(() => t.close());

  it("issues an admin token whose jti is a string and whose exp is a number", () => {
    expectGoRegisteredClaimTypes(claimsOf(t.adminToken));
  });

  it("issues a message-queue token with the same claim types", async () => {
    const set = await t.createScaleSet("jwt-claims");
    const session = await t.createSession(set.id);
    expectGoRegisteredClaimTypes(claimsOf(session.messageQueueAccessToken));
  });
});
