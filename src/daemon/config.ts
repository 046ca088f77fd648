/**
 * Loads the daemon configuration: config file → environment → flags (later wins), validated into
 * one deeply frozen {@link DaemonConfig}. Every error is a {@link DaemonConfigError} whose one-line
 * message names the field and never echoes a secret.
 * @module
 */
import { existsSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join, resolve } from "node:path";
import { parseConfigUrl } from "../client/config-url.js";
import { DaemonConfigError } from "./config-error.js";
import {
  type AuthConfig,
  type DaemonConfig,
  DEFAULT_RUNNER_IMAGE,
  type ProviderConfig,
  type RawConfig,
  type ScaleSetConfig,
} from "./config-schema.js";
import {
  configFromEnv,
  configFromFile,
  configFromFlags,
  envName,
  flagName,
  readVar,
} from "./config-sources.js";
import { parseDuration, parseHostPort } from "./duration.js";

/** Inputs of {@link loadConfig}. */
export interface LoadConfigOptions {
  /** Flags as commander parsed them (camelCase keys); `config` names the YAML file. */
  flags?: { config?: unknown; [key: string]: unknown };
  /** @default process.env */
  env?: NodeJS.ProcessEnv;
  /** Whether stdout is a terminal (for `logFormat: auto`). @default process.stdout.isTTY */
  isTty?: boolean;
}

/** Defaults of the scale set keys. */
export const CONFIG_DEFAULTS = {
  runnerGroup: "default",
  minRunners: 0,
  maxRunners: 10,
  provider: "docker",
  drainTimeout: "5m",
} as const;

/** Builds the frozen daemon config; throws {@link DaemonConfigError} on the first problem. */
export function loadConfig(options: LoadConfigOptions = {}): DaemonConfig {
  const raw = mergeSources(options);
  const field = (key: string) => flagName(key);

  const { url, auth } = resolveConnection(raw);
  const drainTimeoutMs = parseDuration(raw.drainTimeout ?? CONFIG_DEFAULTS.drainTimeout);
  if (drainTimeoutMs === undefined) {
    throw new DaemonConfigError(
      field("drainTimeout"),
      `"${raw.drainTimeout}" is not a duration (90s, 10m or seconds)`,
    );
  }
  let metricsAddr: DaemonConfig["metricsAddr"];
  if (raw.metricsAddr) {
    metricsAddr = parseHostPort(raw.metricsAddr);
    if (!metricsAddr)
      throw new DaemonConfigError(field("metricsAddr"), `"${raw.metricsAddr}" is not host:port`);
  }
  const logFormat = raw.logFormat ?? "auto";
  const scaleSets = resolveScaleSets(raw);
  return deepFreeze({
    url,
    auth,
    logLevel: raw.logLevel ?? "info",
    logFormat:
      logFormat === "auto"
        ? (options.isTty ?? process.stdout.isTTY)
          ? "pretty"
          : "json"
        : logFormat,
    metricsAddr,
    drainTimeoutMs,
    deleteOnExit: raw.deleteOnExit ?? false,
    scaleSets,
  });
}

/** The URL and credentials only (for the admin commands), from the same sources. */
export function loadConnection(options: LoadConfigOptions = {}): { url: string; auth: AuthConfig } {
  return deepFreeze(resolveConnection(mergeSources(options)));
}

function mergeSources(options: LoadConfigOptions): RawConfig {
  const flags = options.flags ?? {};
  const env = options.env ?? process.env;
  const file = (flags.config as string | undefined) ?? readVar(env, "SCALESET_CONFIG");
  const fromFile = file ? configFromFile(file) : {};
  return { ...fromFile, ...configFromEnv(env), ...configFromFlags(flags) };
}

function resolveConnection(raw: RawConfig): { url: string; auth: AuthConfig } {
  const field = (key: string) => flagName(key);
  if (!raw.url) {
    throw new DaemonConfigError(
      field("url"),
      `missing; set it, ${envName("url")} or url in a config file`,
    );
  }
  try {
    parseConfigUrl(raw.url);
  } catch {
    throw new DaemonConfigError(
      field("url"),
      `"${raw.url}" is not a GitHub organization, repository or enterprise URL (e.g. https://github.com/my-org)`,
    );
  }
  return { url: raw.url, auth: resolveAuth(raw) };
}

function resolveAuth(raw: RawConfig): AuthConfig {
  if (raw.token) return { kind: "token", token: raw.token };
  let privateKey = raw.appPrivateKey?.replace(/\\n/g, "\n");
  if (!privateKey && raw.appPrivateKeyFile) {
    try {
      privateKey = readFileSync(raw.appPrivateKeyFile, "utf8");
    } catch (err) {
      const code = (err as { code?: string }).code ?? "unreadable";
      throw new DaemonConfigError(
        flagName("appPrivateKeyFile"),
        `cannot read "${raw.appPrivateKeyFile}" (${code})`,
      );
    }
  }
  const app = { clientId: raw.appClientId, installationId: raw.appInstallationId, privateKey };
  if (!app.clientId && app.installationId === undefined && !app.privateKey) {
    throw new DaemonConfigError(
      "credentials",
      "missing; give --token (or GITHUB_TOKEN) or a GitHub App (--app-client-id, --app-installation-id, --app-private-key-file)",
    );
  }
  if (!app.clientId)
    throw new DaemonConfigError(flagName("appClientId"), "missing (needed for GitHub App auth)");
  if (app.installationId === undefined) {
    throw new DaemonConfigError(
      flagName("appInstallationId"),
      "missing (needed for GitHub App auth)",
    );
  }
  if (!app.privateKey) {
    throw new DaemonConfigError(
      flagName("appPrivateKey"),
      "missing; give it or --app-private-key-file",
    );
  }
  if (!/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(app.privateKey)) {
    throw new DaemonConfigError(
      raw.appPrivateKeyFile && !raw.appPrivateKey
        ? flagName("appPrivateKeyFile")
        : flagName("appPrivateKey"),
      "is not a PEM private key",
    );
  }
  return {
    kind: "app",
    clientId: app.clientId,
    installationId: app.installationId,
    privateKey: app.privateKey,
  };
}

function resolveScaleSets(raw: RawConfig): ScaleSetConfig[] {
  const { scaleSets, ...top } = raw;
  const entries = scaleSets ?? [{}];
  const seen = new Set<string>();
  return entries.map((entry, i) => {
    const where = (key: string) =>
      scaleSets && key in entry ? `scaleSets[${i}].${key}` : flagName(key);
    const set = { ...top, ...entry };
    if (!set.name) throw new DaemonConfigError(where("name"), "missing; name the scale set");
    if (seen.has(set.name))
      throw new DaemonConfigError(where("name"), `"${set.name}" is configured twice`);
    seen.add(set.name);
    const minRunners = set.minRunners ?? CONFIG_DEFAULTS.minRunners;
    const maxRunners = set.maxRunners ?? Math.max(CONFIG_DEFAULTS.maxRunners, minRunners);
    if (minRunners > maxRunners) {
      throw new DaemonConfigError(
        where("minRunners"),
        `${minRunners} is above ${flagName("maxRunners")} (${maxRunners})`,
      );
    }
    const type = set.provider ?? CONFIG_DEFAULTS.provider;
    let provider: ProviderConfig;
    if (type === "process") {
      if (!set.runnerDir)
        throw new DaemonConfigError(where("runnerDir"), "required with --provider process");
      const runnerDir = resolve(set.runnerDir);
      if (!existsSync(join(runnerDir, "run.sh"))) {
        throw new DaemonConfigError(
          where("runnerDir"),
          `"${set.runnerDir}" has no run.sh; unpack the actions/runner release there`,
        );
      }
      provider = {
        type,
        runnerDir,
        workDir: resolve(set.workDir ?? join(homedir(), ".scaleset", "runners", set.name)),
      };
    } else {
      provider = {
        type,
        image: set.runnerImage ?? DEFAULT_RUNNER_IMAGE,
        network: set.docker?.network,
        env: set.docker?.env ?? {},
        volumes: set.docker?.volumes ?? [],
        socketPath: set.docker?.socketPath,
      };
    }
    return {
      name: set.name,
      labels: set.labels ?? [],
      runnerGroup: set.runnerGroup ?? CONFIG_DEFAULTS.runnerGroup,
      minRunners,
      maxRunners,
      provider,
    };
  });
}

function deepFreeze<T>(value: T): T {
  if (typeof value === "object" && value !== null) {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}
