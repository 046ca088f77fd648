/**
 * The admin-token exchange (protocol-spec.md §2): (App only) installation token →
 * registration token → runner-registration, giving the Actions-service URL and admin token.
 * Runs lazily, again when the token is within 60 s of its `exp`; concurrent refreshes of one
 * client share one exchange.
 * @module
 */

import { ADMIN_TOKEN_REFRESH_MARGIN_MS, adminTokenExpiryMs } from "./admin-token.js";
import { type GitHubAppCredentials, importAppKey, type SigningKey, signAppJwt } from "./app-jwt.js";
import { type ConfigUrl, githubApiUrl, registrationTokenPath } from "./config-url.js";
import { decodeBody } from "./decode.js";
import type { HttpRequest, HttpTransport } from "./http.js";
import { responseError } from "./response-errors.js";

/** What the client authenticates with. */
export type Credentials = { token: string } | { app: GitHubAppCredentials };

/** The Actions-service base URL and admin token, with the token's expiry. */
export interface AdminConnection {
  readonly url: string;
  readonly token: string;
  readonly expiresAtMs: number;
}

const authFailure = (status: number) =>
  status === 401 || status === 403 ? "AUTH_FAILED" : undefined;

/** Holds one client's admin connection and refreshes it when due. */
export class GitHubAuth {
  readonly #config: ConfigUrl;
  readonly #credentials: Credentials;
  readonly #transport: HttpTransport;
  readonly #userAgent: () => string;
  #current: AdminConnection | undefined;
  #pending: Promise<AdminConnection> | undefined;
  #key: Promise<SigningKey> | undefined;

  constructor(
    config: ConfigUrl,
    credentials: Credentials,
    transport: HttpTransport,
    userAgent: () => string,
  ) {
    this.#config = config;
    this.#credentials = credentials;
    this.#transport = transport;
    this.#userAgent = userAgent;
  }

  /**
   * The admin connection, exchanged first when missing or within 60 s of expiry. Concurrent
   * callers share one exchange; an aborting caller rejects with its `signal.reason` at once
   * while the shared exchange goes on for the others.
   */
  connection(signal?: AbortSignal): Promise<AdminConnection> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    const current = this.#current;
    if (current && Date.now() + ADMIN_TOKEN_REFRESH_MARGIN_MS <= current.expiresAtMs) {
      return Promise.resolve(current);
    }
    if (!this.#pending) {
      this.#pending = this.#exchange().finally(() => {
        this.#pending = undefined;
      });
    }
    return raceAbort(this.#pending, signal);
  }

  /** Forgets `conn` (e.g. after a 401) so the next call exchanges again. */
  invalidate(conn: AdminConnection): void {
    if (this.#current === conn) this.#current = undefined;
  }

  async #exchange(): Promise<AdminConnection> {
    const bearer =
      "token" in this.#credentials
        ? this.#credentials.token
        : await this.#installationToken(this.#credentials.app);
    const regReq = this.#request(
      registrationTokenPath(this.#config),
      "application/vnd.github.v3+json",
      `Bearer ${bearer}`,
    );
    const regRes = await this.#transport.send(regReq);
    const what = "failed to get runner registration token";
    if (regRes.status !== 201) throw responseError(what, regReq, regRes, authFailure);
    const regToken = (await decodeBody("token", regReq, regRes, what)).token;

    const body = `${JSON.stringify({ url: this.#config.url, runner_event: "register" })}\n`;
    const adminReq = {
      ...this.#request(
        "/actions/runner-registration",
        "application/json",
        `RemoteAuth ${regToken}`,
      ),
      body,
      extraRetryStatuses: [401, 403],
    };
    const adminRes = await this.#transport.send(adminReq);
    const adminWhat = "failed to get Actions service admin connection";
    if (adminRes.status < 200 || adminRes.status > 299)
      throw responseError(adminWhat, adminReq, adminRes, authFailure);
    const { url, token } = await decodeBody("registration", adminReq, adminRes, adminWhat);
    const conn = { url, token, expiresAtMs: adminTokenExpiryMs(token) };
    this.#current = conn;
    return conn;
  }

  async #installationToken(app: GitHubAppCredentials): Promise<string> {
    this.#key ??= importAppKey(app.privateKey);
    const jwt = await signAppJwt(await this.#key, app.clientId);
    const req = this.#request(
      `/app/installations/${app.installationId}/access_tokens`,
      "application/vnd.github+json",
      `Bearer ${jwt}`,
    );
    const res = await this.#transport.send(req);
    const what = "failed to get access token for GitHub App auth";
    if (res.status !== 201) throw responseError(what, req, res, authFailure);
    return (await decodeBody("token", req, res, what)).token;
  }

  #request(path: string, contentType: string, authorization: string): HttpRequest {
    return {
      method: "POST",
      url: githubApiUrl(this.#config, path),
      headers: {
        "Content-Type": contentType,
        Authorization: authorization,
        "User-Agent": this.#userAgent(),
      },
    };
  }
}

/** `promise`, or a rejection with `signal.reason` as soon as the signal aborts. */
export function raceAbort<T>(promise: Promise<T>, signal?: AbortSignal): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(
      (v) => {
        signal.removeEventListener("abort", onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(e);
      },
    );
  });
}
