/**
 * Redaction of secrets from text and URLs before they reach an error message or a log line.
 * @module
 */

const SECRET_QUERY_KEY = /token|secret|key|sig|password|passwd|auth|code|jit/i;

// JWTs (three base64url segments starting with a JSON header), GitHub tokens, PEM blocks,
// and Bearer/RemoteAuth credentials.
const SECRET_PATTERNS: RegExp[] = [
  /eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*/g,
  /\bgh[opsur]_[A-Za-z0-9_]{10,}/g,
  /\bgithub_pat_[A-Za-z0-9_]{10,}/g,
  /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(-----END [A-Z ]*PRIVATE KEY-----|$)/g,
  /\b(Bearer|RemoteAuth)\s+[A-Za-z0-9._~+/=-]{8,}/g,
];

/** Replaces anything that looks like a credential in `text` with `[REDACTED]`. */
export function redactText(text: string): string {
  let out = text;
  for (const pattern of SECRET_PATTERNS) out = out.replace(pattern, "[REDACTED]");
  return out;
}

/**
 * The URL without user info and with the values of secret-looking query keys (`token`, `sig`,
 * `code`, …) replaced by `REDACTED`. Unparseable input comes back redacted as text.
 */
export function redactUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return redactText(url);
  }
  parsed.username = "";
  parsed.password = "";
  if (parsed.search) {
    const parts = parsed.search
      .slice(1)
      .split("&")
      .map((pair) => {
        const eq = pair.indexOf("=");
        const key = eq < 0 ? pair : pair.slice(0, eq);
        return eq >= 0 && SECRET_QUERY_KEY.test(key) ? `${key}=REDACTED` : pair;
      });
    parsed.search = `?${parts.join("&")}`;
  }
  return redactText(parsed.toString());
}
