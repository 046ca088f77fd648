/**
 * Benchmark 2, reaction latency: a job queued in the emulator (github mode: the service assigns
 * it) → the provider's `start` called. Ours: Listener + Autoscaler with a no-op provider. The
 * reference: the official Go listener + the dockerscaleset example's scaler logic with a no-op
 * start. Jobs are queued one at a time; the next is queued once the previous start was seen.
 * Both timestamps are wall-clock ms on this machine (`performance.timeOrigin + now()` in the
 * emulator and our agent, `time.Now()` in Go).
 */
import type { EmulatorOptions } from "../src/emulator/types.js";
import { type BenchEmulator, startBenchEmulator } from "./lib/emulator.js";
import { adminClient, createScaleSets, evictSessions, type Side, startSide } from "./lib/setup.js";
import { median, num, percentile, ratio, table, wait } from "./lib/stats.js";

/** Options of {@link benchReaction}. */
export interface ReactionOptions {
  runs: number;
  jobs: number;
  /** Jobs first queued and not measured (connections, JIT compilation). */
  warmUp: number;
  /** Pause after a start before the next job is queued. */
  gapMs: number;
  log: (line: string) => void;
}

const EMULATOR_OPTIONS: EmulatorOptions = {
  tls: true,
  mode: "github",
  longPollMs: 50_000,
  pickupTimeoutMs: 3_600_000,
  sessionTtlMs: 3_600_000,
};

interface RunResult {
  p50: number;
  p99: number;
  max: number;
}

async function runOnce(
  emulator: BenchEmulator,
  side: Side,
  label: string,
  id: number,
  o: ReactionOptions,
): Promise<RunResult> {
  const child = startSide(side, "scaler", emulator, { ids: [id], maxRunners: 100_000 });
  try {
    await child.waitFor("ready", 60_000);
    const samples: number[] = [];
    const total = o.warmUp + o.jobs;
    for (let i = 1; i <= total; i++) {
      const { queuedAt } = await emulator.call<{ queuedAt: number }>("queueJobsTimed", {
        labels: [label],
      });
      const start = await child.waitFor("start", 30_000, i);
      if (i > o.warmUp) samples.push(Number(start["t"]) - queuedAt);
      if (o.gapMs > 0) await wait(o.gapMs);
    }
    return {
      p50: percentile(samples, 50),
      p99: percentile(samples, 99),
      max: Math.max(...samples),
    };
  } finally {
    await child.stop();
    await evictSessions(emulator);
  }
}

/** Runs benchmark 2 and returns its markdown section. */
export async function benchReaction(o: ReactionOptions): Promise<string> {
  const results: Record<Side, RunResult[]> = { ours: [], go: [] };
  for (let run = 0; run < o.runs; run++) {
    // A fresh scale set per side and run: each starts from 0 assigned jobs.
    for (const side of ["ours", "go"] as const) {
      const prefix = `react-${side}-${run}`;
      // A fresh emulator per side and run: its state (runners from earlier runs) would
      // otherwise grow and slow later runs, whichever side they belong to.
      const emulator = await startBenchEmulator(EMULATOR_OPTIONS);
      let r: RunResult;
      try {
        const [id] = await createScaleSets(adminClient(emulator), prefix, 1);
        r = await runOnce(emulator, side, `${prefix}-0`, id as number, o);
      } finally {
        await emulator.stop();
      }
      results[side].push(r);
      o.log(
        `  reaction ${side} run ${run + 1}: p50 ${num(r.p50, 2)} ms, p99 ${num(r.p99, 2)} ms, max ${num(r.max, 2)} ms`,
      );
    }
  }
  const m = (side: Side, f: (r: RunResult) => number) => median(results[side].map(f));
  const row = (name: string, f: (r: RunResult) => number) => [
    name,
    `${num(m("ours", f), 2)} ms`,
    `${num(m("go", f), 2)} ms`,
    ratio(m("ours", f), m("go", f)),
  ];
  return [
    "## 2. Reaction latency",
    "",
    `Job queued in the emulator (github mode, https + HTTP/2, long poll parked) → provider \`start\` called (after the JIT config was generated), ${o.jobs} jobs per run queued one at a time (${o.warmUp} unmeasured warm-up jobs first, ${o.gapMs} ms pause after each start), a fresh emulator and scale set per side and run; medians over ${o.runs} runs of each run's percentile. Ours: \`Listener\` + \`Autoscaler\` + a no-op provider. Reference: Go \`listener\` + the dockerscaleset example's scaler logic (sequential \`GenerateJitRunnerConfig\` then a no-op start).`,
    "",
    table(
      ["", "ours", "Go reference", "ours ÷ Go"],
      [row("p50", (r) => r.p50), row("p99", (r) => r.p99), row("max", (r) => r.max)],
    ),
    "",
    "Reproduce: `npm run bench -- --only reaction`",
    "",
  ].join("\n");
}
