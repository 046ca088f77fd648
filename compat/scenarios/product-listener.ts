/**
 * Twin of the Go `listener-product` scenario with our own `Listener` (src/listener) instead of
 * a hand-written loop: the product's session handling, acknowledgement (after handling, its
 * default) and dispatch, compared loosely with the reference listener's requests.
 * @module
 */
import { Listener } from "../../src/listener/index.js";
import type { Scaler } from "../../src/listener/types.js";
import { check, createSet, patClient, systemInfo } from "./common.js";
import { FakeRunnerScaler } from "./fake-runners.js";
import type { ScenarioContext, ScenarioDetails } from "./types.js";

/** Runs `ctx.jobs` jobs end to end through our Listener and fake runner processes. */
export async function productListenerLifecycle(ctx: ScenarioContext): Promise<ScenarioDetails> {
  const { signal } = ctx;
  const client = patClient(ctx);
  const set = await createSet(client, "compat-listener", signal);
  client.setSystemInfo({ ...systemInfo, scaleSetId: set.id });

  const stop = new AbortController();
  const onAbort = () => stop.abort(signal.reason);
  signal.addEventListener("abort", onAbort, { once: true });
  const fake = new FakeRunnerScaler({
    client,
    scaleSetId: set.id,
    maxRunners: ctx.jobs,
    runnerCmd: ctx.runnerCmd,
    runnerLog: ctx.runnerLog,
    want: ctx.jobs,
    onDone: () => stop.abort(new Error("done")),
  });
  let queued = false;
  const scaler: Scaler = {
    // Jobs are queued once the session exists, as in the Go scenario.
    handleDesiredRunnerCount: async (count, c) => {
      if (!queued) {
        queued = true;
        await ctx.hook("queueJobs", { labels: [set.name], count: ctx.jobs });
      }
      return fake.handleDesiredRunnerCount(count, c.signal);
    },
    handleJobStarted: async (job) => fake.handleJobStarted(job),
    handleJobCompleted: async (job) => fake.handleJobCompleted(job),
  };
  const listener = new Listener({
    client,
    scaleSetId: set.id,
    owner: "compat-owner",
    maxRunners: ctx.jobs,
  });
  try {
    await listener.run(scaler, { signal: stop.signal });
  } finally {
    signal.removeEventListener("abort", onAbort);
  }
  const leftover = await fake.shutdown();
  const details = {
    jobsCompleted: fake.completed,
    runnersStarted: fake.started,
    runnersLeftOver: leftover,
  };
  check(fake.completed >= ctx.jobs, `stopped after ${fake.completed} of ${ctx.jobs} jobs`);
  check(fake.errors.length === 0, fake.errors.join("; "));
  await client.deleteRunnerScaleSet(set.id, { signal });
  return details;
}
