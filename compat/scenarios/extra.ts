/**
 * Twins of the Go `name-encoding`, `retry`, `admin-refresh` and `queue-errors` scenarios.
 * @module
 */
import { isScaleSetError } from "../../src/client/index.js";
import { check, createSet, errorOf, patClient } from "./common.js";
import type { ScenarioContext, ScenarioDetails } from "./types.js";

/** Names with `+` and spaces in query strings; lookups recorded, not asserted. */
export async function nameEncoding(ctx: ScenarioContext): Promise<ScenarioDetails> {
  const { signal } = ctx;
  const client = patClient(ctx);
  const name = "compat set+plus";
  const set = await createSet(client, name, signal);
  const found = await client.getRunnerScaleSet(1, name, { signal });
  const runnerName = "compat runner+1";
  await client.generateJitRunnerConfig(set.id, { name: runnerName }, { signal });
  const runner = await client.getRunnerByName(runnerName, { signal });
  const missing = await errorOf(() => client.getRunnerGroupByName("no such group", { signal }));
  check(missing !== undefined, "get runner group 'no such group': want an error");
  await client.deleteRunnerScaleSet(set.id, { signal });
  return { scaleSetFoundByName: found !== undefined, runnerFoundByName: runner !== undefined };
}

/** A 503 retried after backoff; a 429 with Retry-After: 0 retried at once. */
export async function retry(ctx: ScenarioContext): Promise<ScenarioDetails> {
  const { signal } = ctx;
  const client = patClient(ctx);
  await ctx.hook("addFault", { operation: "getRunnerGroupByName", kind: "status", status: 503 });
  await client.getRunnerGroupByName("default", { signal });
  await ctx.hook("addFault", {
    operation: "getRunnerScaleSet",
    kind: "status",
    status: 429,
    retryAfter: "0",
  });
  await client.getRunnerScaleSet(1, "compat-retry", { signal });
  return undefined;
}

/** Admin token living < 60 s: the whole exchange runs again before every request. */
export async function adminRefresh(ctx: ScenarioContext): Promise<ScenarioDetails> {
  const { signal } = ctx;
  const client = patClient(ctx);
  for (let i = 0; i < 2; i++) await client.getRunnerScaleSet(1, "compat-refresh", { signal });
  return undefined;
}

/** Queue token rejected twice, a 500 on the long poll, a 401 on acquirejobs. */
export async function queueErrors(ctx: ScenarioContext): Promise<ScenarioDetails> {
  const { signal } = ctx;
  const client = patClient(ctx);
  const set = await createSet(client, "compat-queue-errors", signal);
  const session = await client.createMessageSession(set.id, "compat-owner", { signal });
  await ctx.hook("addFault", { operation: "getMessage", kind: "status", status: 401, count: 2 });
  const expired = await errorOf(() => session.getMessage(0, 10, { signal }));
  check(
    isScaleSetError(expired, "MESSAGE_QUEUE_TOKEN_EXPIRED"),
    `get message with a token rejected twice: ${String(expired)}`,
  );
  await ctx.hook("addFault", { operation: "getMessage", kind: "status", status: 500 });
  check((await session.getMessage(0, 10, { signal })) === undefined, "get message after a 500");
  await ctx.hook("addFault", { operation: "acquireJobs", kind: "status", status: 401 });
  const acquired = await session.acquireJobs([424242], { signal });
  await session.close({ signal });
  await client.deleteRunnerScaleSet(set.id, { signal });
  return { acquired: acquired.length };
}
