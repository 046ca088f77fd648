/**
 * Turning success responses into values: JSON parsing with clear `BAD_RESPONSE` errors
 * (an empty or truncated 200 body is transient and worth retrying by the caller).
 * @module
 */
import type { z } from "zod";
import { ScaleSetError } from "./errors.js";
import type { HttpRequest, HttpResponse } from "./http.js";
import { redactUrl } from "./redact.js";

/**
 * Where a response came from, for error messages: text, or a function building it (so the
 * redaction of the URL only runs when an error is actually produced).
 */
export type Where = string | (() => string);

/** The text of a {@link Where}. */
export function whereText(where: Where): string {
  return typeof where === "string" ? where : where();
}

/** Parses JSON text; `BAD_RESPONSE` when empty or not JSON. The body never enters the message. */
export function parseJsonText(text: string, where: Where): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    if (text.trim() === "") {
      throw new ScaleSetError("BAD_RESPONSE", `${whereText(where)}: empty response body`);
    }
    // No cause: V8's SyntaxError quotes the body, which may hold a token or JIT config.
    const at = /position (\d+)/.exec(String(error))?.[1];
    throw new ScaleSetError(
      "BAD_RESPONSE",
      `${whereText(where)}: response body is not valid JSON (${text.length} bytes${at ? `, error at ${at}` : ""}; truncated?)`,
    );
  }
}

/** Validates a parsed value against a schema; `BAD_RESPONSE` naming the offending fields. */
export function validate<S extends z.ZodType>(
  schema: S,
  value: unknown,
  where: Where,
): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issues = result.error.issues
    .slice(0, 3)
    .map((i) => `${i.path.length ? i.path.join(".") : "(root)"}: ${i.message}`)
    .join("; ");
  throw new ScaleSetError(
    "BAD_RESPONSE",
    `${whereText(where)}: unexpected response shape: ${issues}`,
  );
}

/** Decodes a success response body with `schema`; `null` yields undefined when `nullable`. */
export function decodeBody<S extends z.ZodType>(
  schema: S,
  req: HttpRequest,
  res: HttpResponse,
  what: string,
): z.output<S> {
  const where = () => `${what}: ${req.method} ${redactUrl(req.url)}`;
  return validate(schema, parseJsonText(res.body, where), where);
}

/** Like {@link decodeBody} but a literal `null` body gives undefined (spec §3.5, §3.11). */
export function decodeNullableBody<S extends z.ZodType>(
  schema: S,
  req: HttpRequest,
  res: HttpResponse,
  what: string,
): z.output<S> | undefined {
  if (res.body.trim() === "null") return undefined;
  return decodeBody(schema, req, res, what);
}
