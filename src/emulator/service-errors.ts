/**
 * Service-shaped and GitHub-shaped error responses.
 * @module
 */
import type { Context } from "hono";
import { EXCEPTION } from "../wire/types.js";

/** Exception typeNames the emulator sends beyond the shared list (spec §10.3 choices). */
export const EMULATOR_EXCEPTION = {
  ...EXCEPTION,
  unauthorized: "GitHub.Services.Common.VssUnauthorizedException, GitHub.Services.Common",
  argument: "System.ArgumentException, System.Private.CoreLib",
  scaleSetExists:
    "GitHub.Actions.Runtime.WebApi.RunnerScaleSetExistsException, GitHub.Actions.Runtime.WebApi",
  runnerGroupNotFound:
    "GitHub.Actions.Runtime.WebApi.RunnerGroupNotFoundException, GitHub.Actions.Runtime.WebApi",
  internal: "GitHub.Services.WebApi.VssServiceException, GitHub.Services.WebApi",
  tooManyRequests: "GitHub.Services.WebApi.VssServiceThrottledException, GitHub.Services.WebApi",
  serviceUnavailable:
    "GitHub.Services.WebApi.VssServiceUnavailableException, GitHub.Services.WebApi",
} as const;

let activityCounter = 0;

/** A fresh ActivityId-like GUID (cheap, unique per process). */
export function activityId(): string {
  activityCounter = (activityCounter + 1) % 0xffffffff;
  const hex = activityCounter.toString(16).padStart(12, "0");
  return `a0e1b2c3-0000-4000-8000-${hex}`;
}

/** Expands a short exception name (`AgentExistsException`) into a fully qualified typeName. */
export function qualifyException(name: string): string {
  if (name.includes(",")) return name;
  for (const full of Object.values(EMULATOR_EXCEPTION)) {
    if (full.startsWith(`${name},`) || full.includes(`.${name},`)) return full;
  }
  return `GitHub.Actions.Runtime.WebApi.${name}, GitHub.Actions.Runtime.WebApi`;
}

/** Default exception for a status code when a fault does not name one. */
export function defaultException(status: number): string {
  if (status === 401) return EMULATOR_EXCEPTION.unauthorized;
  if (status === 404) return EMULATOR_EXCEPTION.scaleSetNotFound;
  if (status === 409) return EMULATOR_EXCEPTION.sessionConflict;
  if (status === 400) return EMULATOR_EXCEPTION.argument;
  if (status === 429) return EMULATOR_EXCEPTION.tooManyRequests;
  if (status === 503) return EMULATOR_EXCEPTION.serviceUnavailable;
  return EMULATOR_EXCEPTION.internal;
}

/** An Actions-service exception response: `{"typeName","message"}` plus an ActivityId header. */
export function serviceError(
  _c: Context,
  status: number,
  typeName: string,
  message: string,
  headers: Record<string, string> = {},
): Response {
  const body = JSON.stringify({ typeName, message, errorCode: 0, eventId: 3000 });
  return new Response(body, {
    status,
    headers: {
      "content-type": "application/json; charset=utf-8",
      activityid: activityId(),
      ...headers,
    },
  });
}

/** A GitHub REST API error: `{"message","documentation_url"}` with X-GitHub-Request-Id. */
export function githubError(status: number, message: string): Response {
  const body = JSON.stringify({
    message,
    documentation_url: "https://docs.github.com/rest",
    status: String(status),
  });
  return new Response(body, {
    status,
    headers: {
      "content-type": "application/json; charset=utf-8",
      "x-github-request-id": `EMU:${activityId().slice(-12)}`,
    },
  });
}

/** A 200/other JSON response without hono's context (used where handlers build bodies). */
export function json(status: number, value: unknown): Response {
  return new Response(JSON.stringify(value), {
    status,
    headers: { "content-type": "application/json; charset=utf-8" },
  });
}
