/**
 * The client's error types: one base class with a string `code`, plus `HttpError` for failed
 * responses and `ConfigError` for bad options (STYLE.md §4). Messages read well on one line,
 * say what failed and where, and never carry a token, JWT, private key or JIT config.
 * @module
 */
import { redactText } from "./redact.js";

/** Every code a {@link ScaleSetError} can carry. Callers branch on these, not on messages. */
export type ScaleSetErrorCode =
  /** getRunner: the service does not know the runner (`AgentNotFoundException`). */
  | "RUNNER_NOT_FOUND"
  /** generateJitRunnerConfig: a runner with that name exists (`AgentExistsException`). */
  | "RUNNER_EXISTS"
  /** removeRunner: the runner is still executing a job (`JobStillRunningException`). */
  | "JOB_STILL_RUNNING"
  /** GetMessage / DeleteMessage / acquireJobs: 401 again after one session refresh. */
  | "MESSAGE_QUEUE_TOKEN_EXPIRED"
  /** createMessageSession: another session is active for the scale set (409). */
  | "SESSION_CONFLICT"
  /** The service forgot the session: 404 on a session, `SessionExpired`, `RunnerAdminException`. */
  | "SESSION_NOT_FOUND"
  /** The scale set does not exist (`RunnerScaleSetNotFoundException` or 404 on its path). */
  | "SCALE_SET_NOT_FOUND"
  /** getRunnerGroupByName: no runner group has that name. */
  | "RUNNER_GROUP_NOT_FOUND"
  /** A lookup by name matched more than one object (count > 1). */
  | "NOT_UNIQUE"
  /** The config URL is not an http(s) URL of an enterprise, organization or repository. */
  | "INVALID_CONFIG_URL"
  /** GitHub rejected the credentials (401/403 from a token endpoint, or a second admin 401). */
  | "AUTH_FAILED"
  /** An option or input is invalid; no request was sent. */
  | "INVALID_CONFIG"
  /** The service answered with a status the operation does not expect. */
  | "HTTP_ERROR"
  /** No response: connection refused/reset, TLS failure, per-attempt timeout (after retries). */
  | "NETWORK_ERROR"
  /** A success status with a body that cannot be used: empty, truncated, not the expected JSON. */
  | "BAD_RESPONSE"
  /** A runner provider (docker, process, …) could not start, stop or list runners. */
  | "PROVIDER_ERROR";

const BRAND = Symbol.for("scaleset.ScaleSetError");

/** Options shared by every error constructor. */
export interface ScaleSetErrorOptions {
  cause?: unknown;
}

/** Base class of every error the client throws (aborts excepted: they reject with `signal.reason`). */
export class ScaleSetError extends Error {
  override name = "ScaleSetError";
  readonly code: ScaleSetErrorCode;
  readonly [BRAND] = true;
  constructor(code: ScaleSetErrorCode, message: string, options: ScaleSetErrorOptions = {}) {
    super(redactText(message), options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
  }
}

/** Thrown when options or inputs are invalid; `field` names the offending option. */
export class ConfigError extends ScaleSetError {
  override name = "ConfigError";
  readonly field: string;
  constructor(
    field: string,
    message: string,
    code: "INVALID_CONFIG" | "INVALID_CONFIG_URL" = "INVALID_CONFIG",
  ) {
    super(code, `${field}: ${message}`);
    this.field = field;
  }
}

/** Fields of an {@link HttpError}. */
export interface HttpErrorDetails {
  method: string;
  /** The request URL with credentials and secret-looking query values removed. */
  url: string;
  status: number;
  statusText?: string | undefined;
  activityId?: string | undefined;
  githubRequestId?: string | undefined;
  /** The service exception `typeName`, e.g. `GitHub.DistributedTask.WebApi.AgentExistsException, …`. */
  exceptionName?: string | undefined;
  /** The service exception `message` (or GitHub's `message`). */
  serviceMessage?: string | undefined;
  /** The first 1 000 characters of the response body (redacted). */
  body?: string | undefined;
}

/** A response with a status the operation does not accept (after retries, if any). */
export class HttpError extends ScaleSetError {
  override name = "HttpError";
  readonly method: string;
  readonly url: string;
  readonly status: number;
  readonly activityId: string | undefined;
  readonly githubRequestId: string | undefined;
  readonly exceptionName: string | undefined;
  readonly serviceMessage: string | undefined;
  readonly body: string | undefined;
  constructor(
    code: ScaleSetErrorCode,
    what: string,
    details: HttpErrorDetails,
    options?: ScaleSetErrorOptions,
  ) {
    super(code, formatHttpMessage(what, details), options);
    this.method = details.method;
    this.url = details.url;
    this.status = details.status;
    this.activityId = details.activityId;
    this.githubRequestId = details.githubRequestId;
    this.exceptionName = details.exceptionName;
    this.serviceMessage =
      details.serviceMessage === undefined ? undefined : redactText(details.serviceMessage);
    this.body = details.body === undefined ? undefined : redactText(details.body);
  }
}

function formatHttpMessage(what: string, d: HttpErrorDetails): string {
  let msg = `${what}: ${d.method} ${d.url} failed: ${d.status}${d.statusText ? ` ${d.statusText}` : ""}`;
  const shortName = d.exceptionName?.split(",")[0]?.split(".").pop();
  if (shortName || d.serviceMessage) {
    msg += ` (${[shortName, d.serviceMessage].filter(Boolean).join(": ")})`;
  } else if (d.body) {
    msg += ` (${d.body.slice(0, 200).replace(/\s+/g, " ")})`;
  }
  if (d.activityId) msg += ` activity_id=${d.activityId}`;
  if (d.githubRequestId) msg += ` github_request_id=${d.githubRequestId}`;
  return msg;
}

/**
 * True when `err` is an error of this library (any copy of it), optionally with the given code.
 * Checks a brand and `code`, not `instanceof`, so it works across duplicated installs.
 */
export function isScaleSetError(err: unknown, code?: ScaleSetErrorCode): err is ScaleSetError {
  if (typeof err !== "object" || err === null || !(BRAND in err)) return false;
  return code === undefined || (err as ScaleSetError).code === code;
}
