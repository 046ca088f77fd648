/**
 * Where `scaleset run` keeps each scale set's message-session id across restarts, so a daemon
 * restarted after a crash deletes the session its previous run left open instead of waiting
 * (minutes on GitHub) for the service to expire it.
 * @module
 */
import { createHash } from "node:crypto";
import { homedir } from "node:os";
import { join } from "node:path";
import { FileMessageIdStore } from "../listener/file-message-id-store.js";
import type { MessageIdStore } from "../listener/types.js";

/**
 * `SCALESET_STATE_DIR`, else `~/.scaleset/state` (next to the process provider's default
 * `~/.scaleset/runners`).
 */
export function defaultStateDir(env: NodeJS.ProcessEnv = process.env): string {
  return env["SCALESET_STATE_DIR"] || join(homedir(), ".scaleset", "state");
}

/**
 * The state file of one scale set of one configuration: `<stateDir>/session-<hash>.json`, the hash
 * taken over the config URL and the scale set name, so daemons of other organisations or other
 * scale sets on the same host never share (or delete) each other's session.
 */
export function sessionStatePath(
  configUrl: string,
  scaleSetName: string,
  stateDir: string,
): string {
  return join(stateDir, `session-${scaleSetStateKey(configUrl, scaleSetName)}.json`);
}

/** The per-scale-set part of the state file names: a hash of the config URL and the name. */
export function scaleSetStateKey(configUrl: string, scaleSetName: string): string {
  return createHash("sha256").update(`${configUrl}\n${scaleSetName}`).digest("hex").slice(0, 16);
}

/**
 * A store keeping only the session id (ids only, never a token; the file is removed again after a
 * clean shutdown). The last message id is deliberately not kept: the daemon starts every run from
 * the first unacknowledged message, as the Go reference does, so a cursor left from a scale set
 * whose ids were reused (a re-created emulator, say) can never make it skip messages.
 */
export function sessionIdStore(path: string): MessageIdStore {
  const file = new FileMessageIdStore(path);
  return {
    load: async () => undefined,
    save: async () => {},
    loadSessionId: (scaleSetId) => file.loadSessionId(scaleSetId),
    saveSessionId: (scaleSetId, sessionId) => file.saveSessionId(scaleSetId, sessionId),
  };
}
