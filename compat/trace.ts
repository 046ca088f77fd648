/**
 * Reading the emulator's JSONL recording and reducing each request to the parts that carry
 * protocol meaning, with ids normalised, so two runs of the same scenario can be compared.
 * @module
 */
import { readFile } from "node:fs/promises";

/** One line of the emulator's `recordFile`, read tolerantly (query/body may be raw or parsed). */
export interface RecordedRequest {
  ts?: number | string;
  operation: string | null;
  method: string;
  path: string;
  query?: Record<string, string | string[]> | string;
  headers?: Record<string, string | string[]>;
  body?: unknown;
  status?: number;
}

/** The comparable view of one request. */
export interface TraceEntry {
  operation: string;
  method: string;
  path: string;
  /** Sorted `key=value` pairs, values normalised. */
  query: string[];
  /** Query keys in wire order. */
  queryKeyOrder: string[];
  /** Meaningful headers (lower-case names), values reduced as described in {@link reduceHeaders}. */
  headers: Record<string, string>;
  /** The User-Agent JSON, parsed; undefined when the header is not JSON. */
  userAgent: Record<string, unknown> | undefined;
  userAgentKeys: string[];
  /** Parsed JSON body (normalised), `""` for an empty body, the raw string when not JSON. */
  body: unknown;
  /** Raw body text as recorded, for the byte-exactness note. */
  rawBody: string;
  status: number | undefined;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const NIL_UUID = "00000000-0000-0000-0000-000000000000";
const RUNNER_NAME = /^runner-[0-9a-f]{8}$/;

const LOOPBACK_ORIGIN = /\b(https?):\/\/(127\.0\.0\.1|localhost):\d+/g;

/**
 * Replaces ids in one path segment, query value or JSON string: UUID → `{uuid}`, digits →
 * `{n}`, `runner-<8 hex>` → `runner-{hex}`, and the emulator's loopback port → `{port}` (each
 * run has its own emulator).
 */
export function normaliseValue(value: string): string {
  if (value === NIL_UUID) return value;
  const local = value.replace(LOOPBACK_ORIGIN, "$1://$2:{port}");
  if (local !== value) return local;
  if (UUID.test(value)) return "{uuid}";
  if (/^\d+$/.test(value)) return "{n}";
  if (RUNNER_NAME.test(value)) return "runner-{hex}";
  return value;
}

/** Normalises ids in every segment of a path. */
export function normalisePath(path: string): string {
  return path
    .split("/")
    .map((segment) => normaliseValue(decodeURIComponent(segment)))
    .join("/");
}

function queryPairs(query: RecordedRequest["query"], path: string): [string, string][] {
  if (typeof query === "string") {
    return [...new URLSearchParams(query.startsWith("?") ? query.slice(1) : query)];
  }
  if (query && typeof query === "object") {
    const pairs: [string, string][] = [];
    for (const [key, value] of Object.entries(query)) {
      for (const v of Array.isArray(value) ? value : [value]) pairs.push([key, String(v)]);
    }
    return pairs;
  }
  const at = path.indexOf("?");
  return at >= 0 ? [...new URLSearchParams(path.slice(at + 1))] : [];
}

function normaliseJson(value: unknown): unknown {
  if (typeof value === "string") return normaliseValue(value);
  if (Array.isArray(value)) return value.map(normaliseJson);
  if (value && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(value)) out[key] = normaliseJson(v);
    return out;
  }
  return value;
}

function headerValue(headers: RecordedRequest["headers"], name: string): string | undefined {
  if (!headers) return undefined;
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() === name) return Array.isArray(value) ? value.join(", ") : value;
  }
  return undefined;
}

/** Headers that carry meaning; everything else (host, connection, accept-encoding…) is ignored. */
export const COMPARED_HEADERS = [
  "authorization",
  "content-type",
  "accept",
  "x-scalesetmaxcapacity",
  "content-length",
] as const;

/**
 * Reduces the meaningful headers: `authorization` to its scheme (values are masked anyway),
 * `content-length` to `0` / `present` / absent (the byte count follows the body, compared
 * separately), the others verbatim.
 */
export function reduceHeaders(headers: RecordedRequest["headers"]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of COMPARED_HEADERS) {
    const value = headerValue(headers, name);
    if (value === undefined) continue;
    if (name === "authorization") out[name] = value.split(" ")[0] ?? "";
    else if (name === "content-length") out[name] = value.trim() === "0" ? "0" : "present";
    else out[name] = value;
  }
  return out;
}

function bodyOf(raw: unknown): { body: unknown; rawBody: string } {
  if (raw === undefined || raw === null || raw === "") return { body: "", rawBody: "" };
  if (typeof raw !== "string") return { body: normaliseJson(raw), rawBody: JSON.stringify(raw) };
  try {
    return { body: normaliseJson(JSON.parse(raw)), rawBody: raw };
  } catch {
    return { body: raw, rawBody: raw };
  }
}

function byCodeUnit(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Turns one recorded request into its comparable view. */
export function toTraceEntry(req: RecordedRequest): TraceEntry {
  const pathOnly = req.path.split("?")[0] ?? req.path;
  const pairs = queryPairs(req.query, req.path);
  const query = pairs.map(([k, v]) => `${k}=${normaliseValue(v)}`).sort(byCodeUnit);
  const ua = headerValue(req.headers, "user-agent");
  let userAgent: Record<string, unknown> | undefined;
  try {
    const parsed: unknown = ua === undefined ? undefined : JSON.parse(ua);
    if (parsed && typeof parsed === "object" && !Array.isArray(parsed)) {
      userAgent = parsed as Record<string, unknown>;
    }
  } catch {
    userAgent = undefined;
  }
  return {
    operation: req.operation ?? "(unknown)",
    method: req.method.toUpperCase(),
    path: normalisePath(pathOnly),
    query,
    queryKeyOrder: pairs.map(([k]) => k),
    headers: reduceHeaders(req.headers),
    userAgent,
    userAgentKeys: userAgent ? Object.keys(userAgent) : [],
    ...bodyOf(req.body),
    status: req.status,
  };
}

/**
 * Reads a JSONL recording; a missing file is an empty trace. Requests without an operation
 * (the fake runners talking to the emulator's runner agent endpoints) are not client traffic
 * and are left out.
 */
export async function readTrace(file: string): Promise<TraceEntry[]> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch {
    return [];
  }
  return text
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => JSON.parse(line) as RecordedRequest)
    .filter((req) => req.operation !== null && req.operation !== undefined)
    .map(toTraceEntry);
}
