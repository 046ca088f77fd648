/**
 * The hand-written decoder of a GetMessage body (see fast-decode.ts for why): the same result
 * as the zod path of messages.ts for every well-formed message, `undefined` for anything that
 * path would reject or has to explain.
 * @module
 */
import type { z } from "zod";
import type {
  JobAssigned,
  JobAvailable,
  JobCompleted,
  JobStarted,
  RunnerScaleSetMessage,
} from "../wire/types.js";
import { MESSAGE_TYPE_JOB_MESSAGES } from "../wire/types.js";
import {
  BAD,
  type FastDecoder,
  fastObject,
  field,
  isRecord,
  type Reader,
  readArray,
  readInt64,
  readStr,
  readTime,
  required,
} from "./fast-decode.js";
import { fastStatistics } from "./fast-responses.js";
import type { ZodSchemas } from "./schemas.js";

type Fields<T> = Omit<T, "messageType">;

const readString: Reader<string> = (v) => (typeof v === "string" ? v : BAD);

const base = {
  runnerRequestId: readInt64,
  repositoryName: readStr,
  ownerName: readStr,
  jobId: readStr,
  jobWorkflowRef: readStr,
  jobDisplayName: readStr,
  workflowRunId: readInt64,
  eventName: readStr,
  requestLabels: readArray(readString),
  queueTime: readTime,
  scaleSetAssignTime: readTime,
  runnerAssignTime: readTime,
  finishTime: readTime,
};

// The outer message: `statistics` is required here (its absence is explained by messages.ts).
const fastOuter = fastObject<{
  messageId: number;
  messageType: string;
  body: string;
  statistics: RunnerScaleSetMessage["statistics"];
}>({
  messageId: readInt64,
  messageType: readStr,
  body: readStr,
  statistics: required(fastStatistics),
});

/** The job message decoders (without `messageType`, added by the caller). */
export const fastJobs = {
  jobAvailable: fastObject<Fields<JobAvailable>>({ ...base, acquireJobUrl: readStr }),
  jobAssigned: fastObject<Fields<JobAssigned>>(base),
  jobStarted: fastObject<Fields<JobStarted>>({ ...base, runnerId: readInt64, runnerName: readStr }),
  jobCompleted: fastObject<Fields<JobCompleted>>({
    ...base,
    result: readStr,
    runnerId: readInt64,
    runnerName: readStr,
  }),
} satisfies {
  [K in Exclude<keyof ZodSchemas["message"], "outer" | "body" | "element">]: FastDecoder<
    z.output<ZodSchemas["message"][K]>
  >;
};

/** A message with its id and statistics and no job messages yet. */
export function emptyMessage(
  messageId: number,
  statistics: RunnerScaleSetMessage["statistics"],
): RunnerScaleSetMessage {
  return {
    messageId,
    statistics,
    jobAvailableMessages: [],
    jobAssignedMessages: [],
    jobStartedMessages: [],
    jobCompletedMessages: [],
  };
}

/** Decodes a parsed GetMessage body; `undefined` when messages.ts must decide. */
export function fastMessage(parsed: unknown): RunnerScaleSetMessage | undefined {
  const outer = fastOuter(parsed);
  if (!outer || outer.messageType !== MESSAGE_TYPE_JOB_MESSAGES) return undefined;
  const message = emptyMessage(outer.messageId, outer.statistics);
  if (outer.body === "") return message;
  let elements: unknown;
  try {
    elements = JSON.parse(outer.body);
  } catch {
    return undefined;
  }
  if (!Array.isArray(elements)) return undefined;
  for (const element of elements) {
    if (!isRecord(element)) return undefined;
    const messageType = field(element, "messageType", "messagetype");
    if (typeof messageType !== "string") return undefined;
    switch (messageType) {
      case "JobAvailable": {
        const job = fastJobs.jobAvailable(element);
        if (!job) return undefined;
        message.jobAvailableMessages.push({ ...job, messageType });
        break;
      }
      case "JobAssigned": {
        const job = fastJobs.jobAssigned(element);
        if (!job) return undefined;
        message.jobAssignedMessages.push({ ...job, messageType });
        break;
      }
      case "JobStarted": {
        const job = fastJobs.jobStarted(element);
        if (!job) return undefined;
        message.jobStartedMessages.push({ ...job, messageType });
        break;
      }
      case "JobCompleted": {
        const job = fastJobs.jobCompleted(element);
        if (!job) return undefined;
        message.jobCompletedMessages.push({ ...job, messageType });
        break;
      }
      default:
        // Unknown inner types are ignored, as the reference does (spec §4.2).
        break;
    }
  }
  return message;
}
