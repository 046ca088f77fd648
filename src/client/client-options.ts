/**
 * Constructor options of {@link ScaleSetClient} and small input validators.
 * @module
 */
import type { GitHubAppCredentials } from "./app-jwt.js";
import { ConfigError } from "./errors.js";
import type { HttpOptions } from "./http-options.js";
import type { SystemInfo } from "./types.js";

/** Options common to both ways of creating a client. */
export interface ScaleSetClientBaseOptions {
  /** `https://github.com/<org>`, `…/<org>/<repo>`, `…/enterprises/<enterprise>`, or a GHES/emulator URL. */
  configUrl: string;
  /** Identity sent in the JSON User-Agent. @default all empty, scaleSetId 0 */
  systemInfo?: SystemInfo;
  http?: HttpOptions;
}

/** Options of {@link ScaleSetClient.withToken}. */
export interface TokenClientOptions extends ScaleSetClientBaseOptions {
  /** A PAT (classic or fine-grained) allowed to create registration tokens for the scope. */
  token: string;
}

/** Options of {@link ScaleSetClient.withGitHubApp}. */
export interface GitHubAppClientOptions extends ScaleSetClientBaseOptions {
  app: GitHubAppCredentials;
}

/** @throws ConfigError unless `value` is a positive safe integer. */
export function requireId(field: string, value: number): void {
  if (!Number.isSafeInteger(value) || value <= 0) {
    throw new ConfigError(field, `must be a positive integer, got ${String(value)}`);
  }
}

/** @throws ConfigError unless `value` is a non-negative safe integer no larger than `max`. */
export function requireCount(field: string, value: number, max = Number.MAX_SAFE_INTEGER): void {
  if (!Number.isSafeInteger(value) || value < 0 || value > max) {
    throw new ConfigError(field, `must be an integer from 0 to ${max}, got ${String(value)}`);
  }
}

/** @throws ConfigError unless `value` is a non-empty string. */
export function requireName(field: string, value: string): void {
  if (typeof value !== "string" || value === "")
    throw new ConfigError(field, "must be a non-empty string");
}

/** @throws ConfigError unless `info` has the SystemInfo shape. */
export function validateSystemInfo(info: SystemInfo): SystemInfo {
  if (typeof info !== "object" || info === null)
    throw new ConfigError("systemInfo", "must be an object");
  for (const key of ["system", "version", "commitSha", "subsystem"] as const) {
    if (typeof info[key] !== "string")
      throw new ConfigError(`systemInfo.${key}`, "must be a string");
  }
  requireCount("systemInfo.scaleSetId", info.scaleSetId);
  const { system, version, commitSha, scaleSetId, subsystem } = info;
  return Object.freeze({ system, version, commitSha, scaleSetId, subsystem });
}
