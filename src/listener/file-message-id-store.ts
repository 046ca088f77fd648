/**
 * A {@link MessageIdStore} kept in one JSON file, shared by any number of listeners.
 * @module
 */
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import type { MessageIdStore } from "./types.js";

/**
 * Keeps the last handled message id per scale set in a JSON file
 * (`{"lastMessageIds":{"<scaleSetId>":<messageId>}}`). Writes are atomic (temp file + rename)
 * and coalesced: concurrent `save` calls from many listeners share one write. A missing file
 * reads as empty. Safe to call concurrently; one instance per file per process.
 */
export class FileMessageIdStore implements MessageIdStore {
  readonly path: string;
  #ids: Map<number, number> | undefined;
  #loading: Promise<Map<number, number>> | undefined;
  #writing: Promise<void> | undefined;
  #pending: Promise<void> | undefined;

  constructor(path: string) {
    this.path = path;
  }

  /** The saved id for `scaleSetId`, or undefined. Rejects when the file exists but is unreadable. */
  async load(scaleSetId: number): Promise<number | undefined> {
    return (await this.#read()).get(scaleSetId);
  }

  /** Records `messageId` for `scaleSetId`; resolves once a write including it has finished. */
  async save(scaleSetId: number, messageId: number): Promise<void> {
    (await this.#read()).set(scaleSetId, messageId);
    return this.#schedule();
  }

  #read(): Promise<Map<number, number>> {
    if (this.#ids) return Promise.resolve(this.#ids);
    this.#loading ??= this.#parse().then((ids) => {
      this.#ids = ids;
      return ids;
    });
    return this.#loading;
  }

  async #parse(): Promise<Map<number, number>> {
    let text: string;
    try {
      text = await readFile(this.path, "utf8");
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return new Map();
      throw err;
    }
    const parsed = JSON.parse(text) as { lastMessageIds?: Record<string, unknown> };
    const ids = new Map<number, number>();
    for (const [key, value] of Object.entries(parsed.lastMessageIds ?? {})) {
      if (typeof value === "number" && Number.isSafeInteger(value)) ids.set(Number(key), value);
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
    const lastMessageIds: Record<string, number> = {};
    for (const [id, messageId] of this.#ids ?? []) lastMessageIds[String(id)] = messageId;
    const tmp = `${this.path}.${process.pid}.tmp`;
    await mkdir(dirname(this.path), { recursive: true });
    await writeFile(tmp, `${JSON.stringify({ lastMessageIds }, null, 2)}\n`, { mode: 0o600 });
    await rename(tmp, this.path);
  }
}
