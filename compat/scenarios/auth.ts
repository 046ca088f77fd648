/**
 * Twins of the Go `pat-auth` and `app-auth` scenarios.
 * @module
 */
import { ScaleSetClient } from "../../src/client/index.js";
import { check, errorOf, patClient, systemInfo } from "./common.js";
import type { ScenarioContext, ScenarioDetails } from "./types.js";

/** PAT → registration token → runner-registration → runner group lookup. */
export async function patAuth(ctx: ScenarioContext): Promise<ScenarioDetails> {
  const client = patClient(ctx);
  const group = await client.getRunnerGroupByName("default", { signal: ctx.signal });
  check(group.id === 1, `default runner group id = ${group.id}, want 1`);
  const missing = await errorOf(() =>
    client.getRunnerGroupByName("compat-missing", { signal: ctx.signal }),
  );
  check(missing !== undefined, "get runner group compat-missing: want an error");
  return { runnerGroupId: group.id };
}

/** App JWT → installation token → registration token → runner-registration → by-name miss. */
export async function appAuth(ctx: ScenarioContext): Promise<ScenarioDetails> {
  const client = ScaleSetClient.withGitHubApp({
    configUrl: ctx.configUrl,
    app: ctx.app,
    systemInfo,
    ...(ctx.caPem ? { http: { ca: ctx.caPem } } : {}),
  });
  const set = await client.getRunnerScaleSet(1, "compat-app", { signal: ctx.signal });
  check(set === undefined, "unexpected scale set compat-app");
  return undefined;
}
