/**
 * The job engine (spec §4, §8): queued → available → acquired → assigned → running → completed,
 * in github mode (the service assigns) or GHES mode (JobAvailable, the client acquires), with
 * capacity from the last poll and cancel + requeue when no runner picks a job up in time.
 * @module
 */
import { randomUUID } from "node:crypto";
import type { JobMessage, JobMessageType } from "../wire/types.js";
import { ZERO_TIME } from "../wire/types.js";
import type { JobRecord, RunnerRecord, ScaleSetRecord } from "./records.js";
import { jobMatches, timestamp } from "./records.js";
import type { ServiceState } from "./state.js";
import type { EmulatorMode, JobSpec } from "./types.js";

/** Requeues after a pickup timeout before the job fails (ref README). */
export const MAX_REQUEUES = 3;

/** Engine settings. */
export interface EngineOptions {
  mode: EmulatorMode;
  org: string;
  pickupTimeoutMs: number;
  runnerLostTimeoutMs: number;
  /** Absolute acquirejobs URL of a scale set (for JobAvailable). */
  acquireJobUrl: (scaleSetId: number) => string;
  /** Called after every state change (state file). */
  onChange: () => void;
}

/** Moves jobs through their states and emits the job messages. */
export class JobEngine {
  readonly state: ServiceState;
  readonly options: EngineOptions;

  constructor(state: ServiceState, options: EngineOptions) {
    this.state = state;
    this.options = options;
  }

  /** Queues jobs and schedules them at once. */
  queueJobs(specs: JobSpec[]): JobRecord[] {
    const now = timestamp();
    const jobs = specs.map((spec) => {
      const job: JobRecord = {
        jobId: randomUUID(),
        runnerRequestId: ++this.state.ids.runnerRequest,
        labels: [...spec.labels],
        durationMs: spec.durationMs ?? 100,
        plannedResult: spec.result ?? "succeeded",
        displayName: spec.displayName ?? "build",
        repository: spec.repository ?? "emulated-repo",
        owner: spec.owner ?? this.options.org,
        workflowRef: spec.workflowRef ?? "",
        eventName: spec.eventName ?? "push",
        workflowRunId: spec.workflowRunId ?? 0,
        state: "queued",
        assignments: 0,
        queueTime: now,
        scaleSetAssignTime: ZERO_TIME,
        runnerAssignTime: ZERO_TIME,
        finishTime: ZERO_TIME,
      };
      if (spec.command !== undefined) job.command = spec.command;
      if (!job.workflowRef) {
        job.workflowRef = `${job.owner}/${job.repository}/.github/workflows/ci.yml@refs/heads/main`;
      }
      if (!job.workflowRunId) job.workflowRunId = 1000 + job.runnerRequestId;
      this.state.addJob(job);
      return job;
    });
    this.schedule();
    this.options.onChange();
    return jobs;
  }

  /** Offers queued jobs (GHES) or assigns them (github) to scale sets with a live session. */
  schedule(): void {
    const { state } = this;
    if (state.sessions.size === 0 || state.activeJobs.size === 0) return;
    const candidates = [...state.sessions.values()]
      .map((s) => ({ session: s, scaleSet: state.scaleSets.get(s.scaleSetId) }))
      .filter((c): c is typeof c & { scaleSet: ScaleSetRecord } => c.scaleSet !== undefined)
      .sort((a, b) => a.scaleSet.id - b.scaleSet.id);
    if (candidates.length === 0) return;
    const load = new Map<number, number>();
    for (const job of state.activeJobs.values()) {
      if ((job.state === "assigned" || job.state === "running") && job.scaleSetId !== undefined) {
        load.set(job.scaleSetId, (load.get(job.scaleSetId) ?? 0) + 1);
      }
    }
    const hasRoom = (c: (typeof candidates)[number]) =>
      c.session.maxCapacity !== undefined && (load.get(c.scaleSet.id) ?? 0) < c.session.maxCapacity;
    const github = this.options.mode !== "ghes";
    // github mode only assigns, and only into room: once no set has room, nothing else can happen
    // (so a completion with thousands of jobs waiting does not re-match them all).
    let room = 0;
    for (const c of candidates) {
      if (c.session.maxCapacity === undefined) continue;
      room += Math.max(0, c.session.maxCapacity - (load.get(c.scaleSet.id) ?? 0));
    }
    if (github && room === 0) return;
    for (const job of state.activeJobs.values()) {
      if (github && room === 0) break;
      if (job.state === "queued") {
        if (this.options.mode === "ghes") {
          const target = candidates.find((c) => jobMatches(job, c.scaleSet));
          if (target) this.offer(job, target.scaleSet.id);
          continue;
        }
        const target = candidates.find((c) => jobMatches(job, c.scaleSet) && hasRoom(c));
        if (!target) continue;
        this.assign(job, target.scaleSet.id);
        load.set(target.scaleSet.id, (load.get(target.scaleSet.id) ?? 0) + 1);
        room--;
      } else if (job.state === "acquired" && job.scaleSetId !== undefined) {
        const target = candidates.find((c) => c.scaleSet.id === job.scaleSetId);
        if (!target || !hasRoom(target)) continue;
        this.assign(job, target.scaleSet.id);
        load.set(target.scaleSet.id, (load.get(target.scaleSet.id) ?? 0) + 1);
        room--;
      }
    }
  }

  private offer(job: JobRecord, scaleSetId: number): void {
    job.state = "available";
    job.scaleSetId = scaleSetId;
    this.emit(job, "JobAvailable");
  }

  private assign(job: JobRecord, scaleSetId: number): void {
    job.state = "assigned";
    job.scaleSetId = scaleSetId;
    job.assignments++;
    job.assignedAtMs = Date.now();
    job.scaleSetAssignTime = timestamp(job.assignedAtMs);
    job.runnerAssignTime = ZERO_TIME;
    job.finishTime = ZERO_TIME;
    this.state.markUntaken(job, scaleSetId);
    this.emit(job, "JobAssigned");
    this.state.runnerWaitersFor(scaleSetId).notify();
  }

  /**
   * GHES mode: repeats JobAvailable for jobs offered to a scale set and still unacquired, so a
   * new session (a restarted listener) can acquire them.
   */
  reoffer(scaleSetId: number): void {
    if (this.options.mode !== "ghes") return;
    for (const job of this.state.activeJobs.values()) {
      if (job.state === "available" && job.scaleSetId === scaleSetId)
        this.emit(job, "JobAvailable");
    }
  }

  /** acquirejobs: the ids among `requestIds` now acquired by the scale set. */
  acquire(scaleSetId: number, requestIds: number[]): number[] {
    const scaleSet = this.state.scaleSets.get(scaleSetId);
    const acquired: number[] = [];
    // By id instead of a scan of all jobs; in queue order (= runner request id order) as before.
    const wanted = [...new Set(requestIds)]
      .map((id) => this.state.jobByRequestId.get(id))
      .filter((job): job is JobRecord => job !== undefined && job.state !== "completed")
      .sort((a, b) => a.runnerRequestId - b.runnerRequestId);
    for (const job of wanted) {
      const offered = job.state === "available" && job.scaleSetId === scaleSetId;
      const open = job.state === "queued" && scaleSet !== undefined && jobMatches(job, scaleSet);
      if (!offered && !open) continue;
      job.state = "acquired";
      job.scaleSetId = scaleSetId;
      acquired.push(job.runnerRequestId);
    }
    if (acquired.length > 0) {
      this.schedule();
      this.options.onChange();
    }
    return acquired;
  }

  /** A runner takes the oldest assigned job of its scale set nobody has taken yet. */
  take(runner: RunnerRecord): JobRecord | undefined {
    if (runner.jobId) return this.state.jobs.get(runner.jobId);
    const job = this.oldestUntaken(runner.scaleSetId);
    if (!job) return undefined;
    this.state.untaken.get(runner.scaleSetId)?.shift();
    job.runnerId = runner.id;
    job.runnerName = runner.name;
    job.runnerAssignTime = timestamp();
    job.lockedUntilMs = Date.now() + this.options.runnerLostTimeoutMs;
    runner.status = "busy";
    runner.jobId = job.jobId;
    this.options.onChange();
    return job;
  }

  /**
   * The scale set's untaken assigned job first in queue order: the head of its untaken list
   * (sorted by runner request id) once entries no longer untaken are dropped from the front.
   */
  private oldestUntaken(scaleSetId: number): JobRecord | undefined {
    const list = this.state.untaken.get(scaleSetId);
    if (!list) return undefined;
    for (let job = list[0]; job !== undefined; job = list[0]) {
      if (job.state === "assigned" && job.scaleSetId === scaleSetId && job.runnerId === undefined)
        return job;
      list.shift();
    }
    return undefined;
  }

  /** The runner reports its job running: JobStarted. */
  started(runner: RunnerRecord, job: JobRecord): void {
    if (job.state !== "assigned" || job.runnerId !== runner.id) return;
    job.state = "running";
    this.emit(job, "JobStarted");
    this.options.onChange();
  }

  /** The runner reports its job done: JobCompleted; the ephemeral runner deregisters. */
  completed(runner: RunnerRecord, job: JobRecord, result: string): void {
    if (job.runnerId !== runner.id || job.state === "completed") return;
    job.state = "completed";
    this.state.activeJobs.delete(job.jobId);
    job.result = result;
    job.finishTime = timestamp();
    this.emit(job, "JobCompleted");
    this.state.removeRunner(runner.id);
    this.schedule();
    this.options.onChange();
  }

  /** Cancels assigned jobs nobody took in time; requeues them up to 3 times, then fails them. */
  sweepPickups(nowMs = Date.now()): void {
    let changed = false;
    for (const job of this.state.activeJobs.values()) {
      if (job.state !== "assigned" || job.runnerId !== undefined) continue;
      if (
        job.assignedAtMs === undefined ||
        nowMs - job.assignedAtMs < this.options.pickupTimeoutMs
      ) {
        continue;
      }
      changed = true;
      const requeue = job.assignments <= MAX_REQUEUES;
      job.finishTime = timestamp(nowMs);
      job.runnerAssignTime = ZERO_TIME;
      job.result = requeue ? "canceled" : "failed";
      this.emit(job, "JobCompleted");
      delete job.result;
      if (requeue) {
        job.state = "queued";
        delete job.scaleSetId;
        delete job.assignedAtMs;
      } else {
        job.state = "completed";
        this.state.activeJobs.delete(job.jobId);
        job.result = "failed";
      }
    }
    if (changed) {
      this.schedule();
      this.options.onChange();
    }
  }

  /** The runner renews its job lock; false when the job is not (any more) the runner's. */
  renew(runner: RunnerRecord, job: JobRecord): boolean {
    if (job.runnerId !== runner.id || job.state === "completed") return false;
    job.lockedUntilMs = Date.now() + this.options.runnerLostTimeoutMs;
    return true;
  }

  /** Fails jobs whose runner stopped renewing the lock, and removes those runners. */
  sweepLostRunners(nowMs = Date.now()): void {
    for (const job of this.state.activeJobs.values()) {
      if (
        job.runnerId === undefined ||
        job.lockedUntilMs === undefined ||
        job.lockedUntilMs > nowMs
      ) {
        continue;
      }
      const runner = this.state.runners.get(job.runnerId);
      if (runner) this.completed(runner, job, "failed");
      else {
        job.state = "completed";
        job.result = "failed";
        this.state.activeJobs.delete(job.jobId);
      }
    }
  }

  /** Requeues a scale set's jobs that no runner is running (scale set deleted). */
  releaseScaleSet(scaleSetId: number): void {
    for (const job of this.state.activeJobs.values()) {
      if (job.scaleSetId !== scaleSetId || job.state === "completed" || job.state === "running") {
        continue;
      }
      if (job.runnerId !== undefined) continue;
      job.state = "queued";
      delete job.scaleSetId;
      delete job.assignedAtMs;
    }
  }

  /** Builds a job message (spec §4.2) and queues it for the job's scale set. */
  private emit(job: JobRecord, type: JobMessageType): void {
    if (job.scaleSetId === undefined) return;
    const base = {
      messageType: type,
      runnerRequestId: job.runnerRequestId,
      repositoryName: job.repository,
      ownerName: job.owner,
      jobId: job.jobId,
      jobWorkflowRef: job.workflowRef,
      jobDisplayName: job.displayName,
      workflowRunId: job.workflowRunId,
      eventName: job.eventName,
      requestLabels: [...job.labels],
      queueTime: job.queueTime,
      scaleSetAssignTime: job.scaleSetAssignTime,
      runnerAssignTime: job.runnerAssignTime,
      finishTime: job.finishTime,
    };
    let message: JobMessage;
    if (type === "JobAvailable") {
      message = {
        ...base,
        messageType: type,
        acquireJobUrl: this.options.acquireJobUrl(job.scaleSetId),
      };
    } else if (type === "JobAssigned") {
      message = { ...base, messageType: type };
    } else if (type === "JobStarted") {
      message = {
        ...base,
        messageType: type,
        runnerId: job.runnerId ?? 0,
        runnerName: job.runnerName ?? "",
      };
    } else {
      message = {
        ...base,
        messageType: type,
        result: job.result ?? "",
        runnerId: job.runnerId ?? 0,
        runnerName: job.runnerName ?? "",
      };
    }
    this.state.queue(job.scaleSetId).push(message);
  }
}
