/**
 * The daemon's config shapes: the raw input (config file, env and flags, all with the same camelCase
 * keys) validated by zod, and the resolved, frozen {@link DaemonConfig}.
 * @module
 */
import { z } from "zod";

const name = z
  .string()
  .min(1, "must not be empty")
  .max(45, "must be at most 45 characters")
  .regex(/^[A-Za-z0-9._-]+$/, "may only contain letters, digits, '.', '_' and '-'");
const count = z
  .number()
  .int("must be a whole number")
  .min(0, "must be 0 or more")
  .max(2 ** 31 - 1);

/** Docker provider settings. */
export const dockerSchema = z.strictObject({
  /** Network mode, e.g. `host` or `bridge`. */
  network: z.string().min(1).optional(),
  /** Extra environment for every runner container. */
  env: z.record(z.string(), z.string()).optional(),
  /** Bind mounts `host:container[:ro]`. */
  volumes: z.array(z.string().min(1)).optional(),
  /** Docker engine socket. */
  socketPath: z.string().min(1).optional(),
});

/** Keys that describe one scale set (top level = defaults for every entry of `scaleSets`). */
export const scaleSetFields = {
  name: name.optional(),
  labels: z.array(z.string().min(1)).optional(),
  runnerGroup: z.string().min(1).optional(),
  minRunners: count.optional(),
  maxRunners: count.optional(),
  provider: z.enum(["docker", "process"]).optional(),
  runnerImage: z.string().min(1).optional(),
  runnerDir: z.string().min(1).optional(),
  workDir: z.string().min(1).optional(),
  docker: dockerSchema.optional(),
};

/**
 * The connection keys: config URL and credentials (top level = defaults for every entry of
 * `scaleSets`; see `config-connection.ts` for how an entry's credentials combine with them).
 */
export const connectionFields = {
  url: z.string().min(1).optional(),
  token: z.string().min(1).optional(),
  appClientId: z.string().min(1).optional(),
  appInstallationId: z.number().int().positive().optional(),
  appPrivateKey: z.string().min(1).optional(),
  appPrivateKeyFile: z.string().min(1).optional(),
};

/** One entry of `scaleSets`: a scale set and, optionally, its own connection. */
export const scaleSetEntrySchema = z.strictObject({ ...connectionFields, ...scaleSetFields });

/** The raw config: what a YAML file may hold, and what env vars and flags map to. */
export const rawConfigSchema = z.strictObject({
  ...connectionFields,
  logLevel: z.enum(["trace", "debug", "info", "warn", "error", "fatal", "silent"]).optional(),
  logFormat: z.enum(["json", "pretty", "auto"]).optional(),
  metricsAddr: z.string().min(1).optional(),
  drainTimeout: z.union([z.string(), z.number()]).optional(),
  deleteOnExit: z.boolean().optional(),
  ...scaleSetFields,
  scaleSets: z.array(scaleSetEntrySchema).min(1).optional(),
});

/** Raw config input (every key optional). */
export type RawConfig = z.infer<typeof rawConfigSchema>;
/** One raw `scaleSets` entry. */
export type RawScaleSetEntry = z.infer<typeof scaleSetEntrySchema>;

/** How the daemon authenticates. Secrets: never log these. */
export type AuthConfig =
  | { kind: "token"; token: string }
  | { kind: "app"; clientId: string; installationId: number; privateKey: string };

/** Where and how runners of one scale set run. */
export type ProviderConfig =
  | {
      type: "docker";
      image: string;
      network: string | undefined;
      env: Record<string, string>;
      volumes: string[];
      socketPath: string | undefined;
    }
  | { type: "process"; runnerDir: string; workDir: string };

/** Where a scale set lives and how to authenticate there. Secrets: never log `auth`. */
export interface Connection {
  url: string;
  auth: AuthConfig;
}

/** One scale set the daemon runs. */
export interface ScaleSetConfig {
  /**
   * Config URL of this scale set: the entry's own `url`, else the top-level one. Always set by
   * `loadConfig`; when absent (a hand-built config) {@link DaemonConfig.url} applies.
   */
  url?: string;
  /** Credentials of this scale set, like {@link url}; when absent {@link DaemonConfig.auth}. */
  auth?: AuthConfig;
  name: string;
  labels: string[];
  runnerGroup: string;
  minRunners: number;
  maxRunners: number;
  provider: ProviderConfig;
}

/** The resolved daemon configuration (deeply frozen). */
export interface DaemonConfig {
  /**
   * The default connection: the one of scale sets that carry none. `loadConfig` sets it to the
   * first scale set's (in a flag-only setup, the only one); use {@link connectionOf} per scale set.
   */
  url: string;
  auth: AuthConfig;
  logLevel: "trace" | "debug" | "info" | "warn" | "error" | "fatal" | "silent";
  logFormat: "json" | "pretty";
  metricsAddr: { host: string; port: number } | undefined;
  drainTimeoutMs: number;
  deleteOnExit: boolean;
  scaleSets: ScaleSetConfig[];
}

/** Default runner image (the official runner). */
export const DEFAULT_RUNNER_IMAGE = "ghcr.io/actions/actions-runner:latest";

/** The connection of `set`: its own URL and credentials, else the config's defaults. */
export function connectionOf(config: DaemonConfig, set: ScaleSetConfig): Connection {
  return { url: set.url ?? config.url, auth: set.auth ?? config.auth };
}
