/**
 * Parsing a GetMessage 200 body (protocol-spec.md §4): the outer message, its `body` (a JSON
 * string holding up to 50 job messages) and the four job message types. Unknown inner types
 * are ignored; anything malformed fails the whole message with a `BAD_RESPONSE` error.
 * @module
 */
import { z } from "zod";
import type {
  JobAssigned,
  JobAvailable,
  JobCompleted,
  JobStarted,
  RunnerScaleSetMessage,
} from "../wire/types.js";
import { MESSAGE_TYPE_JOB_MESSAGES } from "../wire/types.js";
import { parseJsonText, validate, type Where, whereText } from "./decode.js";
import { ScaleSetError } from "./errors.js";
import { fastObject, isRecord, readStrings, requiredReader } from "./fast-decode.js";
import { ciObject, int64, statisticsSchema, statisticsShape, str, time } from "./schemas.js";

const outerSchema = ciObject({
  messageId: int64,
  messageType: str,
  body: str,
  statistics: statisticsSchema.nullish(),
});

const base = {
  runnerRequestId: int64,
  repositoryName: str,
  ownerName: str,
  jobId: str,
  jobWorkflowRef: str,
  jobDisplayName: str,
  workflowRunId: int64,
  eventName: str,
  requestLabels: z
    .array(z.string())
    .nullish()
    .transform((v) => v ?? []),
  queueTime: time,
  scaleSetAssignTime: time,
  runnerAssignTime: time,
  finishTime: time,
};

const jobAvailableShape = { ...base, acquireJobUrl: str };
const jobStartedShape = { ...base, runnerId: int64, runnerName: str };
const jobCompletedShape = { ...base, result: str, runnerId: int64, runnerName: str };
const jobAvailableSchema = ciObject(jobAvailableShape);
const jobAssignedSchema = ciObject(base);
const jobStartedSchema = ciObject(jobStartedShape);
const jobCompletedSchema = ciObject(jobCompletedShape);
const elementSchema = ciObject({ messageType: z.string() });

// Hand-written decoders for well-formed input; zod runs only when they refuse, to explain why.
const labels = { requestLabels: readStrings };
const fastOuter = fastObject(
  { messageId: int64, messageType: str, body: str, statistics: statisticsSchema },
  { statistics: requiredReader(fastObject(statisticsShape)) },
);
const fastJobAvailable = fastObject(jobAvailableShape, labels);
const fastJobAssigned = fastObject(base, labels);
const fastJobStarted = fastObject(jobStartedShape, labels);
const fastJobCompleted = fastObject(jobCompletedShape, labels);

/**
 * Parses the GetMessage 200 body text (BOM already stripped).
 * @param where - request description used in error messages.
 * @throws ScaleSetError `BAD_RESPONSE` for an empty/invalid body, a wrong `messageType`, null
 * `statistics`, a malformed inner body or element, a timestamp without zone, or an id above
 * `Number.MAX_SAFE_INTEGER`.
 */
export function parseRunnerScaleSetMessage(text: string, where: Where): RunnerScaleSetMessage {
  const parsed = parseJsonText(text, where);
  const outer = fastOuter(parsed) ?? validate(outerSchema, parsed, where);
  if (outer.messageType !== MESSAGE_TYPE_JOB_MESSAGES) {
    throw new ScaleSetError(
      "BAD_RESPONSE",
      `${whereText(where)}: unsupported message type "${outer.messageType}"`,
    );
  }
  if (!outer.statistics) {
    throw new ScaleSetError(
      "BAD_RESPONSE",
      `${whereText(where)}: message ${outer.messageId} has no statistics`,
    );
  }
  const message: RunnerScaleSetMessage = {
    messageId: outer.messageId,
    statistics: outer.statistics,
    jobAvailableMessages: [],
    jobAssignedMessages: [],
    jobStartedMessages: [],
    jobCompletedMessages: [],
  };
  if (outer.body === "") return message;
  const bodyWhere = () => `${whereText(where)}: body of message ${outer.messageId}`;
  const body = parseJsonText(outer.body, bodyWhere);
  const elements = Array.isArray(body) ? body : validate(z.array(z.unknown()), body, bodyWhere);
  elements.forEach((element, i) => {
    const at = () => `${bodyWhere()}[${i}]`;
    const messageType =
      isRecord(element) && typeof element["messageType"] === "string"
        ? element["messageType"]
        : validate(elementSchema, element, at).messageType;
    switch (messageType) {
      case "JobAvailable":
        message.jobAvailableMessages.push({
          ...(fastJobAvailable(element) ?? validate(jobAvailableSchema, element, at)),
          messageType,
        } satisfies JobAvailable);
        break;
      case "JobAssigned":
        message.jobAssignedMessages.push({
          ...(fastJobAssigned(element) ?? validate(jobAssignedSchema, element, at)),
          messageType,
        } satisfies JobAssigned);
        break;
      case "JobStarted":
        message.jobStartedMessages.push({
          ...(fastJobStarted(element) ?? validate(jobStartedSchema, element, at)),
          messageType,
        } satisfies JobStarted);
        break;
      case "JobCompleted":
        message.jobCompletedMessages.push({
          ...(fastJobCompleted(element) ?? validate(jobCompletedSchema, element, at)),
          messageType,
        } satisfies JobCompleted);
        break;
      default:
        // Unknown inner types are ignored, as the reference does (spec §4.2).
        break;
    }
  });
  return message;
}
