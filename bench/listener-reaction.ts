/**
 * Reaction time: from a job being queued in the emulator (child process, no added latency) to
 * the listener calling `handleDesiredRunnerCount` with the new assigned count.
 *
 *   node --import tsx bench/listener-reaction.ts [--jobs 200] [--mode github|ghes] [--no-tls]
 *
 * Timestamps on both sides are wall-clock `performance.timeOrigin + performance.now()`.
 */
import { ScaleSetClient } from "../src/client/index.js";
import { Listener } from "../src/listener/index.js";
import type { Scaler } from "../src/listener/types.js";
import { startEmulatorProcess } from "../test/helpers/emulator-process.js";
import { arg, flag, percentile, printTable, until } from "./listener-support.js";

const jobs = Number(arg("jobs", "200"));
const mode = arg("mode", "github") as "github" | "ghes";
const tls = !flag("no-tls");
const now = () => performance.timeOrigin + performance.now();

const emulator = await startEmulatorProcess({
  tls,
  mode,
  longPollMs: 50_000,
  pickupTimeoutMs: 3_600_000,
});
try {
  const client = ScaleSetClient.withToken({
    configUrl: emulator.configUrl,
    token: emulator.token,
    http: emulator.caPem ? { ca: emulator.caPem } : {},
  });
  const label = "reaction";
  const set = await client.createRunnerScaleSet({
    name: label,
    runnerGroupId: 1,
    labels: [{ name: label }],
  });
  let seen = 0;
  let seenAt = 0;
  const scaler: Scaler = {
    handleDesiredRunnerCount: async (count) => {
      if (count > seen) {
        seen = count;
        seenAt = now();
      }
      return count;
    },
    handleJobStarted: async () => {},
    handleJobCompleted: async () => {},
  };
  const listener = new Listener({ client, scaleSetId: set.id, maxRunners: 1_000_000 });
  const controller = new AbortController();
  const done = listener.run(scaler, { signal: controller.signal });
  await until(() => listener.health.state === "polling", 30_000, "listener polling");

  const samples: number[] = [];
  for (let i = 1; i <= jobs + 10; i++) {
    const { queuedAt } = await emulator.call<{ queuedAt: number }>("queueJobsTimed", {
      labels: [label],
    });
    await until(() => seen >= i, 10_000, `job ${i} to reach the scaler`);
    if (i > 10) samples.push(seenAt - queuedAt); // first 10 warm up
    await until(() => listener.health.state === "polling", 10_000, "listener polling again");
  }
  controller.abort();
  await done;

  const ms = (v: number) => `${v.toFixed(2)} ms`;
  printTable(`listener-reaction: ${jobs} jobs, mode ${mode}, ${tls ? "https (h2)" : "http/1.1"}`, [
    ["p50", ms(percentile(samples, 50))],
    ["p90", ms(percentile(samples, 90))],
    ["p99", ms(percentile(samples, 99))],
    ["max", ms(Math.max(...samples))],
    ["mean", ms(samples.reduce((a, b) => a + b, 0) / samples.length)],
  ]);
} finally {
  await emulator.stop();
}
process.exit(0);
