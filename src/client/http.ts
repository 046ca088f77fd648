/**
 * The HTTP transport: one request with per-attempt timeout, retries (retry-policy.ts), abort,
 * BOM stripping and gzip decoding. Sends through an undici dispatcher (`dispatcher.request`,
 * which puts exactly our headers on the wire, unlike `fetch`, which adds `Accept: *\/*`,
 * `Accept-Language` and `Sec-Fetch-Mode`), or through a caller-supplied `fetch`.
 * @module
 */
import { promisify } from "node:util";
import { gunzip } from "node:zlib";
import type { Dispatcher } from "undici";
import { childSignal, TimeoutError } from "../util/abort.js";
import { retry } from "../util/retry.js";
import { AttemptSignal } from "./attempt-signal.js";
import { ScaleSetError } from "./errors.js";
import { sharedDispatcher } from "./http-dispatcher.js";
import type { ResolvedHttpOptions } from "./http-options.js";
import { redactUrl } from "./redact.js";
import {
  backoffMs,
  isRetryableNetworkError,
  isRetryableStatus,
  retryAfterMs,
} from "./retry-policy.js";

const gunzipAsync = promisify(gunzip);

/** One HTTP request as the client builds it. */
export interface HttpRequest {
  method: "GET" | "POST" | "PATCH" | "DELETE";
  url: string;
  /** `url` already split for the dispatcher (skips a URL parse per request); must match `url`. */
  target?: { origin: string; path: string } | undefined;
  headers: Record<string, string>;
  /** Request body; POST/PATCH without one send `Content-Length: 0`. */
  body?: string | undefined;
  /** Statuses retried on top of the default policy (runner-registration: 401, 403). */
  extraRetryStatuses?: readonly number[];
}

/** A fully read response. `body` is UTF-8 text with one leading BOM removed. */
export interface HttpResponse {
  status: number;
  statusText: string;
  header(name: string): string | undefined;
  body: string;
}

class RetryableStatus extends Error {
  readonly response: HttpResponse;
  constructor(response: HttpResponse) {
    super(`status ${response.status}`);
    this.response = response;
  }
}

/** Sends requests with the client's HTTP options. Stateless apart from the dispatcher. */
export class HttpTransport {
  readonly options: ResolvedHttpOptions;
  readonly #dispatcher: Dispatcher | undefined;

  constructor(options: ResolvedHttpOptions) {
    this.options = options;
    this.#dispatcher = options.fetch
      ? options.dispatcher
      : (options.dispatcher ?? sharedDispatcher(options));
  }

  /**
   * Sends `req`, retrying per the policy. Returns the final response whatever its status (when
   * retries run out on a retryable status, that last response is returned so its status and
   * body reach the caller's error). Rejects with `signal.reason` as soon as the signal aborts,
   * including during a retry wait.
   * @throws ScaleSetError `NETWORK_ERROR` when no response arrived after the last attempt.
   */
  async send(req: HttpRequest, signal?: AbortSignal): Promise<HttpResponse> {
    // The first attempt runs without the retry machinery (the common case succeeds at once).
    if (signal?.aborted) throw signal.reason;
    let first: HttpResponse | undefined;
    let firstError: unknown;
    try {
      first = await this.#attempt(req, signal);
      if (!isRetryableStatus(first.status, req.extraRetryStatuses)) return first;
      firstError = new RetryableStatus(first);
    } catch (error) {
      firstError = error;
    }
    return this.#retrying(req, signal, firstError);
  }

  /** Continues {@link send} after a failed first attempt that ended with `firstError`. */
  async #retrying(
    req: HttpRequest,
    signal: AbortSignal | undefined,
    firstError: unknown,
  ): Promise<HttpResponse> {
    const { retryMax, retryWaitMaxMs, logger } = this.options;
    // Redacted only when a log line or an error needs it.
    const safeUrl = () => redactUrl(req.url);
    try {
      return await retry(
        async (attempt) => {
          if (attempt === 1) throw firstError;
          const res = await this.#attempt(req, signal);
          if (isRetryableStatus(res.status, req.extraRetryStatuses)) throw new RetryableStatus(res);
          return res;
        },
        {
          retries: retryMax,
          signal,
          shouldRetry: ({ error }) =>
            error instanceof RetryableStatus || isRetryableNetworkError(error),
          delayMs: ({ error, attempt }) =>
            error instanceof RetryableStatus
              ? (retryAfterMs(
                  error.response.status,
                  error.response.header("retry-after") ?? null,
                ) ?? backoffMs(attempt - 1, retryWaitMaxMs))
              : backoffMs(attempt - 1, retryWaitMaxMs),
          onRetry: ({ error, attempt, delayMs }) => {
            const outcome =
              error instanceof RetryableStatus
                ? { status: error.response.status }
                : { error: describe(error) };
            logger.warn(
              { method: req.method, url: safeUrl(), attempt, delayMs, ...outcome },
              "retrying request",
            );
          },
        },
      );
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      if (error instanceof RetryableStatus) return error.response;
      throw new ScaleSetError(
        "NETWORK_ERROR",
        `${req.method} ${safeUrl()} failed: ${describe(error)}`,
        { cause: error },
      );
    }
  }

  async #attempt(req: HttpRequest, parent: AbortSignal | undefined): Promise<HttpResponse> {
    const body = req.body ?? (req.method === "POST" || req.method === "PATCH" ? "" : undefined);
    if (this.options.fetch) {
      using child = childSignal(parent, this.options.timeoutMs);
      try {
        return await this.#viaFetch(req, body, child.signal);
      } catch (error) {
        throw timeoutOr(child.signal, parent, error);
      }
    }
    // undici takes any signal-like object: no AbortController per attempt.
    using child = new AttemptSignal(parent, this.options.timeoutMs);
    try {
      return await this.#viaDispatcher(req, body, child);
    } catch (error) {
      throw timeoutOr(child, parent, error);
    }
  }

  async #viaDispatcher(
    req: HttpRequest,
    body: string | undefined,
    signal: AttemptSignal,
  ): Promise<HttpResponse> {
    let target = req.target;
    if (!target) {
      const url = new URL(req.url);
      target = { origin: url.origin, path: `${url.pathname}${url.search}` };
    }
    const headers: Record<string, string> = { ...req.headers, "accept-encoding": "gzip" };
    if (body !== undefined) headers["content-length"] = String(Buffer.byteLength(body));
    const dispatcher = this.#dispatcher as Dispatcher;
    const res = await dispatcher.request({
      origin: target.origin,
      path: target.path,
      method: req.method,
      headers,
      body: body === undefined ? null : body,
      signal: signal as unknown as AbortSignal,
      // Lets POST/PATCH share a busy HTTP/2 connection (undici holds non-idempotent requests
      // back while others run). Our retry policy already re-sends them on network errors.
      idempotent: true,
    });
    let bytes = Buffer.from(await res.body.arrayBuffer());
    const header = (name: string) => {
      const v = res.headers[name.toLowerCase()];
      return Array.isArray(v) ? v.join(", ") : v;
    };
    if (header("content-encoding")?.toLowerCase() === "gzip" && bytes.length > 0)
      bytes = await gunzipAsync(bytes);
    return {
      status: res.statusCode,
      statusText: res.statusText ?? "",
      header,
      body: decodeText(bytes),
    };
  }

  async #viaFetch(
    req: HttpRequest,
    body: string | undefined,
    signal: AbortSignal,
  ): Promise<HttpResponse> {
    const fetchFn = this.options.fetch as NonNullable<ResolvedHttpOptions["fetch"]>;
    const init: RequestInit = { method: req.method, headers: req.headers, signal };
    if (body !== undefined) init.body = body;
    // An explicitly given dispatcher is passed along for undici-compatible fetch implementations.
    if (this.#dispatcher) (init as { dispatcher?: unknown }).dispatcher = this.#dispatcher;
    const res = await fetchFn(req.url, init);
    const bytes = new Uint8Array(await res.arrayBuffer());
    return {
      status: res.status,
      statusText: res.statusText,
      header: (name) => res.headers.get(name) ?? undefined,
      body: decodeText(bytes),
    };
  }
}

// One decoder for every response: `decode` without `stream` resets it on each call.
const utf8 = new TextDecoder("utf-8", { ignoreBOM: true });

function decodeText(bytes: Uint8Array): string {
  const text = utf8.decode(bytes);
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** The attempt's own timeout error when its timer (not the caller) aborted it, else `error`. */
function timeoutOr(
  child: { aborted: boolean; reason: unknown },
  parent: AbortSignal | undefined,
  error: unknown,
): unknown {
  return child.aborted && !parent?.aborted && child.reason instanceof TimeoutError
    ? child.reason
    : error;
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = (error as { code?: unknown }).code;
  const cause = error.cause instanceof Error ? `: ${error.cause.message}` : "";
  return `${typeof code === "string" ? `${code} ` : ""}${error.message}${cause}`;
}
