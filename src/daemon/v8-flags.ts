/**
 * V8 settings of the long-running daemon (`scaleset run`). Idle listeners hold little live data
 * (about 17 KB each), but V8's defaults size the heap for throughput: the young generation's
 * semi-spaces grow from 1 MB to 16 MB, the old generation may grow to about 3× its live size
 * before the next full collection, and a full collection keeps fragmented pages. Keeping the
 * semi-spaces at 1 MB, the old-generation growth at 20 % and compacting on every full collection
 * holds 1 000 idle listeners at about 90–95 MB RSS instead of 165–180 MB (`bench/`), for about
 * 20 % more CPU per request. These are garbage-collector settings only, unlike
 * `--optimize-for-size`, which makes the optimizing compiler timid too (about 1.3× the CPU per
 * request), and they take effect when set at run time (the semi-space maximum is fixed at
 * start-up, so `--max-semi-space-size` would not).
 * `SCALESET_V8_FLAGS` replaces the default ("" keeps V8's own defaults).
 * @module
 */
import { setFlagsFromString } from "node:v8";

/** What the daemon sets unless `SCALESET_V8_FLAGS` says otherwise. */
export const DEFAULT_DAEMON_V8_FLAGS =
  "--semi-space-growth-factor=1 --heap-growing-percent=20 --compact-on-every-full-gc";

/** Thrown for a `SCALESET_V8_FLAGS` entry that is not a `--flag`. */
export class V8FlagsError extends Error {}

/** Applies the daemon's V8 flags (before the daemon's modules load); returns them. */
export function applyDaemonV8Flags(env: NodeJS.ProcessEnv = process.env): string[] {
  const flags = (env["SCALESET_V8_FLAGS"] ?? DEFAULT_DAEMON_V8_FLAGS).split(/\s+/).filter(Boolean);
  const bad = flags.find((f) => !/^--[a-z0-9][a-z0-9_=.-]*$/i.test(f));
  if (bad !== undefined) {
    throw new V8FlagsError(
      `SCALESET_V8_FLAGS: "${bad}" is not a V8 flag; give space-separated flags such as "--optimize-for-size", or "" for V8's defaults`,
    );
  }
  for (const flag of flags) setFlagsFromString(flag);
  return flags;
}
