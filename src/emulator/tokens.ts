/**
 * Credentials the emulator issues and checks: registration tokens, installation tokens, the
 * admin JWT from runner-registration and per-session message-queue JWTs.
 * @module
 */
import { randomBytes } from "node:crypto";
import { signHs256, verifyHs256 } from "./jwt.js";

/** Kinds of JWT the emulator issues. */
export type JwtKind = "admin" | "queue";

/** Verified claims of an issued JWT. */
export interface IssuedClaims {
  kind: JwtKind;
  jti: number;
  expMs: number;
  sid?: string;
  ssid?: number;
}

/** Serializable token state (for the state file). */
export interface TokenState {
  secret: string;
  nextJti: number;
  revokedBelow: Record<JwtKind, number>;
  registrationTokens: [string, number][];
  installationTokens: [string, number][];
}

const ISSUER = "https://emulator.scaleset.local/";

/** Issues and verifies every credential; revocation is by JWT id watermark per kind. */
export class TokenIssuer {
  secret = randomBytes(32).toString("base64url");
  nextJti = 1;
  revokedBelow: Record<JwtKind, number> = { admin: 0, queue: 0 };
  readonly registrationTokens = new Map<string, number>();
  readonly installationTokens = new Map<string, number>();

  /**
   * What each registration token was issued for (`org/<org>`, `repo/<owner>/<repo>` or
   * `enterprise/<name>`, lower case). Not kept in the state file: a token restored without one
   * is not checked.
   */
  readonly registrationScopes = new Map<string, string>();

  /** A registration token (GitHub's are ~29 upper-case chars) valid for one hour. */
  issueRegistrationToken(scope?: string, nowMs = Date.now()): { token: string; expiresAt: number } {
    const token = `A${randomBytes(20).toString("hex").toUpperCase().slice(0, 28)}`;
    const expiresAt = nowMs + 3_600_000;
    this.registrationTokens.set(token, expiresAt);
    if (scope !== undefined) this.registrationScopes.set(token, scope.toLowerCase());
    prune(this.registrationTokens, nowMs);
    for (const known of this.registrationScopes.keys()) {
      if (!this.registrationTokens.has(known)) this.registrationScopes.delete(known);
    }
    return { token, expiresAt };
  }

  /** A `ghs_` installation token valid for one hour. */
  issueInstallationToken(nowMs = Date.now()): { token: string; expiresAt: number } {
    const token = `ghs_${randomBytes(18).toString("base64url")}`;
    const expiresAt = nowMs + 3_600_000;
    this.installationTokens.set(token, expiresAt);
    prune(this.installationTokens, nowMs);
    return { token, expiresAt };
  }

  /** True when `token` is a live token from `store`. */
  isLive(store: Map<string, number>, token: string, nowMs = Date.now()): boolean {
    const exp = store.get(token);
    return exp !== undefined && exp > nowMs;
  }

  /** Signs an admin or message-queue JWT with `exp` (seconds) and our own millisecond expiry. */
  issueJwt(kind: JwtKind, ttlMs: number, extra: { sid?: string; ssid?: number } = {}): string {
    const nowMs = Date.now();
    const expMs = nowMs + ttlMs;
    const jti = this.nextJti++;
    return signHs256(
      {
        nameid: kind === "admin" ? "scale-set-admin" : `session:${extra.sid ?? ""}`,
        scp: kind === "admin" ? "Actions.RunnerScaleSet.Admin" : "Actions.MessageQueue",
        iss: ISSUER,
        aud: ISSUER,
        nbf: Math.floor(nowMs / 1000) - 60,
        iat: Math.floor(nowMs / 1000),
        exp: Math.ceil(expMs / 1000),
        kind,
        // RFC 7519: `jti` is a string (Go's jwt.RegisteredClaims rejects a number).
        jti: String(jti),
        expMs,
        ...extra,
      },
      this.secret,
    );
  }

  /** Signature-checked claims by token, so hot paths skip the HMAC and JSON parse. */
  private readonly verified = new Map<string, IssuedClaims>();

  /** Claims of a valid, unexpired, unrevoked JWT of `kind`, else undefined. */
  verifyJwt(token: string, kind: JwtKind, nowMs = Date.now()): IssuedClaims | undefined {
    let claims = this.verified.get(token);
    if (!claims) {
      claims = this.checkSignature(token);
      if (!claims) return undefined;
      if (this.verified.size >= 10_000) this.verified.clear();
      this.verified.set(token, claims);
    }
    if (claims.kind !== kind || claims.expMs <= nowMs || claims.jti < this.revokedBelow[kind])
      return undefined;
    return claims;
  }

  private checkSignature(token: string): IssuedClaims | undefined {
    const claims = verifyHs256(token, this.secret) as
      | { kind?: unknown; jti?: unknown; expMs?: unknown; sid?: unknown; ssid?: unknown }
      | undefined;
    if (!claims || (claims.kind !== "admin" && claims.kind !== "queue")) return undefined;
    const { expMs } = claims;
    const jti = typeof claims.jti === "string" ? Number(claims.jti) : claims.jti;
    if (typeof jti !== "number" || !Number.isFinite(jti) || typeof expMs !== "number")
      return undefined;
    const out: IssuedClaims = { kind: claims.kind, jti, expMs };
    if (typeof claims.sid === "string") out.sid = claims.sid;
    if (typeof claims.ssid === "number") out.ssid = claims.ssid;
    return out;
  }

  /** Invalidates every JWT of the given kind(s) issued so far. */
  expire(kind: JwtKind | "all"): void {
    if (kind === "admin" || kind === "all") this.revokedBelow.admin = this.nextJti;
    if (kind === "queue" || kind === "all") this.revokedBelow.queue = this.nextJti;
  }

  toState(): TokenState {
    return {
      secret: this.secret,
      nextJti: this.nextJti,
      revokedBelow: { ...this.revokedBelow },
      registrationTokens: [...this.registrationTokens],
      installationTokens: [...this.installationTokens],
    };
  }

  restore(state: TokenState): void {
    this.secret = state.secret;
    this.nextJti = state.nextJti;
    this.revokedBelow = { ...state.revokedBelow };
    for (const [k, v] of state.registrationTokens) this.registrationTokens.set(k, v);
    for (const [k, v] of state.installationTokens) this.installationTokens.set(k, v);
  }
}

function prune(store: Map<string, number>, nowMs: number): void {
  if (store.size < 1000) return;
  for (const [k, exp] of store) if (exp <= nowMs) store.delete(k);
}

/** Splits an Authorization header into scheme (lower-case) and credential. */
export function parseAuthorization(
  header: string | undefined,
): { scheme: string; credential: string } | undefined {
  if (!header) return undefined;
  const space = header.indexOf(" ");
  if (space <= 0) return undefined;
  return {
    scheme: header.slice(0, space).toLowerCase(),
    credential: header.slice(space + 1).trim(),
  };
}
