/**
 * Compact JWTs: HS256 tokens the emulator issues (admin and message-queue tokens) and RS256
 * verification of GitHub App JWTs.
 * @module
 */
import { createHmac, createPublicKey, timingSafeEqual, verify } from "node:crypto";

function b64url(input: string | Buffer): string {
  return Buffer.from(input).toString("base64url");
}

/** Signs `claims` as an HS256 JWT with a real-looking header. */
export function signHs256(claims: Record<string, unknown>, secret: string): string {
  const header = b64url(JSON.stringify({ typ: "JWT", alg: "HS256", x5t: "ZW11bGF0b3I" }));
  const payload = b64url(JSON.stringify(claims));
  const sig = createHmac("sha256", secret).update(`${header}.${payload}`).digest("base64url");
  return `${header}.${payload}.${sig}`;
}

/** Claims of an HS256 token when its signature is valid, else undefined. */
export function verifyHs256(token: string, secret: string): Record<string, unknown> | undefined {
  const parts = token.split(".");
  if (parts.length !== 3) return undefined;
  const [header, payload, sig] = parts as [string, string, string];
  const expected = createHmac("sha256", secret).update(`${header}.${payload}`).digest();
  const given = Buffer.from(sig, "base64url");
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
  return parseJson(Buffer.from(payload, "base64url").toString("utf8"));
}

function parseJson(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === "object" && value !== null
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/** Why an App JWT was refused; undefined when accepted. */
export type AppJwtProblem = "malformed" | "algorithm" | "signature" | "expired" | "issuer" | "iat";

/**
 * Verifies a GitHub App JWT as GitHub does: RS256 signature against `publicKeyPem`, `exp` in
 * the future and at most 10 minutes ahead, `iat` not in the future, `iss` equal to the client ID.
 * Allows 60 s of clock skew.
 */
export function verifyAppJwt(
  token: string,
  publicKeyPem: string,
  clientId: string,
  nowMs = Date.now(),
): AppJwtProblem | undefined {
  const parts = token.split(".");
  if (parts.length !== 3) return "malformed";
  const [h, p, s] = parts as [string, string, string];
  const header = parseJson(Buffer.from(h, "base64url").toString("utf8")) as
    | { alg?: unknown }
    | undefined;
  const claims = parseJson(Buffer.from(p, "base64url").toString("utf8")) as
    | { exp?: unknown; iat?: unknown; iss?: unknown }
    | undefined;
  if (!header || !claims) return "malformed";
  if (header.alg !== "RS256") return "algorithm";
  let ok = false;
  try {
    const key = createPublicKey(publicKeyPem);
    ok = verify("sha256", Buffer.from(`${h}.${p}`), key, Buffer.from(s, "base64url"));
  } catch {
    ok = false;
  }
  if (!ok) return "signature";
  const now = Math.floor(nowMs / 1000);
  const exp = claims.exp;
  const iat = claims.iat;
  if (typeof exp !== "number" || exp <= now - 60 || exp > now + 660) return "expired";
  if (typeof iat !== "number" || iat > now + 60) return "iat";
  if (String(claims.iss) !== clientId) return "issuer";
  return undefined;
}
