/**
 * Go's environment proxy rules (`net/http.ProxyFromEnvironment`): `HTTP_PROXY` applies to http
 * requests only and `HTTPS_PROXY` to https requests only (no fallback from one to the other),
 * upper-case names win over lower-case ones, and an empty value counts as unset.
 * @module
 */
import { Dispatcher } from "undici";

/** `NAME` or `name` from the environment, the first non-empty one (Go's `getEnvAny`). */
export function goEnv(upperName: string): string | undefined {
  return process.env[upperName] || process.env[upperName.toLowerCase()] || undefined;
}

/**
 * Sends https origins through `https` and every other origin through `http`. Used so that an
 * https request does not fall back to `HTTP_PROXY` (undici's `EnvHttpProxyAgent` does).
 */
export class SchemeRouter extends Dispatcher {
  readonly #http: Dispatcher;
  readonly #https: Dispatcher;

  constructor(http: Dispatcher, https: Dispatcher) {
    super();
    this.#http = http;
    this.#https = https;
  }

  override dispatch(
    options: Dispatcher.DispatchOptions,
    handler: Dispatcher.DispatchHandler,
  ): boolean {
    const https = String(options.origin ?? "").startsWith("https:");
    return (https ? this.#https : this.#http).dispatch(options, handler);
  }

  override close(): Promise<void>;
  override close(callback: () => void): void;
  override close(callback?: () => void): Promise<void> | undefined {
    return settle(Promise.all([this.#http.close(), this.#https.close()]), callback);
  }

  override destroy(): Promise<void>;
  override destroy(err: Error | null): Promise<void>;
  override destroy(callback: () => void): void;
  override destroy(err: Error | null, callback: () => void): void;
  override destroy(
    errOrCallback?: Error | null | (() => void),
    callback?: () => void,
  ): Promise<void> | undefined {
    const err = typeof errOrCallback === "function" ? null : (errOrCallback ?? null);
    const cb = typeof errOrCallback === "function" ? errOrCallback : callback;
    return settle(Promise.all([this.#http.destroy(err), this.#https.destroy(err)]), cb);
  }
}

function settle(all: Promise<unknown>, callback?: () => void): Promise<void> | undefined {
  const done = all.then(() => undefined);
  if (!callback) return done;
  done.then(callback, callback);
  return undefined;
}
