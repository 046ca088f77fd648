/**
 * The control API (JSON over HTTP, documented in docs/emulator.md): queue jobs, read state,
 * set faults, expire tokens and sessions.
 * @module
 */
import { Hono } from "hono";
import { z } from "zod";
import type { RunnerScaleSet } from "../../wire/types.js";
import type { AppEnv } from "../context.js";
import type { FaultSpec, JobSpec, JobView, RunnerView, SessionView } from "../types.js";
import { OPERATIONS } from "../types.js";
import { badRequest, type Ctx, idParam, noContent, ok, readBody } from "./helpers.js";

/** What the control routes need from the emulator. */
export interface ControlApi {
  queueJobs(specs: JobSpec[]): JobView[];
  listJobs(): JobView[];
  listRunners(): RunnerView[];
  listScaleSets(): RunnerScaleSet[];
  listSessions(): SessionView[];
  addFault(fault: FaultSpec): string;
  listFaults(): unknown[];
  removeFault(id: string): boolean;
  clearFaults(): void;
  expireTokens(kind?: "admin" | "queue" | "all"): void;
  expireSession(scaleSetId: number): void;
  evictSession(scaleSetId: number): void;
  deleteScaleSet(id: number): void;
  info(): Record<string, unknown>;
}

/** Zod schema of a JobSpec. */
export const jobSpecSchema = z.object({
  labels: z.array(z.string().min(1)).min(1),
  durationMs: z.number().int().nonnegative().optional(),
  result: z.enum(["succeeded", "failed"]).optional(),
  command: z.string().optional(),
  displayName: z.string().optional(),
  repository: z.string().optional(),
  owner: z.string().optional(),
  workflowRef: z.string().optional(),
  eventName: z.string().optional(),
  workflowRunId: z.number().int().nonnegative().optional(),
});

/** Zod schema of a FaultSpec. */
export const faultSpecSchema = z.object({
  operation: z.enum([...OPERATIONS, "*"]),
  scaleSetId: z.number().int().optional(),
  count: z.number().int().positive().optional(),
  forMs: z.number().int().positive().optional(),
  kind: z.enum(["status", "delay", "stall", "empty", "truncated", "bom", "reset"]),
  status: z.number().int().min(100).max(599).optional(),
  exception: z.string().optional(),
  message: z.string().optional(),
  retryAfter: z.string().optional(),
  delayMs: z.number().int().nonnegative().optional(),
});

/**
 * A JobSpec, an array of them or `{jobs: […]}`, as a list. Each shape is checked on its own, so a
 * bad body is reported at the field that is wrong (`at labels: …`), not as zod's bare
 * "Invalid input" for a union none of whose options fit.
 */
const jobsBody = z.unknown().transform((raw, ctx): JobSpec[] => {
  const list = Array.isArray(raw);
  const wrapped = !list && typeof raw === "object" && raw !== null && "jobs" in raw;
  const parsed = list
    ? z.array(jobSpecSchema).safeParse(raw)
    : wrapped
      ? z.object({ jobs: z.array(jobSpecSchema) }).safeParse(raw)
      : jobSpecSchema.safeParse(raw);
  if (!parsed.success) {
    for (const issue of parsed.error.issues)
      ctx.addIssue({ code: "custom", message: issue.message, path: issue.path });
    return z.NEVER;
  }
  const v = parsed.data;
  return (Array.isArray(v) ? v : "jobs" in v ? v.jobs : [v]) as JobSpec[];
});
const expireBody = z.object({ kind: z.enum(["admin", "queue", "all"]).optional() }).optional();

/** Control routes, mounted at `/_control`. */
export function controlRoutes(api: ControlApi): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.get("/", () => ok(api.info()));
  app.post("/jobs", async (c) => {
    const body = await readBody(c, jobsBody);
    if ("error" in body) return body.error;
    return ok(api.queueJobs(body.value), 201);
  });
  app.get("/jobs", () => ok(api.listJobs()));
  app.get("/runners", () => ok(api.listRunners()));
  app.get("/scale-sets", () => ok(api.listScaleSets()));
  app.get("/sessions", () => ok(api.listSessions()));
  app.get("/faults", () => ok(api.listFaults()));
  app.post("/faults", async (c) => {
    const body = await readBody(c, faultSpecSchema);
    if ("error" in body) return body.error;
    return ok({ id: api.addFault(body.value as FaultSpec) }, 201);
  });
  app.delete("/faults", () => {
    api.clearFaults();
    return noContent();
  });
  app.delete("/faults/:faultId", (c) =>
    api.removeFault(c.req.param("faultId")) ? noContent() : badRequest(c, "No such fault."),
  );
  app.post("/tokens/expire", async (c) => {
    const body = await readBody(c, expireBody);
    if ("error" in body) return body.error;
    api.expireTokens(body.value?.kind ?? "all");
    return noContent();
  });
  const withId = (fn: (id: number) => void) => (c: Ctx) => {
    const id = idParam(c);
    if (id === undefined) return badRequest(c, "The id must be an integer.");
    fn(id);
    return noContent();
  };
  app.post(
    "/sessions/:id/expire",
    withId((id) => api.expireSession(id)),
  );
  app.post(
    "/sessions/:id/evict",
    withId((id) => api.evictSession(id)),
  );
  app.delete(
    "/scale-sets/:id",
    withId((id) => api.deleteScaleSet(id)),
  );
  return app;
}
