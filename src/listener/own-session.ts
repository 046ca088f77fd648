/**
 * Opening and closing a listener's message session, and remembering the id of the session it
 * created last until that session is known to be deleted: in memory and, when the store supports
 * it, persisted. So the listener deletes its own stale session instead of waiting for the service
 * to expire it: after a crash and restart, or when the queue forgot a session the service still
 * counts as active.
 * @module
 */
import { childSignal } from "../util/abort.js";
import type { Logger } from "../util/logger.js";
import { classifyError, errorInfo, isSessionGone } from "./classify-error.js";
import type { ListenerClient, ListenerSession, MessageIdStore } from "./types.js";

/** Options of {@link OwnSession}. */
export interface OwnSessionOptions {
  client: ListenerClient;
  store: MessageIdStore | undefined;
  logger: Logger;
  /** Deadline of each create and delete request. */
  requestTimeoutMs: number;
  /** Deadline of the delete on shutdown. */
  closeTimeoutMs: number;
}

/**
 * Only ids this listener (or an earlier run with the same store) created are ever deleted; a
 * conflicting session of anyone else is never touched. Store failures are logged, not thrown.
 */
export class OwnSession {
  readonly #o: OwnSessionOptions;
  #current: { scaleSetId: number; sessionId: string } | undefined;
  #deleteFirst: boolean = false;

  constructor(options: OwnSessionOptions) {
    this.#o = options;
  }

  /** Reads the id an earlier run left in the store; it is deleted before the first create. */
  async load(scaleSetId: number): Promise<void> {
    const { store, logger } = this.#o;
    if (!store?.loadSessionId) return;
    try {
      const sessionId = await store.loadSessionId(scaleSetId);
      if (sessionId === undefined) return;
      this.#current = { scaleSetId, sessionId };
      this.#deleteFirst = true;
    } catch (err) {
      logger.warn({ err: errorInfo(err).message }, "could not load the last session id");
    }
  }

  /**
   * Creates a session and records its id (the id only; never its token). An id an earlier run
   * left in the store is deleted first. A 409 while a session of our own is still recorded leads
   * to deleting that one and, if the service did delete it, one immediate retry; any other 409
   * (nobody's session but ours is ever deleted) is thrown for the caller's backoff.
   */
  async open(
    scaleSetId: number,
    owner: string,
    signal: AbortSignal | undefined,
  ): Promise<ListenerSession> {
    if (this.#deleteFirst) {
      this.#deleteFirst = false;
      await this.remove(scaleSetId, signal);
    }
    let session: ListenerSession;
    try {
      session = await this.#create(scaleSetId, owner, signal);
    } catch (err) {
      if (classifyError(err, "create-session") !== "conflict") throw err;
      if (!(await this.remove(scaleSetId, signal))) throw err;
      session = await this.#create(scaleSetId, owner, signal);
    }
    this.#current = { scaleSetId, sessionId: session.session.sessionId };
    await this.#save(scaleSetId, session.session.sessionId);
    return session;
  }

  /**
   * Deletes `session` under a fresh deadline (shutdown does not cancel it); an already-gone
   * session counts as deleted. Resolves with the error message when it could not be deleted (its
   * id then stays recorded for the next run to delete).
   */
  async close(session: ListenerSession): Promise<string | undefined> {
    const { logger } = this.#o;
    const { sessionId } = session.session;
    const request = childSignal(undefined, this.#o.closeTimeoutMs);
    try {
      await session.close({ signal: request.signal });
      logger.info({ sessionId }, "message session deleted");
    } catch (err) {
      if (!isSessionGone(err)) {
        const message = errorInfo(err).message;
        logger.warn({ sessionId, err: message }, "could not delete the session");
        return message;
      }
      logger.info({ sessionId }, "message session was already gone");
    } finally {
      request.dispose();
    }
    await this.forget();
    return undefined;
  }

  /** Forgets the recorded session once it is known to be deleted (or its scale set gone). */
  async forget(): Promise<void> {
    const current = this.#current;
    this.#current = undefined;
    this.#deleteFirst = false;
    if (current) await this.#save(current.scaleSetId, undefined);
  }

  /**
   * Deletes the recorded session of `scaleSetId`, if any and if the client can. Resolves true
   * only when the service deleted a session (so a create it blocked may succeed now); an
   * already-gone session is forgotten and resolves false, as does a failure (kept for a retry).
   * Rejects only when `signal` aborted.
   */
  async remove(scaleSetId: number, signal: AbortSignal | undefined): Promise<boolean> {
    const current = this.#current;
    const { client, logger } = this.#o;
    if (!current || !client.deleteMessageSession) return false;
    if (current.scaleSetId !== scaleSetId) {
      await this.forget();
      return false;
    }
    const { sessionId } = current;
    const request = childSignal(signal, this.#o.requestTimeoutMs);
    try {
      await client.deleteMessageSession(scaleSetId, sessionId, { signal: request.signal });
      logger.info({ sessionId }, "deleted our own stale message session");
      await this.forget();
      return true;
    } catch (err) {
      if (signal?.aborted) throw err;
      if (isSessionGone(err)) {
        logger.info({ sessionId }, "our own earlier message session was already gone");
        await this.forget();
      } else {
        const message = errorInfo(err).message;
        logger.warn({ sessionId, err: message }, "could not delete our own stale message session");
      }
      return false;
    } finally {
      request.dispose();
    }
  }

  async #create(
    scaleSetId: number,
    owner: string,
    signal: AbortSignal | undefined,
  ): Promise<ListenerSession> {
    const request = childSignal(signal, this.#o.requestTimeoutMs);
    try {
      return await this.#o.client.createMessageSession(scaleSetId, owner, {
        signal: request.signal,
      });
    } finally {
      request.dispose();
    }
  }

  async #save(scaleSetId: number, sessionId: string | undefined): Promise<void> {
    const { store, logger } = this.#o;
    if (!store?.saveSessionId) return;
    try {
      await store.saveSessionId(scaleSetId, sessionId);
    } catch (err) {
      logger.warn({ err: errorInfo(err).message }, "could not save the session id");
    }
  }
}
