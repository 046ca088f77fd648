/**
 * Builds a `ScaleSetClient` from the daemon's credentials.
 * @module
 */
import { type HttpOptions, ScaleSetClient } from "../client/index.js";
import { CLIENT_VERSION } from "../client/user-agent.js";
import type { Logger } from "../util/logger.js";
import type { AuthConfig, DaemonConfig } from "./config-schema.js";

/** Options of {@link createClient}. */
export interface CreateClientOptions {
  url: string;
  auth: AuthConfig;
  /** Scale set id for the User-Agent. @default 0 */
  scaleSetId?: number;
  /** `subsystem` in the User-Agent. @default "daemon" */
  subsystem?: string;
  logger?: Logger;
  /** Overrides of the client's HTTP options (e.g. fewer retries for a quick check). */
  http?: Omit<HttpOptions, "logger">;
}

/** A client authenticated with a PAT or a GitHub App, identifying itself as `scaleset`. */
export function createClient(options: CreateClientOptions): ScaleSetClient {
  const systemInfo = {
    system: "scaleset",
    version: CLIENT_VERSION,
    commitSha: "",
    scaleSetId: options.scaleSetId ?? 0,
    subsystem: options.subsystem ?? "daemon",
  };
  const http = { ...options.http, ...(options.logger ? { logger: options.logger } : {}) };
  const { auth } = options;
  if (auth.kind === "token") {
    return ScaleSetClient.withToken({
      configUrl: options.url,
      token: auth.token,
      systemInfo,
      http,
    });
  }
  const { clientId, installationId, privateKey } = auth;
  return ScaleSetClient.withGitHubApp({
    configUrl: options.url,
    app: { clientId, installationId, privateKey },
    systemInfo,
    http,
  });
}

/** Every secret in `auth`, for log scrubbing. */
export function authSecrets(auth: AuthConfig): string[] {
  return auth.kind === "token" ? [auth.token] : [auth.privateKey];
}

/** Every secret of every scale set's credentials in `config`, for log scrubbing. */
export function configSecrets(config: DaemonConfig): string[] {
  const all = [config.auth, ...config.scaleSets.map((s) => s.auth)];
  return [...new Set(all.flatMap((auth) => (auth ? authSecrets(auth) : [])))];
}
