/**
 * GitHub REST side (spec §2): registration token, App installation token, runner-registration.
 * Served under `/api/v3` (GHES-style config URL).
 * @module
 */
import { Hono } from "hono";
import { z } from "zod";
import type { AppEnv, ServiceContext } from "../context.js";
import { publicBase, serviceBase } from "../context.js";
import { verifyAppJwt } from "../jwt.js";
import { githubError } from "../service-errors.js";
import { parseAuthorization } from "../tokens.js";
import { type Ctx, ok, operation } from "./helpers.js";

const registrationBody = z.object({ url: z.string().url(), runner_event: z.literal("register") });

/** REST routes, mounted at `/api/v3`. */
export function githubRestRoutes(ctx: ServiceContext): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const registrationToken = (check: (c: Ctx) => boolean, scope: (c: Ctx) => string) =>
    operation(ctx, "getRegistrationToken", (c) => {
      const refused = checkGitHubCredential(ctx, c);
      if (refused) return refused;
      if (!check(c)) return githubError(404, "Not Found");
      const { token, expiresAt } = ctx.tokens.issueRegistrationToken(scope(c));
      return ok({ token, expires_at: new Date(expiresAt).toISOString() }, 201);
    });
  const sameOrg = (org: string | undefined) => org?.toLowerCase() === ctx.options.org.toLowerCase();
  app.post(
    "/orgs/:org/actions/runners/registration-token",
    registrationToken(
      (c) => sameOrg(c.req.param("org")),
      (c) => `org/${c.req.param("org")}`,
    ),
  );
  app.post(
    "/repos/:owner/:repo/actions/runners/registration-token",
    registrationToken(
      (c) => sameOrg(c.req.param("owner")),
      (c) => `repo/${c.req.param("owner")}/${c.req.param("repo")}`,
    ),
  );
  app.post(
    "/enterprises/:enterprise/actions/runners/registration-token",
    registrationToken(
      () => true,
      (c) => `enterprise/${c.req.param("enterprise")}`,
    ),
  );

  app.post(
    "/app/installations/:installationId/access_tokens",
    operation(ctx, "getInstallationToken", (c) => {
      const auth = parseAuthorization(c.req.header("authorization"));
      if (auth?.scheme !== "bearer") return githubError(401, "Requires authentication");
      const app = ctx.options.app;
      if (!app) return githubError(401, "A JSON web token could not be decoded");
      const problem = verifyAppJwt(auth.credential, app.publicKeyPem, app.clientId);
      if (problem) return githubError(401, appJwtMessage(problem));
      if (c.req.param("installationId") !== String(app.installationId))
        return githubError(404, "Not Found");
      const { token, expiresAt } = ctx.tokens.issueInstallationToken();
      return ok(
        {
          token,
          expires_at: new Date(expiresAt).toISOString(),
          permissions: { organization_self_hosted_runners: "write" },
          repository_selection: "all",
        },
        201,
      );
    }),
  );

  app.post(
    "/actions/runner-registration",
    operation(ctx, "runnerRegistration", async (c) => {
      const auth = parseAuthorization(c.req.header("authorization"));
      if (!auth) return githubError(401, "Requires authentication");
      if (
        auth.scheme !== "remoteauth" ||
        !ctx.tokens.isLive(ctx.tokens.registrationTokens, auth.credential)
      ) {
        return githubError(401, "Bad credentials");
      }
      let raw: unknown;
      try {
        raw = JSON.parse(await c.req.text());
      } catch {
        return githubError(400, "Problems parsing JSON");
      }
      const parsed = registrationBody.safeParse(raw);
      if (!parsed.success) {
        const field = parsed.error.issues[0]?.path[0];
        return githubError(
          422,
          field === "runner_event"
            ? 'Invalid request: runner_event must be "register".'
            : "Invalid request: url must be the absolute config URL (https://host/org).",
        );
      }
      // The token only registers runners where it was issued: a config URL of another
      // organization, repository or enterprise is refused, as GitHub's scoped tokens are.
      const scope = ctx.tokens.registrationScopes.get(auth.credential);
      if (scope !== undefined && scope !== configUrlScope(parsed.data.url)) {
        return githubError(
          404,
          "Not Found: the registration token was issued for another organization, repository or enterprise than url",
        );
      }
      const token = ctx.tokens.issueJwt("admin", ctx.options.adminTokenTtlMs);
      return ok({ url: serviceBase(publicBase(ctx, c)), token, token_schema: "OAuthAccessToken" });
    }),
  );
  return app;
}

/** Accepts a PAT from the allow-list or a live installation token (Bearer or `token` scheme). */
function checkGitHubCredential(ctx: ServiceContext, c: Ctx): Response | undefined {
  const auth = parseAuthorization(c.req.header("authorization"));
  if (!auth) return githubError(401, "Requires authentication");
  if (auth.scheme !== "bearer" && auth.scheme !== "token")
    return githubError(401, "Bad credentials");
  const cred = auth.credential;
  if (ctx.options.tokens.includes(cred)) return undefined;
  if (ctx.tokens.isLive(ctx.tokens.installationTokens, cred)) return undefined;
  if (cred.split(".").length === 3) {
    return githubError(
      403,
      "Resource not accessible by integration: an App JWT cannot create registration tokens",
    );
  }
  return githubError(401, "Bad credentials");
}

function appJwtMessage(problem: string): string {
  switch (problem) {
    case "expired":
      return "'Expiration time' claim ('exp') must be a numeric value representing the future time at which the assertion expires";
    case "iat":
      return "'Issued at' claim ('iat') must be an Integer representing the time that the assertion was issued";
    case "issuer":
      return "'Issuer' claim ('iss') must match the App's client ID";
    default:
      return "A JSON web token could not be decoded";
  }
}

/** The scope a config URL names, in the form of a registration token's scope (lower case). */
function configUrlScope(url: string): string | undefined {
  const parts = new URL(url).pathname.split("/").filter((p) => p !== "");
  if (parts[0]?.toLowerCase() === "enterprises" && parts.length === 2) {
    return `enterprise/${parts[1]}`.toLowerCase();
  }
  if (parts.length === 1) return `org/${parts[0]}`.toLowerCase();
  if (parts.length === 2) return `repo/${parts[0]}/${parts[1]}`.toLowerCase();
  return undefined;
}
