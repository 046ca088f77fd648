/**
 * Turning an unexpected response into an {@link HttpError} (protocol-spec.md §5): service
 * exception `typeName`/`message` parsed from JSON bodies, ActivityId and X-GitHub-Request-Id
 * kept, codes chosen from the exception name first (substring match, whatever the status),
 * then from the operation's own status rules.
 * @module
 */
import { HttpError, type ScaleSetErrorCode } from "./errors.js";
import type { HttpRequest, HttpResponse } from "./http.js";
import { redactUrl } from "./redact.js";

/** Per-operation status rules, consulted when the exception name decides nothing. */
export type StatusClassifier = (
  status: number,
  exceptionName: string,
) => ScaleSetErrorCode | undefined;

const BY_EXCEPTION: [string, ScaleSetErrorCode][] = [
  ["AgentExistsException", "RUNNER_EXISTS"],
  ["AgentNotFoundException", "RUNNER_NOT_FOUND"],
  ["JobStillRunningException", "JOB_STILL_RUNNING"],
  ["RunnerScaleSetSessionConflictException", "SESSION_CONFLICT"],
  ["RunnerScaleSetSessionExpiredException", "SESSION_NOT_FOUND"],
  ["RunnerScaleSetNotFoundException", "SCALE_SET_NOT_FOUND"],
];

/** Builds the error for a response the operation does not accept. */
export function responseError(
  what: string,
  req: HttpRequest,
  res: HttpResponse,
  classify?: StatusClassifier,
  forcedCode?: ScaleSetErrorCode,
): HttpError {
  const { exceptionName, serviceMessage } = parseException(res);
  const code =
    forcedCode ??
    BY_EXCEPTION.find(([name]) => exceptionName.includes(name))?.[1] ??
    classify?.(res.status, exceptionName) ??
    "HTTP_ERROR";
  return new HttpError(code, what, {
    method: req.method,
    url: redactUrl(req.url),
    status: res.status,
    statusText: res.statusText,
    activityId: res.header("activityid"),
    githubRequestId: res.header("x-github-request-id"),
    exceptionName: exceptionName || undefined,
    serviceMessage,
    body: res.body === "" ? undefined : res.body.slice(0, 1000),
  });
}

function parseException(res: HttpResponse): { exceptionName: string; serviceMessage?: string } {
  if (res.body === "" || res.header("content-type")?.includes("text/plain"))
    return { exceptionName: "" };
  try {
    const parsed: unknown = JSON.parse(res.body);
    if (typeof parsed !== "object" || parsed === null) return { exceptionName: "" };
    const lower = new Map(Object.entries(parsed).map(([k, v]) => [k.toLowerCase(), v]));
    const typeName = lower.get("typename");
    const message = lower.get("message");
    return {
      exceptionName: typeof typeName === "string" ? typeName : "",
      ...(typeof message === "string" && message ? { serviceMessage: message } : {}),
    };
  } catch {
    return { exceptionName: "" };
  }
}
