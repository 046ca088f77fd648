/**
 * Actions-service requests (protocol-spec.md §3.1): admin token refreshed when due, URL joined
 * onto the service base with `api-version`, `Content-Type: application/json` on every request,
 * JSON User-Agent, statuses checked per operation.
 * @module
 */
import { actionsUrl } from "./actions-url.js";
import type { ScaleSetErrorCode } from "./errors.js";
import type { GitHubAuth } from "./github-auth.js";
import type { HttpRequest, HttpResponse, HttpTransport } from "./http.js";
import { responseError, type StatusClassifier } from "./response-errors.js";

/** One Actions-service operation. */
export interface ActionsCall {
  /** Error prefix, e.g. "failed to get runner scale set". */
  what: string;
  method: HttpRequest["method"];
  /** Path relative to the service base, values inserted raw (spec §3.1 item 5). */
  path: string;
  body?: string;
  /** Statuses returned to the caller. */
  accept: readonly number[];
  /** Bearer to use instead of the admin token (acquirejobs uses the message-queue token). */
  bearer?: string;
  classify?: StatusClassifier;
  /** Code of a 401 whatever exception its body names (acquirejobs: queue token expired). */
  on401?: ScaleSetErrorCode;
  signal?: AbortSignal | undefined;
}

/** A sent call: the request (for error messages) and its accepted response. */
export interface ActionsResult {
  req: HttpRequest;
  res: HttpResponse;
}

/** Sends Actions-service requests for one client. */
export class ActionsService {
  readonly transport: HttpTransport;
  readonly auth: GitHubAuth;
  userAgent: string;

  constructor(transport: HttpTransport, auth: GitHubAuth, userAgent: string) {
    this.transport = transport;
    this.auth = auth;
    this.userAgent = userAgent;
  }

  /**
   * Sends the call. A 401 on the admin token drops the admin connection and repeats the call
   * once with a fresh exchange; a second 401 is `AUTH_FAILED`.
   * @throws HttpError for a status outside `accept`; ScaleSetError on exchange/network failure.
   */
  async call(call: ActionsCall): Promise<ActionsResult> {
    for (let attempt = 1; ; attempt++) {
      const conn = await this.auth.connection(call.signal);
      const req: HttpRequest = {
        method: call.method,
        url: actionsUrl(conn.url, call.path),
        headers: {
          "Content-Type": "application/json",
          Authorization: `Bearer ${call.bearer ?? conn.token}`,
          "User-Agent": this.userAgent,
        },
        body: call.body,
      };
      const res = await this.transport.send(req, call.signal);
      if (call.accept.includes(res.status)) return { req, res };
      if (res.status === 401 && call.on401)
        throw responseError(call.what, req, res, undefined, call.on401);
      if (res.status === 401 && call.bearer === undefined) {
        this.auth.invalidate(conn);
        if (attempt === 1) continue;
        throw responseError(call.what, req, res, undefined, "AUTH_FAILED");
      }
      throw responseError(call.what, req, res, call.classify);
    }
  }
}
