/**
 * Scale sets and runner groups (spec §3.4–§3.9).
 * @module
 */
import { Hono } from "hono";
import { z } from "zod";
import type { Label } from "../../wire/types.js";
import { type AppEnv, publicBase, type ServiceContext } from "../context.js";
import { type ScaleSetRecord, timestamp } from "../records.js";
import { scaleSetJson } from "../scale-set-json.js";
import { EMULATOR_EXCEPTION, serviceError } from "../service-errors.js";
import { evictSession } from "../sessions.js";
import { type Ctx, checkAdmin, idParam, noContent, ok, operation, readBody } from "./helpers.js";

/** The one runner group that always exists. */
export const DEFAULT_GROUP = { id: 1, name: "default", size: 0, isDefaultGroup: true } as const;

const label = z.object({ type: z.string().optional(), name: z.string().min(1) });
const setting = z.looseObject({ disableUpdate: z.boolean().optional() });
/** Create/update body: Go's casing (`RunnerSetting`) and camelCase are both accepted. */
const scaleSetBody = z.looseObject({
  id: z.number().int().optional(),
  name: z.string().optional(),
  runnerGroupId: z.number().int().nonnegative().optional(),
  runnerGroupName: z.string().optional(),
  labels: z.array(label).optional(),
  RunnerSetting: setting.nullish(),
  runnerSetting: setting.nullish(),
  createdOn: z.string().optional(),
  runnerJitConfigUrl: z.string().optional(),
});

/** Scale-set routes, mounted at the Actions-service base. */
export function scaleSetRoutes(ctx: ServiceContext): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const base = "/_apis/runtime/runnerscalesets";
  const notFound = (c: Ctx, id: number | string | undefined) =>
    serviceError(
      c,
      404,
      EMULATOR_EXCEPTION.scaleSetNotFound,
      `The runner scale set ${id ?? ""} does not exist.`,
    );

  app.get(
    base,
    operation(ctx, "getRunnerScaleSet", (c) => {
      const refused = checkAdmin(ctx, c);
      if (refused) return refused;
      const name = c.req.query("name") ?? "";
      const groupId = Number(c.req.query("runnerGroupId") ?? "0");
      const found = [...ctx.state.scaleSets.values()].filter(
        (s) =>
          s.name.toLowerCase() === name.toLowerCase() &&
          (groupId === 0 || s.runnerGroupId === groupId),
      );
      const urlBase = publicBase(ctx, c);
      return ok({ count: found.length, value: found.map((s) => scaleSetJson(ctx, s, urlBase)) });
    }),
  );

  app.get(
    `${base}/:id`,
    operation(ctx, "getRunnerScaleSetById", (c) => {
      const refused = checkAdmin(ctx, c);
      if (refused) return refused;
      const s = ctx.state.scaleSets.get(idParam(c) ?? -1);
      return s ? ok(scaleSetJson(ctx, s, publicBase(ctx, c))) : notFound(c, c.req.param("id"));
    }),
  );

  const groups = operation(ctx, "getRunnerGroupByName", (c) => {
    const refused = checkAdmin(ctx, c);
    if (refused) return refused;
    const name = c.req.query("groupName") ?? "";
    const value = name.toLowerCase() === DEFAULT_GROUP.name ? [{ ...DEFAULT_GROUP }] : [];
    return ok({ count: value.length, value });
  });
  app.get("/_apis/runtime/runnergroups/", groups);
  app.get("/_apis/runtime/runnergroups", groups);

  app.post(
    base,
    operation(ctx, "createRunnerScaleSet", async (c) => {
      const refused = checkAdmin(ctx, c);
      if (refused) return refused;
      const body = await readBody(c, scaleSetBody);
      if ("error" in body) return body.error;
      const input = body.value;
      if (!input.name)
        return serviceError(
          c,
          400,
          EMULATOR_EXCEPTION.argument,
          "The runner scale set name is required.",
        );
      const groupId = input.runnerGroupId || DEFAULT_GROUP.id;
      if (groupId !== DEFAULT_GROUP.id) {
        return serviceError(
          c,
          404,
          EMULATOR_EXCEPTION.runnerGroupNotFound,
          `Runner group ${groupId} does not exist.`,
        );
      }
      const name = input.name;
      const clash = [...ctx.state.scaleSets.values()].some(
        (s) => s.name.toLowerCase() === name.toLowerCase() && s.runnerGroupId === groupId,
      );
      if (clash) {
        return serviceError(
          c,
          409,
          EMULATOR_EXCEPTION.scaleSetExists,
          `A runner scale set named ${name} already exists.`,
        );
      }
      const labels = toLabels(input.labels, name);
      const id = ++ctx.state.ids.scaleSet;
      const settings = input.RunnerSetting ?? input.runnerSetting;
      const record: ScaleSetRecord = {
        id,
        name,
        runnerGroupId: groupId,
        runnerGroupName: DEFAULT_GROUP.name,
        labels,
        runnerSetting:
          settings?.disableUpdate !== undefined ? { disableUpdate: settings.disableUpdate } : {},
        createdOn: timestamp(),
      };
      ctx.state.scaleSets.set(id, record);
      ctx.engine.schedule();
      ctx.engine.options.onChange();
      return ok(scaleSetJson(ctx, record, publicBase(ctx, c)));
    }),
  );

  app.patch(
    `${base}/:id`,
    operation(ctx, "updateRunnerScaleSet", async (c) => {
      const refused = checkAdmin(ctx, c);
      if (refused) return refused;
      const s = ctx.state.scaleSets.get(idParam(c) ?? -1);
      if (!s) return notFound(c, c.req.param("id"));
      const body = await readBody(c, scaleSetBody);
      if ("error" in body) return body.error;
      const input = body.value;
      if (input.runnerGroupId && input.runnerGroupId !== DEFAULT_GROUP.id) {
        return serviceError(
          c,
          404,
          EMULATOR_EXCEPTION.runnerGroupNotFound,
          `Runner group ${input.runnerGroupId} does not exist.`,
        );
      }
      // Merge semantics: the always-present empty RunnerSetting and zero createdOn change nothing.
      if (input.name) s.name = input.name;
      if (input.labels && input.labels.length > 0) s.labels = toLabels(input.labels, s.name);
      const settings = input.RunnerSetting ?? input.runnerSetting;
      if (settings && settings.disableUpdate !== undefined)
        s.runnerSetting = { disableUpdate: settings.disableUpdate };
      ctx.engine.schedule();
      ctx.engine.options.onChange();
      return ok(scaleSetJson(ctx, s, publicBase(ctx, c)));
    }),
  );

  app.delete(
    `${base}/:id`,
    operation(ctx, "deleteRunnerScaleSet", (c) => {
      const refused = checkAdmin(ctx, c);
      if (refused) return refused;
      const id = idParam(c) ?? -1;
      if (!ctx.state.scaleSets.has(id)) return notFound(c, c.req.param("id"));
      const busy = [...(ctx.state.runnersByScaleSet.get(id) ?? [])].some(
        (r) => r.status === "busy",
      );
      if (busy) {
        return serviceError(
          c,
          400,
          EMULATOR_EXCEPTION.jobStillRunning,
          "The runner scale set has runners executing jobs.",
        );
      }
      removeScaleSet(ctx, id);
      return noContent();
    }),
  );
  return app;
}

/** Deletes a scale set: its session, queue and runners go; its unstarted jobs are requeued. */
export function removeScaleSet(ctx: ServiceContext, id: number): void {
  evictSession(ctx, id);
  ctx.state.scaleSets.delete(id);
  ctx.engine.releaseScaleSet(id);
  ctx.state.queues.delete(id);
  for (const r of [...(ctx.state.runnersByScaleSet.get(id) ?? [])]) {
    if (r.status !== "busy") ctx.state.removeRunner(r.id);
  }
  ctx.engine.schedule();
  ctx.engine.options.onChange();
}

function toLabels(
  input: { type?: string | undefined; name: string }[] | undefined,
  name: string,
): Label[] {
  if (!input || input.length === 0) return [{ type: "System", name }];
  return input.map((l) => ({ type: l.type || "System", name: l.name }));
}
