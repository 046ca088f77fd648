/**
 * What every route needs: resolved options, URLs, state, engine, tokens, faults.
 * @module
 */
import type { JobEngine } from "./engine.js";
import type { FaultRegistry } from "./faults.js";
import type { ServiceState } from "./state.js";
import type { TokenIssuer } from "./tokens.js";
import type { EmulatorMode, Operation } from "./types.js";

/** Emulator options with defaults applied. */
export interface ResolvedOptions {
  host: string;
  port: number;
  mode: EmulatorMode;
  org: string;
  tokens: string[];
  app?: { clientId: string; installationId: number; publicKeyPem: string };
  longPollMs: number;
  sessionTtlMs: number;
  adminTokenTtlMs: number;
  queueTokenTtlMs: number;
  pickupTimeoutMs: number;
  runnerLostTimeoutMs: number;
  stateFile?: string;
  recordFile?: string;
  tls: boolean;
}

/** Path prefixes the emulator serves. */
export const PATHS = {
  rest: "/api/v3",
  service: "/_services/pipelines",
  agent: "/_agent",
  control: "/_control",
} as const;

/** Shared by all routes. `url` is filled in once the server listens. */
export interface ServiceContext {
  options: ResolvedOptions;
  url: string;
  state: ServiceState;
  engine: JobEngine;
  tokens: TokenIssuer;
  faults: FaultRegistry;
}

/** Actions-service base URL returned by runner-registration (trailing slash). */
export function serviceBase(ctx: ServiceContext): string {
  return `${ctx.url}${PATHS.service}/`;
}

/** hono env of the emulator app: the operation a route serves, for recording and faults. */
export interface AppEnv {
  Variables: { operation?: Operation };
}
