/**
 * Config URL parsing and the GitHub REST API base rules (protocol-spec.md §1.1–§1.2).
 * @module
 */
import { ConfigError } from "./errors.js";

/** Registration scope of a config URL. */
export type ConfigScope = "organization" | "enterprise" | "repository";

/** A parsed config URL. */
export interface ConfigUrl {
  /** The input with leading/trailing `/` trimmed and the scheme lower-cased: runner-registration's `url`. */
  readonly url: string;
  /** `http:` or `https:`. */
  readonly protocol: string;
  /** Host as written, with any explicit port (`github.com:443` stays so and counts as GHES). */
  readonly host: string;
  readonly scope: ConfigScope;
  readonly organization: string;
  readonly enterprise: string;
  readonly repository: string;
}

const SENTINEL = "invalid config URL, should point to an enterprise, org, or repository";

/**
 * Parses a config URL such as `https://github.com/my-org/my-repo`.
 * @throws ConfigError with code `INVALID_CONFIG_URL` (field `configUrl`).
 */
export function parseConfigUrl(input: string): ConfigUrl {
  const fail = (why: string): never => {
    throw new ConfigError("configUrl", `"${input}": ${why}`, "INVALID_CONFIG_URL");
  };
  if (typeof input !== "string") fail("must be a string");
  const trimmed = input.replace(/^\/+|\/+$/g, "");
  const m = /^(https?):\/\/([^/?#]*)([^?#]*)/i.exec(trimmed);
  if (!m) return fail("must be an absolute http(s) URL");
  const [, scheme = "", authority = "", path = ""] = m;
  // Go's url.Parse lower-cases the scheme, and URL.String() is what runner-registration sends.
  const url = `${scheme.toLowerCase()}${trimmed.slice(scheme.length)}`;
  const host = authority.slice(authority.lastIndexOf("@") + 1);
  if (!host) fail("has no host");
  try {
    new URL(url);
  } catch {
    fail("is not a valid URL");
  }
  const segments = path.replace(/^\/+|\/+$/g, "").split("/");
  const base = { url, protocol: `${scheme.toLowerCase()}:`, host };
  if (segments.length === 1 && segments[0]) {
    return {
      ...base,
      scope: "organization",
      organization: segments[0],
      enterprise: "",
      repository: "",
    };
  }
  if (segments.length === 2 && segments[0] && segments[1]) {
    if (segments[0].toLowerCase() === "enterprises") {
      return {
        ...base,
        scope: "enterprise",
        organization: "",
        enterprise: segments[1],
        repository: "",
      };
    }
    return {
      ...base,
      scope: "repository",
      organization: segments[0],
      enterprise: "",
      repository: segments[1],
    };
  }
  return fail(SENTINEL);
}

/** The REST path of the registration-token endpoint for the config URL's scope (§1.1). */
export function registrationTokenPath(config: ConfigUrl): string {
  switch (config.scope) {
    case "organization":
      return `/orgs/${config.organization}/actions/runners/registration-token`;
    case "enterprise":
      return `/enterprises/${config.enterprise}/actions/runners/registration-token`;
    case "repository":
      return `/repos/${config.organization}/${config.repository}/actions/runners/registration-token`;
  }
}

/**
 * Whether the config URL points at github.com-like hosting (§1.2). `GITHUB_ACTIONS_FORCE_GHES`
 * being present in the environment (any value) forces GHES; it is re-read on every call.
 */
export function isHostedGitHub(config: Pick<ConfigUrl, "host">): boolean {
  if (readEnv("GITHUB_ACTIONS_FORCE_GHES") !== undefined) return false;
  const host = config.host.toLowerCase();
  return (
    host === "github.com" ||
    host === "www.github.com" ||
    host === "github.localhost" ||
    config.host.endsWith(".ghe.com")
  );
}

/** The GitHub REST API URL for `path` (starting with `/`) under the config URL's host (§1.2). */
export function githubApiUrl(config: Pick<ConfigUrl, "host" | "protocol">, path: string): string {
  const scheme = config.protocol;
  if (isHostedGitHub(config)) {
    const host = config.host.toLowerCase() === "www.github.com" ? "github.com" : config.host;
    return `${scheme}//api.${host}${path}`;
  }
  return `${scheme}//${config.host}/api/v3${path}`;
}

function readEnv(name: string): string | undefined {
  const proc = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process;
  return proc?.env?.[name];
}
