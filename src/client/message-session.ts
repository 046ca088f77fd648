/**
 * The message-session client (protocol-spec.md §3.13–§3.16): long-poll GetMessage, ack,
 * acquire jobs, refresh and close. A 401 from the queue (GetMessage, DeleteMessage, or
 * acquireJobs with the message-queue token) triggers one session refresh and one retry; a second
 * 401 is `MESSAGE_QUEUE_TOKEN_EXPIRED`.
 * @module
 */
import type { RunnerScaleSetMessage, RunnerScaleSetSession } from "../wire/types.js";
import { API_VERSION, HEADER_MAX_CAPACITY } from "../wire/types.js";
import type { ActionsService } from "./actions-service.js";
import {
  deleteMessageTarget,
  getMessageTarget,
  parseQueueUrl,
  type QueueUrl,
} from "./actions-url.js";
import { requireCount } from "./client-options.js";
import { decodeBody } from "./decode.js";
import { encodeCreateSession } from "./encode.js";
import { ConfigError, isScaleSetError, ScaleSetError } from "./errors.js";
import { raceAbort } from "./github-auth.js";
import { goJson } from "./go-json.js";
import type { HttpRequest, HttpResponse } from "./http.js";
import { decodeRunnerScaleSetMessage } from "./messages.js";
import { redactUrl } from "./redact.js";
import { responseError, type StatusClassifier } from "./response-errors.js";
import type { RequestOptions } from "./types.js";

const MAX_CAPACITY = 2_147_483_647;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const sessionGone: StatusClassifier = (status, exceptionName) =>
  status === 404 || exceptionName.includes("RunnerAdminException")
    ? "SESSION_NOT_FOUND"
    : undefined;
// A 401 from the queue is token expiry whatever exception its body names (the reference checks
// the status alone and never parses that body), so it always leads to one refresh and retry.
const QUEUE_401 = "MESSAGE_QUEUE_TOKEN_EXPIRED";
const queueError = (
  what: string,
  req: HttpRequest,
  res: HttpResponse,
  classify?: StatusClassifier,
) => responseError(what, req, res, classify, res.status === 401 ? QUEUE_401 : undefined);
// A queue that no longer knows the session answers 404: the caller must create a new one.
const pollStatus: StatusClassifier = (status) => (status === 404 ? "SESSION_NOT_FOUND" : undefined);

/** POSTs a new session and wraps it (used by `ScaleSetClient.createMessageSession`). */
export async function createSession(
  service: ActionsService,
  scaleSetId: number,
  owner: string,
  options?: RequestOptions,
): Promise<MessageSessionClient> {
  const what = "failed to create message session";
  const { req, res } = await service.call({
    what,
    method: "POST",
    path: `/_apis/runtime/runnerscalesets/${scaleSetId}/sessions`,
    body: encodeCreateSession(owner),
    accept: [200],
    classify: (status) =>
      status === 409 ? "SESSION_CONFLICT" : status === 404 ? "SCALE_SET_NOT_FOUND" : undefined,
    signal: options?.signal,
  });
  return new MessageSessionClient(
    service,
    scaleSetId,
    checkSession(await decodeBody("session", req, res, what), what),
  );
}

/**
 * DELETEs a message session by id (204 expected; spec §3.13). "Already gone" is
 * `SESSION_NOT_FOUND` (404, or 400 `RunnerScaleSetSessionExpiredException`) for the caller to judge.
 * @throws ConfigError (nothing sent) unless `sessionId` is a UUID; the value is not echoed.
 */
export async function deleteSession(
  service: ActionsService,
  scaleSetId: number,
  sessionId: string,
  options?: RequestOptions,
): Promise<void> {
  if (typeof sessionId !== "string" || !UUID.test(sessionId)) {
    throw new ConfigError("sessionId", "must be a UUID");
  }
  await service.call({
    what: "failed to delete message session",
    method: "DELETE",
    path: sessionPath(scaleSetId, sessionId),
    accept: [204],
    classify: sessionGone,
    signal: options?.signal,
  });
}

function sessionPath(scaleSetId: number, sessionId: string): string {
  return `/_apis/runtime/runnerscalesets/${scaleSetId}/sessions/${sessionId}`;
}

function checkSession(session: RunnerScaleSetSession, what: string): RunnerScaleSetSession {
  if (/^0{8}-0{4}-0{4}-0{4}-0{12}$/.test(session.sessionId)) {
    throw new ScaleSetError("BAD_RESPONSE", `${what}: the service returned the nil session id`);
  }
  return session;
}

/**
 * One message session of one scale set. Obtain it from `ScaleSetClient.createMessageSession`.
 * Queue requests use the User-Agent in force when the session was created.
 */
export class MessageSessionClient {
  readonly #service: ActionsService;
  readonly #scaleSetId: number;
  readonly #userAgent: string;
  #session: RunnerScaleSetSession;
  #refreshing: Promise<RunnerScaleSetSession> | undefined;
  #parsedQueue: QueueUrl | undefined;

  /** @internal Use `ScaleSetClient.createMessageSession`. */
  constructor(service: ActionsService, scaleSetId: number, session: RunnerScaleSetSession) {
    this.#service = service;
    this.#scaleSetId = scaleSetId;
    this.#session = session;
    this.#userAgent = service.userAgent;
  }

  /** The session's queue URL, parsed once per distinct URL (a refresh may change it). */
  #queueUrl(session: RunnerScaleSetSession): QueueUrl {
    const url = session.messageQueueUrl;
    if (this.#parsedQueue?.url !== url) this.#parsedQueue = parseQueueUrl(url);
    return this.#parsedQueue;
  }

  /** The latest session snapshot (replaced wholesale by every refresh). */
  get session(): RunnerScaleSetSession {
    return this.#session;
  }

  /**
   * Long-polls for the next message (spec §3.14): undefined on 202 (no message).
   * @param lastMessageId - id of the last handled message; 0 for the first available.
   * @param maxCapacity - runners the caller can still start, 0 … 2^31−1 (`X-ScaleSetMaxCapacity`).
   * @throws ScaleSetError `BAD_RESPONSE` for a malformed message, `MESSAGE_QUEUE_TOKEN_EXPIRED`.
   */
  getMessage(
    lastMessageId: number,
    maxCapacity: number,
    options?: RequestOptions,
  ): Promise<RunnerScaleSetMessage | undefined> {
    requireCount("lastMessageId", lastMessageId);
    requireCount("maxCapacity", maxCapacity, MAX_CAPACITY);
    return this.#withQueueRetry(options, async (session) => {
      const target = getMessageTarget(this.#queueUrl(session), lastMessageId);
      const req: HttpRequest = {
        method: "GET",
        url: target.url,
        target,
        headers: {
          Accept: `application/json; api-version=${API_VERSION}`,
          Authorization: `Bearer ${session.messageQueueAccessToken}`,
          "User-Agent": this.#userAgent,
          [HEADER_MAX_CAPACITY]: String(maxCapacity),
        },
      };
      const res = await this.#service.transport.send(req, options?.signal);
      if (res.status === 202) return undefined;
      if (res.status !== 200) throw queueError("failed to get message", req, res, pollStatus);
      return decodeRunnerScaleSetMessage(
        res.body,
        () => `failed to get message: GET ${redactUrl(req.url)}`,
      );
    });
  }

  /** Acknowledges (deletes) a message (204 expected; spec §3.15). */
  deleteMessage(messageId: number, options?: RequestOptions): Promise<void> {
    requireCount("messageId", messageId);
    return this.#withQueueRetry(options, async (session) => {
      const target = deleteMessageTarget(this.#queueUrl(session), messageId);
      const req: HttpRequest = {
        method: "DELETE",
        url: target.url,
        target,
        headers: {
          "Content-Type": "application/json",
          Authorization: `Bearer ${session.messageQueueAccessToken}`,
          "User-Agent": this.#userAgent,
        },
      };
      const res = await this.#service.transport.send(req, options?.signal);
      if (res.status !== 204) throw queueError("failed to delete message", req, res);
    });
  }

  /** Acquires jobs by runner request id with the message-queue token; returns the ids acquired (spec §3.16). */
  acquireJobs(requestIds: number[], options?: RequestOptions): Promise<number[]> {
    for (const [i, id] of requestIds.entries()) requireCount(`requestIds[${i}]`, id);
    return this.#withQueueRetry(options, async (session) => {
      const what = "failed to acquire jobs";
      const { req, res } = await this.#service.call({
        what,
        method: "POST",
        path: `/_apis/runtime/runnerscalesets/${this.#scaleSetId}/acquirejobs`,
        body: goJson(requestIds),
        bearer: session.messageQueueAccessToken,
        accept: [200],
        on401: QUEUE_401,
        signal: options?.signal,
      });
      return (await decodeBody("acquiredJobs", req, res, what)).value;
    });
  }

  /**
   * Refreshes the session (PATCH, no body; spec §3.13), replacing the snapshot. Concurrent calls
   * share one request.
   * @throws HttpError `SESSION_NOT_FOUND` when the service forgot the session.
   */
  refresh(options?: RequestOptions): Promise<RunnerScaleSetSession> {
    if (!this.#refreshing) {
      this.#refreshing = this.#refresh().finally(() => {
        this.#refreshing = undefined;
      });
    }
    return raceAbort(this.#refreshing, options?.signal);
  }

  async #refresh(): Promise<RunnerScaleSetSession> {
    const what = "failed to refresh message session";
    const { req, res } = await this.#service.call({
      what,
      method: "PATCH",
      path: sessionPath(this.#scaleSetId, this.#session.sessionId),
      accept: [200],
      classify: sessionGone,
    });
    this.#session = checkSession(await decodeBody("session", req, res, what), what);
    return this.#session;
  }

  /**
   * Deletes the session (204 expected). Does not treat "already gone" as success: that is
   * `SESSION_NOT_FOUND` (404, or 400 `RunnerScaleSetSessionExpiredException`) for the caller to judge.
   */
  close(options?: RequestOptions): Promise<void> {
    return deleteSession(this.#service, this.#scaleSetId, this.#session.sessionId, options);
  }

  async #withQueueRetry<T>(
    options: RequestOptions | undefined,
    fn: (s: RunnerScaleSetSession) => Promise<T>,
  ): Promise<T> {
    try {
      return await fn(this.#session);
    } catch (error) {
      if (!isScaleSetError(error, "MESSAGE_QUEUE_TOKEN_EXPIRED")) throw error;
      await this.refresh(options);
      return fn(this.#session);
    }
  }
}
