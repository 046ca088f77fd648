/**
 * Operation-by-operation comparison of two traces of the same scenario (Go reference vs our
 * client) and the matching of differences against compat/intended-differences.json.
 * @module
 */
import { isDeepStrictEqual } from "node:util";
import type { TraceEntry } from "./trace.js";

/** One observed difference between the Go and the TS trace. */
export interface Difference {
  scenario: string;
  operation: string;
  /** Position of the request among the scenario's requests of this operation (0-based). */
  index: number;
  /** What differs: `sequence`, `method`, `path`, `query`, `status`, `query:order`, `body`, `body:key-order`, `header:<name>`, `user-agent:<key>`, `user-agent:keys`. */
  field: string;
  go: unknown;
  ts: unknown;
}

/** An entry of compat/intended-differences.json. */
export interface IntendedDifference {
  /** Operation name or `*`. */
  operation: string;
  /** Field as in {@link Difference.field}. */
  field: string;
  /** Limit to one scenario; all scenarios when absent. */
  scenario?: string;
  reason: string;
}

/** User-Agent keys whose values legitimately differ between the two clients. */
export const UA_VALUES_ALLOWED_TO_DIFFER = ["build_version", "build_commit_sha"];

/** Compares two requests of the same operation field by field. */
export function compareEntries(
  scenario: string,
  index: number,
  go: TraceEntry,
  ts: TraceEntry,
): Difference[] {
  const diffs: Difference[] = [];
  const add = (field: string, a: unknown, b: unknown) => {
    if (!isDeepStrictEqual(a, b)) {
      diffs.push({ scenario, operation: go.operation, index, field, go: a, ts: b });
    }
  };
  add("method", go.method, ts.method);
  add("path", go.path, ts.path);
  add("query", go.query, ts.query);
  // Same parameters in another order: Go sorts keys when it re-encodes (spec §3.1 item 3).
  if (isDeepStrictEqual(go.query, ts.query)) add("query:order", go.queryKeyOrder, ts.queryKeyOrder);
  add("status", go.status, ts.status);
  add("body", go.body, ts.body);
  // Same content but keys in another order: the bytes differ from Go's (spec Appendix A.1).
  if (isDeepStrictEqual(go.body, ts.body)) {
    add("body:key-order", JSON.stringify(go.body), JSON.stringify(ts.body));
  }
  const names = new Set([...Object.keys(go.headers), ...Object.keys(ts.headers)]);
  for (const name of [...names].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)))
    add(`header:${name}`, go.headers[name], ts.headers[name]);
  add("user-agent:keys", go.userAgentKeys, ts.userAgentKeys);
  if (go.userAgent && ts.userAgent) {
    for (const key of go.userAgentKeys) {
      if (UA_VALUES_ALLOWED_TO_DIFFER.includes(key)) continue;
      add(`user-agent:${key}`, go.userAgent[key], ts.userAgent[key]);
    }
  }
  return diffs;
}

/**
 * Strict comparison: both traces must hold the same operations in the same order, and each
 * pair must match field by field.
 */
export function compareStrict(scenario: string, go: TraceEntry[], ts: TraceEntry[]): Difference[] {
  const diffs: Difference[] = [];
  const seen = new Map<string, number>();
  const length = Math.max(go.length, ts.length);
  for (let i = 0; i < length; i++) {
    const a = go[i];
    const b = ts[i];
    const operation = a?.operation ?? b?.operation ?? "?";
    const index = seen.get(operation) ?? 0;
    seen.set(operation, index + 1);
    if (!a || !b || a.operation !== b.operation) {
      diffs.push({
        scenario,
        operation,
        index,
        field: "sequence",
        go: go.slice(i).map((e) => e.operation),
        ts: ts.slice(i).map((e) => e.operation),
      });
      break;
    }
    diffs.push(...compareEntries(scenario, index, a, b));
  }
  return diffs;
}

/**
 * Loose comparison for timing-dependent scenarios (the listener lifecycle): both traces must
 * use the same set of operations, and the first request of each operation must match.
 */
export function compareLoose(scenario: string, go: TraceEntry[], ts: TraceEntry[]): Difference[] {
  const diffs: Difference[] = [];
  const first = (trace: TraceEntry[]) => {
    const map = new Map<string, TraceEntry>();
    for (const e of trace) if (!map.has(e.operation)) map.set(e.operation, e);
    return map;
  };
  const a = first(go);
  const b = first(ts);
  for (const operation of new Set([...a.keys(), ...b.keys()])) {
    const x = a.get(operation);
    const y = b.get(operation);
    if (!x || !y) {
      diffs.push({ scenario, operation, index: 0, field: "sequence", go: !!x, ts: !!y });
      continue;
    }
    // Statuses of long polls depend on timing here (200 vs 202); compare the request only.
    diffs.push(
      ...compareEntries(scenario, 0, x, y).filter(
        (d) => !(d.field === "status" || (operation === "acquireJobs" && d.field === "body")),
      ),
    );
  }
  return diffs;
}

/** Finds the intended-difference entry covering `diff`, if any. */
export function findIntended(
  diff: Difference,
  intended: IntendedDifference[],
): IntendedDifference | undefined {
  return intended.find(
    (i) =>
      (i.operation === "*" || i.operation === diff.operation) &&
      i.field === diff.field &&
      (i.scenario === undefined || i.scenario === diff.scenario),
  );
}
