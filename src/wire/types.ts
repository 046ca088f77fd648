/**
 * The Runner Scale Set wire's JSON shapes (protocol-spec.md §3–§4), types only.
 *
 * Shared by the client and the emulator; neither imports the other's code, so each side
 * encodes and decodes on its own and a shared bug cannot hide on both.
 * @module
 */

/** A scale set label. `type` is `System` unless told otherwise (spec §3.7). */
export interface Label {
  type: string;
  name: string;
}

/** Scale set runner settings. On the wire this object sits under the key `RunnerSetting`. */
export interface RunnerSetting {
  disableUpdate?: boolean;
}

/** The seven counters of spec §4.3, in the order Go emits them. */
export interface RunnerScaleSetStatistic {
  totalAvailableJobs: number;
  totalAcquiredJobs: number;
  totalAssignedJobs: number;
  totalRunningJobs: number;
  totalRegisteredRunners: number;
  totalBusyRunners: number;
  totalIdleRunners: number;
}

/** A scale set (spec §3.7), with the TS name `runnerSetting` for the wire key `RunnerSetting`. */
export interface RunnerScaleSet {
  id: number;
  name: string;
  runnerGroupId: number;
  runnerGroupName: string;
  labels: Label[];
  runnerSetting: RunnerSetting;
  createdOn: string;
  runnerJitConfigUrl: string;
  statistics: RunnerScaleSetStatistic | undefined;
}

/** A runner group (spec §3.6). */
export interface RunnerGroup {
  id: number;
  name: string;
  size: number;
  isDefaultGroup: boolean;
}

/** A runner as the scale set API describes it (spec §3.11). */
export interface RunnerReference {
  id: number;
  name: string;
  runnerScaleSetId: number;
}

/** The answer to generatejitconfig (spec §3.10). */
export interface RunnerScaleSetJitRunnerConfig {
  runner: RunnerReference;
  encodedJITConfig: string;
}

/** A message session (spec §3.13). */
export interface RunnerScaleSetSession {
  sessionId: string;
  ownerName: string;
  runnerScaleSet: RunnerScaleSet | undefined;
  messageQueueUrl: string;
  messageQueueAccessToken: string;
  statistics: RunnerScaleSetStatistic;
}

/** The four job message types of spec §4.2. */
export type JobMessageType = "JobAvailable" | "JobAssigned" | "JobStarted" | "JobCompleted";

/** Fields common to every job message (spec §4.2). Timestamps are RFC 3339 strings. */
export interface JobMessageBase {
  messageType: JobMessageType;
  runnerRequestId: number;
  repositoryName: string;
  ownerName: string;
  jobId: string;
  jobWorkflowRef: string;
  jobDisplayName: string;
  workflowRunId: number;
  eventName: string;
  requestLabels: string[];
  queueTime: string;
  scaleSetAssignTime: string;
  runnerAssignTime: string;
  finishTime: string;
}

export interface JobAvailable extends JobMessageBase {
  messageType: "JobAvailable";
  acquireJobUrl: string;
}

export interface JobAssigned extends JobMessageBase {
  messageType: "JobAssigned";
}

export interface JobStarted extends JobMessageBase {
  messageType: "JobStarted";
  runnerId: number;
  runnerName: string;
}

export interface JobCompleted extends JobMessageBase {
  messageType: "JobCompleted";
  result: string;
  runnerId: number;
  runnerName: string;
}

export type JobMessage = JobAvailable | JobAssigned | JobStarted | JobCompleted;

/** The outer GetMessage 200 body (spec §4.1); `body` is a JSON string holding JobMessage[]. */
export interface RunnerScaleSetMessageWire {
  messageId: number;
  messageType: "RunnerScaleSetJobMessages";
  body: string;
  statistics: RunnerScaleSetStatistic;
}

/** A parsed message as the client hands it out (DESIGN.md §3). */
export interface RunnerScaleSetMessage {
  messageId: number;
  statistics: RunnerScaleSetStatistic;
  jobAvailableMessages: JobAvailable[];
  jobAssignedMessages: JobAssigned[];
  jobStartedMessages: JobStarted[];
  jobCompletedMessages: JobCompleted[];
}

/** `{count, value}` list envelope used by the Actions service. */
export interface ListResponse<T> {
  count: number;
  value: T[];
}

/** Actions-service exception body (spec §5.1). */
export interface ServiceException {
  typeName: string;
  message: string;
}

/** Zero time as the service and Go emit it. */
export const ZERO_TIME = "0001-01-01T00:00:00Z";

/** The nil session id the Go client sends on create (spec §3.13). */
export const NIL_UUID = "00000000-0000-0000-0000-000000000000";

/** api-version query value on every Actions-service request (spec §3.1). */
export const API_VERSION = "6.0-preview";

/** Outer message type (spec §4.1). */
export const MESSAGE_TYPE_JOB_MESSAGES = "RunnerScaleSetJobMessages";

/** Header carrying the listener's capacity on GetMessage (spec §3.14). */
export const HEADER_MAX_CAPACITY = "X-ScaleSetMaxCapacity";

/** Exception type names of spec §5.2, fully qualified as the service sends them. */
export const EXCEPTION = {
  agentExists: "GitHub.DistributedTask.WebApi.AgentExistsException, GitHub.DistributedTask.WebApi",
  agentNotFound:
    "GitHub.DistributedTask.WebApi.AgentNotFoundException, GitHub.DistributedTask.WebApi",
  jobStillRunning:
    "GitHub.DistributedTask.WebApi.JobStillRunningException, GitHub.DistributedTask.WebApi",
  sessionConflict:
    "GitHub.Actions.Runtime.WebApi.RunnerScaleSetSessionConflictException, GitHub.Actions.Runtime.WebApi",
  sessionExpired:
    "GitHub.Actions.Runtime.WebApi.RunnerScaleSetSessionExpiredException, GitHub.Actions.Runtime.WebApi",
  scaleSetNotFound:
    "GitHub.Actions.Runtime.WebApi.RunnerScaleSetNotFoundException, GitHub.Actions.Runtime.WebApi",
  runnerAdmin: "GitHub.Actions.Runtime.WebApi.RunnerAdminException, GitHub.Actions.Runtime.WebApi",
} as const;
