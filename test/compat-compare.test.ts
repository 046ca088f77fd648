import { describe, expect, it } from "vitest";
import { compareLoose, compareStrict, findIntended } from "../compat/compare.js";
import { type RecordedRequest, toTraceEntry } from "../compat/trace.js";

const UA = (extra: Record<string, unknown> = {}) =>
  JSON.stringify({
    system: "scaleset-compat",
    version: "0.0.0",
    commit_sha: "compat",
    scale_set_id: 0,
    subsystem: "compat",
    build_version: "v0.4.0",
    build_commit_sha: "v0.4.0",
    kind: "scaleset",
    ...extra,
  });

function req(overrides: Partial<RecordedRequest> = {}): RecordedRequest {
  return {
    operation: "createMessageSession",
    method: "POST",
    path: "/tenant/_apis/runtime/runnerscalesets/7/sessions",
    query: { "api-version": "6.0-preview" },
    headers: {
      authorization: "Bearer ***",
      "content-type": "application/json",
      "user-agent": UA(),
      "content-length": "62",
      host: "127.0.0.1:1234",
      "accept-encoding": "gzip",
    },
    body: { sessionId: "00000000-0000-0000-0000-000000000000", ownerName: "me" },
    status: 200,
    ...overrides,
  };
}

describe("compat trace comparison", () => {
  it("normalises numeric ids and uuids in paths and query values", () => {
    const entry = toTraceEntry(
      req({
        path: "/tenant/_apis/runtime/runnerscalesets/7/sessions/3f2504e0-4f89-11d3-9a0c-0305e82c3301",
        query: { lastMessageId: "12", "api-version": "6.0-preview" },
      }),
    );
    expect(entry.path).toBe("/tenant/_apis/runtime/runnerscalesets/{n}/sessions/{uuid}");
    expect(entry.query).toEqual(["api-version=6.0-preview", "lastMessageId={n}"]);
  });

  it("treats two requests differing only in ignored headers and build info as equal", () => {
    const go = toTraceEntry(req());
    const ts = toTraceEntry(
      req({
        headers: {
          authorization: "Bearer ***",
          "content-type": "application/json",
          "user-agent": UA({ build_version: "v0.1.0", build_commit_sha: "v0.1.0" }),
          "content-length": "70",
          "accept-encoding": "gzip, deflate",
          connection: "keep-alive",
        },
      }),
    );
    expect(compareStrict("s", [go], [ts])).toEqual([]);
  });

  it("reports a missing Content-Length: 0, a changed header and a different body key", () => {
    const go = toTraceEntry(
      req({ method: "PATCH", body: null, headers: { "content-length": "0", "user-agent": UA() } }),
    );
    const ts = toTraceEntry(
      req({
        method: "PATCH",
        body: { ownerName: "me" },
        headers: { accept: "application/json", "user-agent": UA() },
      }),
    );
    const fields = compareStrict("s", [go], [ts]).map((d) => d.field);
    expect(fields).toEqual(["body", "header:accept", "header:content-length"]);
  });

  it("reports a body with the same content but another key order", () => {
    const go = toTraceEntry(req());
    const ts = toTraceEntry(
      req({ body: { ownerName: "me", sessionId: "00000000-0000-0000-0000-000000000000" } }),
    );
    expect(compareStrict("s", [go], [ts]).map((d) => d.field)).toEqual(["body:key-order"]);
  });

  it("reports User-Agent key set and value differences but not the build fields", () => {
    const go = toTraceEntry(req());
    const ts = toTraceEntry(
      req({ headers: { "user-agent": JSON.stringify({ system: "other", kind: "scaleset" }) } }),
    );
    const fields = compareStrict("s", [go], [ts]).map((d) => d.field);
    expect(fields).toContain("user-agent:keys");
    expect(fields).toContain("user-agent:system");
    expect(fields).not.toContain("user-agent:build_version");
  });

  it("reports a sequence difference when the operations diverge", () => {
    const a = [toTraceEntry(req()), toTraceEntry(req({ operation: "getMessage" }))];
    const b = [toTraceEntry(req())];
    const diffs = compareStrict("s", a, b);
    expect(diffs).toEqual([
      expect.objectContaining({ field: "sequence", operation: "getMessage", ts: [] }),
    ]);
  });

  it("compares only the first request of each operation in loose mode and ignores statuses", () => {
    const a = [toTraceEntry(req({ operation: "getMessage", status: 202 }))];
    const b = [
      toTraceEntry(req({ operation: "getMessage", status: 200 })),
      toTraceEntry(req({ operation: "getMessage", method: "PUT" })),
    ];
    expect(compareLoose("s", a, b)).toEqual([]);
  });

  it("matches a difference against the intended list by operation, field and scenario", () => {
    const diff = {
      scenario: "s",
      operation: "getMessage",
      index: 0,
      field: "header:accept",
      go: "a",
      ts: "b",
    };
    expect(
      findIntended(diff, [{ operation: "*", field: "header:accept", reason: "r" }]),
    ).toBeDefined();
    expect(
      findIntended(diff, [
        { operation: "getMessage", field: "header:accept", scenario: "x", reason: "r" },
      ]),
    ).toBeUndefined();
  });
});
