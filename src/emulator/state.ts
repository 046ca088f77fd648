/**
 * Everything the emulated service knows, in maps keyed by id, plus the views and statistics
 * derived from it.
 * @module
 */
import type { RunnerScaleSetStatistic } from "../wire/types.js";
import { MessageQueue, type MessageQueueState } from "./message-queue.js";
import type { JobRecord, RunnerRecord, ScaleSetRecord, SessionRecord } from "./records.js";
import { jobMatches } from "./records.js";
import type { TokenState } from "./tokens.js";
import type { JobView, RunnerView, SessionView } from "./types.js";
import { Waiters } from "./waiters.js";

/** Id counters. */
export interface IdCounters {
  scaleSet: number;
  runner: number;
  runnerRequest: number;
  message: number;
}

/** The state file's JSON. */
export interface SavedState {
  version: 1;
  port: number;
  ids: IdCounters;
  scaleSets: ScaleSetRecord[];
  runners: RunnerRecord[];
  sessions: SessionRecord[];
  expiredSessions: [string, number][];
  jobs: JobRecord[];
  queues: [number, MessageQueueState][];
  tokens: TokenState;
}

/** The service's data. */
export class ServiceState {
  ids: IdCounters = { scaleSet: 0, runner: 0, runnerRequest: 0, message: 0 };
  readonly scaleSets = new Map<number, ScaleSetRecord>();
  readonly runners = new Map<number, RunnerRecord>();
  readonly runnerBySecret = new Map<string, RunnerRecord>();
  /** Runners by lower-cased name (names are unique case-insensitively; derived, not saved). */
  readonly runnerByName = new Map<string, RunnerRecord>();
  /** Runners per scale set (statistics read only their own set's runners). */
  readonly runnersByScaleSet = new Map<number, Set<RunnerRecord>>();
  /** Live session per scale set id. */
  readonly sessions = new Map<number, SessionRecord>();
  /** Tombstones of expired sessions: session id → scale set id. */
  readonly expiredSessions = new Map<string, number>();
  /** Every job, in queue order. */
  readonly jobs = new Map<string, JobRecord>();
  /** Jobs not completed yet, in queue order (what the engine and statistics scan). */
  readonly activeJobs = new Map<string, JobRecord>();
  /**
   * Per scale set, jobs assigned to it that no runner has taken yet, by runner request id (=
   * queue order); derived, not saved. Lazily pruned: readers skip entries that moved on.
   */
  readonly untaken = new Map<number, JobRecord[]>();
  /** Every job by runner request id (derived, not saved). */
  readonly jobByRequestId = new Map<number, JobRecord>();
  readonly queues = new Map<number, MessageQueue>();
  /** Runners long-polling for work, per scale set. */
  readonly runnerWaiters = new Map<number, Waiters>();

  queue(scaleSetId: number): MessageQueue {
    let q = this.queues.get(scaleSetId);
    if (!q) {
      q = new MessageQueue();
      this.queues.set(scaleSetId, q);
    }
    return q;
  }

  runnerWaitersFor(scaleSetId: number): Waiters {
    let w = this.runnerWaiters.get(scaleSetId);
    if (!w) {
      w = new Waiters();
      this.runnerWaiters.set(scaleSetId, w);
    }
    return w;
  }

  nextMessageId = (): number => ++this.ids.message;

  /** Records a new or restored job in the job maps. */
  addJob(job: JobRecord): void {
    this.jobs.set(job.jobId, job);
    this.jobByRequestId.set(job.runnerRequestId, job);
    if (job.state !== "completed") this.activeJobs.set(job.jobId, job);
    if (job.state === "assigned" && job.runnerId === undefined && job.scaleSetId !== undefined)
      this.markUntaken(job, job.scaleSetId);
  }

  /** Notes a job just assigned to `scaleSetId` and not taken by a runner yet. */
  markUntaken(job: JobRecord, scaleSetId: number): void {
    let list = this.untaken.get(scaleSetId);
    if (!list) {
      list = [];
      this.untaken.set(scaleSetId, list);
    }
    const id = job.runnerRequestId;
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((list[mid]?.runnerRequestId ?? 0) < id) lo = mid + 1;
      else hi = mid;
    }
    if (list[lo] === job) return;
    if (lo === list.length) list.push(job);
    else list.splice(lo, 0, job);
  }

  addRunner(runner: RunnerRecord): void {
    this.runners.set(runner.id, runner);
    this.runnerBySecret.set(runner.secret, runner);
    this.runnerByName.set(runner.name.toLowerCase(), runner);
    let set = this.runnersByScaleSet.get(runner.scaleSetId);
    if (!set) {
      set = new Set();
      this.runnersByScaleSet.set(runner.scaleSetId, set);
    }
    set.add(runner);
  }

  removeRunner(id: number): void {
    const runner = this.runners.get(id);
    if (!runner) return;
    this.runners.delete(id);
    this.runnerBySecret.delete(runner.secret);
    const key = runner.name.toLowerCase();
    if (this.runnerByName.get(key) === runner) this.runnerByName.delete(key);
    this.runnersByScaleSet.get(runner.scaleSetId)?.delete(runner);
  }

  /** The runner named `name` (case-insensitive), if any. */
  runnerNamed(name: string): RunnerRecord | undefined {
    return this.runnerByName.get(name.toLowerCase());
  }

  /** The seven counters of spec §4.3 for one scale set, computed now. */
  statistics(scaleSetId: number): RunnerScaleSetStatistic {
    const scaleSet = this.scaleSets.get(scaleSetId);
    let available = 0;
    let acquired = 0;
    let assigned = 0;
    let running = 0;
    for (const job of this.activeJobs.values()) {
      if (job.state === "queued") {
        if (scaleSet && jobMatches(job, scaleSet)) available++;
        continue;
      }
      if (job.scaleSetId !== scaleSetId) continue;
      if (job.state === "available") available++;
      else if (job.state === "acquired") acquired++;
      else if (job.state === "assigned") assigned++;
      else if (job.state === "running") {
        assigned++;
        running++;
      }
    }
    let registered = 0;
    let busy = 0;
    for (const r of this.runnersByScaleSet.get(scaleSetId) ?? []) {
      registered++;
      if (r.status === "busy") busy++;
    }
    return {
      totalAvailableJobs: available,
      totalAcquiredJobs: acquired,
      totalAssignedJobs: assigned,
      totalRunningJobs: running,
      totalRegisteredRunners: registered,
      totalBusyRunners: busy,
      totalIdleRunners: registered - busy,
    };
  }

  jobView(job: JobRecord): JobView {
    const view: JobView = {
      jobId: job.jobId,
      runnerRequestId: job.runnerRequestId,
      state: job.state,
      labels: [...job.labels],
      assignments: job.assignments,
    };
    if (job.scaleSetId !== undefined) view.scaleSetId = job.scaleSetId;
    if (job.runnerName !== undefined) view.runnerName = job.runnerName;
    if (job.result !== undefined) view.result = job.result;
    return view;
  }

  runnerView(r: RunnerRecord): RunnerView {
    const view: RunnerView = { id: r.id, name: r.name, scaleSetId: r.scaleSetId, status: r.status };
    if (r.jobId !== undefined) view.jobId = r.jobId;
    return view;
  }

  sessionView(s: SessionRecord): SessionView {
    const view: SessionView = {
      sessionId: s.sessionId,
      scaleSetId: s.scaleSetId,
      ownerName: s.ownerName,
    };
    if (s.lastPollAt !== undefined) view.lastPollAt = s.lastPollAt;
    return view;
  }

  toSaved(port: number, tokens: TokenState): SavedState {
    return {
      version: 1,
      port,
      ids: { ...this.ids },
      scaleSets: [...this.scaleSets.values()],
      runners: [...this.runners.values()],
      sessions: [...this.sessions.values()].map((s) => ({ ...s, activePolls: 0 })),
      expiredSessions: [...this.expiredSessions],
      jobs: [...this.jobs.values()],
      queues: [...this.queues].map(([id, q]) => [id, q.toState()]),
      tokens,
    };
  }

  restore(saved: SavedState): void {
    this.ids = { ...saved.ids };
    for (const s of saved.scaleSets) this.scaleSets.set(s.id, s);
    for (const r of saved.runners) this.addRunner(r);
    // A restart is not the client's fault: sessions get a fresh TTL.
    const now = Date.now();
    for (const s of saved.sessions)
      this.sessions.set(s.scaleSetId, { ...s, activePolls: 0, lastActivityAt: now });
    for (const [sid, ssid] of saved.expiredSessions) this.expiredSessions.set(sid, ssid);
    for (const j of saved.jobs) this.addJob(j);
    for (const [id, q] of saved.queues) this.queues.set(id, MessageQueue.fromState(q));
  }
}
