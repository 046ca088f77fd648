/**
 * JIT configs and runner (agent) lookups (spec §3.10–§3.12).
 * @module
 */
import { Hono } from "hono";
import { z } from "zod";
import { type AppEnv, publicBase, type ServiceContext } from "../context.js";
import { encodeJitConfig, newRunnerCredentials } from "../jit-config.js";
import type { RunnerRecord } from "../records.js";
import { runnerJson } from "../scale-set-json.js";
import { EMULATOR_EXCEPTION, serviceError } from "../service-errors.js";
import { type Ctx, checkAdmin, idParam, noContent, ok, operation, readBody } from "./helpers.js";

const jitBody = z.looseObject({
  name: z.string().min(1).max(64),
  workFolder: z.string().optional(),
});

/** Runner routes, mounted at the Actions-service base. */
export function runnerRoutes(ctx: ServiceContext): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const agents = "/_apis/distributedtask/pools/0/agents";
  const agentNotFound = (c: Ctx, id: string | undefined) =>
    serviceError(
      c,
      404,
      EMULATOR_EXCEPTION.agentNotFound,
      `No agent found in pool 0 with identifier ${id ?? ""}.`,
    );

  app.post(
    "/_apis/runtime/runnerscalesets/:id/generatejitconfig",
    operation(ctx, "generateJitRunnerConfig", async (c) => {
      const refused = checkAdmin(ctx, c);
      if (refused) return refused;
      const scaleSet = ctx.state.scaleSets.get(idParam(c) ?? -1);
      if (!scaleSet) {
        return serviceError(
          c,
          404,
          EMULATOR_EXCEPTION.scaleSetNotFound,
          `The runner scale set ${c.req.param("id")} does not exist.`,
        );
      }
      const body = await readBody(c, jitBody);
      if ("error" in body) return body.error;
      const { name, workFolder = "" } = body.value;
      if (ctx.state.runnerNamed(name)) {
        return serviceError(
          c,
          409,
          EMULATOR_EXCEPTION.agentExists,
          `Agent exists with the name ${name}.`,
        );
      }
      const runner: RunnerRecord = {
        id: ++ctx.state.ids.runner,
        name,
        scaleSetId: scaleSet.id,
        status: "registered",
        workFolder,
        ...newRunnerCredentials(),
      };
      ctx.state.addRunner(runner);
      ctx.engine.options.onChange();
      return ok({
        runner: { id: runner.id, name: runner.name, runnerScaleSetId: runner.scaleSetId },
        encodedJITConfig: encodeJitConfig(publicBase(ctx, c), runner, scaleSet),
      });
    }),
  );

  app.get(
    `${agents}/:runnerId`,
    operation(ctx, "getRunner", (c) => {
      const refused = checkAdmin(ctx, c);
      if (refused) return refused;
      const runner = ctx.state.runners.get(idParam(c, "runnerId") ?? -1);
      return runner ? ok(runnerJson(runner)) : agentNotFound(c, c.req.param("runnerId"));
    }),
  );

  app.get(
    agents,
    operation(ctx, "getRunnerByName", (c) => {
      const refused = checkAdmin(ctx, c);
      if (refused) return refused;
      const runner = ctx.state.runnerNamed(c.req.query("agentName") ?? "");
      const value = runner ? [runnerJson(runner)] : [];
      return ok({ count: value.length, value });
    }),
  );

  app.delete(
    `${agents}/:runnerId`,
    operation(ctx, "removeRunner", (c) => {
      const refused = checkAdmin(ctx, c);
      if (refused) return refused;
      const runner = ctx.state.runners.get(idParam(c, "runnerId") ?? -1);
      if (!runner) return agentNotFound(c, c.req.param("runnerId"));
      if (runner.status === "busy") {
        return serviceError(
          c,
          400,
          EMULATOR_EXCEPTION.jobStillRunning,
          `Agent ${runner.id} is running job ${runner.jobId ?? ""} and cannot be deleted.`,
        );
      }
      ctx.state.removeRunner(runner.id);
      ctx.engine.options.onChange();
      return noContent();
    }),
  );
  return app;
}
