/**
 * The three config sources, each turned into a validated {@link RawConfig}: a YAML file, the
 * `SCALESET_*` / `GITHUB_TOKEN` environment, and command-line flags.
 * @module
 */
import { readFileSync } from "node:fs";
import { parse as parseYaml, YAMLParseError } from "yaml";
import type { z } from "zod";
import { DaemonConfigError } from "./config-error.js";
import {
  dockerSchema,
  type RawConfig,
  rawConfigSchema,
  scaleSetEntrySchema,
} from "./config-schema.js";

/** Keys settable from env vars and flags (the file may hold every key). */
const FLAT_KEYS = [
  "url",
  "token",
  "appClientId",
  "appInstallationId",
  "appPrivateKey",
  "appPrivateKeyFile",
  "logLevel",
  "logFormat",
  "metricsAddr",
  "drainTimeout",
  "deleteOnExit",
  "name",
  "labels",
  "runnerGroup",
  "minRunners",
  "maxRunners",
  "provider",
  "runnerImage",
  "runnerDir",
  "workDir",
] as const;
type FlatKey = (typeof FLAT_KEYS)[number];

const INT_KEYS = new Set<FlatKey>(["minRunners", "maxRunners", "appInstallationId"]);

/** `minRunners` → `--min-runners`. */
export function flagName(key: string): string {
  return `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
}

/** `minRunners` → `SCALESET_MIN_RUNNERS`. */
export function envName(key: string): string {
  return `SCALESET_${key.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}`;
}

function convert(key: FlatKey, value: unknown, field: string): unknown {
  if (typeof value !== "string") return value;
  if (key === "labels")
    return value
      .split(",")
      .map((l) => l.trim())
      .filter(Boolean);
  if (key === "deleteOnExit") return /^(1|true|yes|on)$/i.test(value);
  if (INT_KEYS.has(key)) {
    if (!/^\s*-?\d+\s*$/.test(value)) {
      throw new DaemonConfigError(field, `must be a whole number, got "${value}"`);
    }
    return Number(value);
  }
  return value;
}

/**
 * Validates one source. `where` names the offending key: a flag, an env var, or for the file
 * `config file X: scaleSets[1].name`.
 */
function validate(raw: Record<string, unknown>, where: (path: PropertyKey[]) => string): RawConfig {
  const result = rawConfigSchema.safeParse(raw);
  if (result.success) return result.data;
  const issue = result.error.issues[0] as z.core.$ZodIssue;
  if (issue.code === "unrecognized_keys") {
    const key = issue.keys[0] as string;
    throw new DaemonConfigError(where([...issue.path, key]), unknownKey(key, issue.path));
  }
  throw new DaemonConfigError(where(issue.path), issue.message.replace(/^Invalid input: /, ""));
}

/** `unknown key`, and the key meant when one is near (`provder` → `provider`). */
function unknownKey(key: string, path: PropertyKey[]): string {
  const shape =
    path.length === 0
      ? rawConfigSchema.shape
      : path.at(-1) === "docker"
        ? dockerSchema.shape
        : scaleSetEntrySchema.shape;
  const known = Object.keys(shape);
  const near = known
    .map((k) => ({ k, d: editDistance(key.toLowerCase(), k.toLowerCase()) }))
    .filter(({ d }) => d <= Math.max(1, Math.floor(key.length / 4)))
    .sort((a, b) => a.d - b.d)[0];
  if (near) return `unknown key; did you mean ${near.k}?`;
  return known.length <= 8
    ? `unknown key; the keys here are ${known.join(", ")}`
    : "unknown key; docs/configuration.md lists the keys";
}

/** Levenshtein distance. */
function editDistance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++) {
      next[j] = Math.min(
        (row[j] as number) + 1,
        (next[j - 1] as number) + 1,
        (row[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    }
    row = next;
  }
  return row[b.length] as number;
}

/** Reads and validates a YAML config file. */
export function configFromFile(path: string): RawConfig {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    const code = (err as { code?: string }).code ?? "unreadable";
    throw new DaemonConfigError("--config", `cannot read "${path}" (${code})`);
  }
  let data: unknown;
  try {
    data = parseYaml(text) ?? {};
  } catch (err) {
    throw new DaemonConfigError("--config", `"${path}" is not valid YAML: ${yamlProblem(err)}`);
  }
  if (typeof data !== "object" || data === null || Array.isArray(data)) {
    throw new DaemonConfigError("--config", `"${path}" must hold a YAML mapping`);
  }
  return validate(data as Record<string, unknown>, (p) =>
    p.length === 0 ? `config file ${path}` : `config file ${path}: ${keyPath(p)}`,
  );
}

/**
 * The parser's problem and where: `… end with a ] at line 3, column 1`, without the source excerpt
 * (it may hold a secret) and the colon that introduced it.
 */
function yamlProblem(err: unknown): string {
  const first = ((err as Error).message.split("\n")[0] ?? "").replace(/:\s*$/, "");
  const at = err instanceof YAMLParseError ? err.linePos?.[0] : undefined;
  if (!at) return first;
  return `${first.replace(/ at line \d+, column \d+$/, "")} at line ${at.line}, column ${at.col}`;
}

/** `["scaleSets", 1, "appInstallationId"]` → `scaleSets[1].appInstallationId`. */
function keyPath(path: PropertyKey[]): string {
  return path
    .map((p, i) => (typeof p === "number" ? `[${p}]` : `${i === 0 ? "" : "."}${String(p)}`))
    .join("");
}

/** `env[name]` (a function so the index access reads the same to tsc and biome). */
export function readVar(env: NodeJS.ProcessEnv, name: string): string | undefined {
  return env[name];
}

/** The `SCALESET_*` variables (and `GITHUB_TOKEN`, below `SCALESET_TOKEN`). */
export function configFromEnv(env: NodeJS.ProcessEnv): RawConfig {
  const raw: Record<string, unknown> = {};
  const githubToken = readVar(env, "GITHUB_TOKEN");
  if (githubToken) Object.assign(raw, { token: githubToken });
  for (const key of FLAT_KEYS) {
    const value = env[envName(key)];
    if (value !== undefined && value !== "") raw[key] = convert(key, value, envName(key));
  }
  return validate(raw, (p) => (p.length === 0 ? "environment" : envName(String(p[0]))));
}

/** Command-line flags as commander hands them out (camelCase keys, string values). */
export function configFromFlags(flags: Record<string, unknown>): RawConfig {
  const raw: Record<string, unknown> = {};
  for (const key of FLAT_KEYS) {
    const value = flags[key];
    if (value !== undefined) raw[key] = convert(key, value, flagName(key));
  }
  return validate(raw, (p) => (p.length === 0 ? "flags" : flagName(String(p[0]))));
}
