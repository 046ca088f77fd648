/**
 * Twin of the Go `listener-lifecycle` scenario: the reference listener's loop (ack first,
 * acquire JobAvailable, dispatch, desired count = totalAssignedJobs) written against our
 * client, with fake runner processes.
 * @module
 */
import { check, createSet, patClient, systemInfo } from "./common.js";
import { FakeRunnerScaler } from "./fake-runners.js";
import type { ScenarioContext, ScenarioDetails } from "./types.js";

/** Runs jobs end to end until `ctx.jobs` have completed. */
export async function listenerLifecycle(ctx: ScenarioContext): Promise<ScenarioDetails> {
  const { signal } = ctx;
  const client = patClient(ctx);
  const set = await createSet(client, "compat-listener", signal);
  client.setSystemInfo({ ...systemInfo, scaleSetId: set.id });
  const session = await client.createMessageSession(set.id, "compat-owner", { signal });
  await ctx.hook("queueJobs", { labels: [set.name], count: ctx.jobs });

  const stop = new AbortController();
  const onAbort = () => stop.abort(signal.reason);
  signal.addEventListener("abort", onAbort, { once: true });
  const scaler = new FakeRunnerScaler({
    client,
    scaleSetId: set.id,
    maxRunners: ctx.jobs,
    runnerCmd: ctx.runnerCmd,
    runnerLog: ctx.runnerLog,
    want: ctx.jobs,
    onDone: () => stop.abort(new Error("done")),
  });
  let runError: unknown;
  try {
    let latest = session.session.statistics;
    await scaler.handleDesiredRunnerCount(latest.totalAssignedJobs, stop.signal);
    let lastMessageId = 0;
    while (!stop.signal.aborted) {
      const message = await session.getMessage(lastMessageId, ctx.jobs, { signal: stop.signal });
      if (message === undefined) {
        await scaler.handleDesiredRunnerCount(latest.totalAssignedJobs, stop.signal);
        continue;
      }
      lastMessageId = message.messageId;
      latest = message.statistics;
      // Like the reference: once received, a message is handled even if we are stopping.
      await session.deleteMessage(message.messageId, { signal });
      if (message.jobAvailableMessages.length > 0) {
        const ids = message.jobAvailableMessages.map((m) => m.runnerRequestId);
        await session.acquireJobs(ids, { signal });
      }
      for (const job of message.jobStartedMessages) scaler.handleJobStarted(job);
      for (const job of message.jobCompletedMessages) scaler.handleJobCompleted(job);
      await scaler.handleDesiredRunnerCount(message.statistics.totalAssignedJobs, signal);
    }
  } catch (err) {
    if (!stop.signal.aborted || signal.aborted) runError = err;
  } finally {
    signal.removeEventListener("abort", onAbort);
  }
  const leftover = await scaler.shutdown();
  const details = {
    jobsCompleted: scaler.completed,
    runnersStarted: scaler.started,
    runnersLeftOver: leftover,
  };
  if (runError !== undefined) throw runError;
  check(scaler.completed >= ctx.jobs, `stopped after ${scaler.completed} of ${ctx.jobs} jobs`);
  check(scaler.errors.length === 0, scaler.errors.join("; "));
  await session.close({ signal });
  await client.deleteRunnerScaleSet(set.id, { signal });
  return details;
}
