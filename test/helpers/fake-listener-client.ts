/**
 * Hand-written fakes for listener tests: a client + session backed by a tiny in-memory broker
 * (one queue per scale set, redelivery of unacked messages, long poll), a scriptable fault list,
 * and a recording scaler.
 */
import type { RequestOptions, RunnerScaleSetInput } from "../../src/client/types.js";
import type {
  ListenerClient,
  ListenerSession,
  Scaler,
  ScalerContext,
} from "../../src/listener/types.js";
import { sleep } from "../../src/util/sleep.js";
import type {
  JobAvailable,
  JobCompleted,
  JobStarted,
  RunnerScaleSet,
  RunnerScaleSetMessage,
  RunnerScaleSetSession,
  RunnerScaleSetStatistic,
} from "../../src/wire/types.js";

/** An error shaped like the client's HttpError (code/status/exceptionName). */
export class FakeHttpError extends Error {
  readonly code: string;
  readonly status: number | undefined;
  readonly exceptionName: string | undefined;
  readonly serviceMessage: string | undefined;
  constructor(code: string, status?: number, exceptionName?: string, serviceMessage?: string) {
    super(`fake ${code} (${status ?? "no status"})${serviceMessage ? `: ${serviceMessage}` : ""}`);
    this.code = code;
    this.status = status;
    this.exceptionName = exceptionName;
    this.serviceMessage = serviceMessage;
  }
}

type Operation =
  | "createMessageSession"
  | "getMessage"
  | "deleteMessage"
  | "acquireJobs"
  | "refresh"
  | "close"
  | "createRunnerScaleSet"
  | "getRunnerScaleSetById";

interface Fault {
  operation: Operation;
  error: unknown | (() => unknown);
  scaleSetId: number | undefined;
  count: number;
}

export function stats(totalAssignedJobs = 0): RunnerScaleSetStatistic {
  return {
    totalAvailableJobs: 0,
    totalAcquiredJobs: 0,
    totalAssignedJobs,
    totalRunningJobs: 0,
    totalRegisteredRunners: 0,
    totalBusyRunners: 0,
    totalIdleRunners: 0,
  };
}

function job<T extends string>(messageType: T, runnerRequestId: number) {
  return {
    messageType,
    runnerRequestId,
    repositoryName: "repo",
    ownerName: "owner",
    jobId: `job-${runnerRequestId}`,
    jobWorkflowRef: "",
    jobDisplayName: "",
    workflowRunId: 1,
    eventName: "push",
    requestLabels: ["self-hosted"],
    queueTime: "",
    scaleSetAssignTime: "",
    runnerAssignTime: "",
    finishTime: "",
  };
}

/** Message content a test queues. */
export interface FakeMessageSpec {
  totalAssignedJobs?: number;
  available?: number[];
  started?: number[];
  completed?: number[];
}

/** One call the fake saw: operation, scale set, and a short argument summary. */
export interface FakeCall {
  operation: Operation;
  scaleSetId: number;
  args: unknown[];
}

/** In-memory client + broker. */
export class FakeListenerClient implements ListenerClient {
  readonly calls: FakeCall[] = [];
  readonly scaleSets = new Map<number, { name: string; queue: RunnerScaleSetMessage[] }>();
  /** Active session per scale set: owner name. */
  readonly sessions = new Map<number, string>();
  longPollMs = 20;
  /** When true the broker skips messages ≤ lastMessageId (implicit ack); else it redelivers every unacked one. */
  honourLastMessageId: boolean = false;
  #faults: Fault[] = [];
  #nextMessageId = 1;
  #nextScaleSetId = 1;
  #nextSession = 1;
  #waiters = new Set<() => void>();

  constructor(scaleSetIds: number[] = [1]) {
    for (const id of scaleSetIds) this.scaleSets.set(id, { name: `set-${id}`, queue: [] });
    this.#nextScaleSetId = Math.max(0, ...scaleSetIds) + 1;
  }

  /** Makes the next `count` calls of `operation` (optionally for one scale set) throw `error`. */
  fail(operation: Operation, error: unknown | (() => unknown), count = 1, scaleSetId?: number) {
    this.#faults.push({ operation, error, count, scaleSetId });
  }

  clearFaults(): void {
    this.#faults = [];
  }

  /** Queues a message for `scaleSetId`; returns its id. */
  queue(scaleSetId: number, spec: FakeMessageSpec): number {
    const set = this.scaleSets.get(scaleSetId);
    if (!set) throw new Error(`no scale set ${scaleSetId}`);
    const messageId = this.#nextMessageId++;
    set.queue.push({
      messageId,
      statistics: stats(spec.totalAssignedJobs ?? 0),
      jobAvailableMessages: (spec.available ?? []).map(
        (id) => ({ ...job("JobAvailable", id), acquireJobUrl: "" }) as JobAvailable,
      ),
      jobAssignedMessages: [],
      jobStartedMessages: (spec.started ?? []).map(
        (id) => ({ ...job("JobStarted", id), runnerId: id, runnerName: `r-${id}` }) as JobStarted,
      ),
      jobCompletedMessages: (spec.completed ?? []).map(
        (id) =>
          ({
            ...job("JobCompleted", id),
            runnerId: id,
            runnerName: `r-${id}`,
            result: "succeeded",
          }) as JobCompleted,
      ),
    });
    for (const wake of this.#waiters) wake();
    return messageId;
  }

  /** Calls of `operation`, optionally for one scale set. */
  callsOf(operation: Operation, scaleSetId?: number): FakeCall[] {
    return this.calls.filter(
      (c) => c.operation === operation && (scaleSetId === undefined || c.scaleSetId === scaleSetId),
    );
  }

  deleteScaleSet(id: number): void {
    this.scaleSets.delete(id);
    this.sessions.delete(id);
  }

  record(operation: Operation, scaleSetId: number, args: unknown[] = []): void {
    this.calls.push({ operation, scaleSetId, args });
    const fault = this.#faults.find(
      (f) =>
        f.operation === operation && (f.scaleSetId === undefined || f.scaleSetId === scaleSetId),
    );
    if (!fault) return;
    if (--fault.count <= 0) this.#faults.splice(this.#faults.indexOf(fault), 1);
    throw typeof fault.error === "function" ? (fault.error as () => unknown)() : fault.error;
  }

  async createMessageSession(
    scaleSetId: number,
    owner: string,
    options?: RequestOptions,
  ): Promise<ListenerSession> {
    options?.signal?.throwIfAborted();
    this.record("createMessageSession", scaleSetId, [owner]);
    const set = this.scaleSets.get(scaleSetId);
    if (!set) {
      throw new FakeHttpError("SCALE_SET_NOT_FOUND", 404, "RunnerScaleSetNotFoundException");
    }
    const holder = this.sessions.get(scaleSetId);
    if (holder !== undefined) {
      throw new FakeHttpError(
        "SESSION_CONFLICT",
        409,
        "RunnerScaleSetSessionConflictException",
        `The runner scale set ${set.name} already has an active session for owner ${holder}.`,
      );
    }
    this.sessions.set(scaleSetId, owner);
    const sessionId = `00000000-0000-0000-0000-${String(this.#nextSession++).padStart(12, "0")}`;
    return new FakeSession(this, scaleSetId, {
      sessionId,
      ownerName: owner,
      runnerScaleSet: this.#scaleSetOf(scaleSetId, set.name),
      messageQueueUrl: `http://fake/${scaleSetId}`,
      messageQueueAccessToken: "secret",
      statistics: stats(set.queue.at(-1)?.statistics.totalAssignedJobs ?? 0),
    });
  }

  async getRunnerScaleSetById(id: number): Promise<RunnerScaleSet | undefined> {
    this.record("getRunnerScaleSetById", id);
    const set = this.scaleSets.get(id);
    return set ? this.#scaleSetOf(id, set.name) : undefined;
  }

  async createRunnerScaleSet(input: RunnerScaleSetInput): Promise<RunnerScaleSet> {
    const id = this.#nextScaleSetId++;
    this.record("createRunnerScaleSet", id, [input]);
    const name = input.name ?? `set-${id}`;
    this.scaleSets.set(id, { name, queue: [] });
    return this.#scaleSetOf(id, name);
  }

  /** Resolves after the next queue() or `ms`, whichever first; rejects on abort. */
  async waitForMessage(ms: number, signal: AbortSignal | undefined): Promise<void> {
    let wake: () => void = () => {};
    const woken = new Promise<void>((resolve) => {
      wake = resolve;
    });
    this.#waiters.add(wake);
    try {
      await Promise.race([woken, sleep(ms, { signal })]);
      signal?.throwIfAborted();
    } finally {
      this.#waiters.delete(wake);
    }
  }

  #scaleSetOf(id: number, name: string): RunnerScaleSet {
    return {
      id,
      name,
      runnerGroupId: 1,
      runnerGroupName: "default",
      labels: [{ name, type: "System" }],
      runnerSetting: {},
      createdOn: "",
      runnerJitConfigUrl: "",
      statistics: undefined,
    };
  }
}

/** A session of the fake broker. */
export class FakeSession implements ListenerSession {
  session: RunnerScaleSetSession;
  readonly #client: FakeListenerClient;
  readonly #scaleSetId: number;

  constructor(client: FakeListenerClient, scaleSetId: number, session: RunnerScaleSetSession) {
    this.#client = client;
    this.#scaleSetId = scaleSetId;
    this.session = session;
  }

  #alive(): { queue: RunnerScaleSetMessage[] } {
    const set = this.#client.scaleSets.get(this.#scaleSetId);
    if (!set || this.#client.sessions.get(this.#scaleSetId) !== this.session.ownerName) {
      throw new FakeHttpError("SESSION_NOT_FOUND", 404);
    }
    return set;
  }

  async getMessage(
    lastMessageId: number,
    maxCapacity: number,
    options?: RequestOptions,
  ): Promise<RunnerScaleSetMessage | undefined> {
    this.#client.record("getMessage", this.#scaleSetId, [lastMessageId, maxCapacity]);
    const signal = options?.signal;
    const deadline = Date.now() + this.#client.longPollMs;
    for (;;) {
      signal?.throwIfAborted();
      const next = this.#alive().queue.find(
        (m) => !this.#client.honourLastMessageId || m.messageId > lastMessageId,
      );
      if (next) return next;
      const left = deadline - Date.now();
      if (left <= 0) return undefined;
      await this.#client.waitForMessage(left, signal);
    }
  }

  async deleteMessage(messageId: number): Promise<void> {
    this.#client.record("deleteMessage", this.#scaleSetId, [messageId]);
    const queue = this.#alive().queue;
    const i = queue.findIndex((m) => m.messageId === messageId);
    if (i >= 0) queue.splice(i, 1);
  }

  async acquireJobs(requestIds: number[]): Promise<number[]> {
    this.#client.record("acquireJobs", this.#scaleSetId, [requestIds]);
    this.#alive();
    return requestIds;
  }

  async refresh(): Promise<RunnerScaleSetSession> {
    this.#client.record("refresh", this.#scaleSetId);
    this.#alive();
    return this.session;
  }

  async close(): Promise<void> {
    this.#client.record("close", this.#scaleSetId);
    this.#alive();
    this.#client.sessions.delete(this.#scaleSetId);
  }
}

/** A scaler that records every callback; `failNext` makes the next callback throw. */
export class FakeScaler implements Scaler {
  readonly events: string[] = [];
  readonly desired: number[] = [];
  readonly contexts: ScalerContext[] = [];
  failures = 0;
  /** Awaited inside every callback (lets tests hold a handler mid-flight). */
  gate: Promise<void> | undefined;

  async handleDesiredRunnerCount(count: number, ctx: ScalerContext): Promise<number> {
    await this.#enter(`desired:${count}`, ctx);
    this.desired.push(count);
    return count;
  }

  async handleJobStarted(job: JobStarted, ctx: ScalerContext): Promise<void> {
    await this.#enter(`started:${job.runnerRequestId}`, ctx);
  }

  async handleJobCompleted(job: JobCompleted, ctx: ScalerContext): Promise<void> {
    await this.#enter(`completed:${job.runnerRequestId}`, ctx);
  }

  async #enter(event: string, ctx: ScalerContext): Promise<void> {
    this.events.push(event);
    this.contexts.push(ctx);
    if (this.gate !== undefined) await this.gate;
    if (this.failures > 0) {
      this.failures--;
      throw new Error(`scaler failed on ${event}`);
    }
  }
}

/** Polls `probe` every few ms until it returns truthy (or throws after `timeoutMs`). */
export async function waitUntil<T>(
  probe: () => T | undefined | false | null | Promise<T | undefined | false | null>,
  timeoutMs = 5000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error("waitUntil timed out");
    await sleep(5);
  }
}
