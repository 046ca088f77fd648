/**
 * Hand-written decoders for the hot GetMessage path, derived from the same zod field schemas
 * (schemas.ts) and giving the same output for well-formed input: keys matched like Go (exact
 * first, else case-insensitively, the last such key winning), `null`/absent read as the zero
 * value, unknown keys dropped, safe integers only, timestamps with a zone. They return
 * `undefined` for anything else, and the caller then runs the zod schema, which produces the
 * `BAD_RESPONSE` message naming the offending field.
 * @module
 */
import type { z } from "zod";
import { ZERO_TIME } from "../wire/types.js";
import { int64, RFC3339, str, time } from "./schemas.js";

/** Marker for "not well-formed: let zod decide". */
const BAD: unique symbol = Symbol("bad");
type Reader = (value: unknown) => unknown;

function readInt64(v: unknown): unknown {
  if (v === null || v === undefined) return 0;
  return typeof v === "number" && Number.isSafeInteger(v) ? v : BAD;
}

function readStr(v: unknown): unknown {
  if (v === null || v === undefined) return "";
  return typeof v === "string" ? v : BAD;
}

function readTime(v: unknown): unknown {
  if (v === null || v === undefined) return ZERO_TIME;
  return typeof v === "string" && RFC3339.test(v) ? v : BAD;
}

/** `string[]`, `null`/absent → []. */
export function readStrings(v: unknown): unknown {
  if (v === null || v === undefined) return [];
  if (!Array.isArray(v)) return BAD;
  for (const item of v) if (typeof item !== "string") return BAD;
  return v.slice();
}

const READERS = new Map<unknown, Reader>([
  [int64, readInt64],
  [str, readStr],
  [time, readTime],
]);

/** True for a plain JSON object (not null, not an array). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The value of `key` in `source` the way ciObject picks it. */
function field(source: Record<string, unknown>, key: string, lower: string): unknown {
  if (Object.hasOwn(source, key)) return source[key];
  let found: unknown;
  for (const k in source) if (k.toLowerCase() === lower) found = source[k];
  return found;
}

/**
 * A fast decoder for an object of `shape` (values are schemas.ts field schemas, or readers for
 * other fields). Returns the decoded object, or `undefined` when zod must decide.
 */
export function fastObject<T extends z.ZodRawShape>(
  shape: T,
  custom: Partial<Record<keyof T, Reader>> = {},
): (value: unknown) => z.output<z.ZodObject<T>> | undefined {
  const fields = Object.keys(shape).map((key) => {
    const read = custom[key as keyof T] ?? READERS.get(shape[key]);
    if (!read) throw new Error(`fastObject: no reader for field ${key}`);
    return { key, lower: key.toLowerCase(), read };
  });
  return (value) => {
    if (!isRecord(value)) return undefined;
    const out: Record<string, unknown> = {};
    for (const { key, lower, read } of fields) {
      const v = read(field(value, key, lower));
      if (v === BAD) return undefined;
      out[key] = v;
    }
    return out as z.output<z.ZodObject<T>>;
  };
}

/** Wraps a fast decoder as a reader of a required field. */
export function requiredReader(decode: (value: unknown) => unknown): Reader {
  return (v) => decode(v) ?? BAD;
}
