/**
 * Where the emulator tells clients to find it: a configured public URL, a listen URL, or — when it
 * listens on a wildcard address — the host each request was sent to.
 * @module
 */
import { isIPv6 } from "node:net";

/** True for an address that listens on every interface: `0.0.0.0`, `::` (any spelling) or empty. */
export function isWildcardHost(host: string): boolean {
  const bare = host.startsWith("[") && host.endsWith("]") ? host.slice(1, -1) : host;
  if (bare === "" || bare === "0.0.0.0") return true;
  return isIPv6(bare) && new URL(`http://[${bare}]`).hostname === "[::]";
}

/**
 * The base URL (no trailing slash) of a server listening on `host`: a wildcard address becomes
 * `127.0.0.1`, which reaches both a `0.0.0.0` and a dual-stack `::` listener locally.
 */
export function listenUrl(host: string, port: number, tls: boolean): string {
  const name = isWildcardHost(host) ? "127.0.0.1" : host;
  const hostForUrl = name.includes(":") && !name.startsWith("[") ? `[${name}]` : name;
  return `${tls ? "https" : "http"}://${hostForUrl}:${port}`;
}

/**
 * Checks a public URL and returns its origin (`scheme://host[:port]`, no trailing slash).
 * `name` is how the caller spells the setting (`publicUrl`, `--public-url`) in the error message.
 * @throws Error naming `name` when the value is not an absolute http(s) URL at the root.
 */
export function normalizePublicUrl(value: string, name = "publicUrl"): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new Error(
      `${name} must be an absolute http(s) URL such as https://emulator.example:8443, got "${value}"`,
    );
  }
  if (url.protocol !== "http:" && url.protocol !== "https:")
    throw new Error(`${name} must use http or https, got "${url.protocol.slice(0, -1)}"`);
  // Never echo credentials back.
  if (url.username !== "" || url.password !== "")
    throw new Error(`${name} must not contain credentials (user:password@)`);
  if (value.includes("?")) throw new Error(`${name} must not have a query, got "${value}"`);
  if (value.includes("#")) throw new Error(`${name} must not have a fragment, got "${value}"`);
  if (url.pathname !== "/")
    throw new Error(
      `${name} must not have a path (the emulator serves at the root, config URL {publicUrl}/{org}), got "${value}"`,
    );
  return url.origin;
}

/**
 * The base URL of the host a request was sent to (its `Host` header, HTTP/2 `:authority` or
 * absolute-form target), with `scheme`; undefined when the request carries no usable host.
 */
export function requestHostUrl(requestUrl: string, scheme: "http" | "https"): string | undefined {
  let host: string;
  try {
    host = new URL(requestUrl).host;
  } catch {
    return undefined;
  }
  return host === "" ? undefined : `${scheme}://${host}`;
}
