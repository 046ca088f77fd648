/**
 * Parsing a GetMessage 200 body (protocol-spec.md §4): the outer message, its `body` (a JSON
 * string holding up to 50 job messages) and the four job message types. Unknown inner types
 * are ignored; anything malformed fails the whole message with a `BAD_RESPONSE` error.
 *
 * The hand-written decoder (fast-messages.ts) reads every well-formed message; the zod path
 * here runs only when it refuses one, to throw the error naming the offending field.
 * @module
 */
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
import { emptyMessage, fastMessage } from "./fast-messages.js";
import { loadSchemas, loadSchemasSync } from "./load-schemas.js";
import type { ZodSchemas } from "./schemas.js";

/**
 * Parses the GetMessage 200 body text (BOM already stripped).
 * @param where - request description used in error messages.
 * @throws ScaleSetError `BAD_RESPONSE` for an empty/invalid body, a wrong `messageType`, null
 * `statistics`, a malformed inner body or element, a timestamp without zone, or an id above
 * `Number.MAX_SAFE_INTEGER`.
 */
export function parseRunnerScaleSetMessage(text: string, where: Where): RunnerScaleSetMessage {
  const parsed = parseJsonText(text, where);
  return fastMessage(parsed) ?? explainMessage(parsed, where, loadSchemasSync());
}

/**
 * {@link parseRunnerScaleSetMessage} for the client's own GetMessage: the same result, with zod
 * (when a body needs explaining) loaded as an ES module, shared with other zod users.
 */
export async function decodeRunnerScaleSetMessage(
  text: string,
  where: Where,
): Promise<RunnerScaleSetMessage> {
  const parsed = parseJsonText(text, where);
  return fastMessage(parsed) ?? explainMessage(parsed, where, await loadSchemas());
}

/** Decodes a parsed body with the zod schemas: the message, or the `BAD_RESPONSE` error. */
export function explainMessage(
  parsed: unknown,
  where: Where,
  schemas: ZodSchemas,
): RunnerScaleSetMessage {
  const s = schemas.message;
  const outer = validate(s.outer, parsed, where);
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
  const message = emptyMessage(outer.messageId, outer.statistics);
  if (outer.body === "") return message;
  const bodyWhere = () => `${whereText(where)}: body of message ${outer.messageId}`;
  const elements = validate(s.body, parseJsonText(outer.body, bodyWhere), bodyWhere);
  elements.forEach((element, i) => {
    const at = () => `${bodyWhere()}[${i}]`;
    const { messageType } = validate(s.element, element, at);
    switch (messageType) {
      case "JobAvailable":
        message.jobAvailableMessages.push({
          ...validate(s.jobAvailable, element, at),
          messageType,
        } satisfies JobAvailable);
        break;
      case "JobAssigned":
        message.jobAssignedMessages.push({
          ...validate(s.jobAssigned, element, at),
          messageType,
        } satisfies JobAssigned);
        break;
      case "JobStarted":
        message.jobStartedMessages.push({
          ...validate(s.jobStarted, element, at),
          messageType,
        } satisfies JobStarted);
        break;
      case "JobCompleted":
        message.jobCompletedMessages.push({
          ...validate(s.jobCompleted, element, at),
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
