/**
 * The message queue and job acquisition (spec §3.14–§3.17): long-poll GetMessage, DeleteMessage,
 * acquirejobs (message-queue token) and the legacy acquirablejobs.
 * @module
 */
import { Hono } from "hono";
import { z } from "zod";
import { HEADER_MAX_CAPACITY, MESSAGE_TYPE_JOB_MESSAGES } from "../../wire/types.js";
import { type AppEnv, publicBase, type ServiceContext } from "../context.js";
import { jobMatches } from "../records.js";
import { isLive } from "../sessions.js";
import {
  badRequest,
  type Ctx,
  checkAdmin,
  checkApiVersion,
  idParam,
  noContent,
  ok,
  operation,
  queueClaims,
  readBody,
  unauthorized,
} from "./helpers.js";

const acquireBody = z.array(z.number().int().nonnegative());

/** Queue routes, mounted at the Actions-service base. */
export function queueRoutes(ctx: ServiceContext): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const base = "/_apis/runtime/runnerscalesets/:id";

  app.get(
    `${base}/messages`,
    operation(ctx, "getMessage", (c) => getMessage(ctx, c)),
  );

  app.delete(
    `${base}/messages/:messageId`,
    operation(ctx, "deleteMessage", (c) => {
      const session = queueSession(ctx, c);
      if (session instanceof Response) return session;
      const messageId = idParam(c, "messageId");
      if (messageId === undefined) return badRequest(c, "The message id must be an integer.");
      session.lastActivityAt = Date.now();
      if (ctx.state.queue(session.scaleSetId).delete(messageId)) ctx.engine.options.onChange();
      return noContent();
    }),
  );

  app.post(
    `${base}/acquirejobs`,
    operation(ctx, "acquireJobs", async (c) => {
      const id = idParam(c) ?? -1;
      const claims = queueClaims(ctx, c);
      if (claims) {
        const session = queueSession(ctx, c);
        if (session instanceof Response) return session;
      } else {
        const refused = checkAdmin(ctx, c);
        if (refused) return refused;
      }
      const versionProblem = checkApiVersion(c);
      if (versionProblem) return versionProblem;
      const body = await readBody(c, acquireBody);
      if ("error" in body) return body.error;
      const value = ctx.engine.acquire(id, body.value);
      return ok({ count: value.length, value });
    }),
  );

  app.get(
    `${base}/acquirablejobs`,
    operation(ctx, "getAcquirableJobs", (c) => {
      const refused = checkAdmin(ctx, c);
      if (refused) return refused;
      const id = idParam(c) ?? -1;
      const scaleSet = ctx.state.scaleSets.get(id);
      const value = [...ctx.state.activeJobs.values()]
        .filter(
          (j) =>
            (j.state === "available" && j.scaleSetId === id) ||
            (j.state === "queued" && scaleSet !== undefined && jobMatches(j, scaleSet)),
        )
        .map((j) => ({
          acquireJobUrl: `${publicBase(ctx, c)}${c.req.path.replace(/acquirablejobs$/, "acquirejobs")}`,
          messageType: "JobAvailable",
          runnerRequestId: j.runnerRequestId,
          repositoryName: j.repository,
          ownerName: j.owner,
          jobWorkflowRef: j.workflowRef,
          eventName: j.eventName,
          requestLabels: [...j.labels],
        }));
      if (value.length === 0) return noContent();
      return ok({ count: value.length, value });
    }),
  );
  return app;
}

/** The live session the message-queue token belongs to, or a 401. */
function queueSession(ctx: ServiceContext, c: Ctx) {
  const claims = queueClaims(ctx, c);
  const id = idParam(c);
  if (!claims || claims.ssid !== id || id === undefined)
    return unauthorized(c, "The message queue token is not valid.");
  const session = ctx.state.sessions.get(id);
  const querySession = c.req.query("sessionId");
  if (
    !session ||
    session.sessionId !== claims.sid ||
    (querySession && querySession !== claims.sid)
  ) {
    return unauthorized(c, "The message queue token is not valid.");
  }
  if (!isLive(ctx, session)) return unauthorized(c, "The message queue token has expired.");
  return session;
}

async function getMessage(ctx: ServiceContext, c: Ctx): Promise<Response> {
  const session = queueSession(ctx, c);
  if (session instanceof Response) return session;
  const capHeader = c.req.header(HEADER_MAX_CAPACITY);
  const capacity = capHeader === undefined ? Number.POSITIVE_INFINITY : Number(capHeader);
  if (!Number.isInteger(capacity) && capacity !== Number.POSITIVE_INFINITY) {
    return badRequest(c, `${HEADER_MAX_CAPACITY} must be an integer.`);
  }
  if (capacity < 0) return badRequest(c, `${HEADER_MAX_CAPACITY} must not be negative.`);
  const lastRaw = c.req.query("lastMessageId") ?? "0";
  if (!/^\d+$/.test(lastRaw)) return badRequest(c, "lastMessageId must be a non-negative integer.");
  const lastMessageId = Number(lastRaw);

  const now = Date.now();
  session.lastActivityAt = now;
  session.lastPollAt = now;
  session.maxCapacity = capacity;
  session.activePolls++;
  const queue = ctx.state.queue(session.scaleSetId);
  try {
    ctx.engine.schedule();
    const deadline = now + ctx.options.longPollMs;
    for (;;) {
      if (ctx.state.sessions.get(session.scaleSetId) !== session) {
        return unauthorized(c, "The message queue token is not valid.");
      }
      const message = queue.next(lastMessageId, ctx.state.nextMessageId);
      if (message) {
        ctx.engine.options.onChange();
        return ok({
          messageId: message.messageId,
          messageType: MESSAGE_TYPE_JOB_MESSAGES,
          body: onRequestBase(ctx, c, message.body),
          statistics: ctx.state.statistics(session.scaleSetId),
        });
      }
      const left = deadline - Date.now();
      const signal = c.req.raw.signal;
      if (left <= 0 || signal.aborted) return new Response(null, { status: 202 });
      await queue.waiters.wait(left, signal);
    }
  } finally {
    session.activePolls--;
    session.lastActivityAt = Date.now();
  }
}

/**
 * Job messages are stored with their `acquireJobUrl` on `ctx.url`; a poll sent to another host
 * (wildcard listener, see `publicBase`) gets them on the host it used.
 */
function onRequestBase(ctx: ServiceContext, c: Ctx, body: string): string {
  const base = publicBase(ctx, c);
  if (base === ctx.url) return body;
  return body.replaceAll(`"acquireJobUrl":"${ctx.url}/`, `"acquireJobUrl":"${base}/`);
}
