/**
 * The emulator's records (plain data, so the state file can hold them as JSON).
 * @module
 */
import type { Label, RunnerSetting } from "../wire/types.js";
import type { JobState, RunnerView } from "./types.js";

/** A scale set as stored. */
export interface ScaleSetRecord {
  id: number;
  name: string;
  runnerGroupId: number;
  runnerGroupName: string;
  labels: Label[];
  runnerSetting: RunnerSetting;
  createdOn: string;
}

/** A registered (JIT) runner. */
export interface RunnerRecord {
  id: number;
  name: string;
  scaleSetId: number;
  status: RunnerView["status"];
  workFolder: string;
  /** OAuth client id written into `.credentials`. */
  clientId: string;
  /** Secret the fake runner authenticates with (the `d` of `.credentials_rsaparams`). */
  secret: string;
  jobId?: string;
}

/** A live message session. */
export interface SessionRecord {
  sessionId: string;
  scaleSetId: number;
  ownerName: string;
  createdAt: number;
  lastActivityAt: number;
  lastPollAt?: number;
  activePolls: number;
  /** X-ScaleSetMaxCapacity of the last poll; undefined until the first poll. */
  maxCapacity?: number;
}

/** A workflow job. */
export interface JobRecord {
  jobId: string;
  runnerRequestId: number;
  labels: string[];
  durationMs: number;
  plannedResult: "succeeded" | "failed";
  command?: string;
  displayName: string;
  repository: string;
  owner: string;
  workflowRef: string;
  eventName: string;
  workflowRunId: number;
  state: JobState;
  scaleSetId?: number;
  runnerId?: number;
  runnerName?: string;
  result?: string;
  assignments: number;
  queueTime: string;
  scaleSetAssignTime: string;
  runnerAssignTime: string;
  finishTime: string;
  assignedAtMs?: number;
  /** The taking runner must renew its job lock before this (lost-runner detection). */
  lockedUntilMs?: number;
}

/** RFC 3339 UTC timestamp with `Z`. */
export function timestamp(ms = Date.now()): string {
  return new Date(ms).toISOString();
}

/** Lower-cased label names per labels array (an update replaces the array, so this stays right). */
const labelNames = new WeakMap<Label[], Set<string>>();

/** Label names match case-insensitively; a job matches when all its labels are the set's. */
export function jobMatches(job: JobRecord, scaleSet: ScaleSetRecord): boolean {
  let names = labelNames.get(scaleSet.labels);
  if (!names) {
    names = new Set(scaleSet.labels.map((l) => l.name.toLowerCase()));
    labelNames.set(scaleSet.labels, names);
  }
  for (const l of job.labels) if (!names.has(l.toLowerCase())) return false;
  return true;
}
