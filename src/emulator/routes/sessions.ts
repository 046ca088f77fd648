/**
 * Message sessions (spec §3.13): create (409 on a live one), refresh, delete.
 * @module
 */
import { Hono } from "hono";
import { z } from "zod";
import { type AppEnv, publicBase, type ServiceContext } from "../context.js";
import type { SessionRecord } from "../records.js";
import { EMULATOR_EXCEPTION, serviceError } from "../service-errors.js";
import { liveSession, openSession, sessionJson } from "../sessions.js";
import { type Ctx, checkAdmin, idParam, noContent, ok, operation, readBody } from "./helpers.js";

// Go's uuid.UUID marshals any 16 bytes (ref always sends the nil UUID; legacy clients omit it),
// so accept any UUID-shaped value regardless of version/variant bits; it is ignored.
const createBody = z.looseObject({
  sessionId: z
    .string()
    .regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i)
    .nullish(),
  ownerName: z.string().nullish(),
});

/** Session routes, mounted at the Actions-service base. */
export function sessionRoutes(ctx: ServiceContext): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const base = "/_apis/runtime/runnerscalesets/:id/sessions";

  app.post(
    base,
    operation(ctx, "createMessageSession", async (c) => {
      const refused = checkAdmin(ctx, c);
      if (refused) return refused;
      const id = idParam(c) ?? -1;
      const scaleSet = ctx.state.scaleSets.get(id);
      if (!scaleSet) return scaleSetNotFound(c);
      const body = await readBody(c, createBody);
      if ("error" in body) return body.error;
      const owner = body.value.ownerName ?? "";
      const existing = liveSession(ctx, id);
      if (existing) {
        return serviceError(
          c,
          409,
          EMULATOR_EXCEPTION.sessionConflict,
          `The actions runner scaleset ${scaleSet.name} already has an active session for owner ${existing.ownerName}.`,
        );
      }
      const session = openSession(ctx, id, owner);
      ctx.engine.reoffer(id);
      ctx.engine.schedule();
      ctx.engine.options.onChange();
      return ok(sessionJson(ctx, session, publicBase(ctx, c)));
    }),
  );

  app.patch(
    `${base}/:sessionId`,
    operation(ctx, "refreshMessageSession", (c) => {
      const found = findSession(ctx, c);
      if (found instanceof Response) return found;
      found.lastActivityAt = Date.now();
      ctx.engine.options.onChange();
      return ok(sessionJson(ctx, found, publicBase(ctx, c)));
    }),
  );

  app.delete(
    `${base}/:sessionId`,
    operation(ctx, "deleteMessageSession", (c) => {
      const found = findSession(ctx, c);
      if (found instanceof Response) return found;
      ctx.state.sessions.delete(found.scaleSetId);
      ctx.state.queue(found.scaleSetId).waiters.notify();
      ctx.engine.options.onChange();
      return noContent();
    }),
  );
  return app;
}

function scaleSetNotFound(c: Ctx): Response {
  return serviceError(
    c,
    404,
    EMULATOR_EXCEPTION.scaleSetNotFound,
    `The runner scale set ${c.req.param("id") ?? ""} does not exist.`,
  );
}

/**
 * The live session named by the path, or the service's answer: 400 SessionExpiredException for
 * an expired one, 404 RunnerAdminException for one the service does not know (spec §3.13).
 */
function findSession(ctx: ServiceContext, c: Ctx): SessionRecord | Response {
  const refused = checkAdmin(ctx, c);
  if (refused) return refused;
  const id = idParam(c) ?? -1;
  if (!ctx.state.scaleSets.has(id)) return scaleSetNotFound(c);
  const sessionId = c.req.param("sessionId") ?? "";
  const live = liveSession(ctx, id);
  if (live && live.sessionId === sessionId) return live;
  if (ctx.state.expiredSessions.has(sessionId)) {
    return serviceError(
      c,
      400,
      EMULATOR_EXCEPTION.sessionExpired,
      `The session identifier ${sessionId} is not valid.`,
    );
  }
  return serviceError(
    c,
    404,
    EMULATOR_EXCEPTION.runnerAdmin,
    "runner referenced a session ID that doesn't exist in redis",
  );
}
