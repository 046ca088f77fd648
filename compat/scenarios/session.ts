/**
 * Twin of the Go `session` scenario (GHES mode: JobAvailable, then acquire).
 * @module
 */
import { check, createSet, errorOf, patClient, systemInfo } from "./common.js";
import type { ScenarioContext, ScenarioDetails } from "./types.js";

/** Session create, 202, JobAvailable, ack, acquire, queue-token expiry → refresh, close. */
export async function session(ctx: ScenarioContext): Promise<ScenarioDetails> {
  const { signal } = ctx;
  const client = patClient(ctx);
  const set = await createSet(client, "compat-session", signal);
  const session = await client.createMessageSession(set.id, "compat-owner", { signal });
  check(session.session.messageQueueUrl !== "", "create session: incomplete session");
  // The session keeps the User-Agent of its creation for getMessage/deleteMessage, while
  // refresh/acquire/close use the client's current one (spec §3.2).
  client.setSystemInfo({ ...systemInfo, scaleSetId: set.id });
  const conflict = await errorOf(() =>
    client.createMessageSession(set.id, "compat-owner-2", { signal }),
  );
  check(conflict !== undefined, "second session for the same scale set: want a conflict error");
  const empty = await session.getMessage(0, 10, { signal });
  check(empty === undefined, "get message on empty queue: want 202");
  await ctx.hook("queueJobs", { labels: [set.name], count: 1 });
  const available = await session.getMessage(0, 10, { signal });
  check(available?.jobAvailableMessages.length === 1, "want 1 JobAvailable");
  await session.deleteMessage(available.messageId, { signal });
  const requestId = available.jobAvailableMessages[0]?.runnerRequestId ?? 0;
  const acquired = await session.acquireJobs([requestId], { signal });
  check(acquired.length === 1 && acquired[0] === requestId, "acquire jobs");
  await ctx.hook("expireQueueToken");
  const assigned = await session.getMessage(available.messageId, 10, { signal });
  check(assigned?.jobAssignedMessages.length === 1, "want 1 JobAssigned after refresh");
  await session.deleteMessage(assigned.messageId, { signal });
  await session.close({ signal });
  await client.deleteRunnerScaleSet(set.id, { signal });
  return { acquired };
}
