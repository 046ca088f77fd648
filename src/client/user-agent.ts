/**
 * The JSON User-Agent of protocol-spec.md §3.2.
 * @module
 */
import { goJson } from "./go-json.js";
import type { SystemInfo } from "./types.js";

/** This library's version as reported in `build_version` / `build_commit_sha`. */
export const CLIENT_VERSION = "0.1.0";

/** System info used until the caller sets one: all empty, scale set id 0 (as in the Go client). */
export const EMPTY_SYSTEM_INFO: Readonly<SystemInfo> = Object.freeze({
  system: "",
  version: "",
  commitSha: "",
  scaleSetId: 0,
  subsystem: "",
});

/** Compact Go-encoded UA JSON, keys in the reference's fixed order. */
export function userAgent(info: SystemInfo): string {
  return goJson({
    system: info.system,
    version: info.version,
    commit_sha: info.commitSha,
    scale_set_id: info.scaleSetId,
    subsystem: info.subsystem,
    build_version: `v${CLIENT_VERSION}`,
    build_commit_sha: `v${CLIENT_VERSION}`,
    kind: "scaleset",
  });
}
