/**
 * Turning success responses into values: JSON parsing with clear `BAD_RESPONSE` errors
 * (an empty or truncated 200 body is transient and worth retrying by the caller), then the
 * hand-written decoders, with the zod schemas loaded only to explain what those refuse.
 * @module
 */
import type { z } from "zod";
import { ScaleSetError } from "./errors.js";
import { type Decoded, fastDecoders, type ResponseName } from "./fast-responses.js";
import type { HttpRequest, HttpResponse } from "./http.js";
import { loadSchemas } from "./load-schemas.js";
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

/**
 * Decodes a parsed value as the schema `name` of schemas.ts: the hand-written decoder first;
 * when it refuses, zod is loaded and decides (its `BAD_RESPONSE` message, or its value).
 */
export async function decodeValue<K extends ResponseName>(
  name: K,
  value: unknown,
  where: Where,
): Promise<Decoded<K>> {
  const fast = (fastDecoders[name] as (v: unknown) => Decoded<K> | undefined)(value);
  if (fast !== undefined) return fast;
  return validate((await loadSchemas())[name], value, where) as Decoded<K>;
}

/** Decodes a success response body as the schema `name`; `BAD_RESPONSE` when malformed. */
export async function decodeBody<K extends ResponseName>(
  name: K,
  req: HttpRequest,
  res: HttpResponse,
  what: string,
): Promise<Decoded<K>> {
  const where = () => `${what}: ${req.method} ${redactUrl(req.url)}`;
  return decodeValue(name, parseJsonText(res.body, where), where);
}

/** Like {@link decodeBody} but a literal `null` body gives undefined (spec §3.5, §3.11). */
export async function decodeNullableBody<K extends ResponseName>(
  name: K,
  req: HttpRequest,
  res: HttpResponse,
  what: string,
): Promise<Decoded<K> | undefined> {
  if (res.body.trim() === "null") return undefined;
  return decodeBody(name, req, res, what);
}
