/**
 * The default session owner name: host name plus a short id that is stable for this host and
 * scale set, so a restarted listener recognises a conflicting session as its own stale one.
 * @module
 */
import { createHash } from "node:crypto";
import { hostname } from "node:os";

/** `${hostname}-${8 hex chars of sha256(hostname:scaleSetId)}`. */
export function defaultOwner(scaleSetId: number, host: string = safeHostname()): string {
  const id = createHash("sha256").update(`${host}:${scaleSetId}`).digest("hex").slice(0, 8);
  return `${host}-${id}`;
}

function safeHostname(): string {
  try {
    return hostname() || "scaleset";
  } catch {
    return "scaleset";
  }
}
