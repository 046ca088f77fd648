/**
 * Loads the daemon configuration: config file → environment → flags (later wins), validated into
 * one deeply frozen {@link DaemonConfig}. Every error is a {@link DaemonConfigError} whose one-line
 * message names the field and never echoes a secret.
 * @module
 */
import { accessSync, constants, existsSync } from "node:fs";
import { homedir } from "node:os";
import { join, resolve } from "node:path";
import { parseConfigUrl } from "../client/config-url.js";
import { connectionKey, resolveConnections, topConnection } from "./config-connection.js";
import { DaemonConfigError } from "./config-error.js";
import {
  type Connection,
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

  const connections = resolveConnections(raw);
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
  const scaleSets = resolveScaleSets(raw, connections);
  const first = scaleSets[0] as ScaleSetConfig;
  return deepFreeze({
    url: first.url as string,
    auth: first.auth as Connection["auth"],
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

/**
 * The URL and credentials only (for the admin commands), from the same sources: those of the
 * `scaleSets` entry named `scaleSet` when the config file has one (several entries of that name
 * at different URLs: the one at the top-level `url`), else the top-level ones.
 */
export function loadConnection(options: LoadConfigOptions = {}, scaleSet?: string): Connection {
  const raw = mergeSources(options);
  const entries = raw.scaleSets ?? [];
  const named = entries.flatMap((e, i) => ((e.name ?? raw.name) === scaleSet ? [i] : []));
  if (scaleSet === undefined || named.length === 0) return deepFreeze(topConnection(raw));
  const connections = resolveConnections(raw);
  const candidates = named.map((i) => connections[i] as Connection);
  const atTopUrl = candidates.filter((c) => raw.url !== undefined && sameUrl(c.url, raw.url));
  const chosen = candidates.length === 1 ? candidates[0] : atTopUrl[0];
  if (!chosen || atTopUrl.length > 1) {
    throw new DaemonConfigError(
      `scale set "${scaleSet}"`,
      `in ${named.map((i) => `scaleSets[${i}]`).join(" and ")} at different URLs; give ${flagName("url")} to pick one`,
    );
  }
  return deepFreeze(chosen);
}

/**
 * Every distinct connection of the configuration (for `doctor`), each with the names of the scale
 * sets using it: one per URL and credentials of the `scaleSets` entries, else the top level's.
 */
export function loadConnections(
  options: LoadConfigOptions = {},
): Array<Connection & { scaleSets: string[] }> {
  const raw = mergeSources(options);
  const connections = resolveConnections(raw);
  const byKey = new Map<string, Connection & { scaleSets: string[] }>();
  connections.forEach((connection, i) => {
    const key = connectionKey(connection);
    const found = byKey.get(key) ?? { ...connection, scaleSets: [] };
    byKey.set(key, found);
    const name = raw.scaleSets?.[i]?.name ?? raw.name;
    if (name !== undefined) found.scaleSets.push(name);
  });
  return deepFreeze([...byKey.values()]);
}

function sameUrl(a: string, b: string): boolean {
  try {
    return parseConfigUrl(a).url.toLowerCase() === parseConfigUrl(b).url.toLowerCase();
  } catch {
    return a === b;
  }
}

function mergeSources(options: LoadConfigOptions): RawConfig {
  const flags = options.flags ?? {};
  const env = options.env ?? process.env;
  const file = (flags.config as string | undefined) ?? readVar(env, "SCALESET_CONFIG");
  const fromFile = file ? configFromFile(file) : {};
  return { ...fromFile, ...configFromEnv(env), ...configFromFlags(flags) };
}

function resolveScaleSets(raw: RawConfig, connections: Connection[]): ScaleSetConfig[] {
  const { scaleSets, ...top } = raw;
  const entries = scaleSets ?? [{}];
  /** `url + name` → entry index: a scale set is one name at one config URL. */
  const seen = new Map<string, number>();
  /** Process `workDir` → entry index, for entries of the same name at different URLs. */
  const workDirs = new Map<string, { index: number; name: string }>();
  return entries.map((entry, i) => {
    const where = (key: string) =>
      scaleSets && key in entry ? `scaleSets[${i}].${key}` : flagName(key);
    const { url, auth } = connections[i] as Connection;
    const set = { ...top, ...entry };
    if (!set.name) throw new DaemonConfigError(where("name"), "missing; name the scale set");
    const id = `${parseConfigUrl(url).url.toLowerCase()}\n${set.name}`;
    const twin = seen.get(id);
    if (twin !== undefined) {
      throw new DaemonConfigError(
        where("name"),
        `"${set.name}" is configured twice (also scaleSets[${twin}], at the same url); give it another name`,
      );
    }
    seen.set(id, i);
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
      const runSh = join(runnerDir, "run.sh");
      if (!existsSync(runSh)) {
        throw new DaemonConfigError(
          where("runnerDir"),
          `"${set.runnerDir}" has no run.sh; unpack the actions/runner release there`,
        );
      }
      if (!isExecutable(runSh)) {
        // Else every runner start fails with EACCES, long after the daemon said it was running.
        throw new DaemonConfigError(
          where("runnerDir"),
          `"${runSh}" is not executable; chmod +x ${runSh}`,
        );
      }
      const workDir = resolve(set.workDir ?? join(homedir(), ".scaleset", "runners", set.name));
      const other = workDirs.get(workDir);
      if (other?.name === set.name) {
        throw new DaemonConfigError(
          `scaleSets[${i}].workDir`,
          `"${workDir}" is also the work dir of scaleSets[${other.index}] (same name); set a workDir of its own`,
        );
      }
      workDirs.set(workDir, { index: i, name: set.name });
      provider = { type, runnerDir, workDir };
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
      url,
      auth,
      name: set.name,
      labels: set.labels ?? [],
      runnerGroup: set.runnerGroup ?? CONFIG_DEFAULTS.runnerGroup,
      minRunners,
      maxRunners,
      provider,
    };
  });
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function deepFreeze<T>(value: T): T {
  if (typeof value === "object" && value !== null) {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}
