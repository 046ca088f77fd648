/**
 * GitHub App JWTs (protocol-spec.md §2.3): RS256, `iat` = now − 60 s (clock-skew allowance),
 * `exp` = now + 8 min, `iss` = client ID. Signed with WebCrypto (global in Node ≥ 20 and in
 * browsers), so the client keeps Node-only imports inside its http files.
 * @module
 */
import { ConfigError } from "./errors.js";

/** A WebCrypto signing key (named without DOM lib types). */
export type SigningKey = Awaited<ReturnType<typeof crypto.subtle.importKey>>;

/** GitHub App credentials. */
export interface GitHubAppCredentials {
  /** The App's client ID (the numeric App ID also works). */
  clientId: string;
  installationId: number;
  /** PEM RSA private key, PKCS#1 (`BEGIN RSA PRIVATE KEY`) or PKCS#8 (`BEGIN PRIVATE KEY`). */
  privateKey: string;
}

/**
 * Checks the credentials without touching the network.
 * @throws ConfigError naming `app.clientId`, `app.installationId` or `app.privateKey`.
 */
export function validateAppCredentials(app: GitHubAppCredentials): void {
  if (typeof app?.clientId !== "string" || app.clientId === "") {
    throw new ConfigError("app.clientId", "client ID is required");
  }
  if (!Number.isSafeInteger(app.installationId) || app.installationId <= 0) {
    throw new ConfigError(
      "app.installationId",
      "app installation ID is required (a positive integer)",
    );
  }
  if (typeof app.privateKey !== "string" || app.privateKey === "") {
    throw new ConfigError("app.privateKey", "app private key is required");
  }
  if (!/-----BEGIN (RSA )?PRIVATE KEY-----/.test(app.privateKey)) {
    throw new ConfigError(
      "app.privateKey",
      "must be an unencrypted PEM RSA private key (PKCS#1 or PKCS#8)",
    );
  }
}

/** Imports a PEM RSA private key for RS256 signing. */
export async function importAppKey(pem: string): Promise<SigningKey> {
  const m = /-----BEGIN (RSA )?PRIVATE KEY-----([\s\S]*?)-----END (RSA )?PRIVATE KEY-----/.exec(
    pem,
  );
  if (!m) throw new ConfigError("app.privateKey", "is not a PEM private key");
  let der = base64ToBytes((m[2] ?? "").replace(/\s+/g, ""));
  if (m[1]) der = pkcs1ToPkcs8(der);
  try {
    return await crypto.subtle.importKey(
      "pkcs8",
      der,
      { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" },
      false,
      ["sign"],
    );
  } catch (error) {
    throw new ConfigError(
      "app.privateKey",
      `cannot be used as an RSA signing key (${(error as Error).name})`,
    );
  }
}

/** Signs the App JWT for `clientId` at `nowMs`. */
export async function signAppJwt(
  key: SigningKey,
  clientId: string,
  nowMs = Date.now(),
): Promise<string> {
  const iat = Math.floor(nowMs / 1000) - 60;
  const header = base64Url(new TextEncoder().encode(JSON.stringify({ alg: "RS256", typ: "JWT" })));
  const payload = base64Url(
    new TextEncoder().encode(JSON.stringify({ iss: clientId, exp: iat + 540, iat })),
  );
  const input = `${header}.${payload}`;
  const sig = await crypto.subtle.sign("RSASSA-PKCS1-v1_5", key, new TextEncoder().encode(input));
  return `${input}.${base64Url(new Uint8Array(sig))}`;
}

/** Unpadded base64url of bytes. */
export function base64Url(bytes: Uint8Array): string {
  let bin = "";
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function base64ToBytes(b64: string): Uint8Array<ArrayBuffer> {
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

// PrivateKeyInfo { version 0, AlgorithmIdentifier { rsaEncryption, NULL }, OCTET STRING pkcs1 }
function pkcs1ToPkcs8(pkcs1: Uint8Array): Uint8Array<ArrayBuffer> {
  const version = [0x02, 0x01, 0x00];
  const algorithm = [
    0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00,
  ];
  const octet = [0x04, ...derLength(pkcs1.length), ...pkcs1];
  const content = [...version, ...algorithm, ...octet];
  return new Uint8Array([0x30, ...derLength(content.length), ...content]);
}

function derLength(n: number): number[] {
  if (n < 0x80) return [n];
  const bytes: number[] = [];
  for (let v = n; v > 0; v >>= 8) bytes.unshift(v & 0xff);
  return [0x80 | bytes.length, ...bytes];
}
