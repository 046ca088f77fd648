/**
 * Public types of the emulator's in-process API (`scaleset/emulator`).
 * @module
 */
import type { RunnerScaleSet } from "../wire/types.js";

/** Operation names used by request recording and fault injection (one per endpoint). */
export const OPERATIONS = [
  "getRegistrationToken",
  "getInstallationToken",
  "runnerRegistration",
  "getRunnerScaleSet",
  "getRunnerScaleSetById",
  "getRunnerGroupByName",
  "createRunnerScaleSet",
  "updateRunnerScaleSet",
  "deleteRunnerScaleSet",
  "generateJitRunnerConfig",
  "getRunner",
  "getRunnerByName",
  "removeRunner",
  "createMessageSession",
  "refreshMessageSession",
  "deleteMessageSession",
  "getMessage",
  "deleteMessage",
  "acquireJobs",
  "getAcquirableJobs",
] as const;

/** One of {@link OPERATIONS}. */
export type Operation = (typeof OPERATIONS)[number];

/** How the service hands jobs to a scale set. */
export type EmulatorMode = "github" | "ghes";

/** Options of {@link startEmulator}. Every field is optional. */
export interface EmulatorOptions {
  /**
   * Address to listen on. On a wildcard address (`0.0.0.0`, `::`, empty) `url` uses `127.0.0.1`
   * and, unless `publicUrl` is set, URLs handed out in responses use the host each request was
   * sent to. @default "127.0.0.1"
   */
  host?: string;
  /** 0 picks a free port (or the port saved in `stateFile`). @default 0 */
  port?: number;
  /** github: the service assigns jobs itself; ghes: JobAvailable, client must acquire. @default "github" */
  mode?: EmulatorMode;
  /** Organization of the config URL. @default "emulated-org" */
  org?: string;
  /** PAT allow-list. @default one generated token (`emulator.token`) */
  tokens?: string[];
  /** A GitHub App whose JWTs are accepted. */
  app?: { clientId: string; installationId: number; publicKeyPem: string };
  /** GetMessage hold before a 202. @default 50_000 */
  longPollMs?: number;
  /** A session nobody polls expires after this. @default 120_000 */
  sessionTtlMs?: number;
  /** Admin JWT lifetime. @default 3_600_000 */
  adminTokenTtlMs?: number;
  /** Message-queue token lifetime. @default 3_600_000 */
  queueTokenTtlMs?: number;
  /** An assigned job no runner takes within this is canceled and requeued. @default 300_000 */
  pickupTimeoutMs?: number;
  /**
   * A runner that took a job and stops renewing its job lock for this long is lost: the job
   * completes `failed` and the runner is removed (the service's lost-runner handling). @default 120_000
   */
  runnerLostTimeoutMs?: number;
  /** State restored on start, saved on change and on close. */
  stateFile?: string;
  /** JSONL file with one line per request served. */
  recordFile?: string;
  /** Serve https with HTTP/2 (ALPN h2 + http/1.1) and a generated self-signed cert. */
  tls?: boolean;
  /**
   * Origin clients reach the emulator at (`https://emulator.example:8443`, e.g. behind a proxy or
   * a port mapping): `url` and every URL handed out use it. An absolute http(s) URL without
   * credentials, path, query or fragment; anything else makes `startEmulator` throw.
   */
  publicUrl?: string;
}

/** A job to queue. */
export interface JobSpec {
  labels: string[];
  /** How long the fake runner "runs" it. @default 100 */
  durationMs?: number;
  /** @default "succeeded" */
  result?: "succeeded" | "failed";
  /** Shell command the fake runner runs instead of sleeping; exit code decides the result. */
  command?: string;
  displayName?: string;
  repository?: string;
  owner?: string;
  workflowRef?: string;
  eventName?: string;
  workflowRunId?: number;
}

/** Job states, in lifecycle order. */
export type JobState = "queued" | "available" | "acquired" | "assigned" | "running" | "completed";

/** A job as the control API shows it. */
export interface JobView {
  jobId: string;
  runnerRequestId: number;
  state: JobState;
  labels: string[];
  scaleSetId?: number;
  runnerName?: string;
  result?: string;
  assignments: number;
}

/** A runner as the control API shows it. */
export interface RunnerView {
  id: number;
  name: string;
  scaleSetId: number;
  status: "registered" | "online" | "busy" | "offline";
  jobId?: string;
}

/** A live message session. */
export interface SessionView {
  sessionId: string;
  scaleSetId: number;
  ownerName: string;
  lastPollAt?: number;
}

/** Fault kinds, see docs/emulator.md. */
export type FaultKind = "status" | "delay" | "stall" | "empty" | "truncated" | "bom" | "reset";

/** A fault to inject into matching requests. */
export interface FaultSpec {
  operation: Operation | "*";
  scaleSetId?: number;
  /** Requests it applies to. @default 1, or unlimited when only `forMs` is given */
  count?: number;
  /** Active for this long after being added. */
  forMs?: number;
  kind: FaultKind;
  status?: number;
  /** Exception typeName (short or fully qualified) for `status` faults. */
  exception?: string;
  message?: string;
  retryAfter?: string;
  delayMs?: number;
}

/** A running emulator. */
export interface Emulator {
  /** Base URL, e.g. `http://127.0.0.1:PORT`: `publicUrl` when set. */
  url: string;
  /** The port actually listened on. */
  port: number;
  /** `${url}/${org}`: a GHES-style config URL (REST API under `/api/v3`). */
  configUrl: string;
  /** Base of the control API. */
  controlUrl: string;
  /** The first PAT of the allow-list. */
  token: string;
  /** PEM of the self-signed certificate when `tls` is on. */
  caPem?: string;
  queueJobs(specs: JobSpec | JobSpec[]): JobView[];
  listJobs(): JobView[];
  listRunners(): RunnerView[];
  listScaleSets(): RunnerScaleSet[];
  listSessions(): SessionView[];
  addFault(fault: FaultSpec): string;
  clearFaults(): void;
  expireTokens(kind?: "admin" | "queue" | "all"): void;
  expireSession(scaleSetId: number): void;
  evictSession(scaleSetId: number): void;
  deleteScaleSet(id: number): void;
  waitFor<T>(probe: () => T | undefined | false | null, timeoutMs?: number): Promise<T>;
  close(): Promise<void>;
}
