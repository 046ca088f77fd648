/**
 * The emulator's hono app: REST side under `/api/v3` (and at the root on an `api.*` host),
 * Actions service under `/_services/pipelines`, runner agent under `/_agent`, control API under
 * `/_control`.
 * @module
 */
import { Hono } from "hono";
import { getPath } from "hono/utils/url";
import { type AppEnv, PATHS, type ServiceContext } from "./context.js";
import type { RequestRecorder } from "./recorder.js";
import { agentRoutes } from "./routes/agent.js";
import { controlRoutes } from "./routes/control.js";
import { githubRestRoutes } from "./routes/github-rest.js";
import { queueRoutes } from "./routes/queue.js";
import { runnerRoutes } from "./routes/runners.js";
import { scaleSetRoutes } from "./routes/scale-sets.js";
import { sessionRoutes } from "./routes/sessions.js";
import { githubError, serviceError } from "./service-errors.js";

/** Control operations the control routes call (implemented by the Emulator). */
export type { ControlApi } from "./routes/control.js";

/** Builds the app. */
export function createApp(
  ctx: ServiceContext,
  control: import("./routes/control.js").ControlApi,
  recorder?: RequestRecorder,
): Hono<AppEnv> {
  // The legacy client built acquirejobs URLs by concatenation (`…/pipelines//_apis/…`, spec
  // §3.17); collapse duplicate slashes the way the service's URL handling does.
  const app = new Hono<AppEnv>({
    getPath: (req) => {
      const path = getPath(req);
      return restAtRoot(req.url, path.includes("//") ? path.replace(/\/{2,}/g, "/") : path);
    },
  });
  if (recorder) app.use("*", recorder.middleware());
  app.route(PATHS.rest, githubRestRoutes(ctx));
  const service = new Hono<AppEnv>();
  service.route("/", scaleSetRoutes(ctx));
  service.route("/", runnerRoutes(ctx));
  service.route("/", sessionRoutes(ctx));
  service.route("/", queueRoutes(ctx));
  app.route(PATHS.service, service);
  app.route(PATHS.agent, agentRoutes(ctx));
  app.route(PATHS.control, controlRoutes(control));
  app.notFound((c) => {
    if (c.req.path.startsWith(PATHS.rest)) return githubError(404, "Not Found");
    return serviceError(
      c,
      404,
      "System.Web.Http.HttpResponseException, System.Web.Http",
      `No route for ${c.req.method} ${c.req.path}.`,
    );
  });
  app.onError((err, c) =>
    serviceError(
      c,
      500,
      "GitHub.Services.WebApi.VssServiceException, GitHub.Services.WebApi",
      `Internal error: ${err.name}.`,
    ),
  );
  return app;
}

/**
 * A hosted-style config URL (`http://github.localhost/<org>`) sends its REST calls to
 * `http://api.github.localhost/…` (spec §1.2, Appendix B): on a host named `api.*`, serve the
 * REST routes at the root too, as if under `/api/v3`.
 */
function restAtRoot(url: string, path: string): string {
  if (!/^https?:\/\/api\./i.test(url)) return path;
  if (path.startsWith("/_") || path === PATHS.rest || path.startsWith(`${PATHS.rest}/`))
    return path;
  return `${PATHS.rest}${path}`;
}
