/**
 * Reading the admin token's `exp` without verifying it (protocol-spec.md §2.5).
 * @module
 */
import { ScaleSetError } from "./errors.js";

const KNOWN_ALGS = new Set([
  "RS256",
  "RS384",
  "RS512",
  "PS256",
  "PS384",
  "PS512",
  "HS256",
  "HS384",
  "HS512",
  "ES256",
  "ES384",
  "ES512",
  "EdDSA",
  "none",
]);

/** Refresh this long before `exp` (the reference's margin). */
export const ADMIN_TOKEN_REFRESH_MARGIN_MS = 60_000;

/**
 * The admin token's expiry in epoch ms, read from the JWT `exp` claim.
 * @throws ScaleSetError `BAD_RESPONSE` when the token is not a 3-segment JWT with a known `alg`
 * and a numeric `exp` (the token itself never appears in the message).
 */
export function adminTokenExpiryMs(token: string): number {
  const fail = (why: string): never => {
    throw new ScaleSetError(
      "BAD_RESPONSE",
      `runner-registration returned an unusable admin token: ${why}`,
    );
  };
  const parts = token.split(".");
  if (parts.length !== 3) return fail("not a JWT (expected three dot-separated segments)");
  const header = decodeSegment(parts[0] ?? "") ?? fail("unreadable JWT header");
  const alg = (header as { alg?: unknown }).alg;
  if (typeof alg !== "string" || !KNOWN_ALGS.has(alg)) fail("unknown JWT alg");
  const payload = decodeSegment(parts[1] ?? "") ?? fail("unreadable JWT payload");
  const exp = (payload as { exp?: unknown }).exp;
  if (typeof exp !== "number" || !Number.isFinite(exp)) return fail("JWT has no numeric exp claim");
  return exp * 1000;
}

function decodeSegment(segment: string): object | undefined {
  try {
    if (!/^[A-Za-z0-9_-]*$/.test(segment)) return undefined;
    const b64 = segment.replace(/-/g, "+").replace(/_/g, "/");
    const bin = atob(b64 + "=".repeat((4 - (b64.length % 4)) % 4));
    const bytes = Uint8Array.from(bin, (c) => c.charCodeAt(0));
    const value: unknown = JSON.parse(new TextDecoder().decode(bytes));
    return typeof value === "object" && value !== null ? value : undefined;
  } catch {
    return undefined;
  }
}
