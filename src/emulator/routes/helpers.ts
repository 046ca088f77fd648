/**
 * Route plumbing shared by the service routes: operation tagging + faults, body validation,
 * token checks.
 * @module
 */
import type { Context, Handler } from "hono";
import type { z } from "zod";
import { API_VERSION } from "../../wire/types.js";
import type { AppEnv, ServiceContext } from "../context.js";
import { applyFault } from "../faults.js";
import { EMULATOR_EXCEPTION, serviceError } from "../service-errors.js";
import { type IssuedClaims, parseAuthorization } from "../tokens.js";
import type { Operation } from "../types.js";

/** A handler context of the emulator app. */
export type Ctx = Context<AppEnv>;

/** Wraps a handler: tags the request with its operation and applies a matching fault. */
export function operation(
  ctx: ServiceContext,
  op: Operation,
  handler: (c: Ctx) => Response | Promise<Response>,
): Handler<AppEnv> {
  return async (c) => {
    c.set("operation", op);
    const idParam = c.req.param("id");
    const scaleSetId = idParam === undefined ? undefined : Number(idParam);
    const fault = ctx.faults.take(op, scaleSetId);
    if (!fault) return handler(c);
    return applyFault(c, ctx.faults, op, fault, async () => handler(c));
  };
}

/** Parses the JSON body with `schema`; a 400 ArgumentException response when it does not fit. */
export async function readBody<T extends z.ZodType>(
  c: Ctx,
  schema: T,
): Promise<{ value: z.infer<T> } | { error: Response }> {
  const text = await c.req.text();
  let raw: unknown;
  try {
    raw = text.trim() === "" ? undefined : JSON.parse(text);
  } catch {
    return { error: badRequest(c, "The request body is not valid JSON.") };
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.length ? ` at ${issue.path.join(".")}` : "";
    return {
      error: badRequest(c, `Invalid request body${where}: ${issue?.message ?? "invalid"}.`),
    };
  }
  return { value: parsed.data };
}

/** 400 with an ArgumentException. */
export function badRequest(c: Ctx, message: string): Response {
  return serviceError(c, 400, EMULATOR_EXCEPTION.argument, message);
}

/** 401 as the service answers a bad or expired bearer token. */
export function unauthorized(
  c: Ctx,
  message = "The user is not authorized to access this resource.",
): Response {
  return serviceError(c, 401, EMULATOR_EXCEPTION.unauthorized, message);
}

/** The bearer credential of the request, if any. */
export function bearer(c: Ctx): string | undefined {
  const auth = parseAuthorization(c.req.header("authorization"));
  return auth?.scheme === "bearer" ? auth.credential : undefined;
}

/** Checks the admin token and the api-version query; a response when the request is refused. */
export function checkAdmin(ctx: ServiceContext, c: Ctx): Response | undefined {
  const token = bearer(c);
  if (!token || !ctx.tokens.verifyJwt(token, "admin")) return unauthorized(c);
  return checkApiVersion(c);
}

/** Requires `api-version=6.0-preview` (spec §3.1). */
export function checkApiVersion(c: Ctx): Response | undefined {
  const v = c.req.query("api-version");
  if (v === API_VERSION) return undefined;
  return serviceError(
    c,
    400,
    "GitHub.Services.WebApi.VssInvalidApiVersionException, GitHub.Services.WebApi",
    `The api-version '${v ?? ""}' is not supported; use '${API_VERSION}'.`,
  );
}

/** Verified message-queue token claims, or undefined. */
export function queueClaims(ctx: ServiceContext, c: Ctx): IssuedClaims | undefined {
  const token = bearer(c);
  return token ? ctx.tokens.verifyJwt(token, "queue") : undefined;
}

/** The `:id` route param as a positive integer, else undefined. */
export function idParam(c: Ctx, name = "id"): number | undefined {
  const raw = c.req.param(name);
  if (raw === undefined || !/^\d+$/.test(raw)) return undefined;
  return Number(raw);
}

/** JSON response with the service's content type. */
export function ok(value: unknown, status = 200): Response {
  return new Response(JSON.stringify(value), {
    status,
    headers: { "content-type": "application/json; charset=utf-8" },
  });
}

/** 204 No Content. */
export function noContent(): Response {
  return new Response(null, { status: 204 });
}
