/**
 * HTTP options of the client (DESIGN.md §3) and their up-front validation.
 * @module
 */
import type { Dispatcher } from "undici";
import { type Logger, silentLogger } from "../util/logger.js";
import { ConfigError } from "./errors.js";

/** A `fetch` the caller brings (e.g. an in-process adapter); must honour `init.signal`. */
export type FetchLike = (input: string, init: RequestInit) => Promise<Response>;

/** HTTP behaviour of a client. Every field is optional; defaults follow the Go reference. */
export interface HttpOptions {
  /** Retries after the first attempt. @default 4 */
  retryMax?: number;
  /** Cap on the exponential backoff (1 s, 2 s, 4 s, …); `Retry-After` is not capped. @default 30000 */
  retryWaitMaxMs?: number;
  /** Per-attempt timeout, sized for the ~50 s long poll. @default 300000 */
  timeoutMs?: number;
  /**
   * Proxy URL for every request (except `noProxy` hosts), or `false` for none.
   * @default HTTP_PROXY / HTTPS_PROXY / NO_PROXY from the environment (loopback never proxied)
   */
  proxy?: string | false;
  /** Hosts that bypass an explicit `proxy` (NO_PROXY syntax). @default NO_PROXY from the environment */
  noProxy?: string;
  /** Extra PEM CA certificates, added to Node's bundled roots (not replacing them). */
  ca?: string | string[];
  /** Verify TLS certificates. @default true */
  rejectUnauthorized?: boolean;
  /** Receives retry and failure lines (never secrets). @default silent */
  logger?: Logger;
  /** Bring your own fetch; then `proxy`/`ca`/`rejectUnauthorized` are the fetch's business. */
  fetch?: FetchLike;
  /**
   * An undici 7 dispatcher to send through (share one across many clients to share connections).
   * @default one shared dispatcher per (proxy, noProxy, ca, rejectUnauthorized) combination
   */
  dispatcher?: Dispatcher;
}

/** Options with defaults applied. */
export interface ResolvedHttpOptions {
  retryMax: number;
  retryWaitMaxMs: number;
  timeoutMs: number;
  proxy: string | false | undefined;
  noProxy: string | undefined;
  ca: string[];
  rejectUnauthorized: boolean;
  logger: Logger;
  fetch: FetchLike | undefined;
  dispatcher: Dispatcher | undefined;
}

/**
 * Validates and fills defaults.
 * @throws ConfigError naming the field (`http.retryMax`, …) on an invalid value.
 */
export function resolveHttpOptions(options: HttpOptions = {}): ResolvedHttpOptions {
  const o = options;
  const bad = (field: string, msg: string): never => {
    throw new ConfigError(`http.${field}`, msg);
  };
  const int = (field: string, v: number | undefined, def: number, min: number): number => {
    if (v === undefined) return def;
    if (typeof v !== "number" || !Number.isInteger(v) || v < min) {
      return bad(field, `must be an integer >= ${min}, got ${String(v)}`);
    }
    return v;
  };
  if (o.proxy !== undefined && o.proxy !== false) {
    if (typeof o.proxy !== "string" || !/^(https?|socks5?):\/\/[^/]/i.test(o.proxy)) {
      bad("proxy", "must be an http(s) or socks5 URL, or false");
    }
  }
  if (o.noProxy !== undefined && typeof o.noProxy !== "string") bad("noProxy", "must be a string");
  const ca = o.ca === undefined ? [] : Array.isArray(o.ca) ? o.ca : [o.ca];
  for (const pem of ca) {
    if (typeof pem !== "string" || !pem.includes("-----BEGIN CERTIFICATE-----")) {
      bad("ca", "must be PEM certificate text (-----BEGIN CERTIFICATE-----)");
    }
  }
  if (o.rejectUnauthorized !== undefined && typeof o.rejectUnauthorized !== "boolean") {
    bad("rejectUnauthorized", "must be a boolean");
  }
  const logger = o.logger ?? silentLogger;
  for (const m of ["debug", "info", "warn", "error"] as const) {
    if (typeof logger[m] !== "function") bad("logger", `must have a ${m}() method`);
  }
  if (o.fetch !== undefined && typeof o.fetch !== "function") bad("fetch", "must be a function");
  if (o.dispatcher !== undefined && typeof o.dispatcher?.dispatch !== "function") {
    bad("dispatcher", "must be an undici Dispatcher");
  }
  return {
    retryMax: int("retryMax", o.retryMax, 4, 0),
    retryWaitMaxMs: int("retryWaitMaxMs", o.retryWaitMaxMs, 30_000, 0),
    timeoutMs: int("timeoutMs", o.timeoutMs, 300_000, 1),
    proxy: o.proxy,
    noProxy: o.noProxy,
    ca,
    rejectUnauthorized: o.rejectUnauthorized ?? true,
    logger,
    fetch: o.fetch,
    dispatcher: o.dispatcher,
  };
}
