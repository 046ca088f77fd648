/**
 * Decoding a JIT config blob the way the runner does (spec §3.18). Node builtins only: this
 * folder is copied into a minimal image.
 * @module
 */

/** What the fake runner needs from the blob. */
export interface FakeRunnerConfig {
  agentId: number;
  agentName: string;
  /** Base URL of the runner agent endpoints (`.runner` serverUrlV2). */
  agentUrl: string;
  /** The credential (`.credentials_rsaparams.d`). */
  secret: string;
}

/** Thrown for a blob that cannot be decoded; the message never contains the blob. */
export class JitConfigError extends Error {
  override name = "JitConfigError";
}

function decodeJsonB64(value: unknown, what: string): Record<string, unknown> {
  if (typeof value !== "string" || value === "") throw new JitConfigError(`${what} is missing`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(
      Buffer.from(value, "base64")
        .toString("utf8")
        .replace(/^\uFEFF/, ""),
    );
  } catch {
    throw new JitConfigError(`${what} is not base64-encoded JSON`);
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new JitConfigError(`${what} is not a JSON object`);
  }
  return parsed as Record<string, unknown>;
}

/** Case-insensitive key lookup (the runner reads its settings files case-insensitively). */
function get(obj: Record<string, unknown>, key: string): unknown {
  const want = key.toLowerCase();
  for (const [k, v] of Object.entries(obj)) if (k.toLowerCase() === want) return v;
  return undefined;
}

/** Decodes and checks a JIT config blob. */
export function decodeJitConfig(blob: string): FakeRunnerConfig {
  const files = decodeJsonB64(blob.trim(), "the JIT config");
  const runner = decodeJsonB64(files[".runner"], "the .runner file");
  const rsa = decodeJsonB64(files[".credentials_rsaparams"], "the .credentials_rsaparams file");
  decodeJsonB64(files[".credentials"], "the .credentials file");
  const agentId = get(runner, "agentId");
  const agentName = get(runner, "agentName");
  const agentUrl = get(runner, "serverUrlV2") ?? get(runner, "serverUrl");
  const secret = get(rsa, "d");
  if (typeof agentId !== "number") throw new JitConfigError(".runner has no numeric agentId");
  if (typeof agentName !== "string" || agentName === "")
    throw new JitConfigError(".runner has no agentName");
  if (typeof agentUrl !== "string" || !/^https?:\/\//.test(agentUrl)) {
    throw new JitConfigError(".runner has no http(s) serverUrlV2");
  }
  if (typeof secret !== "string" || secret === "")
    throw new JitConfigError(".credentials_rsaparams has no key");
  return {
    agentId,
    agentName,
    agentUrl: agentUrl.endsWith("/") ? agentUrl : `${agentUrl}/`,
    secret,
  };
}
