/**
 * The message queue of one scale set (spec §3.14–§3.15, §8): job messages batch into outer
 * messages of at most 50 at poll time, ids increase monotonically, unacked messages are
 * redelivered, `lastMessageId` acknowledges everything up to it.
 * @module
 */
import type { JobMessage } from "../wire/types.js";
import { Waiters } from "./waiters.js";

/** Job messages per outer message (ref README). */
export const MAX_JOB_MESSAGES = 50;

/** An outer message handed out and not yet acknowledged. */
export interface QueuedMessage {
  messageId: number;
  body: string;
}

/** Serializable queue content. */
export interface MessageQueueState {
  pending: JobMessage[];
  unacked: QueuedMessage[];
}

/** One scale set's queue plus the long polls parked on it. */
export class MessageQueue {
  pending: JobMessage[] = [];
  unacked: QueuedMessage[] = [];
  readonly waiters = new Waiters();

  /** Adds a job message and wakes parked polls. */
  push(message: JobMessage): void {
    this.pending.push(message);
    this.waiters.notify();
  }

  /** Drops every handed-out message with id ≤ `messageId`. */
  ackUpTo(messageId: number): void {
    if (messageId <= 0) return;
    let drop = 0;
    while (drop < this.unacked.length && (this.unacked[drop]?.messageId ?? 0) <= messageId) drop++;
    if (drop > 0) this.unacked.splice(0, drop);
  }

  /** Drops one handed-out message; true when it existed. */
  delete(messageId: number): boolean {
    const before = this.unacked.length;
    this.unacked = this.unacked.filter((m) => m.messageId !== messageId);
    return this.unacked.length !== before;
  }

  /**
   * The message to deliver to a poll with `lastMessageId`: the oldest unacknowledged one, else a
   * new batch of up to 50 pending job messages (id from `nextId`), else undefined.
   */
  next(lastMessageId: number, nextId: () => number): QueuedMessage | undefined {
    this.ackUpTo(lastMessageId);
    const redelivery = this.unacked[0];
    if (redelivery) return redelivery;
    if (this.pending.length === 0) return undefined;
    const batch = this.pending.splice(0, MAX_JOB_MESSAGES);
    const message = { messageId: nextId(), body: JSON.stringify(batch) };
    this.unacked.push(message);
    return message;
  }

  /** True when a poll would get a message right away. */
  hasMessages(): boolean {
    return this.unacked.length > 0 || this.pending.length > 0;
  }

  toState(): MessageQueueState {
    return { pending: this.pending, unacked: this.unacked };
  }

  static fromState(state: MessageQueueState): MessageQueue {
    const q = new MessageQueue();
    q.pending = [...state.pending];
    q.unacked = [...state.unacked];
    return q;
  }
}
