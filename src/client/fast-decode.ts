/**
 * Building blocks of the hand-written response decoders (fast-responses.ts, fast-messages.ts).
 *
 * Why they exist: zod costs ~14 MB RSS per process, and one process may run a thousand idle
 * listeners. These decoders give exactly the output of the zod schemas of schemas.ts (the
 * reference) for every input those accept: keys matched like Go (exact first, else
 * case-insensitively, the last such key winning), `null`/absent read as the zero value, unknown
 * keys dropped, safe integers only, timestamps with a zone. For anything else they give up
 * (`undefined`), and the caller loads zod to produce its `BAD_RESPONSE` message naming the
 * offending field. Equivalence is tested input by input (fast-responses.test.ts).
 * @module
 */
import { ZERO_TIME } from "../wire/types.js";
import { RFC3339, UUID } from "./schemas.js";

/** Reader result for "not well-formed: let zod decide". */
export const BAD: unique symbol = Symbol("bad");
/** Reader input for a key the object does not have (no case-insensitive match either). */
export const ABSENT: unique symbol = Symbol("absent");
/** Reader result that leaves the key out of the output (zod's optional output, absent key). */
export const OMIT: unique symbol = Symbol("omit");

/** Reads one field's value (or {@link ABSENT}). */
export type Reader<T> = (value: unknown) => T | typeof BAD | typeof OMIT;
/** Decodes a whole value: the result, or `undefined` when zod must decide. */
export type FastDecoder<T> = (value: unknown) => T | undefined;

/** `null`, `undefined` or absent: what Go (and the schemas) read as the zero value. */
function isNullish(v: unknown): v is null | undefined | typeof ABSENT {
  return v === null || v === undefined || v === ABSENT;
}

/** A safe integer (`null`/absent → 0). */
export const readInt64: Reader<number> = (v) =>
  isNullish(v) ? 0 : typeof v === "number" && Number.isSafeInteger(v) ? v : BAD;

/** A string (`null`/absent → ""). */
export const readStr: Reader<string> = (v) => (isNullish(v) ? "" : typeof v === "string" ? v : BAD);

/** A boolean (`null`/absent → false). */
export const readBool: Reader<boolean> = (v) =>
  isNullish(v) ? false : typeof v === "boolean" ? v : BAD;

/** An RFC 3339 timestamp with a zone (`null`/absent → the zero time). */
export const readTime: Reader<string> = (v) =>
  isNullish(v) ? ZERO_TIME : typeof v === "string" && RFC3339.test(v) ? v : BAD;

/** A required non-empty string (`z.string().min(1)`). */
export const readNonEmpty: Reader<string> = (v) =>
  typeof v === "string" && v.length > 0 ? v : BAD;

/** A required UUID string. */
export const readUuid: Reader<string> = (v) => (typeof v === "string" && UUID.test(v) ? v : BAD);

/**
 * A required absolute http(s) URL, as `z.url({ protocol: /^https?$/ })` reads it: trimmed,
 * `http://` or `https://` spelled out, parseable; the value comes out trimmed and without
 * tabs or line breaks.
 */
export const readHttpUrl: Reader<string> = (v) => {
  if (typeof v !== "string") return BAD;
  const trimmed = v.trim();
  if (!/^https?:\/\//i.test(trimmed) || !URL.canParse(trimmed)) return BAD;
  return trimmed.replace(/[\t\n\r]/g, "");
};

/** An array of `item` (`null`/absent → []); any bad item fails it. */
export function readArray<T>(item: Reader<T>): Reader<T[]> {
  return (v) => {
    if (isNullish(v)) return [];
    if (!Array.isArray(v)) return BAD;
    const out: T[] = [];
    for (const element of v) {
      const r = item(element);
      if (r === BAD || r === OMIT) return BAD;
      out.push(r);
    }
    return out;
  };
}

/** A required object. */
export function required<T>(decode: FastDecoder<T>): Reader<T> {
  return (v) => decode(v) ?? BAD;
}

/** An optional object: `null` → undefined, absent → key left out (`.nullish()` + `?? undefined`). */
export function nullishObject<T>(decode: FastDecoder<T>): Reader<T | undefined> {
  return (v) => (v === ABSENT ? OMIT : isNullish(v) ? undefined : (decode(v) ?? BAD));
}

/** True for a plain JSON object (not null, not an array). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The value of `key` in `source` the way the schemas' `ciObject` picks it, else {@link ABSENT}. */
export function field(source: Record<string, unknown>, key: string, lower: string): unknown {
  if (Object.hasOwn(source, key)) return source[key];
  let found: unknown = ABSENT;
  for (const k of Object.keys(source)) if (k.toLowerCase() === lower) found = source[k];
  return found;
}

/**
 * A decoder of a JSON object with these fields (in the schema's key order). Unknown keys are
 * dropped; a non-object or any bad field gives `undefined`.
 */
export function fastObject<T extends object>(fields: { [K in keyof T]-?: Reader<T[K]> }) {
  const list = Object.entries(fields as Record<string, Reader<unknown>>).map(([key, read]) => ({
    key,
    lower: key.toLowerCase(),
    read,
  }));
  return (value: unknown): T | undefined => {
    if (!isRecord(value)) return undefined;
    const out: Record<string, unknown> = {};
    for (const { key, lower, read } of list) {
      const v = read(field(value, key, lower));
      if (v === BAD) return undefined;
      if (v !== OMIT) out[key] = v;
    }
    return out as T;
  };
}
