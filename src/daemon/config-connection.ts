/**
 * The connection (config URL and credentials) of the top level and of each `scaleSets` entry.
 *
 * An entry's `url` is its own, else the top-level one. Its credentials are taken as a whole, never
 * mixed with another entry's or the top level's token:
 * - an entry with no credential key uses the top-level credentials;
 * - `token` alone: that token (a token together with `app*` keys is an error);
 * - `appClientId`, `appPrivateKey` or `appPrivateKeyFile`: a GitHub App given by the entry alone
 *   (client ID, installation ID and key all required there);
 * - `appInstallationId` alone: the top-level App (its client ID and key) installed elsewhere, so
 *   one App installed in several organizations needs only the installation ID per entry.
 *
 * Errors name the entry's key (`scaleSets[1].appClientId`) or, for the top level, the flag, and
 * never echo a secret.
 * @module
 */
import { createHash, createPrivateKey } from "node:crypto";
import { readFileSync } from "node:fs";
import { parseConfigUrl } from "../client/config-url.js";
import { DaemonConfigError } from "./config-error.js";
import type { AuthConfig, Connection, RawConfig, RawScaleSetEntry } from "./config-schema.js";
import { envName, flagName } from "./config-sources.js";

const CREDENTIAL_KEYS = [
  "token",
  "appClientId",
  "appInstallationId",
  "appPrivateKey",
  "appPrivateKeyFile",
] as const;
type CredentialKey = (typeof CREDENTIAL_KEYS)[number];
type Credentials = Pick<RawConfig, CredentialKey>;
/** The keys that name an App (as opposed to one installation of it). */
const APP_IDENTITY_KEYS = ["appClientId", "appPrivateKey", "appPrivateKeyFile"] as const;

/** How errors name a key: the flag at the top level, `scaleSets[i].key` in an entry. */
type KeyName = (key: CredentialKey | "url") => string;

/** The top-level connection (a flag-only setup, and the admin commands without a scale set). */
export function topConnection(raw: RawConfig): Connection {
  return {
    url: checkUrl(topUrl(raw), flagName("url")),
    auth: resolveAuth(raw, flagName, flagName),
  };
}

/**
 * One connection per scale set: per `scaleSets` entry, or the top level's alone when there are
 * none. Entries with equal connections get the same object (their scale sets share one client).
 */
export function resolveConnections(raw: RawConfig): Connection[] {
  const entries = raw.scaleSets;
  if (!entries) return [topConnection(raw)];
  let top: AuthConfig | undefined;
  const topAuth = () => {
    top ??= resolveAuth(raw, flagName, flagName);
    return top;
  };
  const shared = new Map<string, Connection>();
  return entries.map((_, i) => {
    const connection = {
      url: entryUrl(raw, entries, i),
      auth: entryAuth(raw, entries, i, topAuth),
    };
    const key = connectionKey(connection);
    const known = shared.get(key);
    if (known) return known;
    shared.set(key, connection);
    return connection;
  });
}

/**
 * Identifies a connection: normalized config URL and credentials, hashed (the key holds no
 * secret in the clear). Equal keys may share one `ScaleSetClient`.
 */
export function connectionKey({ url, auth }: Connection): string {
  let normalized = url;
  try {
    normalized = parseConfigUrl(url).url;
  } catch {
    // Validated by loadConfig; a hand-built config keeps its URL as written.
  }
  const credentials =
    auth.kind === "token"
      ? ["token", auth.token]
      : ["app", auth.clientId, auth.installationId, auth.privateKey];
  return createHash("sha256")
    .update(JSON.stringify([normalized, ...credentials]))
    .digest("hex");
}

function topUrl(raw: RawConfig): string {
  if (!raw.url) {
    throw new DaemonConfigError(
      flagName("url"),
      `missing; set it, ${envName("url")} or url in a config file`,
    );
  }
  return raw.url;
}

function checkUrl(url: string, field: string): string {
  try {
    parseConfigUrl(url);
  } catch {
    throw new DaemonConfigError(
      field,
      `"${url}" is not a GitHub organization, repository or enterprise URL (e.g. https://github.com/my-org)`,
    );
  }
  return url;
}

function entryUrl(raw: RawConfig, entries: RawScaleSetEntry[], i: number): string {
  const own = entries[i]?.url;
  if (own !== undefined) return checkUrl(own, `scaleSets[${i}].url`);
  // When no entry sets a URL, a missing one is the top level's to fix.
  if (!raw.url && entries.some((e) => e.url !== undefined)) {
    throw new DaemonConfigError(
      `scaleSets[${i}].url`,
      `missing; set it in this entry, or url at the top level (${flagName("url")}, ${envName("url")})`,
    );
  }
  return checkUrl(topUrl(raw), flagName("url"));
}

function entryAuth(
  raw: RawConfig,
  entries: RawScaleSetEntry[],
  i: number,
  topAuth: () => AuthConfig,
): AuthConfig {
  const entry = entries[i] ?? {};
  const at = (key: string) => `scaleSets[${i}].${key}`;
  const own = CREDENTIAL_KEYS.filter((key) => entry[key] !== undefined);
  if (own.length === 0) {
    const topHasAny = CREDENTIAL_KEYS.some((key) => raw[key] !== undefined);
    const othersHave = entries.some((e) => CREDENTIAL_KEYS.some((key) => e[key] !== undefined));
    if (!topHasAny && othersHave) {
      throw new DaemonConfigError(
        `scaleSets[${i}]`,
        "no credentials; set token (or appClientId, appInstallationId and appPrivateKeyFile) in this entry or at the top level",
      );
    }
    return topAuth();
  }
  if (entry.token !== undefined) {
    const app = own.find((key) => key !== "token");
    if (app) {
      throw new DaemonConfigError(
        at(app),
        "set together with token; give this entry either a token or GitHub App keys",
      );
    }
    return { kind: "token", token: entry.token };
  }
  if (APP_IDENTITY_KEYS.some((key) => entry[key] !== undefined)) {
    return resolveApp(entry, at, (key) => key);
  }
  // Only appInstallationId: another installation of the top-level App.
  if (!raw.appClientId || (!raw.appPrivateKey && !raw.appPrivateKeyFile)) {
    throw new DaemonConfigError(
      at("appInstallationId"),
      "needs a GitHub App: set appClientId and appPrivateKeyFile in this entry or at the top level",
    );
  }
  const inherited: Credentials = {
    appClientId: raw.appClientId,
    appInstallationId: entry.appInstallationId,
    ...(raw.appPrivateKey === undefined ? {} : { appPrivateKey: raw.appPrivateKey }),
    ...(raw.appPrivateKeyFile === undefined ? {} : { appPrivateKeyFile: raw.appPrivateKeyFile }),
  };
  return resolveApp(
    inherited,
    (key) => (key === "appInstallationId" ? at(key) : flagName(key)),
    flagName,
  );
}

/** The top level's credentials: a token wins over App keys (e.g. GITHUB_TOKEN beside a file). */
function resolveAuth(raw: Credentials, where: KeyName, name: KeyName): AuthConfig {
  if (raw.token) return { kind: "token", token: raw.token };
  if (!CREDENTIAL_KEYS.some((key) => raw[key] !== undefined)) {
    throw new DaemonConfigError(
      "credentials",
      "missing; give --token (or GITHUB_TOKEN) or a GitHub App (--app-client-id, --app-installation-id, --app-private-key-file)",
    );
  }
  return resolveApp(raw, where, name);
}

/** App credentials from `keys`; `where` names a key in errors, `name` refers to another key. */
function resolveApp(keys: Credentials, where: KeyName, name: KeyName): AuthConfig {
  let privateKey = keys.appPrivateKey?.replace(/\\n/g, "\n");
  if (!privateKey && keys.appPrivateKeyFile) {
    try {
      privateKey = readFileSync(keys.appPrivateKeyFile, "utf8");
    } catch (err) {
      const code = (err as { code?: string }).code ?? "unreadable";
      throw new DaemonConfigError(
        where("appPrivateKeyFile"),
        `cannot read "${keys.appPrivateKeyFile}" (${code})`,
      );
    }
  }
  const clientId = keys.appClientId;
  const installationId = keys.appInstallationId;
  if (!clientId)
    throw new DaemonConfigError(where("appClientId"), "missing (needed for GitHub App auth)");
  if (installationId === undefined) {
    throw new DaemonConfigError(where("appInstallationId"), "missing (needed for GitHub App auth)");
  }
  if (!privateKey) {
    throw new DaemonConfigError(
      where("appPrivateKey"),
      `missing; give it or ${name("appPrivateKeyFile")}`,
    );
  }
  if (!isRsaPrivateKey(privateKey)) {
    // Checked here, not at the first token exchange: a malformed key failed there with the base64
    // decoder's "The string to be decoded is not correctly encoded" (exit 1), naming nothing.
    const fromFile = keys.appPrivateKeyFile !== undefined && !keys.appPrivateKey;
    throw new DaemonConfigError(
      fromFile ? where("appPrivateKeyFile") : where("appPrivateKey"),
      `${fromFile ? `"${keys.appPrivateKeyFile}" is` : "is"} not a usable key; expected a PEM RSA private key, as downloaded from the GitHub App settings`,
    );
  }
  return { kind: "app", clientId, installationId, privateKey };
}

/** A PEM RSA private key (PKCS#1 or PKCS#8, unencrypted), as GitHub App JWTs are signed with. */
function isRsaPrivateKey(pem: string): boolean {
  // The forms the App client imports; a bare base64 blob or DER would not be found there.
  if (!/-----BEGIN (RSA )?PRIVATE KEY-----/.test(pem)) return false;
  try {
    return createPrivateKey({ key: pem, format: "pem" }).asymmetricKeyType === "rsa";
  } catch {
    return false;
  }
}
