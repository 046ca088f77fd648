/**
 * What every route needs: resolved options, URLs, state, engine, tokens, faults.
 * @module
 */
import type { JobEngine } from "./engine.js";
import type { FaultRegistry } from "./faults.js";
import { requestHostUrl } from "./public-url.js";
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
  /** Origin every handed-out URL uses (checked, no trailing slash). */
  publicUrl?: string;
}

/** Path prefixes the emulator serves. */
export const PATHS = {
  rest: "/api/v3",
  service: "/_services/pipelines",
  agent: "/_agent",
  control: "/_control",
} as const;

/** Shared by all routes. `url` and `urlFromRequest` are filled in once the server listens. */
export interface ServiceContext {
  options: ResolvedOptions;
  /** The emulator's own base URL: `publicUrl`, else the listen URL (wildcard → 127.0.0.1). */
  url: string;
  /** Hand out URLs on the host each request was sent to (wildcard listen, no `publicUrl`). */
  urlFromRequest: boolean;
  state: ServiceState;
  engine: JobEngine;
  tokens: TokenIssuer;
  faults: FaultRegistry;
}

/**
 * Base URL (no trailing slash) of the URLs handed out in answer to a request: `ctx.url`, or on a
 * wildcard listener without `publicUrl` the host the request was sent to, so a client on another
 * machine gets URLs it can reach (scheme from the emulator's own TLS setting).
 */
export function publicBase(ctx: ServiceContext, c: { req: { url: string } }): string {
  if (!ctx.urlFromRequest) return ctx.url;
  return requestHostUrl(c.req.url, ctx.options.tls ? "https" : "http") ?? ctx.url;
}

/** Actions-service base URL returned by runner-registration (trailing slash). */
export function serviceBase(base: string): string {
  return `${base}${PATHS.service}/`;
}

/** hono env of the emulator app: the operation a route serves, for recording and faults. */
export interface AppEnv {
  Variables: { operation?: Operation };
}
