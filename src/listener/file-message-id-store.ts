/**
 * A {@link MessageIdStore} kept in one JSON file, shared by any number of listeners.
 * @module
 */
import { mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import type { MessageIdStore } from "./types.js";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

interface StoredIds {
  messageIds: Map<number, number>;
  sessionIds: Map<number, string>;
}

/**
 * Keeps, per scale set, the last handled message id and the id of the listener's open message
 * session in a JSON file: `{"lastMessageIds":{"<scaleSetId>":<messageId>},
 * "sessionIds":{"<scaleSetId>":"<uuid>"}}`. `sessionIds` is left out while empty, so files of
 * earlier versions (message ids only) load and are written unchanged. Only ids are written, never
 * a token. Writes are atomic (temp file + rename, mode 0600) and coalesced: concurrent saves from
 * many listeners share one write. A missing file reads as empty; a store left with nothing in it
 * removes its file. Safe to call concurrently; one instance per file, and one process per file.
 */
export class FileMessageIdStore implements MessageIdStore {
  readonly path: string;
  #ids: StoredIds | undefined;
  #loading: Promise<StoredIds> | undefined;
  #writing: Promise<void> | undefined;
  #pending: Promise<void> | undefined;

  constructor(path: string) {
    this.path = path;
  }

  /** The saved id for `scaleSetId`, or undefined. Rejects when the file exists but is unreadable. */
  async load(scaleSetId: number): Promise<number | undefined> {
    return (await this.#read()).messageIds.get(scaleSetId);
  }

  /** Records `messageId` for `scaleSetId`; resolves once a write including it has finished. */
  async save(scaleSetId: number, messageId: number): Promise<void> {
    (await this.#read()).messageIds.set(scaleSetId, messageId);
    return this.#schedule();
  }

  /** The saved session id for `scaleSetId`, or undefined. Rejects like {@link load}. */
  async loadSessionId(scaleSetId: number): Promise<string | undefined> {
    return (await this.#read()).sessionIds.get(scaleSetId);
  }

  /**
   * Records the session id for `scaleSetId` (`undefined` clears it); resolves once a write
   * including it has finished. Rejects, writing nothing, unless the id is a UUID.
   */
  async saveSessionId(scaleSetId: number, sessionId: string | undefined): Promise<void> {
    if (sessionId !== undefined && (typeof sessionId !== "string" || !UUID.test(sessionId))) {
      throw new TypeError("saveSessionId: sessionId must be a UUID");
    }
    const { sessionIds } = await this.#read();
    // Unchanged: nothing to write, but wait for a write still carrying it to finish.
    if (sessionIds.get(scaleSetId) === sessionId) return this.#pending ?? this.#writing;
    if (sessionId === undefined) sessionIds.delete(scaleSetId);
    else sessionIds.set(scaleSetId, sessionId);
    return this.#schedule();
  }

  #read(): Promise<StoredIds> {
    if (this.#ids) return Promise.resolve(this.#ids);
    this.#loading ??= this.#parse().then((ids) => {
      this.#ids = ids;
      return ids;
    });
    return this.#loading;
  }

  async #parse(): Promise<StoredIds> {
    const ids: StoredIds = { messageIds: new Map(), sessionIds: new Map() };
    let text: string;
    try {
      text = await readFile(this.path, "utf8");
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return ids;
      throw err;
    }
    const parsed = JSON.parse(text) as {
      lastMessageIds?: Record<string, unknown>;
      sessionIds?: Record<string, unknown>;
    };
    for (const [key, value] of Object.entries(parsed.lastMessageIds ?? {})) {
      if (typeof value === "number" && Number.isSafeInteger(value)) {
        ids.messageIds.set(Number(key), value);
      }
    }
    for (const [key, value] of Object.entries(parsed.sessionIds ?? {})) {
      if (typeof value === "string" && UUID.test(value)) ids.sessionIds.set(Number(key), value);
    }
    return ids;
  }

  /** Coalesces writes: at most one running and one queued; the queued one takes every update. */
  #schedule(): Promise<void> {
    if (!this.#writing) {
      this.#writing = this.#write().finally(() => {
        this.#writing = undefined;
      });
      return this.#writing;
    }
    this.#pending ??= this.#writing
      .catch(() => undefined)
      .then(() => {
        this.#pending = undefined;
        return this.#schedule();
      });
    return this.#pending;
  }

  async #write(): Promise<void> {
    if (!this.#ids) return; // every caller has read the file first
    const { messageIds, sessionIds } = this.#ids;
    if (messageIds.size === 0 && sessionIds.size === 0) {
      await rm(this.path, { force: true });
      return;
    }
    const state: { lastMessageIds: Record<string, number>; sessionIds?: Record<string, string> } = {
      lastMessageIds: Object.fromEntries([...messageIds].map(([id, m]) => [String(id), m])),
    };
    if (sessionIds.size > 0) {
      state.sessionIds = Object.fromEntries([...sessionIds].map(([id, s]) => [String(id), s]));
    }
    const tmp = `${this.path}.${process.pid}.tmp`;
    await mkdir(dirname(this.path), { recursive: true });
    await writeFile(tmp, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
    await rename(tmp, this.path);
  }
}
