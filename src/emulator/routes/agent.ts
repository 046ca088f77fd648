/**
 * Runner agent endpoints (ours, documented in docs/emulator.md): a JIT runner comes online,
 * takes an assigned job of its scale set, reports it running and completed.
 * @module
 */
import { Hono } from "hono";
import { z } from "zod";
import type { AppEnv, ServiceContext } from "../context.js";
import type { RunnerRecord } from "../records.js";
import { badRequest, bearer, type Ctx, noContent, ok, readBody, unauthorized } from "./helpers.js";

const completeBody = z.object({ result: z.enum(["succeeded", "failed", "canceled"]) });
const MAX_WAIT_MS = 60_000;

/** Agent routes, mounted at `/_agent`. */
export function agentRoutes(ctx: ServiceContext): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const runnerOf = (c: Ctx): RunnerRecord | undefined => {
    const secret = bearer(c);
    return secret ? ctx.state.runnerBySecret.get(secret) : undefined;
  };

  app.post("/connect", (c) => {
    const runner = runnerOf(c);
    if (!runner) return unauthorized(c, "Unknown runner credentials.");
    if (runner.status === "registered" || runner.status === "offline") runner.status = "online";
    ctx.engine.options.onChange();
    return ok({ runnerId: runner.id, runnerName: runner.name, scaleSetId: runner.scaleSetId });
  });

  app.post("/jobs/acquire", async (c) => {
    const runner = runnerOf(c);
    if (!runner) return unauthorized(c, "Unknown runner credentials.");
    const waitRaw = Number(c.req.query("waitMs") ?? "30000");
    const waitMs = Number.isFinite(waitRaw) ? Math.min(Math.max(0, waitRaw), MAX_WAIT_MS) : 30_000;
    const deadline = Date.now() + waitMs;
    const waiters = ctx.state.runnerWaitersFor(runner.scaleSetId);
    const signal = c.req.raw.signal;
    for (;;) {
      if (ctx.state.runners.get(runner.id) !== runner)
        return unauthorized(c, "The runner was removed.");
      const job = ctx.engine.take(runner);
      if (job) {
        const body = {
          jobId: job.jobId,
          runnerRequestId: job.runnerRequestId,
          displayName: job.displayName,
          labels: job.labels,
          durationMs: job.durationMs,
          result: job.plannedResult,
          renewIntervalMs: Math.max(10, Math.floor(ctx.options.runnerLostTimeoutMs / 4)),
          ...(job.command !== undefined ? { command: job.command } : {}),
        };
        return ok(body);
      }
      const left = deadline - Date.now();
      if (left <= 0 || signal.aborted) return noContent();
      await waiters.wait(left, signal);
    }
  });

  app.post("/jobs/:jobId/started", (c) => {
    const runner = runnerOf(c);
    if (!runner) return unauthorized(c, "Unknown runner credentials.");
    const job = ctx.state.jobs.get(c.req.param("jobId"));
    if (!job || job.runnerId !== runner.id)
      return badRequest(c, "This job is not assigned to the runner.");
    ctx.engine.started(runner, job);
    return noContent();
  });

  app.post("/jobs/:jobId/renew", (c) => {
    const runner = runnerOf(c);
    if (!runner) return unauthorized(c, "Unknown runner credentials.");
    const job = ctx.state.jobs.get(c.req.param("jobId"));
    if (!job || !ctx.engine.renew(runner, job))
      return badRequest(c, "This job is not assigned to the runner.");
    return noContent();
  });

  app.post("/jobs/:jobId/completed", async (c) => {
    const runner = runnerOf(c);
    if (!runner) return unauthorized(c, "Unknown runner credentials.");
    const job = ctx.state.jobs.get(c.req.param("jobId"));
    if (!job || job.runnerId !== runner.id)
      return badRequest(c, "This job is not assigned to the runner.");
    const body = await readBody(c, completeBody);
    if ("error" in body) return body.error;
    if (job.state === "assigned") ctx.engine.started(runner, job);
    ctx.engine.completed(runner, job, body.value.result);
    return noContent();
  });
  return app;
}
